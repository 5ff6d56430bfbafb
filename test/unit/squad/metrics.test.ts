/**
 * The official SQuAD metrics, rule by rule, on hand-made cases. Expected values are derived by hand
 * (the derivation is in the comments); the Unicode normalizations were confirmed once with Python
 * 3.11's str.lower/str.split/re, which the official scripts use.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  answerTokens,
  evaluateV1,
  evaluateV2,
  exactMatchV1,
  exactV2,
  f1V1,
  f1V2,
  formatPythonNumber,
  formatV1Json,
  formatV2Json,
  normalizeAnswer,
  pythonSum,
  v2ResultToObject,
  type GoldQuestion,
  type NaProb,
} from '../../../src/engine/squad/metrics';

describe('normalizeAnswer (official normalize_answer)', () => {
  const cases: [string, string, string][] = [
    ['lower-cases, drops punctuation and articles', 'The Cat!', 'cat'],
    ['only articles leave nothing', 'a an the', ''],
    ['articles inside a sentence', 'An apple, the end.', 'apple end'],
    ['punctuation goes before articles are looked for', 'the-end', 'theend'],
    ['underscore is punctuation, so "_the_" becomes the article "the"', '_the_', ''],
    ['an article is a whole word only', 'theater another', 'theater another'],
    ['accented letters are word characters (Unicode \\b)', 'éthe état the', 'éthe état'],
    ['a combining mark is not a word character', 'the\u0301 x', '\u0301 x'],
    ['superscripts and other digits are word characters', 'the² the٣', 'the² the٣'],
    ['U+200B is neither space nor word character', 'a\u200bb', '\u200bb'],
    ['Python splits on U+001C, U+0085, U+3000 and no-break space', 'x\x1cy\x85z\u3000w\u00a0v', 'x y z w v'],
    ['Python does not split on U+FEFF', 'x\ufeffy', 'x\ufeffy'],
    ['final sigma as Python lowers it', 'ΑΣ ΟΔΟΣ', 'ας οδος'],
    ['dotted capital I lowers to two code points', 'İ', 'i\u0307'],
    ['non-ASCII punctuation stays', '«hello» — world', '«hello» — world'],
    ['Roman numeral letters lower-case', 'Ⅻ the', 'ⅻ'],
    ['whitespace runs collapse and ends trim', '  big \t\n dog  ', 'big dog'],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(normalizeAnswer(input), expected));
  }
  test('tokens are the normalized words', () => {
    assert.deepEqual(answerTokens('The quick, brown fox'), ['quick', 'brown', 'fox']);
    assert.deepEqual(answerTokens(''), []);
  });
});

describe('v1.1 exact match and F1', () => {
  test('exact match compares normalized strings', () => {
    assert.equal(exactMatchV1('The Eiffel Tower.', 'eiffel tower'), 1);
    assert.equal(exactMatchV1('Eiffel', 'eiffel tower'), 0);
  });
  test('F1 from token overlap: [cat sat] vs [cat sat on mat] → P 1, R 1/2, F1 2/3', () => {
    assert.equal(f1V1('the cat sat', 'cat sat on mat'), (2 * 1 * 0.5) / 1.5);
  });
  test('F1 counts repeated tokens at most as often as both sides have them: [x x y] vs [x y y] → 2 shared', () => {
    const precision = 2 / 3;
    const recall = 2 / 3;
    assert.equal(f1V1('x x y', 'x y y'), (2 * precision * recall) / (precision + recall));
  });
  test('no shared token scores 0, and two empty answers score F1 0 but EM 1 (v1.1 only)', () => {
    assert.equal(f1V1('dog', 'cat'), 0);
    assert.equal(f1V1('', ''), 0);
    assert.equal(exactMatchV1('', ''), 1);
    assert.equal(exactMatchV1('a', 'the'), 1);
    assert.equal(f1V1('a', 'the'), 0);
  });
});

describe('v2.0 compute_exact and compute_f1', () => {
  test('empty against empty is 1 for both (ints)', () => {
    assert.deepEqual(f1V2('', ''), { value: 1, isInt: true });
    assert.deepEqual(exactV2('', ''), { value: 1, isInt: true });
  });
  test('empty against non-empty is int 0 either way', () => {
    assert.deepEqual(f1V2('', 'cat'), { value: 0, isInt: true });
    assert.deepEqual(f1V2('cat', 'the'), { value: 0, isInt: true });
  });
  test('overlap gives a float F1', () => {
    assert.deepEqual(f1V2('big dog', 'dog'), { value: (2 * 1 * 0.5) / 1.5, isInt: false });
    assert.deepEqual(f1V2('cat', 'cat'), { value: 1, isInt: false });
  });
});

describe('pythonSum', () => {
  const floats = (values: number[]) => values.map((value) => ({ value, isInt: false }));
  test('Python 3.12+ compensates float additions: sum([0.1] * 10) == 1.0', () => {
    assert.equal(pythonSum(floats(Array(10).fill(0.1))), 1.0);
  });
  test('Python 3.11 adds plainly: 0.9999999999999999', () => {
    assert.equal(pythonSum(floats(Array(10).fill(0.1)), true), 0.9999999999999999);
  });
  test('ints after the first float are added without compensation (sum([1e16, 1.0, 1.0, 1.0, 1.0]) vs ints)', () => {
    // Python 3.12/3.13: sum([1e16, 1.0, 1.0, 1.0, 1.0]) == 1.0000000000000004e16, sum([1e16, 1, 1, 1, 1]) == 1e16.
    assert.equal(pythonSum(floats([1e16, 1, 1, 1, 1])), 1.0000000000000004e16);
    assert.equal(pythonSum([{ value: 1e16, isInt: false }, ...Array(4).fill({ value: 1, isInt: true })]), 1e16);
  });
});

describe('evaluateV1 (official v1.1 evaluate)', () => {
  const gold: GoldQuestion[] = [
    { id: 'a', answers: ['Denver Broncos', 'The Broncos'] },
    { id: 'b', answers: ['Santa Clara, California'] },
    { id: 'c', answers: ['gold'] },
  ];
  test('max over gold answers; a missing prediction counts in the total with score 0', () => {
    // a: "broncos" vs "denver broncos" F1 2/3, vs "broncos" EM 1 → EM 1, F1 1.
    // b: "santa clara" vs "santa clara california": P 1, R 2/3 → F1 0.8, EM 0.  c: missing.
    const { result, missing } = evaluateV1(gold, { a: 'broncos', b: 'Santa Clara' });
    assert.deepEqual(missing, ['c']);
    assert.equal(result.exact_match, (100.0 * 1) / 3);
    assert.equal(result.f1, (100.0 * (1 + 0.8)) / 3);
  });
  test('printed as the script prints it', () => {
    assert.equal(formatV1Json({ exact_match: 100, f1: 100 }), '{"exact_match": 100.0, "f1": 100.0}');
  });
  test('predictions for unknown ids are ignored', () => {
    const { result } = evaluateV1(gold, { a: 'Denver Broncos', b: 'Santa Clara, California', c: 'gold', zzz: 'x' });
    assert.deepEqual(result, { exact_match: 100, f1: 100 });
  });
});

describe('evaluateV2 (official v2.0 script)', () => {
  // q1 answerable "cat" ← "cat" (EM 1, F1 1); q2 answerable "big dog" ← "dog" (EM 0, F1 2/3);
  // q3 unanswerable ← "" (EM 1, F1 1); q4 unanswerable ← "bird" (EM 0, F1 0).
  const gold: GoldQuestion[] = [
    { id: 'q1', answers: ['cat'] },
    { id: 'q2', answers: ['big dog'] },
    { id: 'q3', answers: [] },
    { id: 'q4', answers: [] },
  ];
  const predictions = { q1: 'cat', q2: 'dog', q3: '', q4: 'bird' };
  const naProbs = (entries: [string, number][]): Map<string, NaProb> => new Map(entries.map(([id, value]) => [id, { value }]));

  test('without no-answer probabilities: totals and the HasAns/NoAns splits, in the official key order', () => {
    const result = evaluateV2(gold, predictions);
    assert.deepEqual(result.map(([key]) => key), ['exact', 'f1', 'total', 'HasAns_exact', 'HasAns_f1', 'HasAns_total', 'NoAns_exact', 'NoAns_f1', 'NoAns_total']);
    const values = v2ResultToObject(result);
    assert.equal(values.exact, 50);
    assert.equal(values.f1, (100.0 * (1 + 2 / 3 + 1 + 0)) / 4);
    assert.equal(values.total, 4);
    assert.equal(values.HasAns_f1, (100.0 * (1 + 2 / 3)) / 2);
    assert.equal(values.NoAns_exact, 50);
    assert.equal(values.NoAns_total, 2);
  });

  test('best thresholds: the sweep starts from the number of unanswerable questions; only a strict gain moves it', () => {
    // Sorted by probability (stable): q1 0.1, q2 0.6, q4 0.6, q3 0.9; start 2 (two unanswerable).
    // exact: q1 +1 → 3 (thresh 0.1); q2 +0; q4 −1 (a guess on an unanswerable); q3 +0 → best 3/4.
    // f1:    q1 +1 → 3 (0.1); q2 +2/3 → 3.667 (0.6); q4 −1; q3 0 → best 3.667/4, thresh 0.6.
    const result = v2ResultToObject(evaluateV2(gold, predictions, { naProbs: naProbs([['q1', 0.1], ['q2', 0.6], ['q3', 0.9], ['q4', 0.6]]) }));
    assert.equal(result.best_exact, 75);
    assert.equal(result.best_exact_thresh, 0.1);
    assert.equal(result.best_f1, (100.0 * (3 + 2 / 3)) / 4);
    assert.equal(result.best_f1_thresh, 0.6);
  });

  test('equal probabilities keep the no-answer file order: q4 before q2 loses the 0.6 threshold', () => {
    // q1 +1 → 3 (0.1); q4 −1 → 2; q2 +2/3 → 2.667 (not above 3) → best stays 3/4 at 0.1.
    const result = v2ResultToObject(evaluateV2(gold, predictions, { naProbs: naProbs([['q1', 0.1], ['q4', 0.6], ['q2', 0.6], ['q3', 0.9]]) }));
    assert.equal(result.best_f1, 75);
    assert.equal(result.best_f1_thresh, 0.1);
  });

  test('na_prob_thresh: above it a question counts as answered "" (1 when unanswerable, 0 otherwise)', () => {
    // q2 (0.6) → 0, q3 (0.9) → 1, q4 (0.6) → 1; q1 (0.1) keeps 1 → exact = f1 = 3/4.
    const result = v2ResultToObject(
      evaluateV2(gold, predictions, { naProbs: naProbs([['q1', 0.1], ['q2', 0.6], ['q3', 0.9], ['q4', 0.6]]), naProbThresh: 0.5 }),
    );
    assert.equal(result.exact, 75);
    assert.equal(result.f1, 75);
    assert.equal(result.HasAns_exact, 50);
    assert.equal(result.NoAns_f1, 100);
  });

  test('with no probability file every probability is 0.0, so a negative threshold makes every answer ""', () => {
    const result = v2ResultToObject(evaluateV2(gold, predictions, { naProbThresh: -1 }));
    assert.equal(result.HasAns_exact, 0);
    assert.equal(result.NoAns_exact, 100);
    assert.equal(result.best_exact, undefined);
  });

  test('gold answers that normalize to nothing are dropped; if none remains the gold is ""', () => {
    const result = v2ResultToObject(evaluateV2([{ id: 'x', answers: ['the', 'cat'] }, { id: 'y', answers: ['a'] }], { x: '', y: '' }));
    // x: gold ["cat"] vs "" → 0; y: gold [""] vs "" → 1, yet y counts as answerable (it has answers).
    assert.equal(result.exact, 50);
    assert.equal(result.HasAns_total, 2);
    assert.equal(result.NoAns_total, undefined);
  });

  test('no NoAns_ keys when every question is answerable, and the threshold keeps its int-ness', () => {
    const result = evaluateV2([{ id: 'q1', answers: ['cat'] }], { q1: 'cat' }, { naProbs: new Map([['q1', { value: 0, isInteger: true }]]) });
    assert.equal(
      formatV2Json(result),
      '{\n  "exact": 100.0,\n  "f1": 100.0,\n  "total": 1,\n  "HasAns_exact": 100.0,\n  "HasAns_f1": 100.0,\n  "HasAns_total": 1,\n  "best_exact": 100.0,\n  "best_exact_thresh": 0,\n  "best_f1": 100.0,\n  "best_f1_thresh": 0\n}',
    );
  });

  test('a missing prediction is an error naming it (the official script cannot score it either)', () => {
    assert.throws(() => evaluateV2(gold, { q1: 'cat' }), /lack 3 of 4 questions \("q2", "q3", "q4"\)/);
  });

  test('a probability file without some question is an error', () => {
    assert.throws(() => evaluateV2(gold, predictions, { naProbs: naProbs([['q1', 0.1]]) }), /no-answer probabilities lack question "q2"/);
  });
});

describe('formatPythonNumber (Python repr)', () => {
  const cases: [number, string][] = [
    [100, '100.0'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [0.00012345, '0.00012345'],
    [1.5e16, '1.5e+16'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [123456789012345.6, '123456789012345.6'],
    [-0, '-0.0'],
    [1e22, '1e+22'],
    [5e-324, '5e-324'],
    [0.1 + 0.2, '0.30000000000000004'],
    [(2 / 3) * 100, '66.66666666666666'],
  ];
  for (const [value, expected] of cases) test(`${expected}`, () => assert.equal(formatPythonNumber(value), expected));
  test('ints print without a fraction', () => assert.equal(formatPythonNumber(1190, true), '1190'));
});
