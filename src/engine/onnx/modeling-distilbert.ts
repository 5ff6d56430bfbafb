/**
 * DistilBertForQuestionAnswering as an ONNX graph, block by block as Hugging Face's
 * modeling_distilbert.py computes it: no token types, the query scaled before QKᵀ, padded keys
 * masked_fill'ed (not added to), no dropout after the attention projection, and `qa_dropout` before
 * the QA head.
 *
 * As in modeling-bert.ts, each block's backward follows its forward.
 *
 * Shapes: B batch, S sequence, H dim, nh n_heads, hs dim per head, I hidden_dim.
 */
import type { ModelConfig } from '../checkpoint/config';
import { INT64, type Value } from './graph';
import {
  activation,
  activationBackward,
  embeddingBackward,
  layerNorm,
  layerNormBackward,
  layerNormNames,
  linear,
  linearBackward,
  linearNames,
  positionEmbeddingBackward,
  questionAnsweringHead,
  questionAnsweringHeadBackward,
  droppedSoftmaxBackward,
  type ActivationSaved,
  type ForwardContext,
  type Gradients,
  type LayerNorm,
  type LayerNormSaved,
  type Linear,
  type LinearSaved,
  type QaHeadSaved,
  type TrainingContext,
  type Weight,
} from './layers';
import { MASKED_SCORE } from './modeling-bert';

export interface DistilBertEmbeddingsWeights {
  word_embeddings: Weight;
  /** Learned, or the fixed sinusoidal table when sinusoidal_pos_embds (stored all the same). */
  position_embeddings: Weight;
  LayerNorm: LayerNorm;
}

export interface TransformerBlockWeights {
  attention: { q_lin: Linear; k_lin: Linear; v_lin: Linear; out_lin: Linear };
  sa_layer_norm: LayerNorm;
  ffn: { lin1: Linear; lin2: Linear };
  output_layer_norm: LayerNorm;
}

export interface DistilBertForQuestionAnsweringWeights {
  distilbert: {
    embeddings: DistilBertEmbeddingsWeights;
    transformer: { layer: TransformerBlockWeights[] };
  };
  qa_outputs: Linear;
}

export function distilBertWeights(config: ModelConfig): DistilBertForQuestionAnsweringWeights {
  const layer = (i: number): TransformerBlockWeights => {
    const p = `distilbert.transformer.layer.${i}`;
    return {
      attention: {
        q_lin: linearNames(`${p}.attention.q_lin`),
        k_lin: linearNames(`${p}.attention.k_lin`),
        v_lin: linearNames(`${p}.attention.v_lin`),
        out_lin: linearNames(`${p}.attention.out_lin`),
      },
      sa_layer_norm: layerNormNames(`${p}.sa_layer_norm`),
      ffn: { lin1: linearNames(`${p}.ffn.lin1`), lin2: linearNames(`${p}.ffn.lin2`) },
      output_layer_norm: layerNormNames(`${p}.output_layer_norm`),
    };
  };
  return {
    distilbert: {
      embeddings: {
        word_embeddings: 'distilbert.embeddings.word_embeddings.weight',
        position_embeddings: 'distilbert.embeddings.position_embeddings.weight',
        LayerNorm: layerNormNames('distilbert.embeddings.LayerNorm'),
      },
      transformer: { layer: Array.from({ length: config.numHiddenLayers }, (_, i) => layer(i)) },
    },
    qa_outputs: linearNames('qa_outputs'),
  };
}

export interface DistilBertInputs {
  input_ids: Value;
  attention_mask: Value;
}

export function declareDistilBertInputs(ctx: ForwardContext): DistilBertInputs {
  const dims = ['batch', 'sequence'];
  return { input_ids: ctx.g.input('input_ids', INT64, dims), attention_mask: ctx.g.input('attention_mask', INT64, dims) };
}

export interface DistilBertEmbeddingsSaved {
  inputIds: Value;
  seqLength: Value;
  layerNorm: LayerNormSaved;
}

export function distilBertEmbeddings(ctx: ForwardContext, config: ModelConfig, w: DistilBertEmbeddingsWeights, inputIds: Value): { output: Value; saved: DistilBertEmbeddingsSaved } {
  const { g } = ctx;
  return g.scope('distilbert.embeddings', () => {
    const wordEmbeddings = g.gather(w.word_embeddings, inputIds, 'word_embeddings'); // (B, S, H)
    const seqLength = g.shape(inputIds, 1, 2, 'seq_length');
    const positionEmbeddings = g.slice(w.position_embeddings, g.ints([0]), seqLength, [0], 'position_embeddings'); // (S, H)
    const embeddings = g.add(wordEmbeddings, positionEmbeddings, 'embeddings');
    const normed = layerNorm(g, embeddings, w.LayerNorm, config.layerNormEps);
    return { output: ctx.dropout(normed.output, 'distilbert.embeddings', config.hiddenDropoutProb), saved: { inputIds, seqLength, layerNorm: normed.saved } };
  });
}

/**
 * Backward of the embeddings, e = word[ids] + position[0:S]: de = LayerNorm backward of (dy·mask);
 * the word rows read receive de (padding_idx excepted), and so do the position rows, unless the table
 * is the fixed sinusoidal one (requires_grad=False in Hugging Face's code).
 */
export function distilBertEmbeddingsBackward(ctx: TrainingContext, config: ModelConfig, w: DistilBertEmbeddingsWeights, saved: DistilBertEmbeddingsSaved, dOutput: Value, grads: Gradients): void {
  const { g } = ctx;
  g.scope('distilbert.embeddings', () => {
    const dEmbeddings = layerNormBackward(g, saved.layerNorm, ctx.dropoutBackward(dOutput, 'distilbert.embeddings'), grads); // (B, S, H)
    embeddingBackward(g, w.word_embeddings, [config.vocabSize, config.hiddenSize], saved.inputIds, dEmbeddings, grads, config.padTokenId);
    if (!config.sinusoidalPosEmbds) positionEmbeddingBackward(g, w.position_embeddings, config.maxPositionEmbeddings, saved.seqLength, dEmbeddings, grads);
  });
}

export interface MultiHeadSelfAttentionSaved {
  x: Value;
  w: TransformerBlockWeights['attention'];
  qScaled: Value;
  k: Value;
  v: Value;
  weights: Value;
  droppedWeights: Value;
  site: string;
  outLin: LinearSaved;
}

/** (B, S, H) → (B, nh, S, hs) */
function shape(ctx: ForwardContext, config: ModelConfig, x: Value, hint: string): Value {
  const dimPerHead = config.hiddenSize / config.numAttentionHeads;
  return ctx.g.transpose(ctx.g.reshape(x, [0, 0, config.numAttentionHeads, dimPerHead], `${hint}_heads`), [0, 2, 1, 3], hint);
}

/** (B, nh, S, hs) → (B, S, H) */
function unshape(ctx: ForwardContext, config: ModelConfig, x: Value, hint: string): Value {
  return ctx.g.reshape(ctx.g.transpose(x, [0, 2, 1, 3], `${hint}_merged`), [0, 0, config.hiddenSize], hint);
}

/** MultiHeadSelfAttention, out_lin included. `keyIsPadding` is the bool [B, 1, 1, S] mask of padded keys. */
export function multiHeadSelfAttention(
  ctx: ForwardContext,
  config: ModelConfig,
  w: TransformerBlockWeights['attention'],
  x: Value,
  keyIsPadding: Value,
  site: string,
): { output: Value; saved: MultiHeadSelfAttentionSaved } {
  const { g } = ctx;
  const dimPerHead = config.hiddenSize / config.numAttentionHeads;
  const q = shape(ctx, config, linear(g, x, w.q_lin, 'q_lin'), 'q'); // (B, nh, S, hs)
  const k = shape(ctx, config, linear(g, x, w.k_lin, 'k_lin'), 'k');
  const v = shape(ctx, config, linear(g, x, w.v_lin, 'v_lin'), 'v');

  const qScaled = g.div(q, g.scalar(Math.sqrt(dimPerHead)), 'q_scaled');
  const rawScores = g.matMul(qScaled, g.transpose(k, [0, 1, 3, 2], 'k_t'), 'raw_scores'); // (B, nh, S, S)
  const scores = g.where(keyIsPadding, g.scalar(MASKED_SCORE), rawScores, 'scores');
  const weights = g.softmax(scores, -1, 'weights');
  const droppedWeights = ctx.dropout(weights, site, config.attentionProbsDropoutProb);

  const context = g.matMul(droppedWeights, v, 'context'); // (B, nh, S, hs)
  const unshaped = unshape(ctx, config, context, 'context_unshaped'); // (B, S, H)
  const output = linear(g, unshaped, w.out_lin, 'out_lin');
  return { output, saved: { x, w, qScaled, k, v, weights, droppedWeights, site, outLin: { input: unshaped, w: w.out_lin } } };
}

/**
 * Backward of MultiHeadSelfAttention, per head (W = weights, W′ = W after dropout, C = W′·V):
 *   dC from out_lin's backward;  dV = W′ᵀ·dC,  dW′ = dC·Vᵀ,  dW = dW′·mask
 *   dS = W ⊙ (dW − rowsum(dW ⊙ W))   (softmax, from W′ and dW′: see droppedSoftmaxBackward; masked scores
 *                                     have W = 0, so dS is 0 there as masked_fill's backward makes it)
 *   dQ = (dS·K)/√hs,  dK = dSᵀ·(Q/√hs)
 * then the backward of q_lin, k_lin, v_lin; x receives the sum of the three.
 */
export function multiHeadSelfAttentionBackward(ctx: TrainingContext, config: ModelConfig, saved: MultiHeadSelfAttentionSaved, dOutput: Value, grads: Gradients): Value {
  const { g } = ctx;
  const dimPerHead = config.hiddenSize / config.numAttentionHeads;
  const dContext = shape(ctx, config, linearBackward(g, saved.outLin, dOutput, grads, 'out_lin'), 'd_context'); // (B, nh, S, hs)
  const dV = g.matMul(g.transpose(saved.droppedWeights, [0, 1, 3, 2], 'dropped_weights_t'), dContext, 'd_v');
  const dDroppedWeights = g.matMul(dContext, g.transpose(saved.v, [0, 1, 3, 2], 'v_t'), 'd_dropped_weights'); // (B, nh, S, S)
  const dScores = droppedSoftmaxBackward(g, saved.weights, saved.droppedWeights, dDroppedWeights, 'scores');
  const dQ = g.div(g.matMul(dScores, saved.k, 'd_q_scaled'), g.scalar(Math.sqrt(dimPerHead)), 'd_q'); // (B, nh, S, hs)
  const dK = g.matMul(g.transpose(dScores, [0, 1, 3, 2], 'd_scores_t'), saved.qScaled, 'd_k');

  const projection = (w: Linear, dHeads: Value, hint: string) => linearBackward(g, { input: saved.x, w }, unshape(ctx, config, dHeads, `d_${hint}`), grads, hint);
  const dFromQ = projection(saved.w.q_lin, dQ, 'q_lin');
  const dFromK = projection(saved.w.k_lin, dK, 'k_lin');
  const dFromV = projection(saved.w.v_lin, dV, 'v_lin');
  return g.add(g.add(dFromQ, dFromK, 'd_x_qk'), dFromV, 'd_x');
}

export interface TransformerBlockSaved {
  index: number;
  attention: MultiHeadSelfAttentionSaved;
  saLayerNorm: LayerNormSaved;
  lin1: LinearSaved;
  activation: ActivationSaved;
  lin2: LinearSaved;
  ffnSite: string;
  outputLayerNorm: LayerNormSaved;
}

/** TransformerBlock: attention + sa_layer_norm, FFN + output_layer_norm. */
export function transformerBlock(ctx: ForwardContext, config: ModelConfig, w: TransformerBlockWeights, x: Value, keyIsPadding: Value, index: number): { output: Value; saved: TransformerBlockSaved } {
  const { g } = ctx;
  const site = `distilbert.transformer.layer.${index}`;
  return g.scope(site, () => {
    const attention = g.scope('attention', () => multiHeadSelfAttention(ctx, config, w.attention, x, keyIsPadding, `${site}.attention`));
    const sa = layerNorm(g, g.add(attention.output, x, 'sa_residual'), w.sa_layer_norm, config.layerNormEps, 'sa_layer_norm');
    const ffnSite = `${site}.ffn`;
    const ffn = g.scope('ffn', () => {
      const act = activation(g, linear(g, sa.output, w.ffn.lin1, 'lin1'), config.hiddenAct); // (B, S, I)
      return { act, output: ctx.dropout(linear(g, act.output, w.ffn.lin2, 'lin2'), ffnSite, config.hiddenDropoutProb) };
    });
    const out = layerNorm(g, g.add(ffn.output, sa.output, 'ffn_residual'), w.output_layer_norm, config.layerNormEps, 'output_layer_norm');
    return {
      output: out.output,
      saved: {
        index,
        attention: attention.saved,
        saLayerNorm: sa.saved,
        lin1: { input: sa.output, w: w.ffn.lin1 },
        activation: ffn.act.saved,
        lin2: { input: ffn.act.output, w: w.ffn.lin2 },
        ffnSite,
        outputLayerNorm: out.saved,
      },
    };
  });
}

/**
 * Backward of TransformerBlock, in reverse order: output_layer_norm, the FFN (dropout, lin2,
 * activation, lin1), sa_layer_norm, attention. Each residual adds the gradient of its sum to the
 * input it skipped over.
 */
export function transformerBlockBackward(ctx: TrainingContext, config: ModelConfig, saved: TransformerBlockSaved, dOutput: Value, grads: Gradients): Value {
  const { g } = ctx;
  return g.scope(`distilbert.transformer.layer.${saved.index}`, () => {
    const dFfnSum = layerNormBackward(g, saved.outputLayerNorm, dOutput, grads, 'output_layer_norm');
    const dSaOutput = g.scope('ffn', () => {
      const dHidden = linearBackward(g, saved.lin2, ctx.dropoutBackward(dFfnSum, saved.ffnSite), grads, 'lin2');
      return linearBackward(g, saved.lin1, activationBackward(g, saved.activation, dHidden), grads, 'lin1');
    });
    const dSaSum = layerNormBackward(g, saved.saLayerNorm, g.add(dSaOutput, dFfnSum, 'd_sa_output'), grads, 'sa_layer_norm');
    const dX = g.scope('attention', () => multiHeadSelfAttentionBackward(ctx, config, saved.attention, dSaSum, grads));
    return g.add(dX, dSaSum, 'd_block_input');
  });
}

export interface DistilBertForQuestionAnsweringSaved {
  embeddings: DistilBertEmbeddingsSaved;
  layers: TransformerBlockSaved[];
  head: QaHeadSaved;
}

export function distilBertForQuestionAnswering(ctx: ForwardContext, config: ModelConfig, w: DistilBertForQuestionAnsweringWeights, inputs: DistilBertInputs) {
  const { g } = ctx;
  const keyIsPadding = g.scope('distilbert', () => {
    const isPadding = g.equal(inputs.attention_mask, g.constant([0], [], INT64), 'key_is_padding'); // (B, S)
    return g.unsqueeze(isPadding, [1, 2], 'key_is_padding_4d'); // (B, 1, 1, S)
  });
  const embeddings = distilBertEmbeddings(ctx, config, w.distilbert.embeddings, inputs.input_ids);
  let hidden = embeddings.output;
  const layers = w.distilbert.transformer.layer.map((layerWeights, i) => {
    const block = transformerBlock(ctx, config, layerWeights, hidden, keyIsPadding, i);
    hidden = block.output;
    return block.saved;
  });
  hidden = ctx.dropout(hidden, 'qa_dropout', config.qaDropout);
  const head = questionAnsweringHead(g, hidden, w.qa_outputs);
  const saved: DistilBertForQuestionAnsweringSaved = { embeddings: embeddings.saved, layers, head: head.saved };
  return { startLogits: head.startLogits, endLogits: head.endLogits, saved };
}

/** Backward of the whole model from the gradients of the start and end logits. */
export function distilBertForQuestionAnsweringBackward(
  ctx: TrainingContext,
  config: ModelConfig,
  w: DistilBertForQuestionAnsweringWeights,
  saved: DistilBertForQuestionAnsweringSaved,
  dStartLogits: Value,
  dEndLogits: Value,
  grads: Gradients,
): void {
  const { g } = ctx;
  let dHidden = ctx.dropoutBackward(questionAnsweringHeadBackward(g, saved.head, dStartLogits, dEndLogits, grads), 'qa_dropout');
  for (const layer of [...saved.layers].reverse()) dHidden = transformerBlockBackward(ctx, config, layer, dHidden, grads);
  distilBertEmbeddingsBackward(ctx, config, w.distilbert.embeddings, saved.embeddings, dHidden, grads);
}
