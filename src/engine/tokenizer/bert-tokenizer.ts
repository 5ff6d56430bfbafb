import type { CharSpan, Encoding, WordPieceTokenizer } from './types';
import * as unicode from './unicode';

// Bound once here: the hot loops below call these per character, and a module-namespace accessor
// (what some loaders compile imports into) would add a getter call each time.
const { isCjkIdeograph, isPunctuation, isPythonSpace, isRemovedByCleaning, isWhitespace, lowerCaseOf, stripAccents } = unicode;

/** Everything that defines a BERT WordPiece tokenizer, whichever files it was read from. */
export interface BertTokenizerConfig {
  /** Token → id. */
  vocab: Map<string, number>;
  /** Lower-case words (BertNormalizer `lowercase`, tokenizer_config `do_lower_case`). */
  lowercase: boolean;
  /** NFD-decompose and drop nonspacing marks. */
  stripAccents: boolean;
  /** Drop control characters, NUL and U+FFFD; treat every Unicode space as a word break. */
  cleanText: boolean;
  /** Make each CJK ideograph a word of its own. */
  handleChineseChars: boolean;
  unkToken: string;
  clsToken: string;
  sepToken: string;
  padToken: string;
  maskToken?: string;
  /**
   * Tokens matched verbatim in the raw text and emitted whole (the special tokens, added tokens and
   * `never_split` entries). They are neither lower-cased nor split.
   */
  addedTokens: { content: string; id: number }[];
  /** Prefix of word-continuation pieces ("##"). */
  continuingSubwordPrefix: string;
  /** A word longer than this (in code points) becomes [UNK]. */
  maxInputCharsPerWord: number;
  /** tokenizer_config `model_max_length`, when given. */
  modelMaxLength?: number;
}

/** Pieces of one basic token: [start, end, id] triples in UTF-16 units of the token, or null for [UNK]. */
type Pieces = Int32Array | null;

const PIECE_CACHE_LIMIT = 200_000;

/** Growable scratch buffer of 32-bit integers, reused across words to avoid allocation in the hot loop. */
class IntBuffer {
  data = new Int32Array(256);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

/**
 * BERT's tokenizer (basic tokenization, then greedy longest-match WordPiece) that also reports, for
 * every token, its character span in the original text. Each normalised character remembers the
 * original code point it came from, so lower-casing or decomposition that changes the length
 * ('İ' → 'i̇', 'é' → 'e' + U+0301, Hangul syllables → jamo) still maps back exactly, and spans never
 * split a surrogate pair.
 */
export class BertWordPieceTokenizer implements WordPieceTokenizer {
  readonly vocabSize: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  readonly maskTokenId: number | undefined;
  readonly modelMaxLength: number | undefined;

  private readonly vocab: Map<string, number>;
  private readonly idToTokenTable: string[];
  private readonly config: BertTokenizerConfig;
  /** Added tokens by first UTF-16 unit, longest first (for leftmost-longest matching). */
  private readonly addedByFirstUnit = new Map<number, { content: string; id: number }[]>();
  private readonly addedContents: Set<string>;
  /** Longest vocabulary entry without its continuation prefix, in UTF-16 units: bounds the search. */
  private readonly longestPiece: number;
  private readonly pieceCache = new Map<string, Pieces>();

  // Per-word scratch state.
  private readonly wordCodePoints = new IntBuffer();
  private readonly wordSourceStarts = new IntBuffer();
  /** End of each word code point's span; a combining mark that accent stripping drops extends its base's. */
  private readonly wordSourceEnds = new IntBuffer();
  /** For each UTF-16 unit of the normalised word: index of the word code point it came from. */
  private readonly normalisedSource = new IntBuffer();
  /** True when normalised unit u came from word code point u (ASCII words): `normalisedSource` is unused. */
  private sourceIsIdentity = false;

  constructor(config: BertTokenizerConfig) {
    this.config = config;
    this.vocab = config.vocab;
    let maxId = -1;
    let longestPiece = 1;
    const prefix = config.continuingSubwordPrefix;
    for (const [token, id] of config.vocab) {
      if (id > maxId) maxId = id;
      const length = prefix !== '' && token.startsWith(prefix) ? token.length - prefix.length : token.length;
      if (length > longestPiece) longestPiece = length;
    }
    for (const added of config.addedTokens) if (added.id > maxId) maxId = added.id;
    this.longestPiece = longestPiece;
    this.vocabSize = maxId + 1;
    this.idToTokenTable = new Array<string>(this.vocabSize);
    for (const [token, id] of config.vocab) this.idToTokenTable[id] = token;
    for (const added of config.addedTokens) this.idToTokenTable[added.id] ??= added.content;

    const requireId = (token: string, role: string): number => {
      const id = this.tokenToId(token);
      if (id === undefined) throw new Error(`${role} token '${token}' is not in the vocabulary`);
      return id;
    };
    this.unkTokenId = requireId(config.unkToken, 'unknown');
    this.clsTokenId = requireId(config.clsToken, 'classifier');
    this.sepTokenId = requireId(config.sepToken, 'separator');
    this.padTokenId = requireId(config.padToken, 'padding');
    this.maskTokenId = config.maskToken === undefined ? undefined : this.tokenToId(config.maskToken);
    this.modelMaxLength = config.modelMaxLength;

    const sortedAdded = config.addedTokens.filter((t) => t.content.length > 0).sort((a, b) => b.content.length - a.content.length);
    for (const added of sortedAdded) {
      const first = added.content.charCodeAt(0);
      let list = this.addedByFirstUnit.get(first);
      if (list === undefined) this.addedByFirstUnit.set(first, (list = []));
      list.push(added);
    }
    this.addedContents = new Set(sortedAdded.map((t) => t.content));
  }

  /** The settings this tokenizer was built from (read-only use). */
  get settings(): Readonly<BertTokenizerConfig> {
    return this.config;
  }

  tokenToId(token: string): number | undefined {
    const id = this.vocab.get(token);
    if (id !== undefined) return id;
    return this.config.addedTokens.find((t) => t.content === token)?.id;
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenTable[id];
  }

  encode(text: string): Encoding {
    const out: Encoding = { tokens: [], ids: [], offsets: [] };
    // The reference BertTokenizer turns a non-empty text of only whitespace into one [UNK]
    // (its special-token splitting emits a token for an empty first piece); reproduced for parity.
    if (text.length > 0 && isAllPythonSpace(text)) {
      this.push(out, this.config.unkToken, this.unkTokenId, 0, text.length);
      return out;
    }
    let segmentStart = 0;
    for (let i = 0; i < text.length; ) {
      const match = this.addedTokenAt(text, i);
      if (match === undefined) {
        i++;
        continue;
      }
      this.tokenizeSegment(text, segmentStart, i, out, null);
      this.push(out, match.content, match.id, i, i + match.content.length);
      i += match.content.length;
      segmentStart = i;
    }
    this.tokenizeSegment(text, segmentStart, text.length, out, null);
    return out;
  }

  /**
   * BERT's basic tokenization alone (clean, split on whitespace, CJK and punctuation, lower-case and
   * strip accents): the words WordPiece then splits. Special tokens are not split out here; as in the
   * reference, they are only exempt from lower-casing.
   */
  basicTokenize(text: string): string[] {
    const words: string[] = [];
    this.tokenizeSegment(text, 0, text.length, null, words);
    return words;
  }

  private addedTokenAt(text: string, index: number): { content: string; id: number } | undefined {
    const candidates = this.addedByFirstUnit.get(text.charCodeAt(index));
    if (candidates === undefined) return undefined;
    for (const candidate of candidates) if (text.startsWith(candidate.content, index)) return candidate;
    return undefined;
  }

  private push(out: Encoding, token: string, id: number, start: number, end: number): void {
    out.tokens.push(token);
    out.ids.push(id);
    out.offsets.push([start, end] as CharSpan);
  }

  /**
   * Tokenizes text[from, to): emits WordPiece tokens into `out`, or (when `out` is null) basic tokens
   * into `words`.
   */
  private tokenizeSegment(text: string, from: number, to: number, out: Encoding | null, words: string[] | null): void {
    const { cleanText, handleChineseChars } = this.config;
    const cps = this.wordCodePoints;
    const starts = this.wordSourceStarts;
    const ends = this.wordSourceEnds;
    cps.length = 0;
    starts.length = 0;
    ends.length = 0;
    let ascii = true;
    for (let i = from; i < to; ) {
      const cp = text.codePointAt(i)!;
      const width = cp > 0xffff ? 2 : 1;
      if (cleanText && isRemovedByCleaning(cp)) {
        i += width;
        continue;
      }
      if (isWhitespace(cp)) {
        if (cps.length > 0) this.finishWord(text, ascii, out, words);
        ascii = true;
      } else if (handleChineseChars && isCjkIdeograph(cp)) {
        if (cps.length > 0) this.finishWord(text, ascii, out, words);
        cps.push(cp);
        starts.push(i);
        ends.push(i + width);
        this.finishWord(text, false, out, words);
        ascii = true;
      } else {
        cps.push(cp);
        starts.push(i);
        ends.push(i + width);
        if (cp >= 0x80) ascii = false;
      }
      i += width;
    }
    if (cps.length > 0) this.finishWord(text, ascii, out, words);
  }

  /** Normalises the collected word, splits it on punctuation and emits its tokens; clears the word. */
  private finishWord(text: string, ascii: boolean, out: Encoding | null, words: string[] | null): void {
    const cps = this.wordCodePoints;
    const starts = this.wordSourceStarts;
    const count = cps.length;
    const firstStart = starts.data[0]!;
    const lastEnd = this.wordSourceEnds.data[count - 1]!;
    // The word is usually a contiguous slice of the text; it is not when cleaning removed characters.
    let width = count;
    if (!ascii) for (let k = 0; k < count; k++) if (cps.data[k]! > 0xffff) width++;
    const raw = lastEnd - firstStart === width ? text.slice(firstStart, lastEnd) : codePointsToString(cps.data, count);

    const { lowercase } = this.config;
    const strip = this.config.stripAccents;
    const source = this.normalisedSource;
    source.length = 0;
    this.sourceIsIdentity = false;
    let normalised: string;
    // (In encode, added tokens were split out before; only basicTokenize meets them here.)
    if ((words !== null && this.addedContents.has(raw)) || (!lowercase && !strip)) {
      normalised = raw;
      for (let k = 0; k < count; k++) {
        source.push(k);
        if (cps.data[k]! > 0xffff) source.push(k);
      }
    } else if (ascii) {
      normalised = lowercase ? raw.toLowerCase() : raw;
      this.sourceIsIdentity = true;
    } else {
      normalised = this.normaliseWord(raw, count, lowercase, strip);
    }

    // Split on punctuation: every punctuation character is a token of its own.
    let tokenStart = 0;
    for (let u = 0; u < normalised.length; ) {
      const cp = normalised.codePointAt(u)!;
      const width = cp > 0xffff ? 2 : 1;
      if (isPunctuation(cp)) {
        if (u > tokenStart) this.emitBasicToken(normalised, tokenStart, u, out, words);
        this.emitBasicToken(normalised, u, u + width, out, words);
        tokenStart = u + width;
      }
      u += width;
    }
    if (normalised.length > tokenStart) this.emitBasicToken(normalised, tokenStart, normalised.length, out, words);

    cps.length = 0;
    starts.length = 0;
    this.wordSourceEnds.length = 0;
  }

  /**
   * Lower-cases and/or strips accents of a non-ASCII word, filling `normalisedSource`. The whole word is
   * lower-cased at once (so a final capital sigma becomes 'ς', as Python's str.lower does) and cut back
   * into per-character pieces by the length of each character's own lower-case form.
   */
  private normaliseWord(raw: string, count: number, lowercase: boolean, strip: boolean): string {
    const cps = this.wordCodePoints.data;
    const source = this.normalisedSource;
    const lowerWhole = lowercase ? raw.toLowerCase() : raw;
    let perCharLength = 0;
    if (lowercase) for (let k = 0; k < count; k++) perCharLength += lowerCaseOf(cps[k]!).length;
    const sliceWhole = !lowercase || perCharLength === lowerWhole.length;

    const ends = this.wordSourceEnds.data;
    let normalised = '';
    let offset = 0;
    let lastProducing = -1;
    for (let k = 0; k < count; k++) {
      const cp = cps[k]!;
      let piece: string;
      if (lowercase) {
        const own = lowerCaseOf(cp);
        piece = sliceWhole ? lowerWhole.slice(offset, offset + own.length) : own;
        offset += own.length;
      } else {
        piece = String.fromCodePoint(cp);
      }
      if (strip && (piece.length > 1 || piece.charCodeAt(0) >= 0x80)) piece = stripAccents(piece);
      if (piece.length === 0) {
        // A dropped combining mark stays with its base character, so spans keep the accent.
        if (lastProducing >= 0) ends[lastProducing] = ends[k]!;
        continue;
      }
      lastProducing = k;
      normalised += piece;
      for (let u = 0; u < piece.length; u++) source.push(k);
    }
    return normalised;
  }

  /** Emits normalised[a, b) as one basic token: its WordPiece pieces, or the word itself. */
  private emitBasicToken(normalised: string, a: number, b: number, out: Encoding | null, words: string[] | null): void {
    const word = normalised.slice(a, b);
    if (out === null) {
      words!.push(word);
      return;
    }
    const source = this.sourceIsIdentity ? null : this.normalisedSource.data;
    const starts = this.wordSourceStarts.data;
    const ends = this.wordSourceEnds.data;
    const pieces = this.wordPieces(word);
    if (pieces === null) {
      const last = b - 1;
      this.push(out, this.config.unkToken, this.unkTokenId, starts[source ? source[a]! : a]!, ends[source ? source[last]! : last]!);
      return;
    }
    for (let p = 0; p < pieces.length; p += 3) {
      const id = pieces[p + 2]!;
      const first = a + pieces[p]!;
      const last = a + pieces[p + 1]! - 1;
      this.push(out, this.idToTokenTable[id]!, id, starts[source ? source[first]! : first]!, ends[source ? source[last]! : last]!);
    }
  }

  /** Greedy longest-match-first WordPiece split of one basic token (cached per distinct token). */
  private wordPieces(word: string): Pieces {
    const cached = this.pieceCache.get(word);
    if (cached !== undefined) return cached;
    const pieces = this.computeWordPieces(word);
    if (this.pieceCache.size >= PIECE_CACHE_LIMIT) this.pieceCache.clear();
    this.pieceCache.set(word, pieces);
    return pieces;
  }

  private computeWordPieces(word: string): Pieces {
    if (countCodePoints(word) > this.config.maxInputCharsPerWord) return null;
    const prefix = this.config.continuingSubwordPrefix;
    const result: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = Math.min(word.length, start + this.longestPiece);
      let found = -1;
      for (; end > start; end--) {
        // Never end a piece between the two halves of a surrogate pair.
        if (end < word.length && isLowSurrogate(word.charCodeAt(end))) continue;
        const piece = start > 0 ? prefix + word.slice(start, end) : word.slice(start, end);
        const id = this.vocab.get(piece);
        if (id !== undefined) {
          found = id;
          break;
        }
      }
      if (found < 0) return null;
      result.push(start, end, found);
      start = end;
    }
    return Int32Array.from(result);
  }
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function countCodePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) if (isLowSurrogate(text.charCodeAt(i)) && i > 0) count--;
  return count;
}

function isAllPythonSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isPythonSpace(text.charCodeAt(i))) return false;
  return true;
}

function codePointsToString(cps: Int32Array, count: number): string {
  let result = '';
  for (let k = 0; k < count; k++) result += String.fromCodePoint(cps[k]!);
  return result;
}
