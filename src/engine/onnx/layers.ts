/**
 * The layers BERT-family models share, as graph functions: nn.Linear, nn.LayerNorm, the activations
 * of `hidden_act`, and dropout. A weight is referred to by its Hugging Face name, which is also its
 * name in the graph (an initializer when exported, an input when training).
 */
import type { HiddenAct } from '../checkpoint/config';
import type { GraphBuilder, Value } from './graph';

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

export const inferenceContext = (g: GraphBuilder): ForwardContext => ({ g, dropout: (x) => x });

/** y = x·Wᵀ + b, as nn.Linear (x [..., in] → y [..., out]). */
export function linear(g: GraphBuilder, x: Value, w: Linear, hint = 'dense'): Value {
  const weightT = g.transpose(w.weight, [1, 0], `${hint}_weight_t`);
  return g.add(g.matMul(x, weightT, `${hint}_matmul`), w.bias, hint);
}

/** nn.LayerNorm over the last axis (biased variance, ε inside the square root). */
export function layerNorm(g: GraphBuilder, x: Value, w: LayerNorm, epsilon: number, hint = 'LayerNorm'): Value {
  return g.layerNormalization(x, w.weight, w.bias, epsilon, hint).y;
}

/** ACT2FN[hidden_act]: 'gelu' is the exact erf form, 'gelu_new' the tanh approximation. */
export function activation(g: GraphBuilder, x: Value, act: HiddenAct): Value {
  switch (act) {
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2))
      const erf = g.erf(g.mul(x, g.scalar(Math.SQRT1_2), 'gelu_scaled'), 'gelu_erf');
      return g.mul(g.mul(x, g.scalar(0.5), 'gelu_half'), g.add(erf, g.scalar(1), 'gelu_one_plus'), 'gelu');
    }
    case 'gelu_new': {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
      const cube = g.mul(g.mul(x, x, 'gelu_sq'), x, 'gelu_cube');
      const inner = g.mul(g.add(x, g.mul(cube, g.scalar(0.044715), 'gelu_cubic_term'), 'gelu_sum'), g.scalar(Math.sqrt(2 / Math.PI)), 'gelu_inner');
      return g.mul(g.mul(x, g.scalar(0.5), 'gelu_half'), g.add(g.tanh(inner, 'gelu_tanh'), g.scalar(1), 'gelu_one_plus'), 'gelu');
    }
    case 'relu':
      return g.relu(x, 'relu');
  }
}

/** Start and end logits [batch, seq] from the last hidden state, as the QA models' `qa_outputs` head. */
export function questionAnsweringHead(g: GraphBuilder, sequenceOutput: Value, qaOutputs: Linear): { startLogits: Value; endLogits: Value } {
  return g.scope('qa_outputs', () => {
    const logits = linear(g, sequenceOutput, qaOutputs, 'logits'); // (B, S, 2)
    const [start, end] = g.split(logits, -1, [1, 1], ['start', 'end']);
    return { startLogits: g.squeeze(start!, [-1], 'start_logits'), endLogits: g.squeeze(end!, [-1], 'end_logits') };
  });
}
