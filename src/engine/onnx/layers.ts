/**
 * The layers BERT-family models share, as graph functions: nn.Linear, nn.LayerNorm, the activations
 * of `hidden_act`, and dropout, each forward beside its backward. A weight is referred to by its
 * Hugging Face name, which is also its name in the graph (an initializer when exported, an input when
 * training).
 *
 * A forward returns its output and what its backward needs; a backward takes that record and the
 * gradient of the output (`dy`), records the gradients of its weights, and returns the gradient of its
 * input. Each backward step carries its formula in a comment.
 */
import type { HiddenAct } from '../checkpoint/config';
import { FLOAT, INT64, type Dim, type GraphBuilder, type Value } from './graph';

/** A weight of the checkpoint by its normalised Hugging Face name (`bert.encoder.layer.0.output.dense.weight`). */
export type Weight = string;

/** nn.Linear: weight [out, in], bias [out]. */
export interface Linear {
  weight: Weight;
  bias: Weight;
}

/** nn.LayerNorm: weight (γ) and bias (β) [width]. */
export interface LayerNorm {
  weight: Weight;
  bias: Weight;
}

export const linearNames = (prefix: string): Linear => ({ weight: `${prefix}.weight`, bias: `${prefix}.bias` });
export const layerNormNames = (prefix: string): LayerNorm => ({ weight: `${prefix}.weight`, bias: `${prefix}.bias` });

/** Every weight name of a tree of Linear / LayerNorm / Weight leaves, in declaration order. */
export function weightNames(tree: unknown): Weight[] {
  if (typeof tree === 'string') return [tree];
  if (Array.isArray(tree)) return tree.flatMap(weightNames);
  if (tree && typeof tree === 'object') return Object.values(tree).flatMap(weightNames);
  return [];
}

/** The gradient of each weight, by name, as the backward pass makes them. */
export class Gradients {
  readonly byWeight = new Map<Weight, Value>();

  set(weight: Weight, gradient: Value): void {
    if (this.byWeight.has(weight)) throw new Error(`the gradient of ${weight} is made twice (is the weight used twice?)`);
    this.byWeight.set(weight, gradient);
  }
}

/**
 * What differs between running a graph for answers and for training: in training, every dropout
 * multiplies by a mask the caller feeds (so that a step can be replayed exactly); in inference it is
 * the identity.
 */
export interface ForwardContext {
  g: GraphBuilder;
  /** Dropout of `x` at `site` (a name unique in the model, e.g. `bert.encoder.layer.0.output`). */
  dropout: (x: Value, site: string, probability: number) => Value;
}

/** A forward context whose dropout masks are graph inputs, with the backward of each. */
export interface TrainingContext extends ForwardContext {
  /** dx = dy·mask at `site` (dy itself where that dropout is off). */
  dropoutBackward: (dy: Value, site: string) => Value;
  /** The mask inputs declared so far, by site. */
  readonly masks: ReadonlyMap<string, Value>;
}

export const inferenceContext = (g: GraphBuilder): ForwardContext => ({ g, dropout: (x) => x });

/** The graph input that carries the dropout mask of `site` (1/(1 − p) where kept, 0 where dropped). */
export const dropoutMaskInput = (site: string) => `${site}.dropout_mask`;

/**
 * Dropout as a product with a fed mask. `maskDims(site)` gives the mask's shape at each site (it is
 * the shape of the value dropped out); an unknown site is a programming error.
 */
export function trainingContext(g: GraphBuilder, maskDims: (site: string) => Dim[] | undefined): TrainingContext {
  const masks = new Map<string, Value>();
  return {
    g,
    masks,
    dropout: (x, site, probability) => {
      if (probability <= 0) return x;
      const dims = maskDims(site);
      if (!dims) throw new Error(`no dropout site named ${site}`);
      if (masks.has(site)) throw new Error(`dropout site ${site} is used twice`);
      const mask = g.input(dropoutMaskInput(site), FLOAT, dims);
      masks.set(site, mask);
      return g.mul(x, mask, 'dropped');
    },
    dropoutBackward: (dy, site) => {
      const mask = masks.get(site);
      return mask ? g.mul(dy, mask, 'd_undropped') : dy;
    },
  };
}

// nn.Linear

export interface LinearSaved {
  /** The input x. */
  input: Value;
  w: Linear;
}

/** y = x·Wᵀ + b, as nn.Linear (x [..., in] → y [..., out]). */
export function linear(g: GraphBuilder, x: Value, w: Linear, hint = 'dense'): Value {
  const weightT = g.transpose(w.weight, [1, 0], `${hint}_weight_t`);
  return g.add(g.matMul(x, weightT, `${hint}_matmul`), w.bias, hint);
}

/**
 * Backward of nn.Linear at input x for upstream dy [..., out]:
 *   dx = dy·W                       [..., in]
 *   dW = Σ dyᵀ·x over all positions [out, in]
 *   db = Σ dy                       [out]
 */
export function linearBackward(g: GraphBuilder, saved: LinearSaved, dy: Value, grads: Gradients, hint = 'dense'): Value {
  const dyRows = g.flatten(dy, -1, `d_${hint}_rows`); // (N, out)
  const xRows = g.flatten(saved.input, -1, `${hint}_input_rows`); // (N, in)
  grads.set(saved.w.weight, g.gemm(dyRows, xRows, { transA: true }, `${hint}.weight.grad`));
  grads.set(saved.w.bias, g.reduceSum(dyRows, [0], false, `${hint}.bias.grad`));
  return g.matMul(dy, saved.w.weight, `d_${hint}_input`);
}

// nn.LayerNorm

export interface LayerNormSaved {
  input: Value;
  /** μ and r = 1/√(σ² + ε) of each position, [..., 1]. */
  mean: Value;
  invStdDev: Value;
  w: LayerNorm;
}

/** nn.LayerNorm over the last axis (biased variance, ε inside the square root). */
export function layerNorm(g: GraphBuilder, x: Value, w: LayerNorm, epsilon: number, hint = 'LayerNorm'): { output: Value; saved: LayerNormSaved } {
  const { y, mean, invStdDev } = g.layerNormalization(x, w.weight, w.bias, epsilon, hint);
  return { output: y, saved: { input: x, mean, invStdDev, w } };
}

/**
 * Backward of LayerNorm, x̂ = (x − μ)·r, y = γ·x̂ + β:
 *   dβ = Σ dy,  dγ = Σ dy·x̂                  (over every position)
 *   dx̂ = dy·γ
 *   dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))   (means over the normalised axis)
 */
export function layerNormBackward(g: GraphBuilder, saved: LayerNormSaved, dy: Value, grads: Gradients, hint = 'LayerNorm'): Value {
  const normalized = g.mul(g.sub(saved.input, saved.mean, `${hint}_centered`), saved.invStdDev, `${hint}_normalized`);
  const dyRows = g.flatten(dy, -1, `d_${hint}_rows`);
  grads.set(saved.w.bias, g.reduceSum(dyRows, [0], false, `${hint}.bias.grad`));
  const dyNormalized = g.mul(dy, normalized, `d_${hint}_times_normalized`);
  grads.set(saved.w.weight, g.reduceSum(g.flatten(dyNormalized, -1, `d_${hint}_times_normalized_rows`), [0], false, `${hint}.weight.grad`));

  const dNormalized = g.mul(dy, saved.w.weight, `d_${hint}_normalized`);
  const meanD = g.reduceMean(dNormalized, [-1], true, `d_${hint}_normalized_mean`);
  const meanDx = g.reduceMean(g.mul(dNormalized, normalized, `d_${hint}_dot`), [-1], true, `d_${hint}_dot_mean`);
  const inner = g.sub(g.sub(dNormalized, meanD, `d_${hint}_centered`), g.mul(normalized, meanDx, `d_${hint}_projection`), `d_${hint}_inner`);
  return g.mul(inner, saved.invStdDev, `d_${hint}_input`);
}

// Activations

export interface ActivationSaved {
  act: HiddenAct;
  input: Value;
  /** gelu: 1 + erf(x/√2); gelu_new: tanh(√(2/π)·(x + 0.044715·x³)); relu: unused. */
  inner: Value;
}

const GELU_NEW_SCALE = Math.sqrt(2 / Math.PI);
const GELU_NEW_CUBIC = 0.044715;

/** ACT2FN[hidden_act]: 'gelu' is the exact erf form, 'gelu_new' the tanh approximation. */
export function activation(g: GraphBuilder, x: Value, act: HiddenAct): { output: Value; saved: ActivationSaved } {
  switch (act) {
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2)), divided as written: ONNX Runtime fuses exactly this pattern into one Gelu kernel.
      const erf = g.erf(g.div(x, g.scalar(Math.SQRT2), 'gelu_scaled'), 'gelu_erf');
      const onePlus = g.add(erf, g.scalar(1), 'gelu_one_plus');
      return { output: g.mul(g.mul(x, g.scalar(0.5), 'gelu_half'), onePlus, 'gelu'), saved: { act, input: x, inner: onePlus } };
    }
    case 'gelu_new': {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
      const cube = g.mul(g.mul(x, x, 'gelu_sq'), x, 'gelu_cube');
      const inner = g.mul(g.add(x, g.mul(cube, g.scalar(GELU_NEW_CUBIC), 'gelu_cubic_term'), 'gelu_sum'), g.scalar(GELU_NEW_SCALE), 'gelu_inner');
      const tanh = g.tanh(inner, 'gelu_tanh');
      return { output: g.mul(g.mul(x, g.scalar(0.5), 'gelu_half'), g.add(tanh, g.scalar(1), 'gelu_one_plus'), 'gelu'), saved: { act, input: x, inner: tanh } };
    }
    case 'relu':
      return { output: g.relu(x, 'relu'), saved: { act, input: x, inner: x } };
  }
}

/** dx = dy · f′(x) for the activation f. */
export function activationBackward(g: GraphBuilder, saved: ActivationSaved, dy: Value): Value {
  const x = saved.input;
  switch (saved.act) {
    case 'gelu': {
      // f′(x) = Φ(x) + x·φ(x),  Φ(x) = ½(1 + erf(x/√2)),  φ(x) = exp(−x²/2)/√(2π)
      const cdf = g.mul(saved.inner, g.scalar(0.5), 'd_gelu_cdf');
      const pdf = g.mul(g.exp(g.mul(g.mul(x, x, 'd_gelu_sq'), g.scalar(-0.5), 'd_gelu_exponent'), 'd_gelu_exp'), g.scalar(1 / Math.sqrt(2 * Math.PI)), 'd_gelu_pdf');
      return g.mul(dy, g.add(cdf, g.mul(x, pdf, 'd_gelu_x_pdf'), 'd_gelu_slope'), 'd_gelu');
    }
    case 'gelu_new': {
      // f′(x) = ½(1 + t) + ½x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²),  t = tanh(√(2/π)·(x + 0.044715·x³))
      const t = saved.inner;
      const halfOnePlus = g.mul(g.add(t, g.scalar(1), 'd_gelu_one_plus'), g.scalar(0.5), 'd_gelu_half_one_plus');
      const sech2 = g.sub(g.scalar(1), g.mul(t, t, 'd_gelu_tanh_sq'), 'd_gelu_sech_sq');
      const innerSlope = g.mul(g.add(g.scalar(1), g.mul(g.mul(x, x, 'd_gelu_sq'), g.scalar(3 * GELU_NEW_CUBIC), 'd_gelu_sq_term'), 'd_gelu_inner_sum'), g.scalar(GELU_NEW_SCALE), 'd_gelu_inner_slope');
      const second = g.mul(g.mul(g.mul(x, g.scalar(0.5), 'd_gelu_half_x'), sech2, 'd_gelu_half_x_sech_sq'), innerSlope, 'd_gelu_second');
      return g.mul(dy, g.add(halfOnePlus, second, 'd_gelu_slope'), 'd_gelu');
    }
    case 'relu':
      // f′(x) = 1 where x > 0, else 0 (as torch's threshold_backward)
      return g.where(g.greater(x, g.scalar(0), 'd_relu_positive'), dy, g.scalar(0), 'd_relu');
  }
}

// Question-answering head

export interface QaHeadSaved {
  linear: LinearSaved;
}

/** Start and end logits [batch, seq] from the last hidden state, as the QA models' `qa_outputs` head. */
export function questionAnsweringHead(g: GraphBuilder, sequenceOutput: Value, qaOutputs: Linear): { startLogits: Value; endLogits: Value; saved: QaHeadSaved } {
  return g.scope('qa_outputs', () => {
    const logits = linear(g, sequenceOutput, qaOutputs, 'logits'); // (B, S, 2)
    const [start, end] = g.split(logits, -1, [1, 1], ['start', 'end']);
    return {
      startLogits: g.squeeze(start!, [-1], 'start_logits'),
      endLogits: g.squeeze(end!, [-1], 'end_logits'),
      saved: { linear: { input: sequenceOutput, w: qaOutputs } },
    };
  });
}

/** d(logits) = [dstart, dend] stacked on the last axis, then the linear backward. */
export function questionAnsweringHeadBackward(g: GraphBuilder, saved: QaHeadSaved, dStart: Value, dEnd: Value, grads: Gradients): Value {
  return g.scope('qa_outputs', () => {
    const dLogits = g.concat([g.unsqueeze(dStart, [-1], 'd_start'), g.unsqueeze(dEnd, [-1], 'd_end')], -1, 'd_logits'); // (B, S, 2)
    return linearBackward(g, saved.linear, dLogits, grads, 'logits');
  });
}

// Softmax and nn.Embedding

/**
 * Backward of dropout after a softmax over the last axis, P = softmax(S), P′ = dropout(P) = P ⊙ mask,
 * from dP′: with dP = dP′ ⊙ mask, softmax's dS = P ⊙ (dP − rowsum(dP ⊙ P)), and P ⊙ dP = P′ ⊙ dP′, so
 *   T = P′ ⊙ dP′,  dS = T − P ⊙ rowsum(T)
 * which never forms dP: on attention probabilities [B, nh, S, S] that is one pass less over the
 * largest tensors of the step. Without dropout, P′ is P.
 */
export function droppedSoftmaxBackward(g: GraphBuilder, probs: Value, droppedProbs: Value, dDroppedProbs: Value, hint: string): Value {
  const product = g.mul(droppedProbs, dDroppedProbs, `d_${hint}_times_probs`);
  const rowDot = g.reduceSum(product, [-1], true, `d_${hint}_row_dot`);
  return g.sub(product, g.mul(probs, rowDot, `d_${hint}_probs_row_dot`), `d_${hint}`);
}

/**
 * Backward of nn.Embedding, y = table[ids] (table [rows, width], ids int64 [B, S]):
 *   dtable[v] = Σ over positions p with ids[p] = v of dy[p]   (ScatterND, reduction 'add')
 *   With a padding_idx, that row gets no gradient (nn.Embedding(padding_idx)): its updates are zeroed.
 */
export function embeddingBackward(
  g: GraphBuilder,
  table: Weight,
  shape: [rows: number, width: number],
  ids: Value,
  dy: Value,
  grads: Gradients,
  paddingIdx?: number,
): void {
  const hint = table.split('.').at(-2)!;
  const updates =
    paddingIdx === undefined
      ? dy
      : g.where(g.unsqueeze(g.equal(ids, g.constant([paddingIdx], [], INT64), `${hint}_is_padding`), [-1], `${hint}_is_padding_3d`), g.scalar(0), dy, `d_${hint}_kept`);
  const zeros = g.zeros(g.ints(shape), `${hint}_zeros`);
  grads.set(table, g.scatterAdd(zeros, g.unsqueeze(ids, [-1], `${hint}_indices`), updates, `${hint}.weight.grad`));
}

/**
 * Backward of the first S rows of a position table [P, width], broadcast over the batch:
 *   dtable = [Σ_batch dy (S rows); 0 (P − S rows)]
 * `seqLength` is S as a 1-D int64 value.
 */
export function positionEmbeddingBackward(g: GraphBuilder, table: Weight, maxPositions: number, seqLength: Value, dy: Value, grads: Gradients): void {
  const summed = g.reduceSum(dy, [0], false, 'd_position_embeddings'); // (S, E)
  const pads = g.concat([g.ints([0, 0]), g.sub(g.ints([maxPositions]), seqLength, 'unused_positions'), g.ints([0])], 0, 'position_pads');
  grads.set(table, g.pad(summed, pads, 'position_embeddings.weight.grad'));
}
