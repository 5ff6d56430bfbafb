/**
 * Start and end logits of question-answering windows on ONNX Runtime: a model folder opened as a
 * session of its (cached) graph, and the windows run through it a batch at a time. The batching
 * function takes any session whose graph has the QA inputs and outputs, so that validation during
 * training can run the same code on its own graph (with the weights fed as extra inputs).
 */
import { readModelConfig, type ModelConfig } from '../checkpoint/config';
import { UserError } from '../errors';
import type { QaFeature } from '../qa/features';
import { loadTokenizer } from '../tokenizer/load';
import type { WordPieceTokenizer } from '../tokenizer/types';
import { discardGraph, qaGraphFor, type CachedGraph, type GraphCacheOptions } from './graph-cache';
import { createSession, type OnnxSession, type SessionOptions } from './session';
import { firstLine, type OrtTensor } from './runtime';

export interface OnnxQaModel {
  modelDir: string;
  config: ModelConfig;
  tokenizer: WordPieceTokenizer;
  session: OnnxSession;
  graph: CachedGraph;
}

export type OpenOptions = Omit<SessionOptions, 'label'> & GraphCacheOptions;

/** Config, tokenizer and a session of the model's graph (built and cached on first use). */
export async function openOnnxQaModel(modelDir: string, options: OpenOptions = {}): Promise<OnnxQaModel> {
  const [config, tokenizer, kept] = await Promise.all([readModelConfig(modelDir), loadTokenizer(modelDir), qaGraphFor(modelDir, options)]);
  const sessionOptions: SessionOptions = {
    ...options,
    label: `model ${modelDir}`,
    keepOptimizedGraph: true,
    sessionOptions: {
      // Windows come in batches of every length, so a memory plan kept from one run rarely fits the next:
      // the second batch of a new session paid 150 ms planning again, and later ones gained nothing.
      enableMemPattern: false,
      // Threads that spin between operators take the cores from everything else on a busy machine (the
      // editor, a training run): on the shared CI machine 21 windows took 0.84x the time without spinning,
      // and the same time when it was idle.
      extra: { session: { 'intra_op.allow_spinning': '0' } },
      ...options.sessionOptions,
    },
  };
  let graph = kept;
  let session: OnnxSession;
  try {
    session = await createSession(graph.bytes ?? graph.file, sessionOptions);
  } catch (error) {
    if (graph.built) throw error;
    // A kept graph that no longer loads (damaged on disk, or written by an incompatible SpanTune): build it again.
    options.onLog?.(`the kept graph ${graph.file} does not load (${firstLine(error)}); building it again`);
    await discardGraph(graph.file);
    graph = await qaGraphFor(modelDir, options);
    session = await createSession(graph.bytes ?? graph.file, sessionOptions);
  }
  return { modelDir, config, tokenizer, session, graph };
}

export interface LogitsOptions {
  batchSize: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Inputs other than the token ids and masks (e.g. the weights of a training graph). */
  extraFeeds?: Record<string, OrtTensor>;
  /** Names of the logits outputs (default start_logits, end_logits). */
  outputs?: { start: string; end: string };
}

/** Start/end logits for every feature, `batchSize` windows at a time, each batch padded only to its longest window. */
export async function computeOnnxLogits(session: OnnxSession, features: readonly QaFeature[], options: LogitsOptions): Promise<{ start: Float32Array[]; end: Float32Array[] }> {
  const outputs = options.outputs ?? { start: 'start_logits', end: 'end_logits' };
  const start: Float32Array[] = [];
  const end: Float32Array[] = [];
  for (let i = 0; i < features.length; i += options.batchSize) {
    if (options.signal?.aborted) throw new UserError('prediction cancelled');
    const batch = features.slice(i, i + options.batchSize);
    const length = Math.max(...batch.map((f) => lastAttended(f) + 1));
    const feeds: Record<string, OrtTensor> = { ...options.extraFeeds };
    const rows = (pick: (f: QaFeature) => ArrayLike<number>) => {
      const data = new BigInt64Array(batch.length * length);
      batch.forEach((f, r) => {
        const values = pick(f);
        for (let t = 0; t < length; t++) data[r * length + t] = BigInt(values[t]!);
      });
      return session.tensor('int64', data, [batch.length, length]);
    };
    feeds.input_ids = rows((f) => f.inputIds);
    feeds.attention_mask = rows((f) => f.attentionMask);
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = rows((f) => f.tokenTypeIds);
    const out = await session.run(feeds);
    const startData = out[outputs.start]?.data as Float32Array | undefined;
    const endData = out[outputs.end]?.data as Float32Array | undefined;
    if (!startData || !endData) throw new Error(`the graph has no ${outputs.start}/${outputs.end} outputs`);
    for (let r = 0; r < batch.length; r++) {
      start.push(startData.slice(r * length, (r + 1) * length));
      end.push(endData.slice(r * length, (r + 1) * length));
    }
    options.onProgress?.(Math.min(i + options.batchSize, features.length), features.length);
    // Let cancel messages and progress events through between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { start, end };
}

/** The last position the mask attends to (windows are padded at the end). */
export function lastAttended(feature: Pick<QaFeature, 'attentionMask'>): number {
  const mask = feature.attentionMask;
  let last = mask.length - 1;
  while (last > 0 && mask[last] === 0) last--;
  return last;
}
