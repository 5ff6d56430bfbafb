import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { FloatTensor } from '../../../src/engine/checkpoint/safetensors';
import { loadCheckpointWeights, saveCheckpoint } from '../../../src/engine/checkpoint/weights';
import { parseFileByHand, tempDir, tinyBertDir, tinyDistilBertDir, writeTinyModel } from './helpers';

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

for (const [label, fixture] of [['BERT', tinyBertDir], ['DistilBERT', tinyDistilBertDir]] as const) {
  test(`${label} fixture: load → save writes the byte-identical model.safetensors Python wrote, and reads back bit-exact`, async () => {
    const loaded = await loadCheckpointWeights(fixture);
    const out = path.join(tempDir(), 'saved');
    const { files } = await saveCheckpoint(out, { config: loaded.config, tensors: loaded.tensors });
    assert.deepEqual(files, [path.join(out, 'config.json'), path.join(out, 'model.safetensors')]);
    assert.ok(readFileSync(path.join(out, 'model.safetensors')).equals(readFileSync(path.join(fixture, 'model.safetensors'))));

    const again = await loadCheckpointWeights(out);
    assert.deepEqual(again.config, loaded.config);
    assert.equal(again.tensors.size, loaded.tensors.size);
    for (const [name, tensor] of loaded.tensors) {
      assert.deepEqual(again.tensors.get(name)!.shape, tensor.shape);
      assert.ok(sameBits(again.tensors.get(name)!.data, tensor.data), name);
    }
    const original = JSON.parse(readFileSync(path.join(fixture, 'config.json'), 'utf8')) as unknown;
    assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')), original);
    assert.deepEqual(readdirSync(path.dirname(out)), ['saved'], 'no staging folder is left');
  });
}

test('changed weights round-trip bit-exact and the file satisfies the format by hand', async () => {
  const loaded = await loadCheckpointWeights(tinyBertDir);
  const tensors = new Map<string, FloatTensor>();
  let k = 0;
  for (const [name, t] of loaded.tensors) tensors.set(name, { shape: t.shape, data: t.data.map(() => Math.sin(++k) * 1e-3) });
  const out = path.join(tempDir(), 'changed');
  await saveCheckpoint(out, { config: loaded.config, tensors });
  const parsed = parseFileByHand(path.join(out, 'model.safetensors'));
  assert.equal((8 + parsed.headerLength) % 8, 0);
  assert.deepEqual(parsed.header.__metadata__, { format: 'pt' });
  let end = 0;
  for (const [name, entry] of Object.entries(parsed.header)) {
    if (name === '__metadata__') continue;
    const { shape, data_offsets: offsets } = entry as { shape: number[]; data_offsets: [number, number] };
    assert.equal(offsets[0], end, `${name} follows the previous tensor`);
    end = offsets[1];
    assert.equal(offsets[1] - offsets[0], shape.reduce((a, b) => a * b, 1) * 4);
  }
  assert.equal(parsed.data.length, end);
  const again = await loadCheckpointWeights(out);
  for (const [name, t] of tensors) assert.ok(sameBits(again.tensors.get(name)!.data, t.data), name);
});

test('saving into an existing folder replaces config and weights and keeps the other files', async () => {
  const loaded = await loadCheckpointWeights(tinyBertDir);
  const out = tempDir();
  writeFileSync(path.join(out, 'vocab.txt'), 'keep me\n');
  writeFileSync(path.join(out, 'model.safetensors'), 'old');
  writeFileSync(path.join(out, 'config.json'), '{}');
  await saveCheckpoint(out, { config: loaded.config, tensors: loaded.tensors });
  assert.deepEqual(readdirSync(out).sort(), ['config.json', 'model.safetensors', 'vocab.txt']);
  assert.equal(readFileSync(path.join(out, 'vocab.txt'), 'utf8'), 'keep me\n');
  assert.equal((await loadCheckpointWeights(out)).tensors.size, 39);
});

test('saving into a missing nested folder or an empty one creates it whole; addFiles lands with the weights', async () => {
  const loaded = await loadCheckpointWeights(tinyDistilBertDir);
  const base = tempDir();
  const nested = path.join(base, 'runs', 'checkpoint-1');
  let sawStaging = '';
  await saveCheckpoint(nested, {
    config: loaded.config,
    tensors: loaded.tensors,
    addFiles: async (staging) => {
      sawStaging = staging;
      assert.ok(existsSync(path.join(staging, 'model.safetensors')), 'weights are written before addFiles runs');
      assert.ok(!existsSync(nested), 'the target does not exist before the final rename');
      writeFileSync(path.join(staging, 'vocab.txt'), '[PAD]\n');
    },
  });
  assert.notEqual(sawStaging, nested);
  assert.deepEqual(readdirSync(nested).sort(), ['config.json', 'model.safetensors', 'vocab.txt']);
  assert.deepEqual(readdirSync(path.join(base, 'runs')), ['checkpoint-1']);

  const empty = path.join(base, 'empty');
  mkdirSync(empty);
  await saveCheckpoint(empty, { config: loaded.config, tensors: loaded.tensors });
  assert.deepEqual(readdirSync(empty).sort(), ['config.json', 'model.safetensors']);
});

test('a BertModel given a new QA head saves as BertForQuestionAnswering and loads without the flag', async () => {
  const dir = writeTinyModel({ prefix: '', qaHead: false }, { architectures: ['BertModel'] });
  const loaded = await loadCheckpointWeights(dir);
  const tensors = new Map(loaded.tensors);
  tensors.set('qa_outputs.weight', { shape: [2, 8], data: new Float32Array(16).fill(0.5) });
  tensors.set('qa_outputs.bias', { shape: [2], data: new Float32Array(2) });
  const out = path.join(tempDir(), 'qa');
  await saveCheckpoint(out, { config: loaded.config, tensors, architecture: 'BertForQuestionAnswering' });
  const again = await loadCheckpointWeights(out);
  assert.equal(again.missingQaHead, false);
  assert.deepEqual(again.warnings, []);
  assert.deepEqual(again.config.architectures, ['BertForQuestionAnswering']);
  const header = parseFileByHand(path.join(out, 'model.safetensors')).header;
  assert.ok('bert.embeddings.word_embeddings.weight' in header, 'the saved file uses the task-model prefix');
});

test('an ELECTRA model is written back under electra. names as ElectraForQuestionAnswering', async () => {
  const dir = writeTinyModel({ prefix: 'electra.', embedding: 4 });
  const loaded = await loadCheckpointWeights(dir);
  const out = path.join(tempDir(), 'electra');
  await saveCheckpoint(out, { config: loaded.config, tensors: loaded.tensors });
  const header = parseFileByHand(path.join(out, 'model.safetensors')).header;
  assert.deepEqual((header['electra.embeddings_project.weight'] as { shape: number[] }).shape, [8, 4]);
  assert.ok(!Object.keys(header).some((n) => n.startsWith('bert.')));
  const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config.architectures, ['ElectraForQuestionAnswering']);
  assert.equal(config.model_type, 'electra');
  assert.equal(config.embedding_size, 4);
  const again = await loadCheckpointWeights(out);
  for (const [name, t] of loaded.tensors) assert.ok(sameBits(again.tensors.get(name)!.data, t.data), name);
});

test('invalid tensors are refused before anything is written', async () => {
  const loaded = await loadCheckpointWeights(tinyBertDir);
  const base = tempDir();
  const out = path.join(base, 'never');
  const withoutHead = new Map(loaded.tensors);
  withoutHead.delete('qa_outputs.bias');
  await assert.rejects(saveCheckpoint(out, { config: loaded.config, tensors: withoutHead }), /tensor qa_outputs\.bias is missing/);
  const wrongShape = new Map(loaded.tensors);
  wrongShape.set('qa_outputs.bias', { shape: [3], data: new Float32Array(3) });
  await assert.rejects(saveCheckpoint(out, { config: loaded.config, tensors: wrongShape }), /qa_outputs\.bias has shape \[3\], the config implies \[2\]/);
  const extra = new Map(loaded.tensors);
  extra.set('bert.pooler.dense.bias', { shape: [32], data: new Float32Array(32) });
  await assert.rejects(saveCheckpoint(out, { config: loaded.config, tensors: extra }), /does not have: bert\.pooler\.dense\.bias/);
  await assert.rejects(saveCheckpoint(out, { config: loaded.config, tensors: loaded.tensors, architecture: 'DistilBertForQuestionAnswering' }), /does not match model_type bert/);
  assert.deepEqual(readdirSync(base), []);
});

test('a failure while staging (addFiles throws) leaves the target as it was and removes the staging folder', async () => {
  const loaded = await loadCheckpointWeights(tinyBertDir);
  const base = tempDir();
  const out = path.join(base, 'model');
  await assert.rejects(
    saveCheckpoint(out, { config: loaded.config, tensors: loaded.tensors, addFiles: () => Promise.reject(new Error('copy failed')) }),
    /copy failed/,
  );
  assert.deepEqual(readdirSync(base), []);

  mkdirSync(out);
  writeFileSync(path.join(out, 'config.json'), '{"old": true}');
  await assert.rejects(
    saveCheckpoint(out, { config: loaded.config, tensors: loaded.tensors, addFiles: () => Promise.reject(new Error('copy failed')) }),
    /copy failed/,
  );
  assert.deepEqual(readdirSync(out), ['config.json']);
  assert.equal(readFileSync(path.join(out, 'config.json'), 'utf8'), '{"old": true}');
});
