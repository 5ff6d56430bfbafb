import {
  BlockBuilder,
  collapse,
  contentEnd,
  contentStart,
  isBlank,
  splitLines,
  type Barrier,
  type Block,
  type Line,
  type Mask,
  type ParsedDocument,
} from './blocks';
import { blankInlineMarkdown } from './inline-markup';
import { parseTableRow, isTableSeparator } from './table-rows';

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])(\s+)(\[[ xX]\]\s+)?/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)\s*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;

/** Splits Markdown into headings, paragraphs, list items and table rows; code blocks are barriers. */
export function parseMarkdown(text: string): ParsedDocument {
  const builder = new BlockBuilder(text, blankInlineMarkdown);
  const { mask } = builder;
  const lines = splitLines(text);

  let i = 0;
  // YAML front matter.
  if (lines[0]?.text.trim() === '---') {
    const close = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line.text));
    if (close > 0) {
      mask.blank(0, lines[close]!.end);
      i = close + 1;
    }
  }

  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line.text);
    if (fence) {
      const marker = fence[1]!;
      let j = i + 1;
      while (j < lines.length && !lines[j]!.text.trimStart().startsWith(marker)) j++;
      builder.skipLines(lines, i, j);
      i = j;
      continue;
    }
    if (isBlank(line)) {
      builder.flush();
      continue;
    }
    // Indented code: four spaces after a blank line, outside a list.
    if (/^( {4}|\t)/.test(line.text) && !builder.open && builder.lastKind !== 'list-item') {
      builder.skipLines(lines, i, i);
      continue;
    }
    if (/^\s*<!--/.test(line.text) && !builder.open) {
      let j = i;
      while (j < lines.length && !lines[j]!.text.includes('-->')) j++;
      mask.blank(line.start, lines[Math.min(j, lines.length - 1)]!.end);
      i = j;
      continue;
    }
    const atx = ATX_HEADING.exec(line.text);
    if (atx) {
      mask.blank(line.start, line.start + atx[0].length);
      mask.blankMatches(text, line.start, line.end, /\s#+\s*$/g);
      builder.heading(line, atx[1]!.length);
      continue;
    }
    const next = lines[i + 1];
    if (next && SETEXT_UNDERLINE.test(next.text) && !builder.open && !LIST_ITEM.test(line.text)) {
      mask.blank(next.start, next.end);
      builder.heading(line, next.text.trim().startsWith('=') ? 1 : 2);
      i++;
      continue;
    }
    if (THEMATIC_BREAK.test(line.text)) {
      builder.flush();
      mask.blank(line.start, line.end);
      continue;
    }
    if (line.text.includes('|') && next && isTableSeparator(next.text)) {
      builder.flush();
      i = parseMarkdownTable(text, lines, i, mask, builder.blocks) - 1;
      continue;
    }
    const item = LIST_ITEM.exec(line.text);
    if (item) {
      mask.blank(line.start + item[1]!.length, line.start + item[0].length);
      builder.startListItem(line);
      continue;
    }
    const quote = /^(\s*>)+\s?/.exec(line.text);
    if (quote) mask.blank(line.start, line.start + quote[0].length);
    builder.addLine(line);
  }
  builder.flush();
  return { format: 'markdown', plain: mask.toString(), blocks: builder.blocks };
}

/** Reads a pipe table starting at its header line; returns the index of the first line after it. */
function parseMarkdownTable(text: string, lines: Line[], headerIndex: number, mask: Mask, blocks: (Block | Barrier)[]): number {
  const header = lines[headerIndex]!;
  const headerCells = parseTableRow(header);
  for (const cell of headerCells) blankInlineMarkdown(mask, text, cell.start, cell.end);
  const plain = mask.toString();
  const columns = headerCells.map((cell) => collapse(plain.slice(cell.start, cell.end)));
  mask.blankMatches(text, header.start, header.end, /\|/g);
  blocks.push({ kind: 'table-row', start: contentStart(header), end: contentEnd(header), cells: headerCells });
  const separator = lines[headerIndex + 1]!;
  mask.blank(separator.start, separator.end);
  let i = headerIndex + 2;
  for (; i < lines.length && lines[i]!.text.includes('|') && !isBlank(lines[i]!); i++) {
    const row = lines[i]!;
    const cells = parseTableRow(row);
    for (const cell of cells) blankInlineMarkdown(mask, text, cell.start, cell.end);
    mask.blankMatches(text, row.start, row.end, /(?<!\\)\|/g);
    blocks.push({ kind: 'table-row', start: contentStart(row), end: contentEnd(row), cells, columns });
  }
  return i;
}
