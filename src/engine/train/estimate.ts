/**
 * How long a training run will take, before it starts: the windows it trains on (counted with the
 * model's tokenizer, as the trainer cuts them) times the arithmetic of one window of the model's
 * shape, over a speed either measured on this machine for that shape or recorded for the backend.
 */
import type { ModelConfig } from '../checkpoint/config';
import type { EngineBackend, ProviderName } from '../backend/names';
import { windowStarts } from '../qa/features';
import type { WordPieceTokenizer } from '../tokenizer/types';

/** What trains: a TensorFlow.js backend, or ONNX Runtime with its provider ('onnx cpu'). */
export type TrainingEngineKey = string;

export function trainingEngineKey(engine: { name: EngineBackend; provider?: ProviderName }): TrainingEngineKey {
  return engine.name === 'onnx' ? `onnx ${engine.provider ?? 'cpu'}` : engine.name;
}

/**
 * Arithmetic rate of an engine's training (floating-point operations per second), where it was
 * measured on this project's 2-core CI machine: TensorFlow.js WebAssembly on one thread from `npm run
 * bench:train` (bert-mini 1.26 and MiniLM-L6 0.38 windows/s at 384 tokens: both ≈ 11 GFLOP/s); ONNX
 * Runtime's CPU provider on two threads from the demo's whole run, validations and checkpoints
 * included (`scripts/demo/train.ts`: 8,800 windows of 256 tokens and 101 validations in 75 s).
 */
export const RECORDED_FLOPS_PER_SECOND: Partial<Record<TrainingEngineKey, number>> = { wasm: 11e9, 'onnx cpu': 1.0e11 };

export interface WindowOptions {
  maxSeqLength: number;
  docStride: number;
  maxQueryLength: number;
}

/** The number of windows (features) the trainer makes of these examples: one or more per question. */
export function countWindows(examples: readonly { question: string; context: string }[], tokenizer: WordPieceTokenizer, options: WindowOptions): number {
  const contextTokens = new Map<string, number>();
  let windows = 0;
  for (const { question, context } of examples) {
    let tokens = contextTokens.get(context);
    if (tokens === undefined) {
      tokens = tokenizer.encode(context).ids.length;
      contextTokens.set(context, tokens);
    }
    const questionTokens = Math.min(tokenizer.encode(question).ids.length, options.maxQueryLength);
    const windowTokens = options.maxSeqLength - questionTokens - 3;
    windows += windowStarts(tokens, Math.max(1, windowTokens), Math.min(options.docStride, Math.max(0, windowTokens - 1))).length;
  }
  return windows;
}

/**
 * Floating-point operations of one window's forward pass: per layer and token the four attention
 * projections (4·H²), the feed-forward pair (2·H·I) and the attention itself (2·seq·H), as
 * multiply-adds (×2).
 */
export function forwardFlopsPerWindow(config: Pick<ModelConfig, 'hiddenSize' | 'intermediateSize' | 'numHiddenLayers'>, seq: number): number {
  const h = config.hiddenSize;
  const perToken = 4 * h * h + 2 * h * config.intermediateSize + 2 * seq * h;
  return 2 * seq * config.numHiddenLayers * perToken;
}

export interface TrainingEstimate {
  seconds: number;
  trainWindows: number;
  validationWindows: number;
  /** Training windows per second the estimate assumes. */
  windowsPerSecond: number;
}

/**
 * Seconds for `steps` optimizer steps of `batchSize` windows (a backward pass costs two forward
 * passes) plus `validations` passes over the validation windows, at `windowsPerSecond` when it was
 * measured, else at the engine's recorded rate; undefined when neither is known.
 */
export function estimateTraining(input: {
  config: Pick<ModelConfig, 'hiddenSize' | 'intermediateSize' | 'numHiddenLayers'>;
  maxSeqLength: number;
  trainWindows: number;
  validationWindows: number;
  epochs: number;
  maxSteps?: number;
  batchSize: number;
  validations: number;
  engine: TrainingEngineKey;
  measuredWindowsPerSecond?: number;
}): TrainingEstimate | undefined {
  const rate = RECORDED_FLOPS_PER_SECOND[input.engine];
  const forward = forwardFlopsPerWindow(input.config, input.maxSeqLength);
  const windowsPerSecond = input.measuredWindowsPerSecond ?? (rate ? rate / (3 * forward) : undefined);
  if (!windowsPerSecond || !Number.isFinite(windowsPerSecond)) return undefined;
  const stepsPerEpoch = Math.ceil(input.trainWindows / input.batchSize);
  const steps = Math.min(input.maxSteps ?? Infinity, Math.ceil(stepsPerEpoch * input.epochs));
  const trainSeconds = (steps * input.batchSize) / windowsPerSecond;
  // A forward pass alone is a third of a training window's work.
  const validationSeconds = (input.validations * input.validationWindows) / (3 * windowsPerSecond);
  return { seconds: trainSeconds + validationSeconds, trainWindows: input.trainWindows, validationWindows: input.validationWindows, windowsPerSecond };
}
