/**
 * Multi-head self-attention over a batch flattened to [batch × seq, hidden], computing what Hugging
 * Face's BertSelfAttention / DistilBERT's MultiHeadSelfAttention compute: softmax(QKᵀ/√d + mask)·V.
 *
 * Each (sequence, head) pair is multiplied as its own untransposed 2-D matmul, forward and backward:
 * tfjs's WebAssembly backend runs those through XNNPACK, while batched or transposed matmuls fall to a
 * scalar loop there that is 3-10x slower.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp, dropoutMask } from './ops';

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

/** [batch × seq, hidden] → one [seq, headSize] matrix per (sequence, head), in that order. */
function splitHeads(x: tf.Tensor, batch: number, seq: number, heads: number): tf.Tensor2D[] {
  const headSize = x.shape[1]! / heads;
  const perHead = tf.transpose(tf.reshape(x, [batch, seq, heads, headSize]), [0, 2, 1, 3]);
  return tf.unstack(tf.reshape(perHead, [batch * heads, seq, headSize])) as tf.Tensor2D[];
}

/** The inverse of splitHeads. */
function mergeHeads(pieces: tf.Tensor[], batch: number, seq: number, heads: number): tf.Tensor2D {
  const headSize = pieces[0]!.shape[1]!;
  const stacked = tf.reshape(tf.stack(pieces), [batch, heads, seq, headSize]);
  return tf.reshape(tf.transpose(stacked, [0, 2, 1, 3]), [batch * seq, heads * headSize]) as tf.Tensor2D;
}

const matMul2d = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);

/** Returns the attention context [batch × seq, hidden], before the output projection. */
export function selfAttention(inputs: AttentionInputs): tf.Tensor2D {
  const { batch, seq, heads, dropoutRate } = inputs;
  const headSize = inputs.query.shape[1] / heads;
  const scale = 1 / Math.sqrt(headSize);
  const dropping = dropoutRate > 0;
  // The dropout mask, scaled by 1/(1-p), is an input of the op (so the tape keeps it for the backward
  // pass) that receives no gradient.
  const keepMask = dropping ? dropoutMask([batch * heads, seq, seq], dropoutRate, inputs.dropoutSeed) : tf.scalar(1);

  const attend = customOp(
    ([query, key, value, mask]) => {
      const q = splitHeads(query!, batch, seq, heads);
      const k = splitHeads(key!, batch, seq, heads);
      const v = splitHeads(value!, batch, seq, heads);
      const scores = tf.stack(q.map((qi, i) => matMul2d(qi, tf.transpose(k[i]!))));
      const biased = tf.add(tf.mul(tf.reshape(scores, [batch, heads, seq, seq]), scale), inputs.bias);
      const probs = tf.reshape(tf.softmax(biased, -1), [batch * heads, seq, seq]);
      const dropped = dropping ? tf.mul(probs, mask!) : probs;
      const droppedPieces = tf.unstack(dropped);
      const context = mergeHeads(droppedPieces.map((p, i) => matMul2d(p, v[i]!)), batch, seq, heads);
      return { value: context, saved: [query!, key!, value!, probs, mask!] };
    },
    (dy, [query, key, value, probs, mask]) => {
      const qs = splitHeads(query!, batch, seq, heads);
      const ks = splitHeads(key!, batch, seq, heads);
      const vs = splitHeads(value!, batch, seq, heads);
      const dContext = splitHeads(dy, batch, seq, heads);
      const probsPieces = tf.unstack(dropping ? tf.mul(probs!, mask!) : probs!);
      const dValue = dContext.map((dc, i) => matMul2d(tf.transpose(probsPieces[i]!), dc));
      let dProbs: tf.Tensor = tf.stack(dContext.map((dc, i) => matMul2d(dc, tf.transpose(vs[i]!))));
      if (dropping) dProbs = tf.mul(dProbs, mask!);
      // Softmax backward: dS = P ⊙ (dP − Σ_j dP ⊙ P), then the 1/√d scale.
      const rowDot = tf.sum(tf.mul(dProbs, probs!), -1, true);
      const dScores = tf.unstack(tf.mul(tf.mul(probs!, tf.sub(dProbs, rowDot)), scale));
      const dQuery = dScores.map((ds, i) => matMul2d(ds, ks[i]!));
      const dKey = dScores.map((ds, i) => matMul2d(tf.transpose(ds), qs[i]!));
      return [mergeHeads(dQuery, batch, seq, heads), mergeHeads(dKey, batch, seq, heads), mergeHeads(dValue, batch, seq, heads), tf.zerosLike(mask!)];
    },
  );

  return attend(inputs.query, inputs.key, inputs.value, keepMask) as tf.Tensor2D;
}
