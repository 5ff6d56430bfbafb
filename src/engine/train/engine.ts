/**
 * What the training loop (trainer.ts) needs from the runtime that computes the steps: ONNX Runtime
 * running the training graph (onnx-engine.ts), or TensorFlow.js (tfjs-engine.ts), the fallback where
 * ONNX Runtime cannot load and what `--backend <tfjs backend>` forces. The loop's semantics (batches,
 * seeds, schedule, clipping, checkpoints, events) live in the loop, not here.
 */
import { isTfjsBackend } from '../backend/names';
import type { ModelConfig } from '../checkpoint/config';
import { UserError } from '../errors';
import { loadOnnxRuntime, OnnxRuntimeUnavailable } from '../onnx/runtime';
import type { EngineReport, SquadScores, TrainSettings } from '../process/protocol';
import type { QaFeature } from '../qa/features';
import type { QaExample } from '../squad/types';
import type { AdamWState } from './adamw-state';
import type { PlannedStep } from './batches';

export interface TrainingEngine {
  readonly report: EngineReport;
  readonly config: ModelConfig;
  /** BertForQuestionAnswering / DistilBertForQuestionAnswering, for the started event. */
  readonly architecture: string;
  readonly parameterCount: number;
  /** Windows per forward/backward pass, and how that was decided (for the log). */
  readonly microBatchSize: number;
  readonly memoryNote: string;

  /**
   * The step's loss (the mean over its windows) and gradients, accumulated over its micro-batches, and
   * the global gradient norm before clipping. The gradients are held until update() or discard().
   */
  computeStep(features: readonly QaFeature[], planned: PlannedStep): Promise<{ loss: number; gradNorm: number }>;
  /** Clips the held gradients (when max_grad_norm > 0) and applies AdamW at `learningRate`. */
  update(learningRate: number): void;
  /** Drops the held gradients without an update (a non-finite step). */
  discardGradients(): void;
  evaluate(examples: QaExample[], features: QaFeature[], options: { version2WithNegative: boolean; signal: AbortSignal }): Promise<SquadScores>;
  /** Writes the current weights in Hugging Face layout, with the tokenizer files of `tokenizerDir`. */
  saveModel(dir: string, tokenizerDir: string): Promise<void>;
  optimizerState(): AdamWState;
  dispose(): Promise<void>;
}

export interface EngineOptions {
  settings: TrainSettings;
  /** The folder whose weights to start from (the base model, or checkpoint-last when resuming). */
  weightsDir: string;
  optimizerState?: AdamWState;
  /** Training windows: the memory probe runs on the first ones. */
  features: readonly QaFeature[];
  log: (message: string, level?: 'info' | 'warn') => void;
}

/**
 * ONNX Runtime unless a TensorFlow.js backend is asked for; TensorFlow.js also where ONNX Runtime
 * cannot load (saying why), unless `--backend onnx` asked for it. Each runtime's module is loaded
 * only when chosen, so the ONNX Runtime path never loads TensorFlow.js.
 */
export async function openTrainingEngine(options: EngineOptions): Promise<TrainingEngine> {
  const { settings } = options;
  if (isTfjsBackend(settings.backend)) return (await import('./tfjs-engine')).openTfjsEngine({ ...options, backend: settings.backend });
  try {
    loadOnnxRuntime();
  } catch (error) {
    if (!(error instanceof OnnxRuntimeUnavailable)) throw error;
    if (settings.backend === 'onnx') throw new UserError(`--backend onnx: ${error.message}`);
    options.log(`${error.message}: training on TensorFlow.js instead`, 'warn');
    return (await import('./tfjs-engine')).openTfjsEngine({ ...options, onnxSkipped: error.reason });
  }
  return (await import('./onnx-engine')).openOnnxEngine({ ...options, provider: settings.provider, threads: settings.threads });
}
