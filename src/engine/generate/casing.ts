import nlp from 'compromise';

/**
 * Casing of words that move inside a question. A word keeps the source's spelling unless it is an
 * ordinary word written with a capital only because it opened a sentence, a heading or a label; then
 * the whole word is lower-cased. The first letter alone is never changed on its own, so a name or a
 * code identifier ("SpanTune", "PyTorch", "getConfig", "NFL", "iPhone") is never turned into a
 * mixed form such as "spanTune".
 */

const FUNCTION_WORDS = new Set(
  'the a an this that these those it its they them their he she his her we our you your some many most all each both several few one two three in on at for from by with after before during since when while although if as there here such other another no any every much more to of and or but not'.split(' '),
);

/** A capital followed by lower-case letters only ("License", "Gradient"): the one shape that may be lower-cased. */
export function isCapitalisedWord(word: string): boolean {
  return /^\p{Lu}[\p{Ll}]*(?:['\u2019-][\p{Ll}]+)*$/u.test(word) && word.length > 1;
}

let lexicon: Record<string, string | string[]> | undefined;
/** True when compromise knows the lower-case word as something other than a name (its lexicon). */
function isKnownCommonWord(lower: string): boolean {
  lexicon ??= (nlp as unknown as { world(): { model: { one: { lexicon: Record<string, string | string[]> } } } }).world().model.one.lexicon;
  const tags = lexicon[lower];
  if (tags === undefined) return false;
  const list = Array.isArray(tags) ? tags : [tags];
  return !list.some((tag) => /Name|Place|City|Country|Region|Organization|Person|Month|WeekDay|ProperNoun/.test(tag));
}

/**
 * What a text says about its words' case: the words it writes in lower case, and the capitalised
 * words it writes inside a sentence (names, since nothing else forces the capital there).
 */
export class CasingEvidence {
  private readonly lower = new Set<string>();
  private readonly namesInside = new Set<string>();
  constructor(text: string) {
    for (const match of text.matchAll(/(?<![\p{L}\d_])[\p{Ll}][\p{L}'-]*/gu)) this.lower.add(match[0]);
    // A capitalised word right after a lower-case word or a comma is a name ("written in Rust", "the Normans").
    for (const match of text.matchAll(/(?<=(?:^|[^\p{L}\d_])\p{Ll}[\p{Ll}'-]*,? +|, +)\p{Lu}[\p{L}'-]*/gu)) this.namesInside.add(match[0]);
  }

  /** True when the text writes the word with its capital inside a sentence, as a name. */
  isName(word: string): boolean {
    return this.namesInside.has(word);
  }

  /** True when a capitalised word is an ordinary word that reads in lower case inside a sentence. */
  isCommonWord(word: string): boolean {
    const lower = word.toLowerCase();
    if (FUNCTION_WORDS.has(lower)) return true;
    if (!isCapitalisedWord(word) || this.namesInside.has(word)) return false;
    return this.lower.has(lower) || isKnownCommonWord(lower);
  }

  /**
   * The form of a phrase that moves from the start of a sentence, heading or label into the middle of a
   * question: its first word lower-cased when it is an ordinary word, everything else as written.
   */
  inside(phrase: string): string {
    const [first = '', rest = ''] = /^(\S+)(.*)$/su.exec(phrase)?.slice(1) ?? [];
    const bare = first.replace(/^["'\u201c\u2018(]+|[,;:.!?"'\u201d\u2019)]+$/gu, '');
    if (bare === '' || !this.isCommonWord(bare)) return phrase;
    // A capitalised word before another one starts a name ("Southern California"), unless it is a function word.
    if (!FUNCTION_WORDS.has(bare.toLowerCase()) && /^\s+\p{Lu}/u.test(rest) && !/^\s+I\b/.test(rest)) return phrase;
    return first.replace(bare, bare.toLowerCase()) + rest;
  }

  /**
   * A label (a table column, a "Key:" name) as it reads inside a question: "Default" → "default",
   * "Batch Size" → "batch size", "MAX RETRIES" → "max retries"; names and identifiers stay as written
   * ("SpanTune (wasm)", "PyTorch version", "DOI", and "Python" when the text writes it so inside a sentence).
   */
  label(text: string): string {
    const words = text.split(' ');
    if (text === text.toUpperCase() && words.length > 1 && text.length > 4) return text.toLowerCase();
    return words.map((word) => (isCapitalisedWord(word) && !this.namesInside.has(word) ? word.toLowerCase() : word)).join(' ');
  }
}
