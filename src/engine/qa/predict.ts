/**
 * Question answering end to end: features from examples, logits from the model in bounded batches,
 * answers from the logits (Hugging Face run_qa.py + utils_qa.py semantics). The logits come from
 * ONNX Runtime; TensorFlow.js computes them instead when a TensorFlow.js backend is asked for, or
 * when ONNX Runtime cannot load at all (the report line says why).
 */
import * as path from 'node:path';
import { isTfjsBackend } from '../backend/names';
import { UserError } from '../errors';
import { graphFingerprint } from '../onnx/graph-cache';
import { describeProviders, providerDetails } from '../onnx/providers';
import { computeOnnxLogits, openOnnxQaModel, type OnnxQaModel } from '../onnx/qa-logits';
import { OnnxRuntimeUnavailable } from '../onnx/runtime';
import type { PredictSettings } from '../process/protocol';
import type { WordPieceTokenizer } from '../tokenizer/types';
import { buildFeatures, type QaFeature } from './features';
import { postprocessQaPredictions, type ExamplePrediction } from './postprocess';

export interface PredictionHooks {
  onProgress?: (done: number, total: number) => void;
  /** Short lines: the engine's report line, model warnings. */
  onLog?: (message: string) => void;
  /** The long reasons behind the report line, fallbacks as they happen (the output channel, --verbose). */
  onDetail?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PredictionOutput {
  /** One short line: the runtime and provider or backend, and why each better one was skipped. */
  backend: string;
  /** The long reasons behind that line. */
  backendDetails: string[];
  predictions: ExamplePrediction[];
  windows: number;
  warnings: string[];
  timings: {
    /** Opening the model (reading or building its graph, creating the session); 0 when it was open already. */
    loadMs: number;
    /** Whether this prediction built the ONNX graph (the first use after the weights changed). */
    graphBuilt: boolean;
    logitsMs: number;
  };
}

/** Windows in, logits out: ONNX Runtime or TensorFlow.js, with the model loaded. */
export interface LogitsEngine {
  summary: string;
  details: string[];
  tokenizer: WordPieceTokenizer;
  maxPositions: number;
  warnings: string[];
  computeLogits(features: readonly QaFeature[], options: { batchSize: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal }): Promise<{ start: Float32Array[]; end: Float32Array[] }>;
}

/**
 * The ONNX Runtime model last used, kept open so that the next question about it answers at once. A
 * folder whose weights or config changed (a training run saving into it) gets a new graph and session.
 */
let open: { key: string; model: OnnxQaModel } | undefined;

async function onnxEngine(settings: PredictSettings, hooks: PredictionHooks): Promise<{ engine: LogitsEngine; loadMs: number; graphBuilt: boolean }> {
  const started = performance.now();
  const key = `${path.resolve(settings.modelDir)}@${await graphFingerprint(settings.modelDir, 42)}|${settings.provider ?? 'auto'}|${settings.threads ?? 'auto'}`;
  const reopen = open?.key !== key;
  if (reopen) {
    const previous = open;
    open = undefined;
    await previous?.model.session.release().catch(() => undefined);
    open = { key, model: await openOnnxQaModel(settings.modelDir, { provider: settings.provider, threads: settings.threads, onLog: hooks.onDetail }) };
  }
  const { model } = open!;
  const engine: LogitsEngine = {
    summary: describeProviders(model.session.report),
    details: providerDetails(model.session.report),
    tokenizer: model.tokenizer,
    maxPositions: model.config.maxPositionEmbeddings,
    warnings: model.graph.warnings,
    computeLogits: (features, options) => computeOnnxLogits(model.session, features, options),
  };
  return { engine, loadMs: reopen ? performance.now() - started : 0, graphBuilt: reopen && model.graph.built };
}

async function engineFor(settings: PredictSettings, hooks: PredictionHooks): Promise<{ engine: LogitsEngine; loadMs: number; graphBuilt: boolean }> {
  const skippedOnnx: { name: string; reason: string; detail: string }[] = [];
  if (!isTfjsBackend(settings.backend)) {
    try {
      return await onnxEngine(settings, hooks);
    } catch (error) {
      if (!(error instanceof OnnxRuntimeUnavailable)) throw error;
      if (settings.backend === 'onnx') throw new UserError(`backend 'onnx' is not usable here: ${error.message}`);
      hooks.onDetail?.(`${error.message}; answering with TensorFlow.js instead`);
      skippedOnnx.push({ name: 'onnxruntime', reason: 'cannot load', detail: error.reason });
    }
  }
  const started = performance.now();
  const { openTfjsEngine } = await import('./tfjs-logits');
  const engine = await openTfjsEngine(settings.modelDir, isTfjsBackend(settings.backend) ? settings.backend : undefined, skippedOnnx);
  return { engine, loadMs: performance.now() - started, graphBuilt: false };
}

export async function runPrediction(settings: PredictSettings, hooks: PredictionHooks = {}): Promise<PredictionOutput> {
  const { engine, loadMs, graphBuilt } = await engineFor(settings, hooks);
  hooks.onLog?.(engine.summary);
  // The long reasons once per model opened, not with every question to an open one.
  if (loadMs > 0) for (const line of engine.details) hooks.onDetail?.(line);
  for (const warning of engine.warnings) hooks.onLog?.(`warning: ${warning}`);
  if (settings.maxSeqLength > engine.maxPositions) {
    throw new UserError(`--max-seq-length ${settings.maxSeqLength} is longer than the model's ${engine.maxPositions} positions (max_position_embeddings in ${path.join(settings.modelDir, 'config.json')}): use ${engine.maxPositions} or less`);
  }
  const features = buildFeatures(settings.examples, engine.tokenizer, {
    maxSeqLength: settings.maxSeqLength,
    docStride: settings.docStride,
    maxQueryLength: settings.maxQueryLength,
  }, 'predict');
  const started = performance.now();
  const logits = await engine.computeLogits(features, { batchSize: settings.batchSize, onProgress: hooks.onProgress, signal: hooks.signal });
  const logitsMs = performance.now() - started;
  const predictions = postprocessQaPredictions(settings.examples, features, logits.start, logits.end, {
    version2WithNegative: settings.version2WithNegative,
    nBestSize: settings.nBestSize,
    maxAnswerLength: settings.maxAnswerLength,
    nullScoreDiffThreshold: settings.nullScoreDiffThreshold,
  });
  return { backend: engine.summary, backendDetails: engine.details, predictions, windows: features.length, warnings: engine.warnings, timings: { loadMs, graphBuilt, logitsMs } };
}
