/**
 * The backends a run passed over, as the dashboard shows them: one short line, the reasons going to
 * the output channel instead of taking several lines of the panel.
 */
export function summariseSkipped(names: readonly string[]): string | undefined {
  return names.length === 0 ? undefined : `${names.join(', ')} skipped (reasons in Output › SpanTune)`;
}
