import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitByContext } from '../../../src/engine/train/split';
import { Rng } from '../../../src/engine/train/rng';
import { UserError } from '../../../src/engine/errors';
import type { QaExample } from '../../../src/engine/squad/types';

function dataset(questionsPerContext: number[]): QaExample[] {
  const examples: QaExample[] = [];
  for (const [c, count] of questionsPerContext.entries()) {
    for (let q = 0; q < count; q++) {
      examples.push({ id: `c${c}q${q}`, question: `question ${q}?`, context: `Paragraph number ${c}.`, answers: [], isImpossible: true, title: `T${c % 2}` });
    }
  }
  return examples;
}

const contextsOf = (xs: QaExample[]) => new Set(xs.map((x) => x.context));

test('no paragraph is on both sides, nothing is lost, and each side keeps the input order', () => {
  const examples = dataset([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
  const { train, validation } = splitByContext(examples, 0.2, new Rng(1));
  for (const c of contextsOf(validation)) assert.ok(!contextsOf(train).has(c), `paragraph ${c} on both sides`);
  assert.equal(train.length + validation.length, examples.length);
  const position = new Map(examples.map((x, i) => [x.id, i]));
  for (const side of [train, validation]) {
    const positions = side.map((x) => position.get(x.id)!);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  }
  // Target 0.2 × 39 ≈ 8 questions: whole paragraphs are added until reaching it, so at most one paragraph (≤ 9) over.
  assert.ok(validation.length >= 8 && validation.length < 8 + 9, `validation ${validation.length}`);
});

test('the same seed gives the same split; another seed gives another', () => {
  const examples = dataset(Array.from({ length: 30 }, (_, i) => 1 + (i % 4)));
  const ids = (seed: number) => splitByContext(examples, 0.3, new Rng(seed)).validation.map((x) => x.id);
  assert.deepEqual(ids(5), ids(5));
  assert.notDeepEqual(ids(5), ids(6));
});

test('the same paragraph under two titles stays on one side', () => {
  const examples = dataset([2, 2, 2, 2]);
  examples.push({ ...examples[0]!, id: 'dup', title: 'Another title' });
  for (let seed = 0; seed < 20; seed++) {
    const { train, validation } = splitByContext(examples, 0.5, new Rng(seed));
    const dupSide = validation.some((x) => x.id === 'dup') ? validation : train;
    assert.ok(dupSide.some((x) => x.id === 'c0q0'), `seed ${seed}`);
  }
});

test('both sides are non-empty even for extreme fractions, with two paragraphs', () => {
  const examples = dataset([5, 1]);
  for (const fraction of [0.01, 0.99]) {
    for (let seed = 0; seed < 10; seed++) {
      const { train, validation } = splitByContext(examples, fraction, new Rng(seed));
      assert.ok(train.length > 0 && validation.length > 0, `fraction ${fraction} seed ${seed}`);
    }
  }
});

test('too few paragraphs or a bad fraction is a clear UserError', () => {
  assert.throws(() => splitByContext(dataset([4]), 0.1, new Rng(1)), (e: unknown) => e instanceof UserError && /1 distinct paragraph/.test(e.message));
  assert.throws(() => splitByContext([], 0.1, new Rng(1)), UserError);
  for (const fraction of [0, 1, -0.5, Number.NaN]) {
    assert.throws(() => splitByContext(dataset([1, 1]), fraction, new Rng(1)), (e: unknown) => e instanceof UserError && /between 0 and 1/.test(e.message));
  }
});
