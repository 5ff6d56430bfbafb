/**
 * BertForQuestionAnswering as an ONNX graph, block by block as Hugging Face's modeling_bert.py
 * computes it. The weight tree mirrors the checkpoint's names (`bert.encoder.layer[3].attention.self
 * .query`), so whoever knows the checkpoint knows where each weight is used. ELECTRA discriminators
 * and MiniLM have this layout too (ELECTRA may add `embeddings_project` after the embeddings).
 *
 * Each block's forward returns its output and what its backward needs; the backward follows it, in
 * reverse order of the forward's steps, for the training graph (training-graph.ts).
 *
 * Shapes: B batch, S sequence, H hidden, nh heads, hs head size (H = nh·hs), I intermediate.
 */
import { hasEmbeddingProjection, type ModelConfig } from '../checkpoint/config';
import { FLOAT, INT64, type Value } from './graph';
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

export interface BertEmbeddingsWeights {
  word_embeddings: Weight;
  position_embeddings: Weight;
  token_type_embeddings: Weight;
  LayerNorm: LayerNorm;
}

export interface BertLayerWeights {
  attention: {
    self: { query: Linear; key: Linear; value: Linear };
    output: { dense: Linear; LayerNorm: LayerNorm };
  };
  intermediate: { dense: Linear };
  output: { dense: Linear; LayerNorm: LayerNorm };
}

export interface BertForQuestionAnsweringWeights {
  bert: {
    embeddings: BertEmbeddingsWeights;
    /** ELECTRA with embedding_size ≠ hidden_size projects its embeddings up to the hidden size. */
    embeddings_project?: Linear;
    encoder: { layer: BertLayerWeights[] };
  };
  qa_outputs: Linear;
}

/** The weight names of a BERT-layout QA model with `config`'s layer count. */
export function bertWeights(config: ModelConfig): BertForQuestionAnsweringWeights {
  const layer = (i: number): BertLayerWeights => {
    const p = `bert.encoder.layer.${i}`;
    return {
      attention: {
        self: { query: linearNames(`${p}.attention.self.query`), key: linearNames(`${p}.attention.self.key`), value: linearNames(`${p}.attention.self.value`) },
        output: { dense: linearNames(`${p}.attention.output.dense`), LayerNorm: layerNormNames(`${p}.attention.output.LayerNorm`) },
      },
      intermediate: { dense: linearNames(`${p}.intermediate.dense`) },
      output: { dense: linearNames(`${p}.output.dense`), LayerNorm: layerNormNames(`${p}.output.LayerNorm`) },
    };
  };
  return {
    bert: {
      embeddings: {
        word_embeddings: 'bert.embeddings.word_embeddings.weight',
        position_embeddings: 'bert.embeddings.position_embeddings.weight',
        token_type_embeddings: 'bert.embeddings.token_type_embeddings.weight',
        LayerNorm: layerNormNames('bert.embeddings.LayerNorm'),
      },
      embeddings_project: hasEmbeddingProjection(config) ? linearNames('bert.embeddings_project') : undefined,
      encoder: { layer: Array.from({ length: config.numHiddenLayers }, (_, i) => layer(i)) },
    },
    qa_outputs: linearNames('qa_outputs'),
  };
}

/** The graph's inputs, as Hugging Face's ONNX exports name them (int64 [B, S]). */
export interface BertInputs {
  input_ids: Value;
  attention_mask: Value;
  token_type_ids: Value;
}

export function declareBertInputs(ctx: ForwardContext): BertInputs {
  const dims = ['batch', 'sequence'];
  return {
    input_ids: ctx.g.input('input_ids', INT64, dims),
    attention_mask: ctx.g.input('attention_mask', INT64, dims),
    token_type_ids: ctx.g.input('token_type_ids', INT64, dims),
  };
}

/** The most negative float32, which Hugging Face adds to the scores of padded keys. */
export const MASKED_SCORE = -3.4028234663852886e38;

/** [B, S] 0/1 mask → additive [B, 1, 1, S] bias: 0 where attended, MASKED_SCORE where padded. */
export function extendedAttentionMask(ctx: ForwardContext, attentionMask: Value): Value {
  const { g } = ctx;
  return g.scope('bert', () => {
    const mask = g.unsqueeze(g.cast(attentionMask, FLOAT, 'mask_float'), [1, 2], 'mask_4d'); // (B, 1, 1, S)
    return g.mul(g.sub(g.scalar(1), mask, 'padding'), g.scalar(MASKED_SCORE), 'extended_attention_mask');
  });
}

export interface BertEmbeddingsSaved {
  inputs: BertInputs;
  /** S as a 1-D int64 value. */
  seqLength: Value;
  layerNorm: LayerNormSaved;
}

export function bertEmbeddings(ctx: ForwardContext, config: ModelConfig, w: BertEmbeddingsWeights, inputs: BertInputs): { output: Value; saved: BertEmbeddingsSaved } {
  const { g } = ctx;
  return g.scope('bert.embeddings', () => {
    const inputsEmbeds = g.gather(w.word_embeddings, inputs.input_ids, 'inputs_embeds'); // (B, S, E)
    const tokenTypeEmbeds = g.gather(w.token_type_embeddings, inputs.token_type_ids, 'token_type_embeddings');
    // position_ids = arange(S): the first S rows of the table, broadcast over the batch.
    const seqLength = g.shape(inputs.input_ids, 1, 2, 'seq_length');
    const positionEmbeds = g.slice(w.position_embeddings, g.ints([0]), seqLength, [0], 'position_embeddings'); // (S, E)
    const embeddings = g.add(g.add(inputsEmbeds, tokenTypeEmbeds, 'embeddings_sum'), positionEmbeds, 'embeddings');
    const normed = layerNorm(g, embeddings, w.LayerNorm, config.layerNormEps);
    const output = ctx.dropout(normed.output, 'bert.embeddings', config.hiddenDropoutProb);
    return { output, saved: { inputs, seqLength, layerNorm: normed.saved } };
  });
}

/**
 * Backward of the embeddings, e = word[ids] + token_type[types] + position[0:S]:
 *   de = LayerNorm backward of (dy·mask), and each table's rows receive de where they were read
 *   (the word table's padding_idx row excepted).
 */
export function bertEmbeddingsBackward(ctx: TrainingContext, config: ModelConfig, w: BertEmbeddingsWeights, saved: BertEmbeddingsSaved, dOutput: Value, grads: Gradients): void {
  const { g } = ctx;
  g.scope('bert.embeddings', () => {
    const dEmbeddings = layerNormBackward(g, saved.layerNorm, ctx.dropoutBackward(dOutput, 'bert.embeddings'), grads); // (B, S, E)
    const E = config.embeddingSize;
    embeddingBackward(g, w.word_embeddings, [config.vocabSize, E], saved.inputs.input_ids, dEmbeddings, grads, config.padTokenId);
    embeddingBackward(g, w.token_type_embeddings, [config.typeVocabSize, E], saved.inputs.token_type_ids, dEmbeddings, grads);
    positionEmbeddingBackward(g, w.position_embeddings, config.maxPositionEmbeddings, saved.seqLength, dEmbeddings, grads);
  });
}

/** (B, S, H) → (B, nh, S, hs) */
function transposeForScores(ctx: ForwardContext, x: Value, config: ModelConfig, hint: string): Value {
  const headSize = config.hiddenSize / config.numAttentionHeads;
  const split = ctx.g.reshape(x, [0, 0, config.numAttentionHeads, headSize], `${hint}_heads`); // (B, S, nh, hs)
  return ctx.g.transpose(split, [0, 2, 1, 3], hint);
}

/** (B, nh, S, hs) → (B, S, H), the inverse of transposeForScores. */
function mergeHeads(ctx: ForwardContext, x: Value, config: ModelConfig, hint: string): Value {
  const merged = ctx.g.transpose(x, [0, 2, 1, 3], `${hint}_merged`); // (B, S, nh, hs)
  return ctx.g.reshape(merged, [0, 0, config.hiddenSize], hint);
}

export interface BertSelfAttentionSaved {
  hidden: Value;
  w: BertLayerWeights['attention']['self'];
  queryLayer: Value;
  keyLayer: Value;
  valueLayer: Value;
  attentionProbs: Value;
  /** attention_probs after dropout (the same value when dropout is off). */
  droppedProbs: Value;
  dropoutSite: string;
}

/** BertSelfAttention: softmax(QKᵀ/√hs + mask)·V, heads merged back. */
export function bertSelfAttention(
  ctx: ForwardContext,
  config: ModelConfig,
  w: BertLayerWeights['attention']['self'],
  hidden: Value,
  mask: Value,
  site: string,
): { contextLayer: Value; saved: BertSelfAttentionSaved } {
  const { g } = ctx;
  const headSize = config.hiddenSize / config.numAttentionHeads;
  const queryLayer = transposeForScores(ctx, linear(g, hidden, w.query, 'query'), config, 'query_layer'); // (B, nh, S, hs)
  const keyLayer = transposeForScores(ctx, linear(g, hidden, w.key, 'key'), config, 'key_layer');
  const valueLayer = transposeForScores(ctx, linear(g, hidden, w.value, 'value'), config, 'value_layer');

  const keyT = g.transpose(keyLayer, [0, 1, 3, 2], 'key_layer_t'); // (B, nh, hs, S)
  const rawScores = g.matMul(queryLayer, keyT, 'raw_scores'); // (B, nh, S, S)
  const scaled = g.div(rawScores, g.scalar(Math.sqrt(headSize)), 'scaled_scores');
  const attentionScores = g.add(scaled, mask, 'attention_scores');
  const attentionProbs = g.softmax(attentionScores, -1, 'attention_probs');
  const dropoutSite = `${site}.self`;
  const droppedProbs = ctx.dropout(attentionProbs, dropoutSite, config.attentionProbsDropoutProb);

  const context = g.matMul(droppedProbs, valueLayer, 'context'); // (B, nh, S, S) x (B, nh, S, hs) -> (B, nh, S, hs)
  const contextLayer = mergeHeads(ctx, context, config, 'context_layer'); // (B, S, H)
  return { contextLayer, saved: { hidden, w, queryLayer, keyLayer, valueLayer, attentionProbs, droppedProbs, dropoutSite } };
}

/**
 * Backward of BertSelfAttention, per head (P = attention_probs, P′ = P after dropout, C = P′·V):
 *   dV = P′ᵀ·dC,  dP′ = dC·Vᵀ,  dP = dP′·mask
 *   dS = P ⊙ (dP − rowsum(dP ⊙ P))      (softmax; the additive attention mask is a constant;
 *                                        computed from P′ and dP′, see droppedSoftmaxBackward)
 *   dQ = (dS/√hs)·K,  dK = (dS/√hs)ᵀ·Q
 * then the backward of each projection; the hidden state receives the sum of the three.
 */
export function bertSelfAttentionBackward(ctx: TrainingContext, config: ModelConfig, saved: BertSelfAttentionSaved, dContextLayer: Value, grads: Gradients): Value {
  const { g } = ctx;
  const headSize = config.hiddenSize / config.numAttentionHeads;
  const dContext = transposeForScores(ctx, dContextLayer, config, 'd_context'); // (B, nh, S, hs)
  const dValueLayer = g.matMul(g.transpose(saved.droppedProbs, [0, 1, 3, 2], 'dropped_probs_t'), dContext, 'd_value_layer');
  const dDroppedProbs = g.matMul(dContext, g.transpose(saved.valueLayer, [0, 1, 3, 2], 'value_layer_t'), 'd_dropped_probs'); // (B, nh, S, S)
  const dScores = droppedSoftmaxBackward(g, saved.attentionProbs, saved.droppedProbs, dDroppedProbs, 'attention_scores');
  const dRawScores = g.div(dScores, g.scalar(Math.sqrt(headSize)), 'd_raw_scores');
  const dQueryLayer = g.matMul(dRawScores, saved.keyLayer, 'd_query_layer'); // (B, nh, S, hs)
  const dKeyLayer = g.matMul(g.transpose(dRawScores, [0, 1, 3, 2], 'd_raw_scores_t'), saved.queryLayer, 'd_key_layer');

  const projection = (w: Linear, dLayer: Value, hint: string) =>
    linearBackward(g, { input: saved.hidden, w }, mergeHeads(ctx, dLayer, config, `d_${hint}`), grads, hint);
  const dFromQuery = projection(saved.w.query, dQueryLayer, 'query');
  const dFromKey = projection(saved.w.key, dKeyLayer, 'key');
  const dFromValue = projection(saved.w.value, dValueLayer, 'value');
  return g.add(g.add(dFromQuery, dFromKey, 'd_hidden_qk'), dFromValue, 'd_hidden');
}

interface DenseDropoutNormSaved {
  dense: LinearSaved;
  dropoutSite: string;
  layerNorm: LayerNormSaved;
}

/** BertSelfOutput / BertOutput: dense, dropout, then LayerNorm of the residual sum. */
function denseDropoutNorm(
  ctx: ForwardContext,
  config: ModelConfig,
  w: { dense: Linear; LayerNorm: LayerNorm },
  hidden: Value,
  residual: Value,
  site: string,
): { output: Value; saved: DenseDropoutNormSaved } {
  const { g } = ctx;
  const projected = ctx.dropout(linear(g, hidden, w.dense), site, config.hiddenDropoutProb);
  const normed = layerNorm(g, g.add(projected, residual, 'residual'), w.LayerNorm, config.layerNormEps);
  return { output: normed.output, saved: { dense: { input: hidden, w: w.dense }, dropoutSite: site, layerNorm: normed.saved } };
}

/**
 * Backward of LayerNorm(dropout(dense(h)) + residual):
 *   dsum = LayerNorm backward of dy;  dresidual = dsum;  dh = dense backward of (dsum·mask)
 */
function denseDropoutNormBackward(ctx: TrainingContext, saved: DenseDropoutNormSaved, dOutput: Value, grads: Gradients): { dHidden: Value; dResidual: Value } {
  const dSum = layerNormBackward(ctx.g, saved.layerNorm, dOutput, grads);
  const dHidden = linearBackward(ctx.g, saved.dense, ctx.dropoutBackward(dSum, saved.dropoutSite), grads);
  return { dHidden, dResidual: dSum };
}

export interface BertLayerSaved {
  index: number;
  selfAttention: BertSelfAttentionSaved;
  attentionOutput: DenseDropoutNormSaved;
  intermediate: { dense: LinearSaved; activation: ActivationSaved };
  output: DenseDropoutNormSaved;
}

/** BertLayer: attention, then the feed-forward block, each with its residual LayerNorm. */
export function bertLayer(ctx: ForwardContext, config: ModelConfig, w: BertLayerWeights, hidden: Value, mask: Value, index: number): { output: Value; saved: BertLayerSaved } {
  const { g } = ctx;
  const site = `bert.encoder.layer.${index}`;
  const attention = g.scope(`${site}.attention`, () => {
    const self = g.scope('self', () => bertSelfAttention(ctx, config, w.attention.self, hidden, mask, `${site}.attention`));
    const output = g.scope('output', () => denseDropoutNorm(ctx, config, w.attention.output, self.contextLayer, hidden, `${site}.attention.output`));
    return { self, output };
  });
  const attentionOutput = attention.output.output;
  const intermediate = g.scope(`${site}.intermediate`, () => {
    const dense = linear(g, attentionOutput, w.intermediate.dense);
    return { dense: { input: attentionOutput, w: w.intermediate.dense }, activation: activation(g, dense, config.hiddenAct) }; // (B, S, I)
  });
  const output = g.scope(`${site}.output`, () => denseDropoutNorm(ctx, config, w.output, intermediate.activation.output, attentionOutput, `${site}.output`));
  return {
    output: output.output,
    saved: {
      index,
      selfAttention: attention.self.saved,
      attentionOutput: attention.output.saved,
      intermediate: { dense: intermediate.dense, activation: intermediate.activation.saved },
      output: output.saved,
    },
  };
}

/**
 * Backward of BertLayer, its blocks in reverse order. The attention output feeds both the
 * intermediate dense and the output block's residual, and the layer's input both the self-attention
 * and the attention block's residual: each receives the sum of both gradients.
 */
export function bertLayerBackward(ctx: TrainingContext, config: ModelConfig, saved: BertLayerSaved, dOutput: Value, grads: Gradients): Value {
  const { g } = ctx;
  const site = `bert.encoder.layer.${saved.index}`;
  const output = g.scope(`${site}.output`, () => denseDropoutNormBackward(ctx, saved.output, dOutput, grads));
  const dAttentionOutput = g.scope(`${site}.intermediate`, () => {
    const dDense = activationBackward(g, saved.intermediate.activation, output.dHidden);
    return g.add(linearBackward(g, saved.intermediate.dense, dDense, grads), output.dResidual, 'd_attention_output');
  });
  return g.scope(`${site}.attention`, () => {
    const attentionOutput = g.scope('output', () => denseDropoutNormBackward(ctx, saved.attentionOutput, dAttentionOutput, grads));
    const dHidden = g.scope('self', () => bertSelfAttentionBackward(ctx, config, saved.selfAttention, attentionOutput.dHidden, grads));
    return g.add(dHidden, attentionOutput.dResidual, 'd_layer_input');
  });
}

export interface BertForQuestionAnsweringSaved {
  embeddings: BertEmbeddingsSaved;
  projection?: LinearSaved;
  layers: BertLayerSaved[];
  head: QaHeadSaved;
}

/** The whole model: embeddings, (projection,) encoder layers, QA head → start/end logits [B, S]. */
export function bertForQuestionAnswering(ctx: ForwardContext, config: ModelConfig, w: BertForQuestionAnsweringWeights, inputs: BertInputs) {
  const { g } = ctx;
  const embeddings = bertEmbeddings(ctx, config, w.bert.embeddings, inputs);
  let hidden = embeddings.output;
  const projectionWeights = w.bert.embeddings_project;
  let projection: LinearSaved | undefined;
  if (projectionWeights) {
    projection = { input: hidden, w: projectionWeights };
    hidden = g.scope('bert.embeddings_project', () => linear(g, embeddings.output, projectionWeights));
  }
  const mask = extendedAttentionMask(ctx, inputs.attention_mask);
  const layers = w.bert.encoder.layer.map((layerWeights, i) => {
    const layer = bertLayer(ctx, config, layerWeights, hidden, mask, i);
    hidden = layer.output;
    return layer.saved;
  });
  const head = questionAnsweringHead(g, hidden, w.qa_outputs);
  const saved: BertForQuestionAnsweringSaved = { embeddings: embeddings.saved, projection, layers, head: head.saved };
  return { startLogits: head.startLogits, endLogits: head.endLogits, saved };
}

/** Backward of the whole model from the gradients of the start and end logits. */
export function bertForQuestionAnsweringBackward(
  ctx: TrainingContext,
  config: ModelConfig,
  w: BertForQuestionAnsweringWeights,
  saved: BertForQuestionAnsweringSaved,
  dStartLogits: Value,
  dEndLogits: Value,
  grads: Gradients,
): void {
  const { g } = ctx;
  let dHidden = questionAnsweringHeadBackward(g, saved.head, dStartLogits, dEndLogits, grads);
  for (const layer of [...saved.layers].reverse()) dHidden = bertLayerBackward(ctx, config, layer, dHidden, grads);
  const projection = saved.projection;
  if (projection) dHidden = g.scope('bert.embeddings_project', () => linearBackward(g, projection, dHidden, grads));
  bertEmbeddingsBackward(ctx, config, w.bert.embeddings, saved.embeddings, dHidden, grads);
}
