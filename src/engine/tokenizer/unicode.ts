/**
 * Character classes of BERT's basic tokenizer, as Hugging Face defines them, looked up per code point
 * through a lazily filled table (a Unicode property regex per character would dominate the run time).
 */

const COMPUTED = 1;
/** Removed by text cleaning: general category C* except tab, newline and carriage return. */
const CONTROL = 2;
/** Separates words: space, tab, newline, CR, category Zs, plus Zl/Zp (Python's str.split splits on them). */
const WHITESPACE = 4;
/** Split off as its own token: ASCII non-alphanumeric printable characters and category P*. */
const PUNCTUATION = 8;
/** Removed by accent stripping (after NFD): category Mn. */
const NONSPACING_MARK = 16;

const controlPattern = /^\p{C}$/u;
const separatorPattern = /^[\p{Zs}\p{Zl}\p{Zp}]$/u;
const punctuationPattern = /^\p{P}$/u;
const nonspacingMarkPattern = /^\p{Mn}$/u;

const bmpFlags = new Uint8Array(0x10000);
const astralFlags = new Map<number, number>();

function computeFlags(cp: number): number {
  let flags = COMPUTED;
  if (cp === 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d) return flags | WHITESPACE;
  const char = String.fromCodePoint(cp);
  if (controlPattern.test(char)) flags |= CONTROL;
  if (separatorPattern.test(char)) flags |= WHITESPACE;
  if (
    (cp >= 33 && cp <= 47) ||
    (cp >= 58 && cp <= 64) ||
    (cp >= 91 && cp <= 96) ||
    (cp >= 123 && cp <= 126) ||
    punctuationPattern.test(char)
  ) {
    flags |= PUNCTUATION;
  }
  if (nonspacingMarkPattern.test(char)) flags |= NONSPACING_MARK;
  return flags;
}

function flagsOf(cp: number): number {
  if (cp < 0x10000) {
    let flags = bmpFlags[cp]!;
    if (flags === 0) {
      flags = computeFlags(cp);
      bmpFlags[cp] = flags;
    }
    return flags;
  }
  let flags = astralFlags.get(cp);
  if (flags === undefined) {
    flags = computeFlags(cp);
    astralFlags.set(cp, flags);
  }
  return flags;
}

/** True for characters that text cleaning drops: NUL, U+FFFD and control/format/unassigned characters. */
export function isRemovedByCleaning(cp: number): boolean {
  return cp === 0 || cp === 0xfffd || (flagsOf(cp) & CONTROL) !== 0;
}

export function isControl(cp: number): boolean {
  return (flagsOf(cp) & CONTROL) !== 0;
}

export function isWhitespace(cp: number): boolean {
  return (flagsOf(cp) & WHITESPACE) !== 0;
}

export function isPunctuation(cp: number): boolean {
  return (flagsOf(cp) & PUNCTUATION) !== 0;
}

export function isNonspacingMark(cp: number): boolean {
  return (flagsOf(cp) & NONSPACING_MARK) !== 0;
}

/** The CJK Unified Ideograph blocks BERT surrounds with spaces (not Hangul, not kana). */
export function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Python's str.isspace() set (used by the reference tokenizer's whitespace-only check). */
export function isPythonSpace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    (cp >= 0x1c && cp <= 0x20) ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

const accentStripCache = new Map<string, string>();

/** NFD-decomposes `text` and drops its nonspacing marks (what BERT's accent stripping does). */
export function stripAccents(text: string): string {
  let result = accentStripCache.get(text);
  if (result !== undefined) return result;
  result = '';
  for (const char of text.normalize('NFD')) {
    if (!isNonspacingMark(char.codePointAt(0)!)) result += char;
  }
  if (accentStripCache.size > 50_000) accentStripCache.clear();
  accentStripCache.set(text, result);
  return result;
}

const lowerCaseCache = new Map<number, string>();

/** The context-free lower-case mapping of one code point (may be longer, e.g. 'İ' → 'i̇'). */
export function lowerCaseOf(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp);
  let lower = lowerCaseCache.get(cp);
  if (lower === undefined) {
    lower = String.fromCodePoint(cp).toLowerCase();
    lowerCaseCache.set(cp, lower);
  }
  return lower;
}
