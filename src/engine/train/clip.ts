/**
 * Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_` (L2), touching one gradient at a
 * time so that no more than one full-size temporary exists at once.
 */
import * as tf from '@tensorflow/tfjs';
import { clipCoefficient } from './grad-norm';

export { clipCoefficient } from './grad-norm';

/** The L2 norm of all gradients taken together: sqrt(Σ ‖gᵢ‖²), as torch stacks the per-tensor norms. */
export function globalGradNorm(grads: ReadonlyMap<string, tf.Tensor>): number {
  const norms: tf.Scalar[] = [];
  try {
    for (const grad of grads.values()) norms.push(tf.tidy(() => tf.sqrt(tf.sum(tf.square(grad))) as tf.Scalar));
    if (norms.length === 0) return 0;
    const total = tf.tidy(() => {
      const stacked = tf.stack(norms);
      return tf.sqrt(tf.sum(tf.square(stacked)));
    });
    const value = total.dataSync()[0] as number;
    total.dispose();
    return value;
  } finally {
    for (const norm of norms) norm.dispose();
  }
}


/**
 * Scales every gradient by min(1, max_norm / (total_norm + 1e-6)) and returns the total norm before
 * clipping (what Hugging Face logs as `grad_norm`). The map's tensors are replaced by their scaled
 * versions and the old ones disposed: the map owns its tensors. As in torch, a non-finite norm is not
 * an error: the coefficient becomes 0 or NaN and the gradients show it.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new RangeError(`max gradient norm must be a finite number > 0, got ${maxNorm}`);
  const totalNorm = globalGradNorm(grads);
  const coefficient = clipCoefficient(totalNorm, maxNorm);
  // torch multiplies by clamp(coef, max=1); multiplying by exactly 1 changes nothing, so skip that work.
  if (coefficient >= 1) return totalNorm;
  for (const [name, grad] of grads) {
    const scaled = tf.tidy(() => tf.mul(grad, tf.scalar(coefficient, 'float32')));
    grads.set(name, scaled);
    grad.dispose();
  }
  return totalNorm;
}
