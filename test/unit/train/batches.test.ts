import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BatchPlan, type BatchPlanOptions } from '../../../src/engine/train/batches';
import { writeFeatureDump, type DumpFeature } from '../../../src/engine/train/feature-dump';
import { UserError } from '../../../src/engine/errors';

const base: BatchPlanOptions = { featureCount: 10, batchSize: 4, microBatchSize: 3, epochs: 2, seed: 42 };
const all = (plan: BatchPlan) => [...plan.steps()];

test('T = ceil(N / B) × E; the last step of an epoch keeps the remainder; micro-batches of at most M', () => {
  const plan = new BatchPlan(base);
  assert.equal(plan.stepsPerEpoch, 3);
  assert.equal(plan.totalSteps, 6);
  assert.equal(plan.epochCount, 2);
  const steps = all(plan);
  assert.deepEqual(steps.map((s) => s.size), [4, 4, 2, 4, 4, 2]);
  assert.deepEqual(steps.map((s) => s.epoch), [0, 0, 0, 1, 1, 1]);
  assert.deepEqual(steps.map((s) => s.stepInEpoch), [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(steps.map((s) => s.microBatches.map((m) => m.length)), [[3, 1], [3, 1], [2], [3, 1], [3, 1], [2]]);
  assert.deepEqual(steps.map((s) => s.weights), [[0.75, 0.25], [0.75, 0.25], [1], [0.75, 0.25], [0.75, 0.25], [1]]);
});

test('each epoch visits every feature exactly once, in the epoch order, and epochs are reshuffled', () => {
  const plan = new BatchPlan({ ...base, featureCount: 50, epochs: 3 });
  for (let epoch = 0; epoch < 3; epoch++) {
    const visited = all(plan).filter((s) => s.epoch === epoch).flatMap((s) => s.microBatches.flat());
    assert.deepEqual(visited, plan.epochOrder(epoch));
    assert.deepEqual([...visited].sort((a, b) => a - b), [...Array(50).keys()]);
  }
  assert.notDeepEqual(plan.epochOrder(0), plan.epochOrder(1));
  assert.notDeepEqual(plan.epochOrder(0), [...Array(50).keys()]);
});

test('micro-batch weights turn per-micro-batch mean losses into the mean over the step', () => {
  const plan = new BatchPlan({ featureCount: 23, batchSize: 7, microBatchSize: 3, epochs: 1, seed: 3 });
  const lossOf = (feature: number) => Math.sin(feature) + 2; // any per-feature loss
  for (const s of plan.steps()) {
    const weighted = s.microBatches.reduce((sum, micro, j) => sum + s.weights[j]! * (micro.reduce((a, f) => a + lossOf(f), 0) / micro.length), 0);
    const features = s.microBatches.flat();
    const mean = features.reduce((a, f) => a + lossOf(f), 0) / features.length;
    assert.ok(Math.abs(weighted - mean) < 1e-12, `step ${s.step}`);
    assert.ok(Math.abs(s.weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  }
});

test('max steps overrides epochs and repeats epochs as needed; fractional epochs round steps up', () => {
  const plan = new BatchPlan({ ...base, maxSteps: 7 });
  assert.equal(plan.totalSteps, 7);
  assert.equal(plan.epochCount, 3);
  const last = plan.step(6);
  assert.equal(last.epoch, 2);
  assert.equal(last.stepInEpoch, 0);
  assert.deepEqual(last.microBatches.flat(), plan.epochOrder(2).slice(0, 4));
  assert.equal(new BatchPlan({ ...base, epochs: 1.5 }).totalSteps, 5); // ceil(1.5 × 3)
  assert.throws(() => plan.step(7), RangeError);
});

test('same seed, same batches; another seed, other batches; resuming at any step gives the same remainder', () => {
  const a = all(new BatchPlan(base));
  assert.deepEqual(all(new BatchPlan(base)), a);
  assert.notDeepEqual(all(new BatchPlan({ ...base, seed: 43 })), a);
  for (let from = 0; from <= 6; from++) assert.deepEqual([...new BatchPlan(base).steps(from)], a.slice(from), `from ${from}`);
  const fresh = new BatchPlan(base);
  assert.deepEqual([5, 0, 3].map((k) => fresh.step(k)), [a[5], a[0], a[3]], 'random access in any order');
});

test('a micro-batch size above the batch size acts as the batch size; bad sizes are refused', () => {
  const plan = new BatchPlan({ ...base, microBatchSize: 64 });
  assert.equal(plan.microBatchSize, 4);
  assert.deepEqual(plan.step(0).microBatches.length, 1);
  assert.throws(() => new BatchPlan({ ...base, featureCount: 0 }), (e: unknown) => e instanceof UserError && /no training features/.test(e.message));
  assert.throws(() => new BatchPlan({ ...base, batchSize: 0 }), RangeError);
  assert.throws(() => new BatchPlan({ ...base, microBatchSize: 1.5 }), RangeError);
  assert.throws(() => new BatchPlan({ ...base, maxSteps: 0 }), RangeError);
  assert.throws(() => new BatchPlan({ ...base, epochs: 0 }), RangeError);
});

function feature(i: number): DumpFeature {
  return { inputIds: Int32Array.from([101, 2000 + i, 102]), tokenTypeIds: [0, 0, 1], attentionMask: new Int32Array([1, 1, 1]), startPosition: i, endPosition: i + 1 };
}

test('the feature dump has one line per feature, then one per optimizer step, and no temporary file left', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spantune-dump-'));
  try {
    const plan = new BatchPlan({ featureCount: 3, batchSize: 2, microBatchSize: 1, epochs: 2, seed: 1 });
    const file = path.join(dir, 'features.jsonl');
    await writeFeatureDump(file, [0, 1, 2].map(feature), plan);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3 + 4);
    assert.deepEqual(lines[1], { type: 'feature', index: 1, input_ids: [101, 2001, 102], token_type_ids: [0, 0, 1], attention_mask: [1, 1, 1], start_position: 1, end_position: 2 });
    const batches = lines.slice(3);
    // Numbered from 1, as the training log numbers optimizer steps.
    assert.deepEqual(batches.map((b) => b.step), [1, 2, 3, 4]);
    assert.deepEqual(batches.map((b) => b.micro_batches), all(plan).map((s) => s.microBatches));
    assert.deepEqual(batches[0].micro_batches.map((m: number[]) => m.length), [1, 1]);
    assert.deepEqual(await readdir(dir), ['features.jsonl']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a dump streams a large run and refuses a feature count that does not match the plan', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spantune-dump-'));
  try {
    const file = path.join(dir, 'big.jsonl');
    const count = 5000;
    async function* many() {
      for (let i = 0; i < count; i++) yield { ...feature(i), inputIds: new Int32Array(384).fill(i) };
    }
    await writeFeatureDump(file, many(), new BatchPlan({ featureCount: count, batchSize: 12, microBatchSize: 4, epochs: 1, seed: 2 }));
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n').length - 1, count + Math.ceil(count / 12));
    await assert.rejects(writeFeatureDump(path.join(dir, 'bad.jsonl'), [feature(0)], new BatchPlan({ ...base })), /1 features.*10/);
    assert.deepEqual(await readdir(dir), ['big.jsonl']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
