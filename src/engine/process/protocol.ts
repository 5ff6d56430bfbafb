/**
 * Messages between a caller (the CLI, the extension host) and the engine process, which runs the
 * model work and question generation in its own Node process so that the caller stays responsive
 * and survives a native crash or a heap overflow. Messages travel over Node's IPC channel (child_process.fork).
 */
import type { BackendName, EngineBackend, ProviderName } from '../backend/names';
import type { ChatReply, ChatRequest } from '../generate/llm/chat';
import type { GenerationOutcome, GenerationRequest } from '../generate/run';
import type { QaExample } from '../squad/types';

export type { BackendName, EngineBackend, ProviderName } from '../backend/names';

/** Which backend the engine picked, and why each better one was skipped. */
export interface BackendReport {
  name: BackendName;
  threads?: number;
  /** `reason` in a few words for the report line; `detail` the whole story for the log. */
  skipped: { name: BackendName; reason: string; detail?: string }[];
}

/** What runs a job: ONNX Runtime with its provider, or a TensorFlow.js backend; and what was passed over. */
export interface EngineReport {
  /** 'onnx' (ONNX Runtime) or the TensorFlow.js backend. */
  name: EngineBackend;
  /** ONNX Runtime's execution provider, when `name` is 'onnx'. */
  provider?: ProviderName;
  threads?: number;
  /** TensorFlow.js backends or ONNX Runtime providers (or 'onnx' itself, when it could not load) passed over. */
  skipped: { name: string; reason: string }[];
}

export interface TrainSettings {
  modelDir: string;
  trainFile: string;
  validationFile?: string;
  /** Fraction of contexts held out for validation when no validation file is given. */
  validationSplit?: number;
  outputDir: string;
  epochs: number;
  maxSteps?: number;
  batchSize: number;
  gradAccum?: number;
  learningRate: number;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  seed: number;
  /** Overrides every dropout probability of the model (0 turns dropout off). */
  dropout?: number;
  evalEvery?: number;
  earlyStoppingPatience?: number;
  maxSeqLength: number;
  docStride: number;
  maxQueryLength: number;
  version2WithNegative: boolean;
  /** ONNX Runtime (the default where it loads), or a TensorFlow.js backend. */
  backend?: EngineBackend;
  /** ONNX Runtime's execution provider (default: the best that starts). */
  provider?: ProviderName;
  /** CPU threads for ONNX Runtime (default: one per physical core). */
  threads?: number;
  resume?: boolean;
  /** Include generated pairs that nobody reviewed yet (the extension's dataset). */
  includeUnreviewed?: boolean;
  /** Write every training feature and each step's micro-batches as JSON lines (for replay elsewhere). */
  dumpFeatures?: string;
}

export interface PredictSettings {
  modelDir: string;
  examples: QaExample[];
  maxSeqLength: number;
  docStride: number;
  maxQueryLength: number;
  nBestSize: number;
  maxAnswerLength: number;
  batchSize: number;
  version2WithNegative: boolean;
  nullScoreDiffThreshold: number;
  /** ONNX Runtime (the default), or a TensorFlow.js backend. */
  backend?: EngineBackend;
  /** ONNX Runtime's execution provider (default: the best that starts). */
  provider?: ProviderName;
  /** CPU threads for ONNX Runtime (default: one per physical core). */
  threads?: number;
}

/** A generation job: the files' texts travel with it (the caller may hold unsaved editor text). */
export interface GenerateSettings extends GenerationRequest {
  /** Set when the caller lends its language model: the engine then sends `chatRequest` events and waits for `chatReply`. */
  chatModel?: { label: string };
}

export interface SquadScores {
  exact: number;
  f1: number;
  total: number;
  HasAns_exact?: number;
  HasAns_f1?: number;
  NoAns_exact?: number;
  NoAns_f1?: number;
  [key: string]: number | undefined;
}

/** Caller → engine. */
export type EngineRequest =
  | { type: 'train'; jobId: string; settings: TrainSettings }
  | { type: 'predict'; jobId: string; settings: PredictSettings }
  | { type: 'generate'; jobId: string; settings: GenerateSettings }
  | { type: 'chatReply'; jobId: string; requestId: number; reply?: ChatReply; error?: string }
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' };

/** Engine → caller. Every job ends with exactly one of `finished` (`predictions`, `generated`), `cancelled` or `failed`. */
export type EngineEvent =
  | { type: 'ready'; backend: BackendReport }
  | {
      type: 'started';
      jobId: string;
      backend: EngineReport;
      model: { dir: string; architecture: string; parameters: number; layers: number; hidden: number };
      trainExamples: number;
      trainFeatures: number;
      validationExamples: number;
      validationFeatures: number;
      totalSteps: number;
      microBatchSize: number;
      resumedFromStep?: number;
    }
  | {
      type: 'step';
      jobId: string;
      step: number;
      totalSteps: number;
      epoch: number;
      loss: number;
      lr: number;
      gradNorm: number;
      examplesPerSecond: number;
      etaSeconds: number;
    }
  | { type: 'eval'; jobId: string; step: number; epoch: number; scores: SquadScores; isBest: boolean }
  | { type: 'checkpoint'; jobId: string; step: number; dir: string; reason: 'best' | 'epoch' | 'cancel' | 'final' | 'periodic' }
  | { type: 'progress'; jobId: string; done: number; total: number; what: string }
  | { type: 'predictions'; jobId: string; results: unknown }
  | { type: 'generated'; jobId: string; outcome: GenerationOutcome }
  | { type: 'chatRequest'; jobId: string; requestId: number; request: ChatRequest }
  | { type: 'finished'; jobId: string; summary: Record<string, unknown> }
  | { type: 'cancelled'; jobId: string; step: number; checkpointDir?: string }
  | { type: 'failed'; jobId: string; reason: string; userError: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
