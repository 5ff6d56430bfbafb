import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearScheduleWithWarmup, linearWarmupMultiplier, warmupSteps } from '../../../src/engine/train/schedule';

test('warm-up steps are ceil(total × ratio) in doubles, as TrainingArguments.get_warmup_steps', () => {
  assert.equal(warmupSteps(100, 0.1), 10);
  assert.equal(warmupSteps(25, 0.1), 3); // 2.5 → 3
  assert.equal(warmupSteps(100, 0.07), 8); // 100 × 0.07 is 7.000000000000001 in doubles, as in Python
  assert.equal(warmupSteps(10, 0), 0);
  assert.equal(warmupSteps(0, 0.5), 0);
  assert.throws(() => warmupSteps(10, -0.1), RangeError);
  assert.throws(() => warmupSteps(10.5, 0.1), RangeError);
});

test('warm-up: step k < W uses k / W, so the first step uses 0, then linear decay to 0 at T', () => {
  // T = 10, W = 4: warm-up 0, 1/4, 2/4, 3/4; then (10 − k) / 6 for k = 4..9.
  const s = linearScheduleWithWarmup(2e-5, 10, 0.4);
  assert.equal(s.warmupSteps, 4);
  const expected = [0, 0.25, 0.5, 0.75, 6 / 6, 5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6].map((m) => 2e-5 * m);
  assert.deepEqual(Array.from({ length: 10 }, (_, k) => s.learningRate(k)), expected);
  assert.equal(s.learningRate(10), 0);
  assert.equal(s.learningRate(12), 0); // never negative past the end
});

test('no warm-up: the first step uses the full rate, decaying by 1/T each step', () => {
  assert.deepEqual([0, 1, 2, 3].map((k) => linearWarmupMultiplier(k, 0, 4)), [1, 0.75, 0.5, 0.25]);
});

test('small T edge cases: T = 1 and W = T', () => {
  assert.equal(linearWarmupMultiplier(0, 0, 1), 1); // single step, no warm-up
  assert.equal(linearWarmupMultiplier(0, 1, 1), 0); // single step, all warm-up: the only update uses 0
  // W = T = 3: 0, 1/3, 2/3, and step 3 would be (3 − 3) / max(1, 0) = 0.
  assert.deepEqual([0, 1, 2, 3].map((k) => linearWarmupMultiplier(k, 3, 3)), [0, 1 / 3, 2 / 3, 0]);
  // W = 1: step 0 is 0/1, then (T − k)/(T − 1).
  assert.deepEqual([0, 1, 2].map((k) => linearWarmupMultiplier(k, 1, 3)), [0, 1, 0.5]);
});
