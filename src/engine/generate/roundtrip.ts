/**
 * The round-trip filter (Alberti et al. 2019, "Synthetic QA Corpora Generation with Roundtrip
 * Consistency"): a QA model answers each generated question on its passage, and the pair is kept only
 * when the model's answer overlaps the generated one (SQuAD token F1 >= minF1). A question that a
 * model answers with the same span is more likely to be well formed and to ask for that span.
 */
import { UserError } from '../errors';
import type { EngineBackend, ProviderName } from '../backend/names';
import { QA_DEFAULTS } from '../qa/defaults';
import { f1V1 } from '../squad/metrics';
import type { QaExample } from '../squad/types';
import type { PairStage } from './generate';
import type { GeneratedPair } from './pairs';
import type { ProgressCallback } from './types';

export const DEFAULT_ROUND_TRIP_MIN_F1 = 0.5;

export interface RoundTripSettings {
  modelDir: string;
  /** How the pairs' records name the model (a run id, a folder name); default: modelDir. */
  modelLabel?: string;
  /** Least token F1 between the model's answer and the generated one (default 0.5). */
  minF1?: number;
  /** Keep the pairs that fail too, each with its result, for a person to review (default: drop them). */
  keepFailed?: boolean;
  maxSeqLength?: number;
  docStride?: number;
  batchSize?: number;
  /** Where the model runs: ONNX Runtime by default (see qa/predict.ts). */
  backend?: EngineBackend;
  provider?: ProviderName;
  threads?: number;
}

export interface RoundTripReport {
  model: string;
  minF1: number;
  checked: number;
  passed: number;
  /** Pairs removed from the output (0 with keepFailed). */
  dropped: number;
  backend?: string;
}

export interface RoundTripHooks {
  onProgress?: ProgressCallback;
  onLog?: (message: string) => void;
}

export function checkRoundTripSettings(settings: RoundTripSettings): Required<Pick<RoundTripSettings, 'minF1' | 'modelLabel'>> {
  const minF1 = settings.minF1 ?? DEFAULT_ROUND_TRIP_MIN_F1;
  if (!Number.isFinite(minF1) || minF1 < 0 || minF1 > 1) throw new UserError(`the round-trip filter's least F1 must be between 0 and 1, got ${minF1}`);
  return { minF1, modelLabel: settings.modelLabel ?? settings.modelDir };
}

/**
 * A generation stage that answers every pair's question with the model (through the engine's
 * `runPrediction`, so it runs on whatever inference engine that uses) and records the result on each
 * pair. `report` holds the counts once the stage has run.
 */
export class RoundTripFilter {
  report: RoundTripReport | undefined;
  private readonly minF1: number;
  private readonly label: string;

  constructor(
    private readonly settings: RoundTripSettings,
    private readonly hooks: RoundTripHooks = {},
  ) {
    const checked = checkRoundTripSettings(settings);
    this.minF1 = checked.minF1;
    this.label = checked.modelLabel;
  }

  readonly stage: PairStage = async (passages, pairsByPassage, signal) => {
    const examples: QaExample[] = [];
    pairsByPassage.forEach((pairs, p) =>
      pairs.forEach((pair, i) => examples.push({ id: `${p}:${i}`, question: pair.question, context: passages[p]!.text, answers: [], isImpossible: false })),
    );
    this.report = { model: this.label, minF1: this.minF1, checked: examples.length, passed: 0, dropped: 0 };
    if (examples.length === 0) return pairsByPassage;

    // Loaded here, not at the top, so that generating without the filter never loads the inference engine.
    const { runPrediction } = await import('../qa/predict');
    const output = await runPrediction(
      {
        modelDir: this.settings.modelDir,
        examples,
        maxSeqLength: this.settings.maxSeqLength ?? QA_DEFAULTS.maxSeqLength,
        docStride: this.settings.docStride ?? QA_DEFAULTS.docStride,
        maxQueryLength: QA_DEFAULTS.maxQueryLength,
        nBestSize: QA_DEFAULTS.nBestSize,
        maxAnswerLength: QA_DEFAULTS.maxAnswerLength,
        batchSize: this.settings.batchSize ?? QA_DEFAULTS.batchSize,
        // The model must name a span: "no answer" would say nothing about the pair's span.
        version2WithNegative: false,
        nullScoreDiffThreshold: QA_DEFAULTS.nullScoreDiffThreshold,
        backend: this.settings.backend,
        provider: this.settings.provider,
        threads: this.settings.threads,
      },
      { onProgress: (done, total) => this.hooks.onProgress?.(done, total, 'round trip'), onLog: this.hooks.onLog, signal },
    );
    this.report.backend = output.backend;
    const answers = new Map(output.predictions.map((prediction) => [prediction.id, prediction.text]));

    const kept = pairsByPassage.map((pairs, p) =>
      pairs.flatMap((pair, i): GeneratedPair[] => {
        const answer = answers.get(`${p}:${i}`) ?? '';
        // Rounded before the comparison, so that a record always reads as passed exactly when its F1 is at least the least F1.
        const f1 = Math.round(f1V1(answer, pair.answer) * 1000) / 1000;
        const passed = f1 >= this.minF1;
        if (passed) this.report!.passed++;
        else if (!this.settings.keepFailed) return [];
        return [{ ...pair, roundTrip: { model: this.label, answer, f1, passed } }];
      }),
    );
    this.report.dropped = this.settings.keepFailed ? 0 : this.report.checked - this.report.passed;
    return kept;
  };
}
