/**
 * Defaults of the optimisation settings, the same for `spantune train` and the extension: those of
 * Hugging Face's TrainingArguments (no warm-up, no accumulation, clipping at 1.0) except weight decay,
 * which run_qa.py users set to 0.01. Validation runs at each epoch's end unless `evalEvery` asks for
 * more; early stopping and a dropout override are off unless set.
 */
export const TRAINING_DEFAULTS = {
  warmupRatio: 0,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  gradAccum: 1,
} as const;
