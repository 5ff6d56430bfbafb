/**
 * The built ONNX graph is kept beside the model, reused while the model is unchanged, rebuilt when
 * its weights or config change (older graphs removed), kept in the per-user cache for folders that
 * are not ours to write, and never left half-written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readSafetensors, writeSafetensors } from '../../../src/engine/checkpoint/safetensors';
import { isHubSnapshot, qaGraphFor } from '../../../src/engine/onnx/graph-cache';
import { openOnnxQaModel } from '../../../src/engine/onnx/qa-logits';
import { copyFixtureModel } from '../../support/fixture-copy';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'spantune-graph-cache-'));

test('the graph is built once, kept in <model>/onnx, and read from there while the model is unchanged', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const userCache = scratch();
  const first = await qaGraphFor(model, { userCacheDir: userCache });
  assert.equal(first.built, true);
  assert.equal(path.dirname(first.file), path.join(model, 'onnx'));
  assert.match(path.basename(first.file), /^spantune-[0-9a-f]{16}\.onnx$/);
  assert.equal(first.bytes, undefined, 'ONNX Runtime reads the kept file');
  // The weights sit in their own file (ONNX external data): the graph file is small.
  assert.ok(statSync(first.file).size < 100_000, `${statSync(first.file).size} bytes`);
  assert.ok(statSync(`${first.file}.data`).size > 4_000_000);
  assert.deepEqual(first.inputNames, ['input_ids', 'attention_mask', 'token_type_ids']);

  const second = await qaGraphFor(model, { userCacheDir: userCache });
  assert.equal(second.built, false);
  assert.equal(second.file, first.file);
  assert.deepEqual(second.inputNames, first.inputNames);
  assert.deepEqual(readdirSync(userCache), [], 'nothing in the user cache');
});

test('new weights (a training run saving into the folder) or a new config give a new graph; the old one is removed', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const before = await qaGraphFor(model, { userCacheDir: scratch() });
  const weights = path.join(model, 'model.safetensors');
  const { tensors } = await readSafetensors(weights);
  await writeSafetensors(weights, [...tensors].map(([name, t]) => ({ name, shape: t.shape, data: name === 'qa_outputs.bias' ? t.data.map((x) => x + 1) : t.data })));
  const later = new Date(Date.now() + 5000);
  utimesSync(weights, later, later);
  const after = await qaGraphFor(model, { userCacheDir: scratch() });
  assert.equal(after.built, true);
  assert.notEqual(after.fingerprint, before.fingerprint);
  assert.deepEqual(readdirSync(path.join(model, 'onnx')).sort(), [`spantune-${after.fingerprint}.json`, `spantune-${after.fingerprint}.onnx`, `spantune-${after.fingerprint}.onnx.data`]);

  const config = JSON.parse(readFileSync(path.join(model, 'config.json'), 'utf8'));
  writeFileSync(path.join(model, 'config.json'), JSON.stringify({ ...config, layer_norm_eps: 1e-6 }));
  assert.notEqual((await qaGraphFor(model, { userCacheDir: scratch() })).fingerprint, after.fingerprint);
});

test('a Hugging Face cache snapshot is left alone: its graph goes to the per-user cache', async () => {
  const root = scratch();
  const snapshot = path.join(root, 'hub', 'models--org--tiny', 'snapshots', '0123abcd');
  mkdirSync(path.dirname(snapshot), { recursive: true });
  cpSync(copyFixtureModel('tiny-distilbert-qa'), snapshot, { recursive: true });
  assert.ok(isHubSnapshot(snapshot));
  const userCache = path.join(root, 'user-cache');
  const graph = await qaGraphFor(snapshot, { userCacheDir: userCache });
  assert.equal(path.dirname(graph.file), path.join(userCache, 'onnx'));
  assert.deepEqual(readdirSync(snapshot).filter((f) => f === 'onnx'), []);
  assert.deepEqual(graph.inputNames, ['input_ids', 'attention_mask']);
  assert.equal((await qaGraphFor(snapshot, { userCacheDir: userCache })).built, false);
});

test('a model folder SpanTune cannot write to falls back to the per-user cache, saying so', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  // A file where the onnx/ folder would go: the folder cannot be made (root ignores permission bits).
  writeFileSync(path.join(model, 'onnx'), 'not a folder');
  const userCache = scratch();
  const logs: string[] = [];
  const graph = await qaGraphFor(model, { userCacheDir: userCache, onLog: (l) => logs.push(l) });
  assert.equal(path.dirname(graph.file), path.join(userCache, 'onnx'));
  assert.match(logs.join('\n'), /cannot keep the ONNX graph in .*onnx/);
});

test('a graph that cannot be built names the model and what is wrong, and leaves nothing on disk', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const config = JSON.parse(readFileSync(path.join(model, 'config.json'), 'utf8'));
  // One layer more than the weights hold.
  writeFileSync(path.join(model, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: config.num_hidden_layers + 1 }));
  const userCache = scratch();
  await assert.rejects(qaGraphFor(model, { userCacheDir: userCache }), (error: Error) => error.message.startsWith(`${model}: config.json says num_hidden_layers 3`));
  assert.deepEqual(readdirSync(model).filter((f) => f === 'onnx'), []);
  assert.deepEqual(readdirSync(userCache), []);
});

test('a kept graph damaged on disk is built again on the next use, saying so', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const first = await qaGraphFor(model, { userCacheDir: scratch() });
  writeFileSync(first.file, 'not an ONNX model');
  const logs: string[] = [];
  const opened = await openOnnxQaModel(model, { userCacheDir: scratch(), onLog: (l) => logs.push(l), threads: 1 });
  try {
    assert.equal(opened.graph.built, true);
    assert.equal(opened.session.provider, 'cpu');
    assert.match(logs.join('\n'), /the kept graph .*spantune-.*\.onnx does not load .*; building it again/);
    assert.notEqual(readFileSync(first.file, 'utf8').slice(0, 17), 'not an ONNX model');
  } finally {
    await opened.session.release();
  }
});
