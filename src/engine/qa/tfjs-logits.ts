/**
 * Start and end logits on TensorFlow.js: the engine's fallback where ONNX Runtime cannot load, and
 * what `--backend tensorflow-gpu|tensorflow|wasm|cpu` asks for. Loaded only then (TensorFlow.js
 * takes a while to load, and the ONNX Runtime path never needs it).
 */
import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { BackendName } from '../backend/names';
import { describeBackend, initBackend, summarizeBackend } from '../backend/select';
import { UserError } from '../errors';
import { loadQaModel, type LoadedQaModel } from '../model/load';
import { disposeModel, forward, type QaModel } from '../model/qa-model';
import type { QaFeature } from './features';
import type { LogitsEngine } from './predict';

/** Inputs of one batch, padded only to its longest window (padding past it changes no logit that matters). */
function batchInputs(features: readonly QaFeature[]) {
  const length = Math.max(...features.map((f) => lastAttended(f) + 1));
  const rows = (pick: (f: QaFeature) => ArrayLike<number>) =>
    tf.tensor2d(features.map((f) => Array.from(pick(f)).slice(0, length)), [features.length, length], 'int32');
  return { inputIds: rows((f) => f.inputIds), attentionMask: rows((f) => f.attentionMask), tokenTypeIds: rows((f) => f.tokenTypeIds) };
}

function lastAttended(feature: QaFeature): number {
  const mask = feature.attentionMask;
  let last = mask.length - 1;
  while (last > 0 && mask[last] === 0) last--;
  return last;
}

/** Start/end logits for every feature, computed `batchSize` windows at a time. */
export async function computeLogits(
  model: QaModel,
  features: readonly QaFeature[],
  options: { batchSize: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
): Promise<{ start: Float32Array[]; end: Float32Array[] }> {
  const start: Float32Array[] = [];
  const end: Float32Array[] = [];
  for (let i = 0; i < features.length; i += options.batchSize) {
    if (options.signal?.aborted) throw new UserError('prediction cancelled');
    const batch = features.slice(i, i + options.batchSize);
    const logits = tf.tidy(() => {
      const out = forward(model, batchInputs(batch), { training: false });
      return tf.stack([out.start, out.end]);
    });
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    const [, rows, length] = logits.shape as [number, number, number];
    for (let r = 0; r < rows; r++) {
      start.push(values.slice(r * length, (r + 1) * length));
      end.push(values.slice((rows + r) * length, (rows + r + 1) * length));
    }
    options.onProgress?.(Math.min(i + options.batchSize, features.length), features.length);
    // Let cancel messages and progress events through between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { start, end };
}

/**
 * Keeps the last model loaded, so that repeated questions about the same files answer quickly; a
 * folder whose weights changed on disk (a training run saving into it) is loaded again.
 */
let cached: { key: string; loaded: LoadedQaModel } | undefined;

async function modelFor(dir: string): Promise<LoadedQaModel> {
  const weights = await stat(path.join(dir, 'model.safetensors')).catch(() => undefined);
  const key = `${path.resolve(dir)}@${weights?.mtimeMs ?? 'sharded'}`;
  if (cached?.key === key) return cached.loaded;
  if (cached) disposeModel(cached.loaded.model);
  cached = undefined;
  cached = { key, loaded: await loadQaModel(dir) };
  return cached.loaded;
}

/**
 * The model of `modelDir` on a TensorFlow.js backend (`force`, or the best that starts). `before`
 * lists what was skipped ahead of TensorFlow.js (ONNX Runtime, when it could not load).
 */
export async function openTfjsEngine(modelDir: string, force: BackendName | undefined, before: { name: string; reason: string; detail: string }[] = []): Promise<LogitsEngine> {
  const backend = await initBackend({ force });
  const { model, tokenizer, warnings } = await modelFor(modelDir);
  return {
    summary: summarizeBackend(backend, before),
    details: [...before.map((b) => `${b.name} skipped: ${b.detail}`), describeBackend(backend)],
    tokenizer,
    maxPositions: model.config.maxPositionEmbeddings,
    warnings,
    computeLogits: (features, options) => computeLogits(model, features, options),
  };
}
