import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { clipCoefficient, clipGradNorm, globalGradNorm } from '../../../src/engine/train/clip';

before(async () => {
  await tf.setBackend('cpu');
});

function gradMap(): Map<string, tf.Tensor> {
  // ‖a‖² = 9 + 16 = 25, ‖b‖² = 1 + 4 + 4 + 16 + 0 + 100 = 125 → total = sqrt(150).
  return new Map<string, tf.Tensor>([
    ['a', tf.tensor1d([3, -4])],
    ['b', tf.tensor2d([[1, 2, -2], [4, 0, -10]])],
  ]);
}

function disposeAll(grads: Map<string, tf.Tensor>) {
  for (const g of grads.values()) g.dispose();
}

test('global norm is sqrt of the summed squared norms of all gradients', () => {
  const grads = gradMap();
  assert.ok(Math.abs(globalGradNorm(grads) - Math.sqrt(150)) < 1e-5);
  assert.equal(globalGradNorm(new Map()), 0);
  disposeAll(grads);
});

test('clipping scales by max_norm / (norm + 1e-6) and returns the pre-clip norm', () => {
  const grads = gradMap();
  const before = tf.memory().numTensors;
  const norm = clipGradNorm(grads, 1.0);
  assert.ok(Math.abs(norm - Math.sqrt(150)) < 1e-5);
  assert.equal(tf.memory().numTensors, before, 'old gradients disposed, nothing leaked');
  const coef = 1 / (Math.sqrt(150) + 1e-6);
  const a = grads.get('a')!.dataSync();
  assert.ok(Math.abs(a[0]! - 3 * coef) < 1e-7 && Math.abs(a[1]! + 4 * coef) < 1e-7);
  const b = grads.get('b')!.dataSync();
  assert.ok(Math.abs(b[5]! + 10 * coef) < 1e-6);
  assert.ok(Math.abs(globalGradNorm(grads) - 1) < 1e-5, 'clipped to norm 1');
  disposeAll(grads);
});

test('gradients under the limit are left as they are', () => {
  const grads = gradMap();
  const a = grads.get('a');
  const norm = clipGradNorm(grads, 100);
  assert.ok(Math.abs(norm - Math.sqrt(150)) < 1e-5);
  assert.equal(grads.get('a'), a, 'same tensor, untouched');
  assert.deepEqual(Array.from(grads.get('a')!.dataSync()), [3, -4]);
  disposeAll(grads);
});

test('the coefficient is float32 arithmetic and the 1e-6 keeps a norm equal to max_norm just under 1', () => {
  assert.ok(clipCoefficient(1, 1) < 1);
  assert.equal(clipCoefficient(1, 1), Math.fround(1 / Math.fround(1 + Math.fround(1e-6))));
  assert.equal(clipCoefficient(0, 1), Math.fround(1 / Math.fround(1e-6)));
  assert.throws(() => clipGradNorm(new Map(), 0), RangeError);
});
