/**
 * Which passage of a document becomes the SQuAD context for a selected answer: the paragraph around
 * the selection (text between blank lines), widened to whole paragraphs when the selection spans
 * several, and cut to a window around the selection when a paragraph is very long.
 */
import type { Span } from './span-map';

const BLANK_LINE = /\n[ \t]*\n/g;

export function findPassage(text: string, selection: Span, maxChars = 4000): Span {
  let start = 0;
  let end = text.length;
  for (const match of text.matchAll(BLANK_LINE)) {
    const gapStart = match.index;
    const gapEnd = gapStart + match[0].length;
    if (gapEnd <= selection.start) start = gapEnd;
    else if (gapStart >= selection.end) {
      end = gapStart;
      break;
    }
  }
  if (end - start > maxChars) {
    const room = Math.max(0, maxChars - (selection.end - selection.start));
    start = Math.max(start, selection.start - Math.floor(room / 2));
    end = Math.min(end, Math.max(selection.end, start + maxChars));
  }
  // Leading and trailing whitespace carries no meaning for the model.
  while (start < selection.start && /\s/.test(text[start] ?? '')) start++;
  while (end > selection.end && /\s/.test(text[end - 1] ?? '')) end--;
  return { start, end };
}
