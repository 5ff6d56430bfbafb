/**
 * A whole generation run as `spantune generate` and the engine process's `generate` job do it: the
 * rule-based generators, then (when allowed) a language model's pairs, then (when a model is given)
 * the round-trip filter, then negatives and the dataset.
 */
import { generateFromFiles, type PairStage } from './generate';
import type { ChatBackend } from './llm/chat';
import { LanguageModelStage, type LanguageModelReport, type LanguageModelSettings } from './llm/stage';
import { RoundTripFilter, type RoundTripReport, type RoundTripSettings } from './roundtrip';
import type { GenerateOptions, GenerationResult, ProgressCallback, SourceFile } from './types';

export interface GenerationRequest {
  files: SourceFile[];
  options: GenerateOptions;
  /** Answer each pair with this QA model and keep the pairs it finds (see roundtrip.ts). */
  roundTrip?: RoundTripSettings;
  /** Caps of the language model's work; the model itself is the `chat` argument. */
  languageModel?: LanguageModelSettings;
}

export interface GenerationOutcome extends GenerationResult {
  roundTrip?: RoundTripReport;
  languageModel?: LanguageModelReport;
}

export interface GenerationRunHooks {
  onProgress?: ProgressCallback;
  onLog?: (message: string) => void;
  signal?: AbortSignal;
}

export async function runGeneration(request: GenerationRequest, chat: ChatBackend | undefined, hooks: GenerationRunHooks = {}): Promise<GenerationOutcome> {
  // Built before any work, so that bad settings fail at once.
  const languageModel = chat ? new LanguageModelStage(chat, request.languageModel, hooks) : undefined;
  const filter = request.roundTrip ? new RoundTripFilter(request.roundTrip, hooks) : undefined;
  const stages: PairStage[] = [languageModel?.stage, filter?.stage].filter((stage): stage is PairStage => stage !== undefined);
  const result = await generateFromFiles(request.files, request.options, hooks.onProgress, hooks.signal, stages);
  return {
    ...result,
    ...(languageModel ? { languageModel: languageModel.report } : {}),
    ...(filter?.report ? { roundTrip: filter.report } : {}),
  };
}
