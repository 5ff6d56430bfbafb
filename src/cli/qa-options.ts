/** The windowing and answer-selection flags shared by `predict`, `ask` and `train`. */
import { stat } from 'node:fs/promises';
import { parseEngineBackend, parseProviderName, parseThreads } from '../engine/backend/names';
import { checkMaxSeqLength, readModelConfig } from '../engine/checkpoint/config';
import { UserError } from '../engine/errors';
import { QA_DEFAULTS } from '../engine/qa/defaults';
import { optionalNumber } from './args';

export const QA_FLAG_SPECS = {
  'max-seq-length': { type: 'string' },
  'doc-stride': { type: 'string' },
  'max-query-length': { type: 'string' },
  'n-best-size': { type: 'string' },
  'max-answer-length': { type: 'string' },
  'batch-size': { type: 'string' },
  'null-score-diff-threshold': { type: 'string' },
  'version-2-with-negative': { type: 'boolean' },
  backend: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

export const QA_FLAGS_HELP = `  --max-seq-length N           tokens per window (default ${QA_DEFAULTS.maxSeqLength})
  --doc-stride N               tokens shared by consecutive windows of a long context (default ${QA_DEFAULTS.docStride})
  --max-query-length N         question tokens kept (default ${QA_DEFAULTS.maxQueryLength})
  --n-best-size N              candidate starts and ends per window (default ${QA_DEFAULTS.nBestSize})
  --max-answer-length N        longest answer in tokens (default ${QA_DEFAULTS.maxAnswerLength})
  --batch-size N               windows per forward pass (default ${QA_DEFAULTS.batchSize})
  --version-2-with-negative    allow "no answer" (SQuAD v2.0)
  --null-score-diff-threshold X  predict no answer when null score − best span score > X (default 0)
  --backend NAME               auto (ONNX Runtime, else TensorFlow.js), onnx, or a TensorFlow.js backend:
                               tensorflow-gpu, tensorflow, wasm or cpu (default auto)
  --provider NAME              ONNX Runtime provider: auto, cuda, webgpu or cpu (default auto: the best that starts)
  --threads N                  ONNX Runtime CPU threads (default: one per physical core)
  --verbose                    say why each faster provider or backend was skipped`;

/** The window flags, read and checked against each other (shared by predict, ask, train and export-recipe). */
export function windowOptions(command: string, values: Record<string, unknown>) {
  const int = (name: string, fallback: number, min: number) => optionalNumber(command, values, name, { integer: true, min }) ?? fallback;
  const maxSeqLength = int('max-seq-length', QA_DEFAULTS.maxSeqLength, 8);
  const docStride = int('doc-stride', QA_DEFAULTS.docStride, 0);
  const maxQueryLength = int('max-query-length', QA_DEFAULTS.maxQueryLength, 1);
  if (docStride >= maxSeqLength) {
    throw new UserError(`spantune ${command}: --doc-stride ${docStride} must be smaller than --max-seq-length ${maxSeqLength} (it is the overlap of two windows)`);
  }
  if (maxSeqLength - maxQueryLength - 3 < 1) {
    throw new UserError(`spantune ${command}: --max-seq-length ${maxSeqLength} leaves no room for context after a question of up to --max-query-length ${maxQueryLength} tokens and 3 special tokens`);
  }
  return { maxSeqLength, docStride, maxQueryLength };
}

export function qaOptions(command: string, values: Record<string, unknown>) {
  const int = (name: string, fallback: number) => optionalNumber(command, values, name, { integer: true, min: 1 }) ?? fallback;
  return {
    ...windowOptions(command, values),
    nBestSize: int('n-best-size', QA_DEFAULTS.nBestSize),
    maxAnswerLength: int('max-answer-length', QA_DEFAULTS.maxAnswerLength),
    batchSize: int('batch-size', QA_DEFAULTS.batchSize),
    version2WithNegative: values['version-2-with-negative'] === true,
    nullScoreDiffThreshold: optionalNumber(command, values, 'null-score-diff-threshold') ?? QA_DEFAULTS.nullScoreDiffThreshold,
    backend: parseEngineBackend(values.backend as string | undefined),
    provider: parseProviderName(values.provider as string | undefined),
    threads: parseThreads(values.threads, '--threads'),
  };
}

/** Checks the model folder's config and that its positions hold a window, before any work. */
export async function checkModelWindow(modelDir: string, maxSeqLength: number): Promise<void> {
  const info = await stat(modelDir).catch(() => undefined);
  if (!info) throw new UserError(`model folder not found: ${modelDir}`);
  if (!info.isDirectory()) throw new UserError(`${modelDir} is a file; --model expects a folder with config.json and model.safetensors`);
  checkMaxSeqLength(await readModelConfig(modelDir), maxSeqLength, modelDir);
}
