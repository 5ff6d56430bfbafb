/**
 * The message after Generate QA Pairs: how many new pairs and from how many files, or, when there is
 * none, why (no document matched, no passage to ask about, nothing generated, all already there),
 * never an invitation to review nothing.
 */
import type { LanguageModelReport } from '../../engine/generate/llm/stage';
import type { RoundTripReport } from '../../engine/generate/roundtrip';
import type { GenerationStats, SkippedFile } from '../../engine/generate/types';
import type { MergeReport } from './merge-generated';
import { plural } from './plural';

export interface GenerationSummaryInput extends MergeReport {
  stats: Pick<GenerationStats, 'passages' | 'pairs'>;
  skipped: readonly SkippedFile[];
  roundTrip?: RoundTripReport;
  languageModel?: Pick<LanguageModelReport, 'model' | 'pairs' | 'stoppedBy'>;
  notes: readonly string[];
}

export function generationSummary(report: GenerationSummaryInput, fileCount: number): string {
  const parts = [
    headline(report, fileCount),
    report.languageModel ? `${report.languageModel.pairs} by ${report.languageModel.model}${report.languageModel.stoppedBy ? ` (stopped at its ${report.languageModel.stoppedBy} cap)` : ''}` : undefined,
    report.roundTrip
      ? `the round trip with ${report.roundTrip.model} passed ${report.roundTrip.passed} of ${report.roundTrip.checked}${report.roundTrip.dropped ? ` and dropped ${report.roundTrip.dropped}` : ''}`
      : undefined,
    report.duplicates ? `${report.duplicates} already in the dataset` : undefined,
    report.skipped.length ? `${plural(report.skipped.length, 'file')} skipped (see the SpanTune output)` : undefined,
    ...report.notes,
  ];
  const review = report.added > 0 ? ` ${report.added === 1 ? 'It is' : 'They are'} unreviewed: accept or reject ${report.added === 1 ? 'it' : 'them'} in the Dataset panel.` : '';
  return `${parts.filter(Boolean).join('; ')}.${review}`;
}

function headline(report: GenerationSummaryInput, fileCount: number): string {
  if (report.added > 0) return `SpanTune: ${plural(report.added, 'new QA pair')} from ${plural(fileCount, 'file')}`;
  if (fileCount === 0) return 'SpanTune: no new QA pair: no document matches the spantune.include setting (outside spantune.exclude)';
  if (report.stats.passages === 0) return `SpanTune: no new QA pair: ${fileCount === 1 ? 'the file read has' : `none of the ${fileCount} files read has`} a passage of prose to ask about`;
  if (report.stats.pairs === 0) return `SpanTune: no new QA pair: no sentence of the ${plural(report.stats.passages, 'passage')} in ${plural(fileCount, 'file')} yields a question`;
  return `SpanTune: no new QA pair from ${plural(fileCount, 'file')}`;
}
