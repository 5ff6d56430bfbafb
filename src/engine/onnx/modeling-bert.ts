/**
 * BertForQuestionAnswering as an ONNX graph, block by block as Hugging Face's modeling_bert.py
 * computes it. The weight tree mirrors the checkpoint's names (`bert.encoder.layer[3].attention.self
 * .query`), so whoever knows the checkpoint knows where each weight is used. ELECTRA discriminators
 * and MiniLM have this layout too (ELECTRA may add `embeddings_project` after the embeddings).
 *
 * Shapes: B batch, S sequence, H hidden, nh heads, hs head size (H = nh·hs), I intermediate.
 */
import { hasEmbeddingProjection, type ModelConfig } from '../checkpoint/config';
import { FLOAT, INT64, type Value } from './graph';
import {
  activation,
  layerNorm,
  layerNormNames,
  linear,
  linearNames,
  questionAnsweringHead,
  type ForwardContext,
  type LayerNorm,
  type Linear,
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

export function bertEmbeddings(ctx: ForwardContext, config: ModelConfig, w: BertEmbeddingsWeights, inputs: BertInputs): Value {
  const { g } = ctx;
  return g.scope('bert.embeddings', () => {
    const inputsEmbeds = g.gather(w.word_embeddings, inputs.input_ids, 'inputs_embeds'); // (B, S, E)
    const tokenTypeEmbeds = g.gather(w.token_type_embeddings, inputs.token_type_ids, 'token_type_embeddings');
    // position_ids = arange(S): the first S rows of the table, broadcast over the batch.
    const seqLength = g.shape(inputs.input_ids, 1, 2, 'seq_length');
    const positionEmbeds = g.slice(w.position_embeddings, g.ints([0]), seqLength, [0], 'position_embeddings'); // (S, E)
    const embeddings = g.add(g.add(inputsEmbeds, tokenTypeEmbeds, 'embeddings_sum'), positionEmbeds, 'embeddings');
    const normed = layerNorm(g, embeddings, w.LayerNorm, config.layerNormEps);
    return ctx.dropout(normed, 'bert.embeddings', config.hiddenDropoutProb);
  });
}

/** (B, S, H) → (B, nh, S, hs) */
function transposeForScores(ctx: ForwardContext, x: Value, config: ModelConfig, hint: string): Value {
  const headSize = config.hiddenSize / config.numAttentionHeads;
  const split = ctx.g.reshape(x, [0, 0, config.numAttentionHeads, headSize], `${hint}_heads`); // (B, S, nh, hs)
  return ctx.g.transpose(split, [0, 2, 1, 3], hint);
}

/** BertSelfAttention: softmax(QKᵀ/√hs + mask)·V, heads merged back. */
export function bertSelfAttention(ctx: ForwardContext, config: ModelConfig, w: BertLayerWeights['attention']['self'], hidden: Value, mask: Value, site: string): Value {
  const { g } = ctx;
  const headSize = config.hiddenSize / config.numAttentionHeads;
  const queryLayer = transposeForScores(ctx, linear(g, hidden, w.query, 'query'), config, 'query_layer'); // (B, nh, S, hs)
  const keyLayer = transposeForScores(ctx, linear(g, hidden, w.key, 'key'), config, 'key_layer');
  const valueLayer = transposeForScores(ctx, linear(g, hidden, w.value, 'value'), config, 'value_layer');

  const keyT = g.transpose(keyLayer, [0, 1, 3, 2], 'key_layer_t'); // (B, nh, hs, S)
  const rawScores = g.matMul(queryLayer, keyT, 'raw_scores'); // (B, nh, S, S)
  const scaled = g.div(rawScores, g.scalar(Math.sqrt(headSize)), 'scaled_scores');
  const attentionScores = g.add(scaled, mask, 'attention_scores');
  const attentionProbs = ctx.dropout(g.softmax(attentionScores, -1, 'attention_probs'), `${site}.self`, config.attentionProbsDropoutProb);

  const context = g.matMul(attentionProbs, valueLayer, 'context'); // (B, nh, S, S) x (B, nh, S, hs) -> (B, nh, S, hs)
  const merged = g.transpose(context, [0, 2, 1, 3], 'context_merged'); // (B, S, nh, hs)
  return g.reshape(merged, [0, 0, config.hiddenSize], 'context_layer'); // (B, S, H)
}

/** BertSelfOutput / BertOutput: dense, dropout, then LayerNorm of the residual sum. */
function denseDropoutNorm(ctx: ForwardContext, config: ModelConfig, w: { dense: Linear; LayerNorm: LayerNorm }, hidden: Value, residual: Value, site: string): Value {
  const { g } = ctx;
  const projected = ctx.dropout(linear(g, hidden, w.dense), site, config.hiddenDropoutProb);
  return layerNorm(g, g.add(projected, residual, 'residual'), w.LayerNorm, config.layerNormEps);
}

/** BertLayer: attention, then the feed-forward block, each with its residual LayerNorm. */
export function bertLayer(ctx: ForwardContext, config: ModelConfig, w: BertLayerWeights, hidden: Value, mask: Value, index: number): Value {
  const { g } = ctx;
  const site = `bert.encoder.layer.${index}`;
  const attentionOutput = g.scope(`${site}.attention`, () => {
    const selfOutput = g.scope('self', () => bertSelfAttention(ctx, config, w.attention.self, hidden, mask, `${site}.attention`));
    return g.scope('output', () => denseDropoutNorm(ctx, config, w.attention.output, selfOutput, hidden, `${site}.attention.output`));
  });
  const intermediate = g.scope(`${site}.intermediate`, () => activation(g, linear(g, attentionOutput, w.intermediate.dense), config.hiddenAct)); // (B, S, I)
  return g.scope(`${site}.output`, () => denseDropoutNorm(ctx, config, w.output, intermediate, attentionOutput, `${site}.output`));
}

/** The whole model: embeddings, (projection,) encoder layers, QA head → start/end logits [B, S]. */
export function bertForQuestionAnswering(ctx: ForwardContext, config: ModelConfig, w: BertForQuestionAnsweringWeights, inputs: BertInputs) {
  const { g } = ctx;
  let hidden = bertEmbeddings(ctx, config, w.bert.embeddings, inputs);
  const projection = w.bert.embeddings_project;
  if (projection) hidden = g.scope('bert.embeddings_project', () => linear(g, hidden, projection));
  const mask = extendedAttentionMask(ctx, inputs.attention_mask);
  w.bert.encoder.layer.forEach((layer, i) => {
    hidden = bertLayer(ctx, config, layer, hidden, mask, i);
  });
  return questionAnsweringHead(g, hidden, w.qa_outputs);
}
