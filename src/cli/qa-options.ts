/** The windowing and answer-selection flags shared by `predict`, `ask` and `train`. */
import { parseEngineBackend, parseProviderName, parseThreads } from '../engine/backend/names';
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

export function qaOptions(command: string, values: Record<string, unknown>) {
  const int = (name: string, fallback: number, min = 1) => optionalNumber(command, values, name, { integer: true, min }) ?? fallback;
  const maxSeqLength = int('max-seq-length', QA_DEFAULTS.maxSeqLength, 8);
  return {
    maxSeqLength,
    docStride: int('doc-stride', QA_DEFAULTS.docStride, 0),
    maxQueryLength: int('max-query-length', QA_DEFAULTS.maxQueryLength),
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
