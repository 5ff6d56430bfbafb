/**
 * What the extension asks the answering engine: the windows and the engine from the user's settings,
 * everything else run_qa.py's defaults, SQuAD v2 (a question may have no answer in the file).
 */
import type { PredictSettings } from '../../engine/process/protocol';
import { QA_DEFAULTS } from '../../engine/qa/defaults';

/** The settings that vary: windows from `spantune.maxSeqLength` / `docStride`, the engine from `spantune.backend`, `provider`, `threads`. */
export type PredictChoices = Pick<PredictSettings, 'maxSeqLength' | 'docStride' | 'backend' | 'provider' | 'threads'>;

export function extensionPredictSettings(
  modelDir: string,
  examples: PredictSettings['examples'],
  choices: PredictChoices,
  nBestSize: number = QA_DEFAULTS.nBestSize,
): PredictSettings {
  return {
    modelDir,
    examples,
    maxSeqLength: choices.maxSeqLength,
    docStride: choices.docStride,
    maxQueryLength: QA_DEFAULTS.maxQueryLength,
    nBestSize,
    maxAnswerLength: QA_DEFAULTS.maxAnswerLength,
    batchSize: QA_DEFAULTS.batchSize,
    version2WithNegative: true,
    nullScoreDiffThreshold: QA_DEFAULTS.nullScoreDiffThreshold,
    backend: choices.backend,
    provider: choices.provider,
    threads: choices.threads,
  };
}
