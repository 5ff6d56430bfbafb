import { BlockBuilder, isBlank, splitLines, type Line, type ParsedDocument } from './blocks';

const LIST_ITEM = /^\s*([-*•]|\d{1,3}[.)])\s+/;

/**
 * A line that stands alone between blank lines, is short and does not end like a sentence: a title
 * or section name in a plain text file ("Introduction", "2. Methods").
 */
export function looksLikeHeading(lines: Line[], index: number): boolean {
  const line = lines[index]!;
  const text = line.text.trim();
  const before = lines[index - 1];
  const after = lines[index + 1];
  if (before && !isBlank(before)) return false;
  if (!after || !isBlank(after)) return false;
  // A document's first line may be a long title; later headings are short.
  const maxLength = index === 0 ? 200 : 80;
  if (text.length < 3 || text.length > maxLength || (index > 0 && text.split(/\s+/).length > 12)) return false;
  if (/[.,;:!?)\]]$/.test(text) || /^https?:/.test(text) || /^[^\s:]{1,30}:\s/.test(text)) return false;
  return /^[\p{Lu}\d]/u.test(text);
}

/** Plain text: paragraphs between blank lines, list items, and stand-alone short lines as headings. */
export function parsePlainText(text: string): ParsedDocument {
  const builder = new BlockBuilder(text, () => {});
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlank(line)) {
      builder.flush();
    } else if (!builder.open && looksLikeHeading(lines, i)) {
      builder.heading(line, 1);
    } else if (LIST_ITEM.test(line.text)) {
      builder.startListItem(line);
    } else {
      builder.addLine(line);
    }
  }
  builder.flush();
  return { format: 'text', plain: builder.mask.toString(), blocks: builder.blocks };
}
