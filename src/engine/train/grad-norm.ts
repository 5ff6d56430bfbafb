/**
 * Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_` computes it, for gradients held
 * as Float32Arrays (no runtime loaded here; clip.ts does the same over TensorFlow.js tensors).
 */

/** The L2 norm of all gradients taken together, sqrt(Σ ‖gᵢ‖²), summed in doubles. */
export function globalNorm(grads: Iterable<Float32Array>): number {
  let sum = 0;
  for (const g of grads) {
    let part = 0;
    for (let i = 0; i < g.length; i++) part += g[i]! * g[i]!;
    sum += part;
  }
  return Math.sqrt(sum);
}

/** torch's clip coefficient, in float32 like its tensor arithmetic: max_norm / (total_norm + 1e-6). */
export function clipCoefficient(totalNorm: number, maxNorm: number): number {
  const f = Math.fround;
  return f(f(maxNorm) / f(f(totalNorm) + f(1e-6)));
}

/** The factor clip_grad_norm_ multiplies every gradient by: min(1, clipCoefficient). */
export function clipScale(totalNorm: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new RangeError(`max gradient norm must be a finite number > 0, got ${maxNorm}`);
  return Math.min(1, clipCoefficient(totalNorm, maxNorm));
}
