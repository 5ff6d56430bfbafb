/**
 * Micro-batch sizing (memory.ts): what fits in the backend's tensor memory, and the refusal of a
 * model that cannot train even one window, with a message that names its size and what to change.
 * (failures.test.ts checks the same refusal end to end through the engine process.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseModelConfig } from '../../../src/engine/checkpoint/config';
import { UserError } from '../../../src/engine/errors';
import { bytesPerFeature, fixedTrainingBytes, planMicroBatches, tensorMemoryBudget } from '../../../src/engine/train/memory';

const GIB = 1024 ** 3;
const bert = (hidden: number, layers: number, heads: number) =>
  parseModelConfig({ model_type: 'bert', hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: heads, intermediate_size: 4 * hidden });
/** Embeddings + layers + QA head of a BERT with the bert-base-uncased vocabulary. */
const parametersOf = (hidden: number, layers: number) => (30522 + 512 + 2) * hidden + 2 * hidden + layers * (12 * hidden * hidden + 13 * hidden) + 2 * hidden + 2;

test('a MiniLM-L6-shaped model at seq 384, batch 8 is cut into micro-batches that fit the wasm heap', () => {
  const config = bert(384, 6, 12);
  const plan = planMicroBatches(config, parametersOf(384, 6), 384, 8, 'wasm');
  assert.ok(plan.microBatchSize >= 1 && plan.microBatchSize <= 8);
  assert.ok(plan.estimatedPeakBytes <= tensorMemoryBudget('wasm'));
  const perFeature = bytesPerFeature(config, 384, plan.checkpointLayers);
  assert.equal(plan.estimatedPeakBytes, fixedTrainingBytes(parametersOf(384, 6)) + plan.microBatchSize * perFeature);
  // One more window would not have fitted (unless the whole batch already does).
  if (plan.microBatchSize < 8) assert.ok(plan.estimatedPeakBytes + perFeature > tensorMemoryBudget('wasm'));
});

test('layers are recomputed only when keeping their activations would leave micro-batches too small', () => {
  const plans = ([[256, 4, 4], [384, 6, 12], [768, 6, 12]] as const).map(([hidden, layers, heads]) => {
    const config = bert(hidden, layers, heads);
    assert.ok(bytesPerFeature(config, 384, true) < bytesPerFeature(config, 384, false), 'recomputing saves memory');
    return planMicroBatches(config, parametersOf(hidden, layers), 384, 8, 'wasm');
  });
  // bert-mini and MiniLM-L6 keep their activations in micro-batches of 2 or more; DistilBERT-size must recompute.
  assert.deepEqual(plans.map((p) => p.checkpointLayers), [false, false, true]);
  assert.ok(plans.every((p) => p.microBatchSize >= 2), JSON.stringify(plans));
});

test('the micro-batch never exceeds the batch, and native backends get more room than wasm', () => {
  const tiny = bert(32, 2, 2);
  assert.equal(planMicroBatches(tiny, parametersOf(32, 2), 128, 12, 'wasm').microBatchSize, 12);
  const base = bert(768, 12, 12);
  const onWasm = planMicroBatches(base, parametersOf(768, 12), 384, 32, 'wasm').microBatchSize;
  const native = planMicroBatches(base, parametersOf(768, 12), 384, 32, 'tensorflow').microBatchSize;
  assert.ok(onWasm >= 1 && onWasm < native, `wasm ${onWasm}, tensorflow ${native}`);
});

test('a model whose parameters alone exceed the heap is refused, naming its size and the remedies', () => {
  const huge = bert(4096, 48, 32);
  const count = parametersOf(4096, 48);
  assert.throws(
    () => planMicroBatches(huge, count, 384, 8, 'wasm'),
    (error: unknown) => {
      assert.ok(error instanceof UserError);
      const need = (fixedTrainingBytes(count) + bytesPerFeature(huge, 384)) / GIB;
      assert.equal(
        error.message,
        `the model (${(count / 1e6).toFixed(1)}M parameters, 48 layers × 4096) needs about ${need.toFixed(1)} GiB to train one 384-token window, ` +
          `more than the wasm backend's 3.2 GiB: use a smaller model, a shorter --max-seq-length, or the native TensorFlow backend (SpanTune: Set Up Accelerated Engine)`,
      );
      assert.match(error.message, /^the model \(9\d\d\d\.\dM parameters/);
      return true;
    },
  );
});

test('a shorter window can make a refused model fit', () => {
  // A small model with many heads: its attention scores (heads × seq²) dominate at long windows.
  const config = bert(64, 4, 64);
  const count = parametersOf(64, 4);
  assert.throws(() => planMicroBatches(config, count, 2048, 4, 'wasm'), /to train one 2048-token window/);
  assert.ok(planMicroBatches(config, count, 256, 4, 'wasm').microBatchSize >= 1);
});
