/**
 * The ONNX Runtime training path in fresh processes: with the default backend it trains on ONNX
 * Runtime and leaves no @tensorflow module loaded; on the WebGPU provider (through SwiftShader, see
 * test/support/webgpu.ts) the same two steps give the CPU provider's losses and gradient norms, and
 * the run reports the provider it used.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir, writeJson, xquadSubset } from '../../support/training-fixtures';
import { runOnSwiftShader } from '../../support/webgpu';

interface Result {
  backend: { name: string; provider?: string };
  steps: { loss: number; gradNorm: number }[];
  tensorflow: string[];
}

const child = path.join(__dirname, '../../support/train-steps.ts');
const dir = tempDir('onnx-path');
const trainFile = writeJson(path.join(dir, 'train.json'), xquadSubset(2, { questionsPerParagraph: 3 }));

async function onCpu(): Promise<Result> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, trainFile, path.join(dir, 'cpu')], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Result;
}

test('training on ONNX Runtime never loads TensorFlow.js', async () => {
  const result = await onCpu();
  assert.equal(result.backend.name, 'onnx');
  assert.equal(result.backend.provider, 'cpu');
  assert.equal(result.steps.length, 2);
  assert.deepEqual(result.tensorflow, []);
});

test('training on the WebGPU provider (SwiftShader) gives the CPU provider\'s steps', async () => {
  const [cpu, webgpu] = await Promise.all([onCpu(), runOnSwiftShader<Result>(child, [trainFile, path.join(dir, 'webgpu'), 'webgpu'], 8 * 60_000)]);
  assert.equal(webgpu.backend.name, 'onnx');
  assert.equal(webgpu.backend.provider, 'webgpu');
  for (const [i, step] of cpu.steps.entries()) {
    assert.ok(Math.abs(webgpu.steps[i]!.loss - step.loss) < 1e-5, `step ${i + 1}: loss ${webgpu.steps[i]!.loss} on WebGPU, ${step.loss} on the CPU`);
    assert.ok(Math.abs(webgpu.steps[i]!.gradNorm - step.gradNorm) < 1e-5 * step.gradNorm, `step ${i + 1}: grad norm ${webgpu.steps[i]!.gradNorm} vs ${step.gradNorm}`);
  }
});
