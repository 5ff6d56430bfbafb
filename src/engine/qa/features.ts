/**
 * Model inputs ("features") for extractive QA, with the semantics of Hugging Face run_qa.py
 * `prepare_train_features` / `prepare_validation_features` (a fast tokenizer called with
 * truncation="only_second", max_length, stride=doc_stride, return_overflowing_tokens,
 * return_offsets_mapping, padding="max_length"):
 *
 * - each feature is `[CLS] question [SEP] context-window [SEP]`, padded to `maxSeqLength`;
 * - the question is cut to `maxQueryLength` tokens (as the original BERT run_squad.py did);
 * - only the context is split: windows of R = maxSeqLength − question tokens − 3 context tokens,
 *   each starting R − docStride tokens after the previous one (so neighbours share `docStride`
 *   tokens, Hugging Face's meaning of `stride`), until a window reaches the end of the context;
 * - token_type_ids are 0 for [CLS], question and the first [SEP], 1 for the window and the last [SEP];
 * - `offsets` gives each position's [start, end) span in the example's context, null for the
 *   question, special tokens and padding (as prepare_validation_features does);
 * - training labels come from the first gold answer: the start token is the first window token that
 *   ends after the answer's first character, the end token the last one that starts before the
 *   answer's end; both are the [CLS] position 0 when the example is impossible or when the answer is
 *   not wholly inside the window (Hugging Face's test: first window token starts at or before the
 *   answer, last one ends at or after it).
 *
 * Deliberate difference: Hugging Face moves the labels with `offsets[i][0] <= start_char` scans that
 * can run past the window (an answer starting in the window's last token gets a padding position) or
 * onto the previous token (an answer starting in whitespace); the rule above picks the token that
 * holds the answer's first and last characters in both cases, and never gives start > end.
 *
 * Each distinct context is tokenized once and shared by all its questions; windows share the span
 * tuples of that one tokenization.
 */
import { UserError } from '../errors';
import type { QaExample } from '../squad/types';
import type { CharSpan, Encoding, WordPieceTokenizer } from '../tokenizer/types';

export interface FeatureOptions {
  /** Tokens per feature, special tokens included (384). */
  maxSeqLength: number;
  /** Context tokens shared by neighbouring windows (128). */
  docStride: number;
  /** The question is cut to this many tokens (64). */
  maxQueryLength: number;
  /** Pad every feature to `maxSeqLength` (default true); otherwise each ends after its last [SEP]. */
  padToMaxLength?: boolean;
}

export type FeatureMode = 'train' | 'predict';

export interface QaFeature {
  /** Index of the example in the list given to buildFeatures. */
  exampleIndex: number;
  exampleId: string;
  /** 0 for the example's first window, 1 for the next, ... */
  windowIndex: number;
  inputIds: Int32Array;
  /** Shared between features of the same layout: read-only. */
  tokenTypeIds: Int32Array;
  /** Shared between features of the same layout: read-only. */
  attentionMask: Int32Array;
  /**
   * Per position: the token's [start, end) span in the example's context; null outside the context
   * window. The span tuples are shared between windows of the same context: read them, never change them.
   */
  offsets: (CharSpan | null)[];
  /** Position of the window's first context token (question tokens + 2). */
  contextStart: number;
  /** Position of the window's last context token (inclusive); contextStart − 1 when the context has no token. */
  contextEnd: number;
  /** Index in the context's tokenization of the window's first token. */
  contextTokenOffset: number;
  /** Training labels ('train' mode only): answer start and end positions, 0 ([CLS]) when not in the window. */
  startPosition?: number;
  endPosition?: number;
}

const CLS_INDEX = 0;

/** Builds the features of `examples` (in order: all windows of example 0, then of example 1, ...). */
export function buildFeatures(
  examples: readonly QaExample[],
  tokenizer: WordPieceTokenizer,
  options: FeatureOptions,
  mode: FeatureMode,
): QaFeature[] {
  checkOptions(options);
  const contexts = new Map<string, TokenizedContext>();
  const sharedRows = new SharedRows();
  const features: QaFeature[] = [];
  examples.forEach((example, exampleIndex) => {
    let context = contexts.get(example.context);
    if (context === undefined) {
      const encoding = tokenizer.encode(example.context);
      context = { encoding, ids: Int32Array.from(encoding.ids) };
      contexts.set(example.context, context);
    }
    const questionIds = tokenizer.encode(example.question).ids.slice(0, options.maxQueryLength);
    for (const feature of featuresOfExample(example, exampleIndex, questionIds, context, tokenizer, options, mode, sharedRows)) {
      features.push(feature);
    }
  });
  return features;
}

interface TokenizedContext {
  encoding: Encoding;
  ids: Int32Array;
}

/**
 * token_type_ids and attention_mask rows depend only on where the context starts and ends, so
 * features with the same layout share one (read-only) row: a third of the memory of long documents.
 */
class SharedRows {
  private readonly rows = new Map<string, { tokenTypeIds: Int32Array; attentionMask: Int32Array }>();
  get(contextStart: number, used: number, length: number): { tokenTypeIds: Int32Array; attentionMask: Int32Array } {
    const key = `${contextStart}:${used}:${length}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      const tokenTypeIds = new Int32Array(length);
      const attentionMask = new Int32Array(length);
      tokenTypeIds.fill(1, contextStart, used);
      attentionMask.fill(1, 0, used);
      row = { tokenTypeIds, attentionMask };
      this.rows.set(key, row);
    }
    return row;
  }
}

/**
 * The first context token of each window, for a context of `contextTokens` tokens and windows of
 * `windowTokens` tokens sharing `docStride` tokens. Always at least one window.
 */
export function windowStarts(contextTokens: number, windowTokens: number, docStride: number): number[] {
  const starts = [0];
  if (contextTokens <= windowTokens) return starts;
  const step = windowTokens - docStride;
  if (step <= 0) throw new Error(`windowStarts: doc stride ${docStride} must be smaller than the window (${windowTokens} tokens)`);
  for (let start = step; start + windowTokens - step < contextTokens; start += step) starts.push(start);
  return starts;
}

function checkOptions(options: FeatureOptions): void {
  const integer = (name: keyof FeatureOptions, min: number): void => {
    const value = options[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new UserError(`${optionFlag(name)} must be an integer of at least ${min}, got ${String(value)}`);
    }
  };
  integer('maxSeqLength', 4);
  integer('docStride', 0);
  integer('maxQueryLength', 1);
  if (options.maxSeqLength - 3 - options.maxQueryLength < 1) {
    throw new UserError(
      `--max-seq-length ${options.maxSeqLength} leaves no room for context after a question of up to --max-query-length ${options.maxQueryLength} tokens and 3 special tokens`,
    );
  }
}

function optionFlag(name: keyof FeatureOptions): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function* featuresOfExample(
  example: QaExample,
  exampleIndex: number,
  questionIds: number[],
  tokenized: TokenizedContext,
  tokenizer: WordPieceTokenizer,
  options: FeatureOptions,
  mode: FeatureMode,
  sharedRows: SharedRows,
): Generator<QaFeature> {
  const context = tokenized.encoding;
  const { maxSeqLength, docStride } = options;
  const pad = options.padToMaxLength ?? true;
  const windowTokens = maxSeqLength - questionIds.length - 3;
  const contextTokens = context.ids.length;
  if (contextTokens > windowTokens && docStride >= windowTokens) {
    throw new UserError(
      `--doc-stride ${docStride} must be smaller than the ${windowTokens} context tokens a window of --max-seq-length ${maxSeqLength} holds after the question of example ${JSON.stringify(example.id)}`,
    );
  }
  const answer = mode === 'train' ? answerTokenRange(example, context) : null;
  const contextStart = questionIds.length + 2;

  const starts = windowStarts(contextTokens, windowTokens, docStride);
  for (let windowIndex = 0; windowIndex < starts.length; windowIndex++) {
    const first = starts[windowIndex]!;
    const count = Math.min(windowTokens, contextTokens - first);
    const used = contextStart + count + 1;
    const length = pad ? maxSeqLength : used;
    const inputIds = new Int32Array(length);
    inputIds[0] = tokenizer.clsTokenId;
    inputIds.set(questionIds, 1);
    inputIds[contextStart - 1] = tokenizer.sepTokenId;
    inputIds.set(tokenized.ids.subarray(first, first + count), contextStart);
    inputIds[used - 1] = tokenizer.sepTokenId;
    if (tokenizer.padTokenId !== 0) inputIds.fill(tokenizer.padTokenId, used);
    const { tokenTypeIds, attentionMask } = sharedRows.get(contextStart, used, length);

    // Sized up front (growing by push would leave up to half again as much unused capacity per row).
    const offsets = new Array<CharSpan | null>(length);
    for (let p = 0; p < contextStart; p++) offsets[p] = null;
    for (let k = 0; k < count; k++) offsets[contextStart + k] = context.offsets[first + k]!;
    for (let p = contextStart + count; p < length; p++) offsets[p] = null;

    const feature: QaFeature = {
      exampleIndex,
      exampleId: example.id,
      windowIndex,
      inputIds,
      tokenTypeIds,
      attentionMask,
      offsets,
      contextStart,
      contextEnd: contextStart + count - 1,
      contextTokenOffset: first,
    };
    if (mode === 'train') {
      const [startPosition, endPosition] = labelsInWindow(answer, context, first, count, contextStart);
      feature.startPosition = startPosition;
      feature.endPosition = endPosition;
    }
    yield feature;
  }
}

/** The first gold answer's characters and tokens in the whole context; null when there is no answer. */
interface AnswerTokens {
  startChar: number;
  endChar: number;
  firstToken: number;
  lastToken: number;
}

function answerTokenRange(example: QaExample, context: Encoding): AnswerTokens | null {
  const gold = example.answers[0];
  if (example.isImpossible || gold === undefined) return null;
  const startChar = gold.start;
  const endChar = gold.start + gold.text.length;
  const offsets = context.offsets;
  // Span starts and ends both rise with the token index, so binary searches find the first token
  // ending after the answer's first character and the last token starting before its end.
  const firstToken = firstIndexWhere(offsets.length, (k) => offsets[k]![1] > startChar);
  const lastToken = firstIndexWhere(offsets.length, (k) => offsets[k]![0] >= endChar) - 1;
  if (firstToken > lastToken) return null;
  return { startChar, endChar, firstToken, lastToken };
}

function labelsInWindow(
  answer: AnswerTokens | null,
  context: Encoding,
  first: number,
  count: number,
  contextStart: number,
): [number, number] {
  if (answer === null || count === 0) return [CLS_INDEX, CLS_INDEX];
  const windowFirst = context.offsets[first]!;
  const windowLast = context.offsets[first + count - 1]!;
  if (!(windowFirst[0] <= answer.startChar && windowLast[1] >= answer.endChar)) return [CLS_INDEX, CLS_INDEX];
  // Clamped because tokens from one decomposed character (Hangul jamo) share a span across a window edge.
  const startToken = Math.max(answer.firstToken, first);
  const endToken = Math.min(answer.lastToken, first + count - 1);
  if (startToken > endToken) return [CLS_INDEX, CLS_INDEX];
  return [contextStart + startToken - first, contextStart + endToken - first];
}

/** The first index in [0, length) where `test` holds, for a test that is false then true; `length` if never. */
function firstIndexWhere(length: number, test: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
