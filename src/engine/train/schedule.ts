/**
 * Learning-rate schedule of Hugging Face's Trainer with its default `linear` scheduler:
 * `get_linear_schedule_with_warmup`, with the warm-up length from `TrainingArguments.get_warmup_steps`.
 */

/** W = ceil(total × ratio), computed in doubles as Python does (so 100 × 0.07 = 7.000000000000001 gives 8). */
export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new RangeError(`total steps must be an integer ≥ 0, got ${totalSteps}`);
  if (!Number.isFinite(warmupRatio) || warmupRatio < 0 || warmupRatio > 1) {
    throw new RangeError(`warm-up ratio must be in [0, 1], got ${warmupRatio}`);
  }
  return Math.ceil(totalSteps * warmupRatio);
}

/**
 * The factor applied to the base learning rate at optimizer step `step` (0-based: the first update
 * uses step 0, so with any warm-up it uses a learning rate of 0).
 */
export function linearWarmupMultiplier(step: number, warmup: number, totalSteps: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup));
}

export interface LinearSchedule {
  readonly baseLearningRate: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** The learning rate used by the update at 0-based optimizer step `step`. */
  learningRate(step: number): number;
}

export function linearScheduleWithWarmup(baseLearningRate: number, totalSteps: number, warmupRatio: number): LinearSchedule {
  if (!Number.isFinite(baseLearningRate) || baseLearningRate < 0) {
    throw new RangeError(`learning rate must be a finite number ≥ 0, got ${baseLearningRate}`);
  }
  const warmup = warmupSteps(totalSteps, warmupRatio);
  return {
    baseLearningRate,
    warmupSteps: warmup,
    totalSteps,
    // LambdaLR multiplies base_lr by the factor in double precision, as here.
    learningRate: (step) => baseLearningRate * linearWarmupMultiplier(step, warmup, totalSteps),
  };
}
