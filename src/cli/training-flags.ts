/** The hyperparameter flags shared by `train` and `export-recipe`, with spantune train's defaults. */
import { UserError } from '../engine/errors';
import type { TrainSettings } from '../engine/process/protocol';
import { optionalNumber, type NumberRule } from './args';
import { windowOptions } from './qa-options';

export const TRAINING_FLAG_SPECS = {
  validation: { type: 'string' },
  'validation-split': { type: 'string' },
  epochs: { type: 'string' },
  'max-steps': { type: 'string' },
  'batch-size': { type: 'string' },
  'grad-accum': { type: 'string' },
  'learning-rate': { type: 'string' },
  'warmup-ratio': { type: 'string' },
  'weight-decay': { type: 'string' },
  'max-grad-norm': { type: 'string' },
  seed: { type: 'string' },
  dropout: { type: 'string' },
  'max-seq-length': { type: 'string' },
  'doc-stride': { type: 'string' },
  'max-query-length': { type: 'string' },
  'version-2-with-negative': { type: 'boolean' },
  'include-unreviewed': { type: 'boolean' },
} as const;

export type TrainingHyperparameters = Pick<
  TrainSettings,
  | 'validationFile' | 'validationSplit' | 'epochs' | 'maxSteps' | 'batchSize' | 'gradAccum' | 'learningRate' | 'warmupRatio'
  | 'weightDecay' | 'maxGradNorm' | 'seed' | 'dropout' | 'maxSeqLength' | 'docStride' | 'maxQueryLength'
  | 'version2WithNegative' | 'includeUnreviewed'
>;

export function trainingHyperparameters(command: string, values: Record<string, unknown>): TrainingHyperparameters {
  const num = (name: string, fallback: number, rule: NumberRule = {}) => optionalNumber(command, values, name, rule) ?? fallback;
  const split = optionalNumber(command, values, 'validation-split');
  if (split !== undefined && (split <= 0 || split >= 1)) throw new UserError(`spantune ${command}: --validation-split must be between 0 and 1, got ${split}`);
  if (split !== undefined && values.validation !== undefined) throw new UserError(`spantune ${command}: give --validation or --validation-split, not both`);
  const dropout = optionalNumber(command, values, 'dropout');
  if (dropout !== undefined && (dropout < 0 || dropout >= 1)) throw new UserError(`spantune ${command}: --dropout must be in [0, 1), got ${dropout}`);
  return {
    validationFile: values.validation as string | undefined,
    validationSplit: split,
    // More epochs than this is a typo (a run bounded by steps takes --max-steps).
    epochs: num('epochs', 2, { above: 0, max: 1_000_000 }),
    maxSteps: optionalNumber(command, values, 'max-steps', { integer: true, min: 1 }),
    batchSize: num('batch-size', 12, { integer: true, min: 1 }),
    gradAccum: num('grad-accum', 1, { integer: true, min: 1 }),
    learningRate: num('learning-rate', 3e-5, { min: 0 }),
    warmupRatio: num('warmup-ratio', 0, { min: 0, max: 1 }),
    weightDecay: num('weight-decay', 0.01, { min: 0 }),
    maxGradNorm: num('max-grad-norm', 1.0, { min: 0 }),
    seed: num('seed', 42, { integer: true, min: 0 }),
    dropout,
    ...windowOptions(command, values),
    version2WithNegative: values['version-2-with-negative'] === true,
    includeUnreviewed: values['include-unreviewed'] === true,
  };
}
