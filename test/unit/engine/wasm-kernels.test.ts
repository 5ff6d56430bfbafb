import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../../src/engine/backend/select';

before(async () => {
  await initBackend({ force: 'wasm' });
});

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Same values on the JavaScript reference backend. */
async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend('wasm');
  }
}

test('Slice reads the right elements for every rank and offset', async () => {
  const cases: [number[], number[], number[]][] = [
    [[7], [2], [4]],
    [[5, 6], [1, 2], [3, 3]],
    [[5, 6], [2, 0], [2, 6]],
    [[3, 4, 5], [1, 1, 1], [2, 2, 3]],
    [[3, 4, 5], [0, 2, 0], [3, 2, 5]],
    [[2, 3, 4, 5], [1, 0, 2, 1], [1, 3, 2, 4]],
    [[2, 3, 4, 5, 2], [0, 1, 0, 2, 0], [2, 2, 4, 3, 2]],
    [[4, 4], [1, 1], [0, 2]],
  ];
  for (const [shape, begin, size] of cases) {
    const data = Array.from(seeded(shape, 1).dataSync());
    const got = Array.from(tf.slice(tf.tensor(data, shape), begin, size).dataSync());
    const want = await onCpu(() => Array.from(tf.slice(tf.tensor(data, shape), begin, size).dataSync()));
    assert.deepEqual(got, want, `slice of ${shape} at ${begin} size ${size}`);
  }
});

test('unstack and split agree with the reference backend', async () => {
  const shape = [4, 3, 5];
  const data = Array.from(seeded(shape, 2).dataSync());
  for (const axis of [0, 1, 2]) {
    const got = tf.unstack(tf.tensor(data, shape), axis).map((t) => [t.shape, Array.from(t.dataSync())]);
    const want = await onCpu(() => tf.unstack(tf.tensor(data, shape), axis).map((t) => [t.shape, Array.from(t.dataSync())]));
    assert.deepEqual(got, want, `unstack axis ${axis}`);
    const gotSplit = tf.split(tf.tensor(data, shape), [1, shape[axis]! - 1], axis).map((t) => Array.from(t.dataSync()));
    const wantSplit = await onCpu(() => tf.split(tf.tensor(data, shape), [1, shape[axis]! - 1], axis).map((t) => Array.from(t.dataSync())));
    assert.deepEqual(gotSplit, wantSplit, `split axis ${axis}`);
  }
});

test('integer tensors slice too', () => {
  const ids = tf.tensor2d([[1, 2, 3], [4, 5, 6]], undefined, 'int32');
  assert.deepEqual(Array.from(tf.slice(ids, [1, 1], [1, 2]).dataSync()), [5, 6]);
});
