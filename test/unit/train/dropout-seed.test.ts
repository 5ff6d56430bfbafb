/**
 * The trainer relies on tfjs drawing dropout masks from a numeric seed deterministically (the masks
 * come from tfjs-core's seeded alea generator in JavaScript, not from a backend kernel), so that
 * deriveSeed(runSeed, step, microBatch, site) gives the same masks on every run, resume and backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { deriveSeed } from '../../../src/engine/train/rng';

async function masks(backend: string, seed: number) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.ones([6, 16]);
    return {
      dropout: Array.from(tf.dropout(x, 0.25, undefined, seed).dataSync()),
      again: Array.from(tf.dropout(x, 0.25, undefined, seed).dataSync()),
      other: Array.from(tf.dropout(x, 0.25, undefined, seed + 1).dataSync()),
      uniform: Array.from(tf.randomUniform([32], 0, 1, 'float32', seed).dataSync()),
    };
  });
}

test('seeded tf.dropout and tf.randomUniform are deterministic and identical on cpu and wasm', async () => {
  const seed = deriveSeed(42, 7, 0, 3);
  const cpu = await masks('cpu', seed);
  assert.deepEqual(cpu.dropout, cpu.again);
  assert.notDeepEqual(cpu.dropout, cpu.other);
  const kept = cpu.dropout.filter((v) => v !== 0);
  assert.ok(kept.length > 40 && kept.length < 96, `kept ${kept.length} of 96`);
  for (const v of kept) assert.ok(Math.abs(v - 1 / 0.75) < 1e-6, 'kept values scaled by 1/(1 − rate)');
  const wasm = await masks('wasm', seed);
  assert.deepEqual(wasm.dropout, cpu.dropout);
  assert.deepEqual(wasm.uniform, cpu.uniform);
});
