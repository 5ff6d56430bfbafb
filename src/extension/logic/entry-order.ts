/** The Dataset panel's orders of questions (pure: the webview runs it too). */
import type { QaEntry } from './workspace-dataset';

export const ENTRY_ORDERS = {
  passage: 'by file and passage',
  roundTripBest: 'round trip: best F1 first',
  roundTripWorst: 'round trip: worst F1 first',
  generator: 'by generator',
} as const;
export type EntryOrder = keyof typeof ENTRY_ORDERS;

/**
 * Sorts entries for review; questions without what the order looks at (no round-trip result, no
 * generator) come last, and ties keep the file and passage order.
 */
export function orderEntries(entries: readonly QaEntry[], order: EntryOrder): QaEntry[] {
  const ranked = entries.map((entry, index) => ({ entry, index }));
  const missingLast = (a: unknown, b: unknown) => Number(a === undefined) - Number(b === undefined);
  switch (order) {
    case 'passage':
      return [...entries];
    case 'roundTripBest':
    case 'roundTripWorst': {
      const sign = order === 'roundTripBest' ? -1 : 1;
      ranked.sort((a, b) => missingLast(a.entry.roundTrip, b.entry.roundTrip) || sign * ((a.entry.roundTrip?.f1 ?? 0) - (b.entry.roundTrip?.f1 ?? 0)) || a.index - b.index);
      break;
    }
    case 'generator':
      ranked.sort((a, b) => missingLast(a.entry.generator, b.entry.generator) || (a.entry.generator ?? '').localeCompare(b.entry.generator ?? '') || a.index - b.index);
      break;
  }
  return ranked.map(({ entry }) => entry);
}
