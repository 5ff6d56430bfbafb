/**
 * The QA training loss of Hugging Face's BertForQuestionAnswering / DistilBertForQuestionAnswering:
 * the mean of the cross-entropies of the start and end positions, each averaged over the batch.
 */
import * as tf from '@tensorflow/tfjs';

/** Mean cross-entropy of `logits` [batch, seq] against integer `labels` [batch]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(labels, logits.shape[1])), -1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

export function qaLoss(start: tf.Tensor2D, end: tf.Tensor2D, startPositions: tf.Tensor1D, endPositions: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.add(crossEntropy(start, startPositions), crossEntropy(end, endPositions)), 2) as tf.Scalar);
}
