/**
 * The ONNX Runtime training path runs without TensorFlow.js: a short run with the default backend, in
 * a fresh process, trains on ONNX Runtime and leaves no @tensorflow module loaded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir, writeJson, xquadSubset } from '../../support/training-fixtures';

test('training on ONNX Runtime never loads TensorFlow.js', async () => {
  const dir = tempDir('no-tfjs');
  const trainFile = writeJson(path.join(dir, 'train.json'), xquadSubset(2, { questionsPerParagraph: 3 }));
  const child = path.join(__dirname, '../../support/train-without-tfjs.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, trainFile, path.join(dir, 'out')], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { backend: { name: string; provider?: string }; tensorflow: string[] };
  assert.equal(result.backend.name, 'onnx');
  assert.equal(result.backend.provider, 'cpu');
  assert.deepEqual(result.tensorflow, []);
});
