/** A character range [start, end) in the ORIGINAL text, in JavaScript string indices (UTF-16 code units). */
export type CharSpan = [start: number, end: number];

/** The result of tokenizing one text without special tokens. */
export interface Encoding {
  /** WordPiece tokens as the vocabulary spells them ("##" prefix on continuations). */
  tokens: string[];
  ids: number[];
  /** For each token, its span in the original text; a token of an unknown word maps to the whole word. */
  offsets: CharSpan[];
}

/** A BERT-family WordPiece tokenizer, as loaded from a model folder. */
export interface WordPieceTokenizer {
  readonly vocabSize: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  /** Tokenize `text` without adding special tokens. */
  encode(text: string): Encoding;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}
