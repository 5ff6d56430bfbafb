/**
 * Micro-batch sizing against memory that is measured, not assumed:
 * - ONNX Runtime (onnx-engine.ts): the plan comes from the peak resident memory of probe steps; a real
 *   training step at the planned micro-batch peaks where the plan said, within the memory allowed
 *   (SPANTUNE_MEMORY_LIMIT stands in for a smaller machine); a model that cannot train one window is
 *   refused at once, naming its size and the remedies. On CUDA the GPU's free memory sizes them, and a
 *   small GPU refuses a large model at once.
 * - TensorFlow.js (memory.ts): the per-window estimate covers the tensor memory a real step needs
 *   (tf.profile's peak bytes); native backends get the free memory of their device (a small GPU
 *   refuses a model at once), wasm its heap.
 * (failures.test.ts checks the refusal end to end through the engine process.)
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../../../src/engine/backend/select';
import { parseModelConfig } from '../../../src/engine/checkpoint/config';
import { UserError } from '../../../src/engine/errors';
import { createQaModel, forward, trainableParameters } from '../../../src/engine/model/qa-model';
import type { TrainSettings } from '../../../src/engine/process/protocol';
import type { QaFeature } from '../../../src/engine/qa/features';
import { BatchPlan } from '../../../src/engine/train/batches';
import { qaLoss } from '../../../src/engine/train/loss';
import { bytesPerFeature, fixedTrainingBytes, planMicroBatches } from '../../../src/engine/train/memory';
import { GIB, measurePeakResident } from '../../../src/engine/train/native-memory';
import { gpuMicroBatch, onnxWindowLowerBound, openOnnxEngine } from '../../../src/engine/train/onnx-engine';
import { tempDir } from '../../support/training-fixtures';
import { randomWeights } from '../../support/gradient-probes';
import { saveQaWeights } from '../../../src/engine/checkpoint/qa-weights';
import path from 'node:path';

const bert = (hidden: number, layers: number, heads: number, extra: Record<string, unknown> = {}) =>
  parseModelConfig({ model_type: 'bert', hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: heads, intermediate_size: 4 * hidden, ...extra });
/** Embeddings + layers + QA head of a BERT with the bert-base-uncased vocabulary. */
const parametersOf = (hidden: number, layers: number) => (30522 + 512 + 2) * hidden + 2 * hidden + layers * (12 * hidden * hidden + 13 * hidden) + 2 * hidden + 2;

/** Full windows of `seq` tokens with answers inside (what the engine needs of a feature). */
function windows(count: number, seq: number, vocab: number): QaFeature[] {
  return Array.from({ length: count }, (_, w) => ({
    inputIds: Int32Array.from({ length: seq }, (_, t) => (t === 0 ? 2 : 5 + ((t * 7 + w) % (vocab - 5)))),
    attentionMask: new Int32Array(seq).fill(1),
    tokenTypeIds: Int32Array.from({ length: seq }, (_, t) => (t > seq / 4 ? 1 : 0)),
    startPosition: 10 + w,
    endPosition: 12 + w,
  })) as unknown as QaFeature[];
}

describe('ONNX Runtime: micro-batches from measured resident memory', () => {
  const SEQ = 384;
  // Attention-heavy, so that a window costs tens of MiB and dominates the measurement's noise.
  const config = bert(96, 2, 12, { vocab_size: 64, max_position_embeddings: SEQ });
  const features = windows(8, SEQ, 64);
  const dir = tempDir('memory');
  const settings = (modelDir: string): TrainSettings => ({
    modelDir, trainFile: '', outputDir: '', epochs: 1, batchSize: 8, learningRate: 1e-4, warmupRatio: 0, weightDecay: 0.01, maxGradNorm: 1,
    seed: 1, dropout: 0.1, maxSeqLength: SEQ, docStride: 128, maxQueryLength: 64, version2WithNegative: false, backend: 'onnx', provider: 'cpu', threads: 2,
  });
  const limitBefore = process.env.SPANTUNE_MEMORY_LIMIT;
  after(() => {
    if (limitBefore === undefined) delete process.env.SPANTUNE_MEMORY_LIMIT;
    else process.env.SPANTUNE_MEMORY_LIMIT = limitBefore;
  });
  const open = async (modelDir: string) => openOnnxEngine({ settings: settings(modelDir), weightsDir: modelDir, features, log: () => {} });

  test('on a machine with room for about three windows, the plan cuts the batch, and a real step peaks as planned', async () => {
    const modelDir = path.join(dir, 'model');
    await saveQaWeights(modelDir, { config, tensors: randomWeights(config, 1) }, path.resolve(__dirname, '../../../../shared/fixtures/models/tiny-bert-qa'));
    delete process.env.SPANTUNE_MEMORY_LIMIT;
    const roomy = await open(modelDir);
    const free = roomy.memoryPlan!;
    await roomy.dispose();
    assert.ok(free.measured, 'the probe steps were measured');
    assert.equal(roomy.microBatchSize, 8);
    assert.ok(free.perWindow > 8 * 2 ** 20, `a 384-token window with 12 heads costs more than 8 MiB, measured ${free.perWindow}`);

    // A limit on resident memory that leaves room for three and a half windows above the base.
    process.env.SPANTUNE_MEMORY_LIMIT = String(Math.round(free.base + 3.5 * free.perWindow));
    const tight = await open(modelDir);
    try {
      const plan = tight.memoryPlan!;
      assert.ok(tight.microBatchSize >= 2 && tight.microBatchSize <= 4, `micro-batch ${tight.microBatchSize} (${tight.memoryNote})`);
      // A real optimizer step (AdamW's moments allocated, two micro-batches accumulated), measured.
      const step = new BatchPlan({ featureCount: 8, batchSize: 8, microBatchSize: tight.microBatchSize, epochs: 1, seed: 1 }).step(0);
      const peak = await measurePeakResident(async () => {
        await tight.computeStep(features, step);
        tight.update(1e-4);
      });
      assert.ok(peak !== undefined);
      assert.ok(peak! <= plan.limit, `peak ${(peak! / GIB).toFixed(3)} GiB within the limit ${(plan.limit / GIB).toFixed(3)} GiB`);
      assert.ok(Math.abs(peak! - plan.predictedPeak) < 0.15 * plan.predictedPeak, `peak ${(peak! / GIB).toFixed(3)} GiB, predicted ${(plan.predictedPeak / GIB).toFixed(3)} GiB`);
    } finally {
      await tight.dispose();
    }
  });

  test('a model that cannot train one window here is refused at once, with its size and the remedies', async () => {
    const modelDir = path.join(dir, 'model');
    process.env.SPANTUNE_MEMORY_LIMIT = '64MiB'; // less than this process already holds: nothing is free
    await assert.rejects(open(modelDir), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /^the model \(0\.\dM parameters, 2 layers × 96\) needs about \d+\.\d GiB to train one 384-token window, more than the 0\.0 GiB this machine has free: use a smaller model, a shorter --max-seq-length, close other programs, or train on a machine with more memory$/);
      return true;
    });
  });
});

describe('ONNX Runtime on CUDA: micro-batches from the GPU\'s free memory', () => {
  test('a small GPU refuses a large model at once with its size and the remedies; less free memory, smaller micro-batches', () => {
    const large = bert(1024, 24, 16);
    assert.throws(() => gpuMicroBatch(large, parametersOf(1024, 24), 384, 8, 2 * GIB), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /^the model \(33\d\.\dM parameters, 24 layers × 1024\) needs about \d+\.\d GiB of GPU memory to train one 384-token window, more than the 2\.0 GiB the GPU has free: .*--provider cpu\)$/);
      return true;
    });
    const base = bert(768, 6, 12);
    const at = (freeGib: number) => gpuMicroBatch(base, parametersOf(768, 6), 384, 32, freeGib * GIB);
    assert.ok(at(4) >= 1 && at(4) < at(16), `4 GiB free: ${at(4)}, 16 GiB free: ${at(16)}`);
    assert.equal(at(80), 32, 'a large GPU takes the whole batch');
    // Each window counts at least the graph's own lower bound: the plan never promises less than that.
    const fits = at(4);
    assert.ok(8 * parametersOf(768, 6) + fits * onnxWindowLowerBound(base, 384) <= 0.85 * 4 * GIB);
  });
});

describe('TensorFlow.js: the estimate against the tensor memory of real steps', () => {
  test('per window, the estimate covers tf.profile\'s peak bytes and is not more than 3× over it', async () => {
    await initBackend({ force: 'wasm' });
    const config = bert(64, 2, 4, { vocab_size: 64 });
    const seq = 256;
    const model = createQaModel(config, randomWeights(config, 2));
    try {
      const peakOf = async (windowCount: number, checkpointLayers: boolean) => {
        const batch = windows(windowCount, seq, 64);
        const rows = (pick: (f: QaFeature) => Int32Array) => tf.tensor2d(batch.map((f) => Array.from(pick(f))), undefined, 'int32');
        const profile = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(() =>
            tf.tidy(() => {
              const inputs = { inputIds: rows((f) => f.inputIds), attentionMask: rows((f) => f.attentionMask), tokenTypeIds: rows((f) => f.tokenTypeIds) };
              const { start, end } = forward(model, inputs, { training: true, dropoutOverride: 0.1, seed: 1, checkpointLayers });
              return qaLoss(start, end, tf.tensor1d(batch.map((f) => f.startPosition!), 'int32'), tf.tensor1d(batch.map((f) => f.endPosition!), 'int32'));
            }), trainableParameters(model).map((p) => p.variable));
          tf.dispose([value, ...Object.values(grads)]);
        });
        return profile.peakBytes;
      };
      for (const checkpointLayers of [false, true]) {
        const measured = ((await peakOf(4, checkpointLayers)) - (await peakOf(2, checkpointLayers))) / 2;
        const estimate = bytesPerFeature(config, seq, checkpointLayers);
        assert.ok(estimate >= measured, `checkpointing ${checkpointLayers}: estimate ${estimate} below the measured ${measured} per window`);
        assert.ok(estimate <= 3 * measured, `checkpointing ${checkpointLayers}: estimate ${estimate} over 3× the measured ${measured} per window`);
      }
    } finally {
      for (const v of model.parameters.values()) v.dispose();
    }
  });

  test('native TensorFlow gets the free memory of its device: a small GPU refuses a large model at once', () => {
    const config = bert(1024, 24, 16);
    const count = parametersOf(1024, 24);
    const smallGpu = { host: () => 64 * GIB, gpu: () => 4 * GIB };
    assert.throws(() => planMicroBatches(config, count, 384, 8, 'tensorflow-gpu', smallGpu), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /^the model \(33\d\.\dM parameters, 24 layers × 1024\) needs about \d+\.\d GiB to train one 384-token window, more than the 3\.4 GiB the tensorflow-gpu backend has free: /);
      return true;
    });
    // The same model on the CPU of a machine with 64 GiB free trains.
    assert.ok(planMicroBatches(config, count, 384, 8, 'tensorflow', smallGpu).microBatchSize >= 1);
    // Less free memory, smaller micro-batches: the budget follows the measurement.
    const base = bert(768, 12, 12);
    const at = (free: number) => planMicroBatches(base, parametersOf(768, 12), 384, 32, 'tensorflow', { host: () => free * GIB, gpu: () => undefined }).microBatchSize;
    assert.ok(at(4) < at(16), `4 GiB free: ${at(4)}, 16 GiB free: ${at(16)}`);
  });

  test('wasm: the heap caps the budget, and a model whose parameters alone exceed it is refused, naming its size and the remedies', () => {
    const huge = bert(4096, 48, 32);
    const count = parametersOf(4096, 48);
    assert.throws(() => planMicroBatches(huge, count, 384, 8, 'wasm'), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /^the model \(9\d\d\d\.\dM parameters, 48 layers × 4096\) needs about \d+\.\d GiB to train one 384-token window, more than the wasm backend's 3\.2 GiB: use a smaller model, a shorter --max-seq-length, or ONNX Runtime or native TensorFlow/);
      assert.ok(fixedTrainingBytes(count) > 3.2 * GIB);
      return true;
    });
    // bert-mini and MiniLM-L6 keep their activations in micro-batches of 2 or more; DistilBERT-size must recompute.
    const plans = ([[256, 4, 4], [384, 6, 12], [768, 6, 12]] as const).map(([hidden, layers, heads]) => planMicroBatches(bert(hidden, layers, heads), parametersOf(hidden, layers), 384, 8, 'wasm'));
    assert.deepEqual(plans.map((p) => p.checkpointLayers), [false, false, true]);
    assert.ok(plans.every((p) => p.microBatchSize >= 2 && p.estimatedPeakBytes <= 3.2 * GIB), JSON.stringify(plans));
  });
});
