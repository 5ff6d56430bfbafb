/**
 * DistilBertForQuestionAnswering as an ONNX graph, block by block as Hugging Face's
 * modeling_distilbert.py computes it: no token types, the query scaled before QKᵀ, padded keys
 * masked_fill'ed (not added to), no dropout after the attention projection, and `qa_dropout` before
 * the QA head.
 *
 * Shapes: B batch, S sequence, H dim, nh n_heads, hs dim per head, I hidden_dim.
 */
import type { ModelConfig } from '../checkpoint/config';
import { INT64, type Value } from './graph';
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

export function distilBertEmbeddings(ctx: ForwardContext, config: ModelConfig, w: DistilBertEmbeddingsWeights, inputIds: Value): Value {
  const { g } = ctx;
  return g.scope('distilbert.embeddings', () => {
    const wordEmbeddings = g.gather(w.word_embeddings, inputIds, 'word_embeddings'); // (B, S, H)
    const seqLength = g.shape(inputIds, 1, 2, 'seq_length');
    const positionEmbeddings = g.slice(w.position_embeddings, g.ints([0]), seqLength, [0], 'position_embeddings'); // (S, H)
    const embeddings = g.add(wordEmbeddings, positionEmbeddings, 'embeddings');
    return ctx.dropout(layerNorm(g, embeddings, w.LayerNorm, config.layerNormEps), 'distilbert.embeddings', config.hiddenDropoutProb);
  });
}

/** MultiHeadSelfAttention, out_lin included. `keyIsPadding` is the bool [B, 1, 1, S] mask of padded keys. */
export function multiHeadSelfAttention(ctx: ForwardContext, config: ModelConfig, w: TransformerBlockWeights['attention'], x: Value, keyIsPadding: Value, site: string): Value {
  const { g } = ctx;
  const dimPerHead = config.hiddenSize / config.numAttentionHeads;
  const shape = (t: Value, hint: string) => g.transpose(g.reshape(t, [0, 0, config.numAttentionHeads, dimPerHead], `${hint}_heads`), [0, 2, 1, 3], hint); // (B, nh, S, hs)
  const q = shape(linear(g, x, w.q_lin, 'q_lin'), 'q');
  const k = shape(linear(g, x, w.k_lin, 'k_lin'), 'k');
  const v = shape(linear(g, x, w.v_lin, 'v_lin'), 'v');

  const qScaled = g.div(q, g.scalar(Math.sqrt(dimPerHead)), 'q_scaled');
  const rawScores = g.matMul(qScaled, g.transpose(k, [0, 1, 3, 2], 'k_t'), 'raw_scores'); // (B, nh, S, S)
  const scores = g.op('Where', [keyIsPadding, g.scalar(MASKED_SCORE), rawScores], 'scores');
  const weights = ctx.dropout(g.softmax(scores, -1, 'weights'), site, config.attentionProbsDropoutProb);

  const context = g.matMul(weights, v, 'context'); // (B, nh, S, hs)
  const unshaped = g.reshape(g.transpose(context, [0, 2, 1, 3], 'context_merged'), [0, 0, config.hiddenSize], 'context_unshaped'); // (B, S, H)
  return linear(g, unshaped, w.out_lin, 'out_lin');
}

/** TransformerBlock: attention + sa_layer_norm, FFN + output_layer_norm. */
export function transformerBlock(ctx: ForwardContext, config: ModelConfig, w: TransformerBlockWeights, x: Value, keyIsPadding: Value, index: number): Value {
  const { g } = ctx;
  const site = `distilbert.transformer.layer.${index}`;
  return g.scope(site, () => {
    const attended = g.scope('attention', () => multiHeadSelfAttention(ctx, config, w.attention, x, keyIsPadding, `${site}.attention`));
    const saOutput = layerNorm(g, g.add(attended, x, 'sa_residual'), w.sa_layer_norm, config.layerNormEps, 'sa_layer_norm');
    const ffnOutput = g.scope('ffn', () => {
      const hidden = activation(g, linear(g, saOutput, w.ffn.lin1, 'lin1'), config.hiddenAct); // (B, S, I)
      return ctx.dropout(linear(g, hidden, w.ffn.lin2, 'lin2'), `${site}.ffn`, config.hiddenDropoutProb);
    });
    return layerNorm(g, g.add(ffnOutput, saOutput, 'ffn_residual'), w.output_layer_norm, config.layerNormEps, 'output_layer_norm');
  });
}

export function distilBertForQuestionAnswering(ctx: ForwardContext, config: ModelConfig, w: DistilBertForQuestionAnsweringWeights, inputs: DistilBertInputs) {
  const { g } = ctx;
  const keyIsPadding = g.scope('distilbert', () => {
    const isPadding = g.op('Equal', [inputs.attention_mask, g.constant([0], [], INT64)], 'key_is_padding'); // (B, S)
    return g.unsqueeze(isPadding, [1, 2], 'key_is_padding_4d'); // (B, 1, 1, S)
  });
  let hidden = distilBertEmbeddings(ctx, config, w.distilbert.embeddings, inputs.input_ids);
  w.distilbert.transformer.layer.forEach((layer, i) => {
    hidden = transformerBlock(ctx, config, layer, hidden, keyIsPadding, i);
  });
  hidden = ctx.dropout(hidden, 'qa_dropout', config.qaDropout);
  return questionAnsweringHead(g, hidden, w.qa_outputs);
}
