/**
 * Where onnxruntime-node cannot load at all (here: the CLI bundle copied where no node_modules is
 * above it), the engine answers with TensorFlow.js and its line says why; `--backend onnx` refuses.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { buildCli } from '../../support/cli';
import { copyFixtureModel } from '../../support/fixture-copy';

let cli: string;

before(async () => {
  // The CLI built from the current sources (never a dist/ that may be stale), copied where no node_modules is above it.
  const built = path.join(path.dirname((await buildCli()).bin), '..', 'dist');
  const dist = path.join(mkdtempSync(path.join(tmpdir(), 'spantune-no-ort-')), 'dist');
  for (const file of readdirSync(built).filter((f) => f === 'cli.js' || f.endsWith('.mjs') || f.endsWith('.wasm'))) cpSync(path.join(built, file), path.join(dist, file));
  cli = path.join(dist, 'cli.js');
});

const ask = (...extra: string[]) =>
  spawnSync(process.execPath, [cli, 'ask', '--model', copyFixtureModel('tiny-bert-qa'), '--context', 'SpanTune was written in Lisbon in 2026.', '--question', 'Where was it written?', ...extra], {
    encoding: 'utf8',
    // No install folder with a copy of ONNX Runtime either.
    env: { ...process.env, SPANTUNE_NATIVE_DIR: path.join(tmpdir(), 'spantune-no-such-folder') },
  });

test('without ONNX Runtime the question is answered by TensorFlow.js, and the line says why', () => {
  const result = ask('--verbose');
  assert.equal(result.status, 0, result.stderr);
  const { backend, answers } = JSON.parse(result.stdout);
  assert.match(backend, /^tensorflow\.js wasm, 1 thread \(onnxruntime: cannot load; /);
  assert.ok(answers.length > 0);
  assert.match(result.stderr, /ONNX Runtime cannot load: onnxruntime-node is not installed beside SpanTune; answering with TensorFlow\.js instead/);
});

test('--backend onnx without ONNX Runtime is one clear error', () => {
  const result = ask('--backend', 'onnx');
  assert.equal(result.status, 2);
  assert.match(result.stderr.trim(), /^error: backend 'onnx' is not usable here: ONNX Runtime cannot load: onnxruntime-node is not installed beside SpanTune$/);
});
