/**
 * Training arithmetic equals PyTorch's: the per-step losses and gradient norms of a run on the tiny
 * fixture model (dropout off, gradient accumulation, warm-up, clipping, weight decay) match what
 * torch.optim.AdamW + LambdaLR + clip_grad_norm_ computed when replaying the same features and
 * batches (test/fixtures/torch_training_losses.json, made by scripts/oracles/torch_train_replay.py),
 * on the ONNX Runtime graph path and on TensorFlow.js (wasm). And with dropout on, both runtimes give
 * the same run: the engine draws the masks, the same way for both.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EngineBackend, EngineEvent, TrainSettings } from '../../../src/engine/process/protocol';
import { runTraining } from '../../../src/engine/train/trainer';

const shared = path.resolve(__dirname, '../../../../shared');
const reference = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/torch_training_losses.json'), 'utf8'));

/** The steps of the reference run's settings (with `overrides`) on `backend`. */
async function trainSteps(backend: EngineBackend, overrides: Partial<TrainSettings> = {}) {
  const folder = await mkdtemp(path.join(tmpdir(), 'spantune-parity-'));
  const xquad = JSON.parse(readFileSync(path.join(shared, 'data/xquad-en/xquad.en.json'), 'utf8'));
  const article = { ...xquad.data[0], paragraphs: xquad.data[0].paragraphs.slice(0, 6) };
  const trainFile = path.join(folder, 'train.json');
  writeFileSync(trainFile, JSON.stringify({ version: '1.1', data: [article] }));

  const s = reference.settings;
  const settings: TrainSettings = {
    modelDir: path.join(shared, 'fixtures/models/tiny-bert-qa'), trainFile, outputDir: path.join(folder, 'out'),
    epochs: 1, maxSteps: s.maxSteps, batchSize: s.batchSize, gradAccum: s.gradAccum, learningRate: s.learningRate,
    warmupRatio: s.warmupRatio, weightDecay: s.weightDecay, maxGradNorm: s.maxGradNorm, seed: s.seed, dropout: s.dropout,
    validationSplit: s.validationSplit, maxSeqLength: s.maxSeqLength, docStride: s.docStride, maxQueryLength: 64,
    version2WithNegative: false, backend, ...overrides,
  };
  const steps: Extract<EngineEvent, { type: 'step' }>[] = [];
  let started: Extract<EngineEvent, { type: 'started' }> | undefined;
  await runTraining(settings, { jobId: 'parity', signal: new AbortController().signal, emit: (e) => (e.type === 'step' ? steps.push(e) : e.type === 'started' && (started = e)) });
  assert.equal(started?.backend.name, backend);
  return steps;
}

for (const backend of ['onnx', 'wasm'] as EngineBackend[]) test(`per-step losses and gradient norms equal PyTorch replaying the same run (${backend})`, async () => {
  const steps = await trainSteps(backend);

  assert.equal(steps.length, reference.losses.length);
  for (const [i, want] of (reference.losses as { step: number; loss: number; grad_norm: number }[]).entries()) {
    const got = steps[i]!;
    assert.equal(got.step, want.step);
    assert.ok(Math.abs(got.loss - want.loss) < 1e-5, `step ${want.step}: loss ${got.loss} vs torch ${want.loss}`);
    assert.ok(Math.abs(got.gradNorm - want.grad_norm) / want.grad_norm < 1e-5, `step ${want.step}: grad norm ${got.gradNorm} vs torch ${want.grad_norm}`);
  }
  // The run must actually move: a broken optimizer would leave the loss flat.
  assert.ok(steps.at(-1)!.loss < steps[0]!.loss - 0.3);
});

test('with dropout on, ONNX Runtime and TensorFlow.js draw the same masks: the same run gives the same losses', async () => {
  const [onnx, wasm] = [await trainSteps('onnx', { dropout: 0.1, maxSteps: 4 }), await trainSteps('wasm', { dropout: 0.1, maxSteps: 4 })];
  const without = await trainSteps('onnx', { maxSteps: 4 });
  for (const [i, step] of onnx.entries()) {
    assert.ok(Math.abs(step.loss - wasm[i]!.loss) < 1e-5, `step ${step.step}: loss ${step.loss} on ONNX Runtime, ${wasm[i]!.loss} on wasm`);
    assert.ok(Math.abs(step.gradNorm - wasm[i]!.gradNorm) / wasm[i]!.gradNorm < 1e-5, `step ${step.step}: grad norm ${step.gradNorm} vs ${wasm[i]!.gradNorm}`);
  }
  // Dropout did act: without it the losses differ.
  assert.ok(onnx.some((step, i) => Math.abs(step.loss - without[i]!.loss) > 1e-3));
});
