/** What "Generate QA Pairs from Workspace" tells the user when it is done. */

export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

export interface GenerationOutcome {
  added: number;
  duplicates: number;
  files: number;
  skippedFiles: number;
}

/** The message, and whether it should offer to review the new pairs (only when there are some). */
export function generationMessage(outcome: GenerationOutcome): { text: string; review: boolean } {
  const skipped = outcome.skippedFiles ? `; ${plural(outcome.skippedFiles, 'file')} skipped (see the SpanTune output)` : '';
  const from = `from ${plural(outcome.files, 'file')}`;
  if (outcome.added === 0) {
    const why =
      outcome.files === 0
        ? 'no document matched spantune.include'
        : outcome.duplicates > 0
          ? `${outcome.duplicates === 1 ? 'the one pair found is' : `all ${outcome.duplicates} pairs found are`} already in the dataset`
          : 'no passage had a sentence the generators could turn into a question';
    return { text: `SpanTune: no new QA pairs ${from}: ${why}${skipped}.`, review: false };
  }
  const duplicates = outcome.duplicates ? `, ${outcome.duplicates} already in the dataset` : '';
  const they = outcome.added === 1 ? 'It is unreviewed: accept or reject it' : 'They are unreviewed: accept or reject them';
  return { text: `SpanTune: ${plural(outcome.added, 'new QA pair')} ${from}${duplicates}${skipped}. ${they} in the Dataset panel.`, review: true };
}
