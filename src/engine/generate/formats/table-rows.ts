import type { Line } from './blocks';

const SEPARATOR = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

/** True for the `|---|:--:|` line under a pipe table's header. */
export function isTableSeparator(line: string): boolean {
  return line.includes('-') && SEPARATOR.test(line);
}

/** The trimmed ranges of the cells of a pipe-table row (outer pipes optional, `\|` is not a separator). */
export function parseTableRow(line: Line): { start: number; end: number }[] {
  const cells: { start: number; end: number }[] = [];
  const bounds: number[] = [];
  for (let i = 0; i < line.text.length; i++) {
    if (line.text[i] === '|' && line.text[i - 1] !== '\\') bounds.push(i);
  }
  const trimmed = line.text.trim();
  const first = line.text.indexOf(trimmed);
  const edges = [first - 1, ...bounds, first + trimmed.length];
  for (let k = 0; k + 1 < edges.length; k++) {
    let start = edges[k]! + 1;
    let end = edges[k + 1]!;
    if (end <= start) {
      // Outer pipes make an empty first or last cell: not a cell.
      if (k === 0 || k + 2 === edges.length) continue;
    }
    while (start < end && /\s/.test(line.text[start]!)) start++;
    while (end > start && /\s/.test(line.text[end - 1]!)) end--;
    cells.push({ start: line.start + start, end: line.start + end });
  }
  return cells;
}
