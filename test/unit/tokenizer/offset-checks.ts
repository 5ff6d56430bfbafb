import type { Encoding } from '../../../src/engine/tokenizer/types';

/**
 * Independent checks that an encoding's character spans are right for `text`, written with Unicode
 * property regexes rather than the tokenizer's own tables. Returns the problems found (empty = fine).
 */

const removedPattern = /^[\p{C}\u0000\uFFFD]$/u;
const keptFormatPattern = /^[\t\n\r]$/;
const whitespacePattern = /^[\s\p{Zs}\p{Zl}\p{Zp}]$/u;
const punctuationPattern = /^[\p{P}!-/:-@[-`{-~]$/u;
const markPattern = /\p{Mn}/gu;

function isRemoved(char: string): boolean {
  return removedPattern.test(char) && !keptFormatPattern.test(char);
}

function isCjk(char: string): boolean {
  const cp = char.codePointAt(0)!;
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BERT-uncased normalisation of a span: drop removed characters, lower-case, strip accents. Final sigma folded. */
export function normaliseSpan(text: string): string {
  let kept = '';
  for (const char of text) if (!isRemoved(char)) kept += char;
  return kept.toLowerCase().normalize('NFD').replace(markPattern, '').replace(/ς/g, 'σ');
}

function isLowSurrogateAt(text: string, index: number): boolean {
  const unit = text.charCodeAt(index);
  return index > 0 && index < text.length && unit >= 0xdc00 && unit <= 0xdfff;
}

/** A token that needs no whitespace around it: a special token, or one punctuation or CJK character. */
function isStandalone(token: string, spanText: string, specialTokens: Set<string>): boolean {
  if (specialTokens.has(token)) return true;
  const chars = [...spanText];
  return chars.length === 1 && (punctuationPattern.test(chars[0]!) || isCjk(chars[0]!));
}

export function checkOffsets(text: string, encoding: Encoding, specialTokens: Set<string>, unkToken = '[UNK]'): string[] {
  const problems: string[] = [];
  const { tokens, offsets } = encoding;
  const covered = new Uint8Array(text.length);
  const describe = (i: number): string => `token ${i} '${tokens[i]}' at [${offsets[i]![0]}, ${offsets[i]![1]})`;

  for (let i = 0; i < tokens.length && problems.length < 20; i++) {
    const [start, end] = offsets[i]!;
    const token = tokens[i]!;
    if (!(start >= 0 && start < end && end <= text.length)) {
      problems.push(`${describe(i)}: span out of range`);
      continue;
    }
    if (isLowSurrogateAt(text, start) || isLowSurrogateAt(text, end)) problems.push(`${describe(i)}: splits a surrogate pair`);
    covered.fill(1, start, end);

    const continuation = token.startsWith('##');
    const piece = continuation ? token.slice(2) : token;
    if (token !== unkToken && !specialTokens.has(token)) {
      const prevShares = i > 0 && offsets[i - 1]![1] > start;
      const nextShares = i + 1 < tokens.length && offsets[i + 1]![0] < end;
      const normalised = normaliseSpan(text.slice(start, end));
      const expected = piece.replace(/ς/g, 'σ');
      if (prevShares || nextShares ? !normalised.includes(expected) : normalised !== expected) {
        problems.push(`${describe(i)}: text ${JSON.stringify(text.slice(start, end))} normalises to '${normalised}'`);
      }
    } else if (specialTokens.has(token) && text.slice(start, end) !== token) {
      problems.push(`${describe(i)}: special token's span reads ${JSON.stringify(text.slice(start, end))}`);
    }

    if (i === 0) {
      if (continuation) problems.push(`${describe(i)}: first token is a continuation`);
      continue;
    }
    const [prevStart, prevEnd] = offsets[i - 1]!;
    if (start < prevStart || end < prevEnd) problems.push(`${describe(i)}: spans go backwards`);
    if (start < prevEnd) {
      // Overlap is only possible inside one original character that normalised to several (Hangul, 'İ').
      const shared = text.slice(start, prevEnd);
      if (!continuation || [...shared].length !== 1) problems.push(`${describe(i)}: overlaps the previous token`);
      continue;
    }
    const gap = [...text.slice(prevEnd, start)].filter((char) => !isRemoved(char));
    if (continuation) {
      if (gap.length > 0) problems.push(`${describe(i)}: continuation separated by ${JSON.stringify(gap.join(''))}`);
    } else {
      const separated = gap.length > 0 && gap.every((char) => whitespacePattern.test(char));
      if (gap.some((char) => !whitespacePattern.test(char))) problems.push(`${describe(i)}: skips text ${JSON.stringify(gap.join(''))}`);
      if (!separated && !isStandalone(token, text.slice(start, end), specialTokens) && !isStandalone(tokens[i - 1]!, text.slice(prevStart, prevEnd), specialTokens)) {
        problems.push(`${describe(i)}: starts a word without a whitespace or punctuation boundary`);
      }
    }
  }

  // Every character that carries text must be inside some token.
  for (let k = 0; k < text.length && problems.length < 20; ) {
    const char = String.fromCodePoint(text.codePointAt(k)!);
    const carriesText = !isRemoved(char) && !whitespacePattern.test(char) && char.normalize('NFD').replace(markPattern, '') !== '';
    if (carriesText && covered[k] === 0) problems.push(`character ${JSON.stringify(char)} at ${k} is in no token`);
    k += char.length;
  }
  return problems;
}
