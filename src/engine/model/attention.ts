/**
 * Multi-head self-attention over a batch flattened to [batch × seq, hidden], computing what Hugging
 * Face's BertSelfAttention / DistilBERT's MultiHeadSelfAttention compute: softmax(QKᵀ/√d + mask)·V.
 */
import * as tf from '@tensorflow/tfjs';
import { dropout } from './ops';

/** Added to the scores of padded keys: the most negative float32, as Hugging Face uses. */
export const MASKED_SCORE = -3.4028234663852886e38;

/** [batch, seq] 0/1 mask → additive [batch, 1, 1, seq] bias. */
export function attentionBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, seq] = attentionMask.shape;
    const masked = tf.sub(1, tf.cast(attentionMask, 'float32'));
    return tf.reshape(tf.mul(masked, MASKED_SCORE), [batch, 1, 1, seq]) as tf.Tensor4D;
  });
}

export interface AttentionInputs {
  query: tf.Tensor2D;
  key: tf.Tensor2D;
  value: tf.Tensor2D;
  bias: tf.Tensor4D;
  batch: number;
  seq: number;
  heads: number;
  dropoutRate: number;
  dropoutSeed?: number;
}

/** Returns the attention context [batch × seq, hidden], before the output projection. */
export function selfAttention(inputs: AttentionInputs): tf.Tensor2D {
  const { batch, seq, heads } = inputs;
  return tf.tidy(() => {
    const hidden = inputs.query.shape[1];
    const headSize = hidden / heads;
    const split = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [batch, seq, heads, headSize]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = split(inputs.query);
    const k = split(inputs.key);
    const v = split(inputs.value);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headSize)), inputs.bias);
    const probs = dropout(tf.softmax(scores, -1), inputs.dropoutRate, inputs.dropoutSeed);
    const context = tf.matMul(probs, v);
    return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, hidden]) as tf.Tensor2D;
  });
}
