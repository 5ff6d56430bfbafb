import { CasingEvidence } from '../casing';
import { collapse, type Block } from '../formats/blocks';
import { analyse, findEntities, type Sentence } from '../nlp';
import type { Passage } from '../passages';
import type { GeneratorName } from '../types';

/** A proposed pair: the answer is the file range [start, end), which lies inside the passage. */
export interface Candidate {
  question: string;
  start: number;
  end: number;
  confidence: number;
}

export interface Generator {
  name: GeneratorName;
  generate(context: PassageContext): Candidate[];
}

/** What generators read about a passage; the sentence parse is made once and shared. */
export class PassageContext {
  private parsed: Sentence[] | undefined;
  private evidence: CasingEvidence | undefined;
  constructor(readonly passage: Passage) {}

  /** How the passage writes its words, for the case of a word that moves into a question. */
  get casing(): CasingEvidence {
    this.evidence ??= new CasingEvidence(this.passage.plain);
    return this.evidence;
  }

  /** The original text of a file range inside the passage. */
  text(start: number, end: number): string {
    return this.passage.text.slice(start - this.passage.start, end - this.passage.start);
  }

  /** The plain text (markup blanked) of a file range inside the passage. */
  plain(start: number, end: number): string {
    return this.passage.plain.slice(start - this.passage.start, end - this.passage.start);
  }

  /** Readable form of a range for use inside a question: plain text with whitespace collapsed. */
  words(start: number, end: number): string {
    return collapse(this.plain(start, end));
  }

  /** True when the range holds no markup, so that it can be an answer as it stands in the file. */
  isClean(start: number, end: number): boolean {
    return start >= this.passage.start && end <= this.passage.end && end > start && this.text(start, end) === this.plain(start, end);
  }

  /** The prose blocks (paragraphs, list items, comments): what sentences are read from. */
  get proseBlocks(): Block[] {
    return this.passage.blocks.filter((block) => block.kind !== 'heading' && block.kind !== 'table-row');
  }

  private people: Set<string> | undefined;

  /**
   * True when the passage names a person by this word elsewhere in full ("Nikola Tesla" makes "Tesla" a
   * person; "Peyton Manning" makes "Manning" one), which the tagger does not see when the word stands alone.
   */
  isPersonName(word: string): boolean {
    this.people ??= new Set(
      this.sentences().flatMap((sentence) =>
        findEntities(sentence)
          .filter((entity) => entity.type === 'person' && entity.to - entity.from >= 2 && sentence.terms.slice(entity.from, entity.to).every((term) => /^\p{Lu}\p{Ll}/u.test(term.text)))
          .map((entity) => sentence.terms[entity.to - 1]!.text),
      ),
    );
    return this.people.has(word);
  }

  /** True when the passage writes the word where places stand ("in Victoria", "across Victoria"): a place, though it may be a first name. */
  isPlaceName(word: string): boolean {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // ("the Parliament of Victoria", "the capital of Victoria": "of" after an institution or a kind of place.)
    return new RegExp(`\\b(in|at|from|across|throughout|within|into|(?:\\p{Lu}\\p{Ll}+|state|city|capital|province|county|region|government|people|population|coast) of) ${escaped}\\b`, 'u').test(this.passage.plain);
  }

  /** Sentences of the prose blocks, parsed once per passage. */
  sentences(): Sentence[] {
    this.parsed ??= this.proseBlocks.flatMap((block) => analyse(this.plain(block.start, block.end), block.start));
    return this.parsed;
  }
}

/** Shrinks a range past spaces and the given trailing punctuation (a sentence's final period, say). */
export function trimRange(context: PassageContext, start: number, end: number, trailing = /[\s.,;:]/): { start: number; end: number } {
  while (start < end && /\s/.test(context.plain(start, start + 1))) start++;
  while (end > start && trailing.test(context.plain(end - 1, end))) end--;
  // Keep a closing bracket or quote only when its opening one is in the range too.
  const text = context.text(start, end);
  if (/[)\]]$/.test(text) && !/[(\[]/.test(text)) end--;
  return { start, end };
}
