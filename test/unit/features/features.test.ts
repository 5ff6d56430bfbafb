import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { buildFeatures, windowStarts, type FeatureOptions, type QaFeature } from '../../../src/engine/qa/features';
import type { QaExample } from '../../../src/engine/squad/types';
import type { BertWordPieceTokenizer } from '../../../src/engine/tokenizer/bert-tokenizer';
import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import type { Encoding } from '../../../src/engine/tokenizer/types';
import { normaliseSpan } from '../tokenizer/offset-checks';
import { covidQaPath, fixtureModelDir, xquadPath } from '../tokenizer/shared';
import { readExamples } from './squad-examples';

const DEFAULTS: FeatureOptions = { maxSeqLength: 384, docStride: 128, maxQueryLength: 64 };
let tokenizer: BertWordPieceTokenizer;

before(async () => {
  tokenizer = await loadTokenizer(fixtureModelDir);
});

function example(context: string, question: string, answer?: { text: string; start: number }, id = 'q'): QaExample {
  return { id, question, context, answers: answer ? [answer] : [], isImpossible: answer === undefined };
}

/** Checks the layout every feature must have against the context's own tokenization. */
function checkLayout(feature: QaFeature, ex: QaExample, options: FeatureOptions, context: Encoding): void {
  const { inputIds, tokenTypeIds, attentionMask, offsets, contextStart, contextEnd } = feature;
  const question = tokenizer.encode(ex.question).ids.slice(0, options.maxQueryLength);
  const where = `${ex.id} window ${feature.windowIndex}`;
  assert.equal(inputIds.length, options.padToMaxLength === false ? contextEnd + 2 : options.maxSeqLength, where);
  assert.equal(tokenTypeIds.length, inputIds.length);
  assert.equal(attentionMask.length, inputIds.length);
  assert.equal(offsets.length, inputIds.length);
  assert.equal(contextStart, question.length + 2, where);
  assert.equal(inputIds[0], tokenizer.clsTokenId);
  assert.deepEqual([...inputIds.subarray(1, contextStart - 1)], question, where);
  assert.equal(inputIds[contextStart - 1], tokenizer.sepTokenId);
  assert.equal(inputIds[contextEnd + 1], tokenizer.sepTokenId, where);
  for (let p = 0; p < inputIds.length; p++) {
    const inContext = p >= contextStart && p <= contextEnd;
    const used = p <= contextEnd + 1;
    assert.equal(attentionMask[p], used ? 1 : 0, `${where} mask at ${p}`);
    assert.equal(tokenTypeIds[p], used && p >= contextStart ? 1 : 0, `${where} type at ${p}`);
    if (!used) assert.equal(inputIds[p], tokenizer.padTokenId);
    if (!inContext) {
      assert.equal(offsets[p], null, `${where} offset at ${p}`);
      continue;
    }
    const k = feature.contextTokenOffset + p - contextStart;
    assert.equal(inputIds[p], context.ids[k], `${where} id at ${p}`);
    assert.deepEqual(offsets[p], context.offsets[k]);
  }
}

/** The span of every context position reads as its token (a cheaper form of the tokenizer's offset test). */
function checkSpansReadAsTokens(feature: QaFeature, text: string): void {
  for (let p = feature.contextStart; p <= feature.contextEnd; p++) {
    const span = feature.offsets[p]!;
    assert.ok(span[0] >= 0 && span[0] < span[1] && span[1] <= text.length, `span ${span} out of the context`);
    const token = tokenizer.idToToken(feature.inputIds[p]!)!;
    if (token === '[UNK]') continue;
    const piece = token.startsWith('##') ? token.slice(2) : token;
    assert.ok(normaliseSpan(text.slice(span[0], span[1])).includes(piece.replace(/ς/g, 'σ')), `${token} at ${span}`);
  }
}

/** For a training feature: labelled iff the gold answer lies wholly in the window, and then tightly. */
function checkLabels(feature: QaFeature, ex: QaExample): 'labelled' | 'cls' {
  const { startPosition, endPosition, offsets, contextStart, contextEnd } = feature;
  assert.ok(startPosition !== undefined && endPosition !== undefined);
  const gold = ex.answers[0];
  const inWindow =
    gold !== undefined &&
    !ex.isImpossible &&
    contextEnd >= contextStart &&
    offsets[contextStart]![0] <= gold.start &&
    offsets[contextEnd]![1] >= gold.start + gold.text.length;
  if (!inWindow) {
    assert.deepEqual([startPosition, endPosition], [0, 0], `${ex.id} window ${feature.windowIndex}: answer outside, labels must be CLS`);
    return 'cls';
  }
  const answerEnd = gold.start + gold.text.length;
  assert.ok(startPosition >= contextStart && startPosition <= endPosition && endPosition <= contextEnd, `${ex.id}: positions ${startPosition}..${endPosition}`);
  // The labelled tokens cover the answer's characters (without surrounding whitespace; a few COVID-QA
  // answer_start values are one off, so trim what the context holds there, not the answer text) ...
  const range = ex.context.slice(gold.start, answerEnd);
  const trimmedStart = gold.start + (range.length - range.trimStart().length);
  const trimmedEnd = gold.start + range.trimEnd().length;
  assert.ok(offsets[startPosition]![0] <= trimmedStart && offsets[endPosition]![1] >= trimmedEnd, `${ex.id}: labelled tokens miss part of the answer`);
  // ... tightly: the start token ends after the answer begins, the end token starts before it ends,
  // and the neighbouring tokens hold none of it (unless they share the same character).
  assert.ok(offsets[startPosition]![1] > gold.start, `${ex.id}: start token ends before the answer`);
  assert.ok(offsets[endPosition]![0] < answerEnd, `${ex.id}: end token starts after the answer`);
  if (startPosition > contextStart) {
    const before = offsets[startPosition - 1]!;
    assert.ok(before[1] <= gold.start || before[0] === offsets[startPosition]![0], `${ex.id}: a token before the start holds the answer`);
  }
  if (endPosition < contextEnd) {
    const after = offsets[endPosition + 1]!;
    assert.ok(after[0] >= answerEnd || after[0] === offsets[endPosition]![0], `${ex.id}: a token after the end holds the answer`);
  }
  return 'labelled';
}

test('windowStarts: windows overlap by docStride and the last one reaches the end', () => {
  assert.deepEqual(windowStarts(0, 10, 3), [0]);
  assert.deepEqual(windowStarts(10, 10, 3), [0]);
  assert.deepEqual(windowStarts(11, 10, 3), [0, 7]);
  assert.deepEqual(windowStarts(17, 10, 3), [0, 7]);
  assert.deepEqual(windowStarts(18, 10, 3), [0, 7, 14]);
  for (const [tokens, window, stride] of [[1000, 317, 128], [5000, 100, 0], [250, 50, 49]] as const) {
    const starts = windowStarts(tokens, window, stride);
    for (let w = 1; w < starts.length; w++) assert.equal(starts[w - 1]! + window - starts[w]!, stride, 'overlap');
    assert.ok(starts.at(-1)! + window >= tokens, 'last window reaches the end');
    if (starts.length > 1) assert.ok(starts.at(-2)! + window < tokens, 'no window after the one that reaches the end');
  }
});

test('a long context: windows of the right size, overlapping by doc_stride, covering it in order', () => {
  const covid = readExamples(covidQaPath);
  const longest = covid.reduce((a, b) => (b.context.length > a.context.length ? b : a));
  const ex = { ...longest, question: 'What is the incubation period?' };
  const context = tokenizer.encode(ex.context);
  const features = buildFeatures([ex], tokenizer, DEFAULTS, 'predict');
  const questionTokens = tokenizer.encode(ex.question).ids.length;
  const window = 384 - questionTokens - 3;
  assert.equal(features.length, Math.ceil((context.ids.length - window) / (window - 128)) + 1);
  features.forEach((feature, w) => {
    assert.equal(feature.windowIndex, w);
    assert.equal(feature.exampleIndex, 0);
    assert.equal(feature.exampleId, ex.id);
    assert.equal(feature.startPosition, undefined);
    checkLayout(feature, ex, DEFAULTS, context);
    if (w < features.length - 1) assert.equal(feature.contextEnd - feature.contextStart + 1, window, 'full window');
    if (w > 0) {
      const previous = features[w - 1]!;
      assert.equal(feature.contextTokenOffset - previous.contextTokenOffset, window - 128);
      // The first 128 context tokens of this window are the last 128 of the previous one.
      const shared = [...feature.inputIds.subarray(feature.contextStart, feature.contextStart + 128)];
      assert.deepEqual(shared, [...previous.inputIds.subarray(previous.contextEnd + 1 - 128, previous.contextEnd + 1)]);
    }
  });
  const last = features.at(-1)!;
  assert.equal(last.contextTokenOffset + last.contextEnd - last.contextStart + 1, context.ids.length, 'the last window ends the context');
});

test('XQuAD training features: labels hold exactly the gold answer, CLS when it is outside the window', () => {
  const examples = readExamples(xquadPath);
  assert.equal(examples.length, 1190);
  for (const options of [DEFAULTS, { maxSeqLength: 96, docStride: 24, maxQueryLength: 32 }]) {
    const features = buildFeatures(examples, tokenizer, options, 'train');
    const labelledExamples = new Set<number>();
    let cls = 0;
    const contexts = new Map<string, Encoding>();
    for (const feature of features) {
      const ex = examples[feature.exampleIndex]!;
      let context = contexts.get(ex.context);
      if (!context) contexts.set(ex.context, (context = tokenizer.encode(ex.context)));
      checkLayout(feature, ex, options, context);
      checkSpansReadAsTokens(feature, ex.context);
      if (checkLabels(feature, ex) === 'labelled') labelledExamples.add(feature.exampleIndex);
      else cls++;
    }
    // Every XQuAD question is answerable: a window holding its whole answer exists unless the answer
    // is longer than a window, which the short setting allows only for a few.
    if (options === DEFAULTS) assert.equal(labelledExamples.size, examples.length);
    else assert.ok(labelledExamples.size > examples.length * 0.95 && cls > 0, `${labelledExamples.size} labelled, ${cls} CLS`);
    assert.deepEqual(new Set(features.map((f) => f.exampleIndex)).size, examples.length, 'every example has a feature');
  }
});

test('an answer outside a window gives CLS there and its tokens in the window that holds it', () => {
  const filler = Array.from({ length: 200 }, (_, i) => `word${i % 10}`).join(' ');
  const context = `${filler} the answer is zebra crossing here.`;
  const start = context.indexOf('zebra crossing');
  const ex = example(context, 'what is it?', { text: 'zebra crossing', start });
  const options = { maxSeqLength: 64, docStride: 16, maxQueryLength: 16 };
  const features = buildFeatures([ex], tokenizer, options, 'train');
  assert.ok(features.length > 3);
  assert.deepEqual([features[0]!.startPosition, features[0]!.endPosition], [0, 0]);
  const labelled = features.filter((f) => f.startPosition !== 0);
  assert.ok(labelled.length >= 1);
  for (const f of labelled) {
    const tokens = [...f.inputIds.subarray(f.startPosition!, f.endPosition! + 1)].map((id) => tokenizer.idToToken(id));
    assert.deepEqual(tokens.join(' ').replace(/ ##/g, ''), 'zebra crossing');
    assert.equal(context.slice(f.offsets[f.startPosition!]![0], f.offsets[f.endPosition!]![1]), 'zebra crossing');
  }
});

test('an answer starting mid-token or in whitespace labels the tokens holding its characters', () => {
  const context = 'The unbelievable result came later.';
  const features = buildFeatures([
    example(context, 'q?', { text: 'believable', start: context.indexOf('believable') }, 'mid'),
    example(context, 'q?', { text: ' result', start: context.indexOf(' result') }, 'space'),
  ], tokenizer, DEFAULTS, 'train');
  const spanText = (f: QaFeature) => context.slice(f.offsets[f.startPosition!]![0], f.offsets[f.endPosition!]![1]);
  assert.ok(spanText(features[0]!).includes('believable'));
  assert.equal(spanText(features[1]!), 'result');
});

test('impossible questions and windows without context are labelled CLS', () => {
  const features = buildFeatures([example('Some context here.', 'unanswerable?'), example('', 'empty?', { text: 'x', start: 0 })], tokenizer, DEFAULTS, 'train');
  assert.equal(features.length, 2);
  for (const f of features) assert.deepEqual([f.startPosition, f.endPosition], [0, 0]);
  assert.equal(features[1]!.contextEnd, features[1]!.contextStart - 1);
  assert.equal(features[1]!.inputIds[features[1]!.contextStart], tokenizer.sepTokenId);
});

test('tokens of one decomposed character split across windows still get start <= end', () => {
  // Each Hangul syllable becomes several jamo tokens sharing the syllable's span.
  const context = '한국어';
  const options = { maxSeqLength: 6, docStride: 1, maxQueryLength: 1 };
  const features = buildFeatures([example(context, 'q', { text: '국', start: 1 })], tokenizer, options, 'train');
  assert.ok(features.length > 3);
  let labelled = 0;
  for (const f of features) {
    if (f.startPosition === 0) continue;
    labelled++;
    assert.ok(f.contextStart <= f.startPosition! && f.startPosition! <= f.endPosition! && f.endPosition! <= f.contextEnd);
    assert.deepEqual(f.offsets[f.startPosition!], [1, 2]);
  }
  assert.ok(labelled > 0);
});

test('the question is cut to max_query_length tokens', () => {
  const question = Array.from({ length: 100 }, () => 'why').join(' ') + '?';
  const ex = example('A short context.', question);
  const [feature] = buildFeatures([ex], tokenizer, DEFAULTS, 'predict');
  assert.equal(feature!.contextStart, 64 + 2);
  assert.deepEqual([...feature!.inputIds.subarray(1, 65)], tokenizer.encode(question).ids.slice(0, 64));
  checkLayout(feature!, ex, DEFAULTS, tokenizer.encode(ex.context));
});

test('without padding each feature ends after its last [SEP]', () => {
  const ex = example('Paris is the capital of France.', 'What is the capital of France?');
  const options = { ...DEFAULTS, padToMaxLength: false };
  const [feature] = buildFeatures([ex], tokenizer, options, 'predict');
  checkLayout(feature!, ex, options, tokenizer.encode(ex.context));
  assert.equal(feature!.inputIds.length, tokenizer.encode(ex.question).ids.length + tokenizer.encode(ex.context).ids.length + 3);
});

test('a context is tokenized once for all its questions', () => {
  let calls = 0;
  const counting = Object.create(tokenizer) as BertWordPieceTokenizer;
  counting.encode = (text: string) => {
    calls++;
    return tokenizer.encode(text);
  };
  const context = 'Shared context for several questions.';
  buildFeatures([example(context, 'one?'), example(context, 'two?'), example(context, 'three?'), example('Other.', 'four?')], counting, DEFAULTS, 'predict');
  assert.equal(calls, 4 + 2);
});

test('impossible options are UserErrors naming the flag', () => {
  const ex = [example('word '.repeat(500), 'question?')];
  const rejects = (options: FeatureOptions, pattern: RegExp) =>
    assert.throws(() => buildFeatures(ex, tokenizer, options, 'predict'), (e: unknown) => e instanceof UserError && pattern.test(e.message));
  rejects({ maxSeqLength: 384, docStride: 400, maxQueryLength: 64 }, /--doc-stride 400 must be smaller than the \d+ context tokens/);
  rejects({ maxSeqLength: 384, docStride: -1, maxQueryLength: 64 }, /--doc-stride must be an integer of at least 0/);
  rejects({ maxSeqLength: 60, docStride: 8, maxQueryLength: 64 }, /--max-seq-length 60 leaves no room/);
  rejects({ maxSeqLength: 38.5, docStride: 8, maxQueryLength: 4 }, /--max-seq-length must be an integer/);
});

test('all of COVID-QA: training features keep every invariant', () => {
  const examples = readExamples(covidQaPath);
  assert.ok(examples.length > 1300);
  const began = performance.now();
  const features = buildFeatures(examples, tokenizer, DEFAULTS, 'train');
  const took = performance.now() - began;
  const contexts = new Map<string, Encoding>();
  const labelledExamples = new Set<number>();
  let previous: QaFeature | undefined;
  for (const feature of features) {
    const ex = examples[feature.exampleIndex]!;
    let context = contexts.get(ex.context);
    if (!context) contexts.set(ex.context, (context = tokenizer.encode(ex.context)));
    if (previous && previous.exampleIndex === feature.exampleIndex) {
      assert.equal(feature.windowIndex, previous.windowIndex + 1);
    } else {
      assert.equal(feature.windowIndex, 0);
      assert.equal(feature.contextTokenOffset, 0);
    }
    assert.equal(feature.inputIds.length, 384);
    assert.equal(feature.offsets[feature.contextStart - 1], null);
    assert.equal(feature.offsets[feature.contextEnd + 1], null);
    for (let p = feature.contextStart; p <= feature.contextEnd; p++) {
      const span = feature.offsets[p]!;
      assert.ok(span[0] < span[1] && span[1] <= ex.context.length);
    }
    if (checkLabels(feature, ex) === 'labelled') labelledExamples.add(feature.exampleIndex);
    previous = feature;
  }
  assert.equal(new Set(features.map((f) => f.exampleIndex)).size, examples.length);
  // COVID-QA answers can be long; nearly all fit in a 384-token window.
  assert.ok(labelledExamples.size > examples.length * 0.97, `${labelledExamples.size} of ${examples.length} examples labelled`);
  process.stderr.write(`COVID-QA: ${examples.length} questions, ${features.length} features in ${took.toFixed(0)} ms\n`);
});
