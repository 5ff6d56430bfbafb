/**
 * Which training features go into which optimizer step and micro-batch, for the whole run, computed
 * from the seed alone: every epoch is a seeded shuffle of all features (like Hugging Face's
 * RandomSampler with a seeded generator; torch's generator itself cannot be reproduced), cut into
 * steps of `batchSize` with the last partial step kept (drop_last false), each step cut into
 * micro-batches of at most `microBatchSize` for gradient accumulation. Any step can be computed
 * directly, so a resumed run gets exactly the batches the uninterrupted run would have had.
 */
import { UserError } from '../errors';
import { Rng, deriveSeed } from './rng';

export interface BatchPlanOptions {
  /** Number of training features (windows of examples). */
  featureCount: number;
  /** Effective batch size: features per optimizer step. */
  batchSize: number;
  /** Most features per forward/backward pass (memory-driven); values above batchSize act as batchSize. */
  microBatchSize: number;
  /** Epochs (may be fractional, as in TrainingArguments); ignored when maxSteps is given. */
  epochs: number;
  /** Total optimizer steps, overriding epochs; epochs repeat (reshuffled) as needed. */
  maxSteps?: number;
  seed: number;
}

export interface PlannedStep {
  /** 0-based global optimizer step. */
  step: number;
  /** 0-based epoch this step belongs to. */
  epoch: number;
  /** 0-based index of the step within its epoch. */
  stepInEpoch: number;
  /** Feature indices of the micro-batches, in order; together they are the step's batch. */
  microBatches: number[][];
  /**
   * Loss weight of each micro-batch, its size over the step's size: summing weight × (mean loss of the
   * micro-batch) gives the mean loss over the step's features, whatever the split, and so its gradient.
   */
  weights: number[];
  /** Number of features in the step (batchSize except perhaps the last step of an epoch). */
  size: number;
}

/** Distinguishes the seed of an epoch's shuffle from other uses of the run seed. */
const SHUFFLE_STREAM = 0x5f1e;

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
}

export class BatchPlan {
  readonly featureCount: number;
  readonly batchSize: number;
  readonly microBatchSize: number;
  readonly seed: number;
  /** ceil(featureCount / batchSize). */
  readonly stepsPerEpoch: number;
  /** maxSteps, or ceil(epochs × stepsPerEpoch). */
  readonly totalSteps: number;
  /** Number of epochs the run touches, the last one perhaps partly: ceil(totalSteps / stepsPerEpoch). */
  readonly epochCount: number;
  private cachedEpoch = -1;
  private cachedOrder: number[] = [];

  constructor(options: BatchPlanOptions) {
    const { featureCount, batchSize, microBatchSize, epochs, maxSteps, seed } = options;
    if (!Number.isInteger(featureCount) || featureCount < 1) {
      throw new UserError(`no training features to train on (got ${featureCount}): check that the training file has answerable questions within the sequence length`);
    }
    requirePositiveInteger('batch size', batchSize);
    requirePositiveInteger('micro-batch size', microBatchSize);
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    this.featureCount = featureCount;
    this.batchSize = batchSize;
    this.microBatchSize = Math.min(microBatchSize, batchSize);
    this.seed = seed;
    this.stepsPerEpoch = Math.ceil(featureCount / batchSize);
    if (maxSteps !== undefined) {
      requirePositiveInteger('max steps', maxSteps);
      this.totalSteps = maxSteps;
    } else {
      if (!Number.isFinite(epochs) || epochs <= 0) throw new RangeError(`epochs must be a number > 0, got ${epochs}`);
      this.totalSteps = Math.ceil(epochs * this.stepsPerEpoch);
    }
    this.epochCount = Math.ceil(this.totalSteps / this.stepsPerEpoch);
  }

  /** The seeded order in which epoch `epoch` visits the features (a copy). */
  epochOrder(epoch: number): number[] {
    return [...this.orderOf(epoch)];
  }

  /** The batches of 0-based optimizer step `step` (0 ≤ step < totalSteps). */
  step(step: number): PlannedStep {
    if (!Number.isInteger(step) || step < 0 || step >= this.totalSteps) {
      throw new RangeError(`step must be an integer in [0, ${this.totalSteps}), got ${step}`);
    }
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const stepInEpoch = step - epoch * this.stepsPerEpoch;
    const order = this.orderOf(epoch);
    const start = stepInEpoch * this.batchSize;
    const features = order.slice(start, Math.min(start + this.batchSize, order.length));
    const microBatches: number[][] = [];
    for (let i = 0; i < features.length; i += this.microBatchSize) microBatches.push(features.slice(i, i + this.microBatchSize));
    const weights = microBatches.map((micro) => micro.length / features.length);
    return { step, epoch, stepInEpoch, microBatches, weights, size: features.length };
  }

  /** Steps from `fromStep` (e.g. the step a resumed run starts at) to the end. */
  *steps(fromStep = 0): Generator<PlannedStep> {
    for (let step = fromStep; step < this.totalSteps; step++) yield this.step(step);
  }

  private orderOf(epoch: number): number[] {
    if (epoch !== this.cachedEpoch) {
      const rng = new Rng(deriveSeed(this.seed, SHUFFLE_STREAM, epoch));
      this.cachedOrder = rng.shuffle(Array.from({ length: this.featureCount }, (_, i) => i));
      this.cachedEpoch = epoch;
    }
    return this.cachedOrder;
  }
}
