import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../../src/engine/backend/select';
import { attentionBias, selfAttention } from '../../../src/engine/model/attention';

before(async () => {
  await initBackend({ force: 'wasm' });
});

/** The textbook formulation with batched matmuls and autodiff: the reference for the fast op. */
function referenceAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor4D, batch: number, seq: number, heads: number) {
  const d = q.shape[1] / heads;
  const split = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [batch, seq, heads, d]), [0, 2, 1, 3]) as tf.Tensor4D;
  const scores = tf.add(tf.mul(tf.matMul(split(q), split(k), false, true), 1 / Math.sqrt(d)), bias);
  const context = tf.matMul(tf.softmax(scores, -1), split(v));
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, heads * d]) as tf.Tensor2D;
}

test('fast attention matches the reference in value and gradient, with padding', () => {
  const [batch, seq, heads, hidden] = [3, 7, 2, 8];
  const q = tf.randomNormal([batch * seq, hidden], 0, 1, 'float32', 1) as tf.Tensor2D;
  const k = tf.randomNormal([batch * seq, hidden], 0, 1, 'float32', 2) as tf.Tensor2D;
  const v = tf.randomNormal([batch * seq, hidden], 0, 1, 'float32', 3) as tf.Tensor2D;
  const weights = tf.randomNormal([batch * seq, hidden], 0, 1, 'float32', 4);
  const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0]], undefined, 'int32');
  const bias = attentionBias(mask);

  const fast = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(selfAttention({ query: a as tf.Tensor2D, key: b as tf.Tensor2D, value: c as tf.Tensor2D, bias, batch, seq, heads, dropoutRate: 0 }), weights));
  const reference = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(referenceAttention(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, bias, batch, seq, heads), weights));

  const got = tf.grads(fast)([q, k, v]);
  const want = tf.grads(reference)([q, k, v]);
  assert.ok(Math.abs(fast(q, k, v).dataSync()[0]! - reference(q, k, v).dataSync()[0]!) < 1e-4);
  for (let i = 0; i < 3; i++) {
    const diff = tf.max(tf.abs(tf.sub(got[i]!, want[i]!))).dataSync()[0]!;
    assert.ok(diff < 1e-5, `gradient ${i} differs by ${diff}`);
    assert.ok(tf.max(tf.abs(want[i]!)).dataSync()[0]! > 1e-3, 'gradient is not trivially zero');
  }
});

test('attention dropout drops whole probabilities with a reproducible seed', () => {
  const [batch, seq, heads, hidden] = [1, 6, 2, 4];
  const x = tf.randomNormal([batch * seq, hidden], 0, 1, 'float32', 5) as tf.Tensor2D;
  const bias = attentionBias(tf.ones([batch, seq], 'int32') as tf.Tensor2D);
  const run = (seed: number) => selfAttention({ query: x, key: x, value: x, bias, batch, seq, heads, dropoutRate: 0.5, dropoutSeed: seed });
  const plain = selfAttention({ query: x, key: x, value: x, bias, batch, seq, heads, dropoutRate: 0 });
  assert.deepEqual(Array.from(run(7).dataSync()), Array.from(run(7).dataSync()));
  assert.notDeepEqual(Array.from(run(7).dataSync()), Array.from(plain.dataSync()));
});
