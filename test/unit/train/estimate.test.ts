/** The start dialog's estimate: windows counted as the trainer cuts them, time from the model's arithmetic. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { buildFeatures } from '../../../src/engine/qa/features';
import { flattenExamples } from '../../../src/engine/squad/dataset';
import { countWindows, estimateTraining, forwardFlopsPerWindow, RECORDED_FLOPS_PER_SECOND } from '../../../src/engine/train/estimate';
import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import { repoRoot } from '../../support/training-fixtures';
import { readFileSync } from 'node:fs';

test('countWindows equals the number of training features the trainer builds', async () => {
  const tokenizer = await loadTokenizer(path.join(repoRoot, '../shared/fixtures/models/tiny-bert-qa'));
  const dataset = JSON.parse(readFileSync(path.join(repoRoot, 'demo/workspace/.spantune/dataset.json'), 'utf8'));
  const examples = flattenExamples(dataset);
  for (const options of [
    { maxSeqLength: 384, docStride: 128, maxQueryLength: 64 },
    { maxSeqLength: 128, docStride: 32, maxQueryLength: 64 },
    { maxSeqLength: 64, docStride: 16, maxQueryLength: 8 },
  ]) {
    const features = buildFeatures(examples, tokenizer, options, 'train');
    assert.equal(countWindows(examples, tokenizer, options), features.length, JSON.stringify(options));
  }
});

test('the recorded WebAssembly rate reproduces the benchmark figures of bert-mini and MiniLM-L6 (within 15%)', () => {
  const rate = RECORDED_FLOPS_PER_SECOND.wasm!;
  const windowsPerSecond = (config: { hiddenSize: number; intermediateSize: number; numHiddenLayers: number }) => rate / (3 * forwardFlopsPerWindow(config, 384));
  const bertMini = windowsPerSecond({ hiddenSize: 256, intermediateSize: 1024, numHiddenLayers: 4 });
  const miniLm = windowsPerSecond({ hiddenSize: 384, intermediateSize: 1536, numHiddenLayers: 6 });
  assert.ok(Math.abs(bertMini / 1.26 - 1) < 0.15, `bert-mini ${bertMini.toFixed(2)} windows/s (measured 1.26)`);
  assert.ok(Math.abs(miniLm / 0.38 - 1) < 0.15, `MiniLM-L6 ${miniLm.toFixed(2)} windows/s (measured 0.38)`);
});

test("the recorded ONNX Runtime CPU rate reproduces the demo's measured run (75 s, within 15%)", () => {
  const demoRun = { config: { hiddenSize: 128, intermediateSize: 512, numHiddenLayers: 2 }, maxSeqLength: 256, trainWindows: 88, validationWindows: 30, epochs: 100, batchSize: 8, validations: 101 };
  const demo = estimateTraining({ ...demoRun, engine: 'onnx cpu' })!;
  assert.ok(Math.abs(demo.seconds / 75 - 1) < 0.15, `${demo.seconds.toFixed(0)} s estimated`);
  assert.equal(estimateTraining({ ...demoRun, engine: 'onnx webgpu' }), undefined, 'no rate recorded for WebGPU: no guess');
});

test('the estimate counts steps of windows and validation passes, and prefers a measured speed', () => {
  const config = { hiddenSize: 64, intermediateSize: 256, numHiddenLayers: 2 };
  const input = { config, maxSeqLength: 256, trainWindows: 100, validationWindows: 30, epochs: 2, batchSize: 8, validations: 3, engine: 'wasm' };
  const measured = estimateTraining({ ...input, measuredWindowsPerSecond: 10 })!;
  // 2 epochs of ceil(100 / 8) = 13 steps of 8 windows at 10/s, and 3 × 30 forward passes at 30/s.
  assert.equal(measured.seconds, (26 * 8) / 10 + (3 * 30) / 30);
  assert.equal(measured.windowsPerSecond, 10);
  const capped = estimateTraining({ ...input, maxSteps: 5, validations: 0, measuredWindowsPerSecond: 10 })!;
  assert.equal(capped.seconds, (5 * 8) / 10);
  const fromShape = estimateTraining(input)!;
  assert.ok(fromShape.windowsPerSecond > 10 && fromShape.windowsPerSecond < 200, `${fromShape.windowsPerSecond} windows/s for the demo shape`);
  assert.equal(estimateTraining({ ...input, engine: 'tensorflow-gpu' }), undefined, 'no recorded rate, nothing measured: no guess');
});
