import { collapse, type Block, type ParsedDocument } from './formats/blocks';
import type { CodeLanguage, DocumentFormat } from './types';

/** A contiguous range of a file that becomes one SQuAD paragraph. */
export interface Passage {
  path: string;
  /** Offsets into the file: `fileText.slice(start, end) === text`. */
  start: number;
  end: number;
  text: string;
  /** The same range of the document's plain text (markup blanked, same length as `text`). */
  plain: string;
  /** The blocks inside the passage, with file offsets. */
  blocks: Block[];
  /** Titles of the enclosing sections, outermost first (plain text). */
  headings: string[];
  format: DocumentFormat;
  language?: CodeLanguage;
}

/** Ends of sentences in plain text: where a long block may be cut. */
const SENTENCE_END = /[.!?]["')\]]*\s+(?=["'(\[]?[\p{Lu}\d])/gu;

/** Cuts a block longer than `max` into pieces of whole sentences (or, failing that, whole words). */
function splitLongBlock(block: Block, plain: string, max: number): Block[] {
  if (block.end - block.start <= max) return [block];
  const text = plain.slice(block.start, block.end);
  const cuts: number[] = [];
  for (const match of text.matchAll(SENTENCE_END)) cuts.push(match.index + match[0].length);
  const pieces: Block[] = [];
  let start = 0;
  while (text.length - start > max) {
    let cut = [...cuts].reverse().find((c) => c > start && c - start <= max);
    if (cut === undefined) {
      const space = text.lastIndexOf(' ', start + max);
      cut = space > start ? space + 1 : start + max;
    }
    pieces.push(trimmedPiece(block, plain, start, cut));
    start = cut;
  }
  pieces.push(trimmedPiece(block, plain, start, text.length));
  return pieces.filter((piece) => piece.end > piece.start);
}

function trimmedPiece(block: Block, plain: string, from: number, to: number): Block {
  let start = block.start + from;
  let end = block.start + to;
  while (start < end && /\s/.test(plain[start]!)) start++;
  while (end > start && /\s/.test(plain[end - 1]!)) end--;
  return { kind: block.kind === 'heading' ? 'paragraph' : block.kind, start, end };
}

/**
 * Groups a document's blocks into passages of at most `maxChars` characters: a heading starts a new
 * passage, small blocks of one section are merged, a barrier (code) ends the passage, and a block
 * that alone is too long is cut at sentence ends.
 */
export function buildPassages(path: string, text: string, document: ParsedDocument, maxChars: number): Passage[] {
  const passages: Passage[] = [];
  const trail: { level: number; text: string }[] = [];
  let current: Block[] = [];
  let currentHeadings: string[] = [];

  const close = () => {
    if (current.length > 0 && current.some((block) => block.kind !== 'heading')) {
      const start = current[0]!.start;
      const end = current.at(-1)!.end;
      const plain = document.plain.slice(start, end);
      if (collapse(plain).length >= 20) {
        passages.push({
          path,
          start,
          end,
          text: text.slice(start, end),
          plain,
          blocks: current,
          headings: currentHeadings,
          format: document.format,
          ...(document.language ? { language: document.language } : {}),
        });
      }
    }
    current = [];
  };
  const add = (block: Block) => {
    if (current.length > 0 && block.end - current[0]!.start > maxChars) close();
    if (current.length === 0) currentHeadings = trail.map((heading) => heading.text);
    current.push(block);
  };

  for (const block of document.blocks) {
    if (block.kind === 'barrier') {
      close();
    } else if (block.kind === 'heading') {
      close();
      const level = block.level ?? 1;
      while (trail.length > 0 && trail.at(-1)!.level >= level) trail.pop();
      trail.push({ level, text: collapse(document.plain.slice(block.start, block.end)) });
      if (block.end - block.start <= maxChars / 4) add(block);
    } else {
      for (const piece of splitLongBlock(block, document.plain, maxChars)) add(piece);
    }
  }
  close();
  return passages;
}
