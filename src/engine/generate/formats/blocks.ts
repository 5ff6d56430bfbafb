import type { CodeLanguage, DocumentFormat } from '../types';

/**
 * One structural unit of a document: a heading, a paragraph, a list item, a table row or a comment
 * block. `start`/`end` are character offsets into the original file text.
 */
export interface Block {
  kind: 'heading' | 'paragraph' | 'list-item' | 'table-row' | 'comment';
  start: number;
  end: number;
  /** Heading level (1 = top) for headings. */
  level?: number;
  /** For table rows: the cells' ranges, and the header row's cell texts when the table has one. */
  cells?: { start: number; end: number }[];
  columns?: string[];
  /** For comment blocks: the name of the function, method or type that the comment documents. */
  symbol?: string;
}

/** A break in the prose (code, a script, a directive): passages never run across it. */
export interface Barrier {
  kind: 'barrier';
}

export interface ParsedDocument {
  format: DocumentFormat;
  language?: CodeLanguage;
  /**
   * The file text with markup (tags, emphasis marks, comment markers, skipped code) replaced by
   * spaces: same length as the file, so an offset means the same thing in both. A range whose plain
   * text equals its original text contains no markup, which is what an answer must satisfy.
   */
  plain: string;
  blocks: (Block | Barrier)[];
}

/** Mutable copy of a text in which ranges can be blanked out while keeping every offset. */
export class Mask {
  private readonly chars: string[];
  constructor(text: string) {
    this.chars = text.split('');
  }
  /** Replaces [start, end) by spaces, keeping line breaks so that lines stay lines. */
  blank(start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const c = this.chars[i];
      if (c !== '\n' && c !== '\r') this.chars[i] = ' ';
    }
  }
  /** Blanks every match of `pattern` inside [start, end); with `group`, only that capture group. */
  blankMatches(text: string, start: number, end: number, pattern: RegExp, group?: number): void {
    const slice = text.slice(start, end);
    for (const match of slice.matchAll(pattern)) {
      if (group === undefined) {
        this.blank(start + match.index, start + match.index + match[0].length);
      } else if (match[group] !== undefined) {
        const offset = match[0].indexOf(match[group]);
        this.blank(start + match.index + offset, start + match.index + offset + match[group].length);
      }
    }
  }
  toString(): string {
    return this.chars.join('');
  }
}

/** One line of a text with its offsets (`end` excludes the line break). */
export interface Line {
  text: string;
  start: number;
  end: number;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const match of text.matchAll(/\r\n|\n|\r/g)) {
    lines.push({ text: text.slice(start, match.index), start, end: match.index });
    start = match.index + match[0].length;
  }
  lines.push({ text: text.slice(start), start, end: text.length });
  return lines;
}

export function isBlank(line: Line): boolean {
  return line.text.trim() === '';
}

/** Offset of the first non-space character of a line (its end when blank). */
export function contentStart(line: Line): number {
  const indent = line.text.length - line.text.trimStart().length;
  return line.start + indent;
}

/** Offset just after the last non-space character of a line. */
export function contentEnd(line: Line): number {
  return line.start + line.text.trimEnd().length;
}

/** Shrinks [start, end) so that it starts and ends on a character that the plain text keeps. */
export function trimToContent(plain: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(plain[start]!)) start++;
  while (end > start && /\s/.test(plain[end - 1]!)) end--;
  return { start, end };
}

/** Collapses whitespace: the readable form of a piece of plain text (for questions and labels). */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Collects a line-based document's blocks: lines go into the open paragraph or list item until a
 * blank line, heading or barrier closes it. `blankInline` removes the format's inline markup.
 */
export class BlockBuilder {
  readonly mask: Mask;
  readonly blocks: (Block | Barrier)[] = [];
  private lines: Line[] = [];
  private kind: 'paragraph' | 'list-item' = 'paragraph';

  constructor(
    private readonly text: string,
    private readonly blankInline: (mask: Mask, text: string, start: number, end: number) => void,
  ) {
    this.mask = new Mask(text);
  }

  get open(): boolean {
    return this.lines.length > 0;
  }

  get lastKind(): Block['kind'] | 'barrier' | undefined {
    return this.blocks.at(-1)?.kind;
  }

  addLine(line: Line): void {
    this.lines.push(line);
  }

  startListItem(line: Line): void {
    this.flush();
    this.lines = [line];
    this.kind = 'list-item';
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const start = contentStart(this.lines[0]!);
    const end = contentEnd(this.lines[this.lines.length - 1]!);
    this.blankInline(this.mask, this.text, start, end);
    this.blocks.push({ kind: this.kind, start, end });
    this.lines = [];
    this.kind = 'paragraph';
  }

  heading(line: Line, level: number): void {
    this.flush();
    const start = contentStart(line);
    const end = contentEnd(line);
    this.blankInline(this.mask, this.text, start, end);
    this.blocks.push({ kind: 'heading', level, start, end });
  }

  barrier(): void {
    this.flush();
    if (this.lastKind !== 'barrier') this.blocks.push({ kind: 'barrier' });
  }

  /** Blanks lines [from, to] inclusive and puts a barrier there. */
  skipLines(lines: Line[], from: number, to: number): void {
    this.barrier();
    const last = lines[Math.min(to, lines.length - 1)]!;
    this.mask.blank(lines[from]!.start, last.end);
  }
}
