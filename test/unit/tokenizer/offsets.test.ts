import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { BertWordPieceTokenizer } from '../../../src/engine/tokenizer/bert-tokenizer';
import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import { checkOffsets } from './offset-checks';
import { covidQaPath, fixtureModelDir, goldenTokenizePath, xquadPath, type GoldenTokenizeCase } from './shared';

let tokenizer: BertWordPieceTokenizer;
const special = new Set(['[CLS]', '[SEP]', '[PAD]', '[MASK]']);

before(async () => {
  tokenizer = await loadTokenizer(fixtureModelDir);
});

function spansOf(text: string): [string, string][] {
  const encoding = tokenizer.encode(text);
  return encoding.tokens.map((token, i) => [token, text.slice(...encoding.offsets[i]!)]);
}

function squadTexts(file: string): { contexts: string[]; questions: string[] } {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { data: { paragraphs: { context: string; qas: { question: string }[] }[] }[] };
  const contexts = data.data.flatMap((article) => article.paragraphs.map((p) => p.context));
  const questions = data.data.flatMap((article) => article.paragraphs.flatMap((p) => p.qas.map((q) => q.question)));
  return { contexts, questions };
}

test('spans of plain prose and punctuation', () => {
  const encoding = tokenizer.encode('Hello, world!');
  assert.deepEqual(encoding.offsets, [[0, 5], [5, 6], [7, 12], [12, 13]]);
  assert.deepEqual(spansOf('getUserById'), [['get', 'get'], ['##user', 'User'], ['##by', 'By'], ['##id', 'Id']]);
});

test('a lower-case form longer than the original maps back to the original character', () => {
  // 'İ' lower-cases to 'i' + U+0307 (two units) and the dot is then stripped.
  assert.deepEqual(spansOf('İstanbul ıi'), [['istanbul', 'İstanbul'], ['ı', 'ı'], ['##i', 'i']]);
  assert.deepEqual(spansOf('Ångström'), [['ang', 'Ång'], ['##strom', 'ström']]);
  // Decomposed input: the combining accent belongs to the token of its base letter.
  assert.deepEqual(spansOf('cafe\u0301 ok'), [['cafe', 'cafe\u0301'], ['ok', 'ok']]);
});

test('Hangul syllables decompose into jamo that share the syllable span', () => {
  const encoding = tokenizer.encode('한국');
  assert.ok(encoding.tokens.length > 2);
  for (const [start, end] of encoding.offsets) assert.ok((start === 0 && end === 1) || (start === 1 && end === 2) || (start === 0 && end === 2));
  assert.equal(encoding.offsets[0]![0], 0);
  assert.equal(encoding.offsets.at(-1)![1], 2);
});

test('emoji are whole surrogate pairs; an unknown word maps to the whole word', () => {
  const text = 'family: 👨\u200d👩\u200d👧\u200d👦 end';
  assert.deepEqual(spansOf(text), [['family', 'family'], [':', ':'], ['[UNK]', '👨\u200d👩\u200d👧\u200d👦'], ['end', 'end']]);
  const unknown = spansOf('x😀y');
  assert.deepEqual(unknown, [['[UNK]', 'x😀y']]);
});

test('removed control characters join a word; the span runs across them', () => {
  const encoding = tokenizer.encode('control\u0000chars');
  assert.equal(encoding.offsets[0]![0], 0);
  assert.equal(encoding.offsets.at(-1)![1], 'control\u0000chars'.length);
  assert.deepEqual(encoding.tokens.join(' '), 'control ##cha ##rs');
  assert.deepEqual(encoding.offsets, [[0, 7], [8, 11], [11, 13]]);
});

test('special tokens written in the text are matched verbatim', () => {
  assert.deepEqual(spansOf('a [SEP] b[CLS]c [mask]'), [
    ['a', 'a'], ['[SEP]', '[SEP]'], ['b', 'b'], ['[CLS]', '[CLS]'], ['c', 'c'], ['[', '['], ['mask', 'mask'], [']', ']'],
  ]);
});

test('a word over 100 characters is one [UNK] spanning it', () => {
  const long = 'y'.repeat(101);
  assert.deepEqual(spansOf(`a ${long} b`), [['a', 'a'], ['[UNK]', long], ['b', 'b']]);
  // 100 characters is still split into pieces.
  assert.ok(tokenizer.encode('x'.repeat(100)).tokens.length > 1);
});

test('golden texts: every span normalises to its token', () => {
  const golden = JSON.parse(readFileSync(goldenTokenizePath, 'utf8')) as { cases: GoldenTokenizeCase[] };
  for (const goldenCase of golden.cases) {
    if (goldenCase.text.trim() === '' && goldenCase.text !== '') continue; // whitespace only: one [UNK] over it
    const problems = checkOffsets(goldenCase.text, tokenizer.encode(goldenCase.text), special);
    assert.deepEqual(problems, [], `case ${goldenCase.index} ${JSON.stringify(goldenCase.text)}`);
  }
});

test('hand-written hard texts: every span normalises to its token', () => {
  const texts = [
    'Crème brûlée, naïve façade — “quoted” ‘text’… ½ ² ﬁne',
    'ΟΔΥΣΣΕΥΣ, Σ. ΑΣ ΣΑ',
    'x = f(a_1, b[2]) -> {k: v}; // comment',
    'https://example.com/path?q=1&r=two#frag',
    '日本語のテキストと中文混合 text',
    '😀😃 a😀b 👍🏽 ok',
    'e\u0301e\u0301 a\u0308\u0301b Z\u0351\u0352',
    'line1\u2028line2\u2029line3\u0085x',
    '\u00ad\u200bsoft\u200dhyphen',
    '≠ ≮ ; ;',
    'İİİ iİi',
  ];
  for (const text of texts) assert.deepEqual(checkOffsets(text, tokenizer.encode(text), special), [], JSON.stringify(text));
});

test('XQuAD contexts and questions: every span normalises to its token', () => {
  const { contexts, questions } = squadTexts(xquadPath);
  assert.equal(contexts.length, 240);
  for (const text of [...contexts, ...questions]) {
    assert.deepEqual(checkOffsets(text, tokenizer.encode(text), special), [], text.slice(0, 80));
  }
});

test('COVID-QA contexts: every span normalises to its token', () => {
  const { contexts } = squadTexts(covidQaPath);
  assert.ok(contexts.length > 90);
  for (const text of contexts) assert.deepEqual(checkOffsets(text, tokenizer.encode(text), special), [], text.slice(0, 80));
});
