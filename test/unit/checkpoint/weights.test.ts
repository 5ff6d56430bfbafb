import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { parameterSpecs } from '../../../src/engine/checkpoint/parameters';
import { loadCheckpointWeights } from '../../../src/engine/checkpoint/weights';
import {
  buildSafetensors,
  f32Bytes,
  parseFileByHand,
  tempDir,
  tensorByHand,
  tinyBertConfig,
  tinyBertDir,
  tinyBertTensors,
  tinyDistilBertDir,
  writeTinyModel,
  type RawTensor,
  type TinyModelOptions,
} from './helpers';

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** A tiny model folder whose tensors were changed by `edit` before writing. */
function writeEditedModel(options: TinyModelOptions, edit: (tensors: RawTensor[]) => RawTensor[], configExtra: Record<string, unknown> = {}): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(tinyBertConfig(options, configExtra)));
  writeFileSync(path.join(dir, 'model.safetensors'), buildSafetensors(edit(tinyBertTensors(options))));
  return dir;
}

test('loads the BERT fixture: every parameter under its name, with the file values', async () => {
  const loaded = await loadCheckpointWeights(tinyBertDir);
  assert.equal(loaded.missingQaHead, false);
  assert.deepEqual(loaded.warnings, []);
  assert.equal(loaded.weightsSource, 'model.safetensors');
  assert.deepEqual([...loaded.tensors.keys()].sort(), parameterSpecs(loaded.config).map((s) => s.name).sort());
  assert.equal(loaded.tensors.size, 39);
  assert.deepEqual(loaded.tensors.get('bert.embeddings.token_type_embeddings.weight')?.shape, [2, 32]);
  assert.deepEqual(loaded.tensors.get('bert.encoder.layer.1.intermediate.dense.weight')?.shape, [64, 32]);
  const byHand = parseFileByHand(path.join(tinyBertDir, 'model.safetensors'));
  for (const name of ['qa_outputs.weight', 'qa_outputs.bias', 'bert.embeddings.LayerNorm.weight', 'bert.encoder.layer.1.output.dense.bias']) {
    assert.deepEqual([...loaded.tensors.get(name)!.data], tensorByHand(byHand, name), name);
  }
  const words = loaded.tensors.get('bert.embeddings.word_embeddings.weight')!.data;
  const wordsByHand = tensorByHand(byHand, 'bert.embeddings.word_embeddings.weight');
  assert.equal(words.length, 30522 * 32);
  for (const i of [0, 31, 32 * 1000 + 5, words.length - 1]) assert.equal(words[i], wordsByHand[i]);
});

test('loads the DistilBERT fixture: embeddings, q/k/v/out_lin, layer norms, ffn, qa head', async () => {
  const loaded = await loadCheckpointWeights(tinyDistilBertDir);
  assert.equal(loaded.config.modelType, 'distilbert');
  assert.equal(loaded.tensors.size, 38);
  assert.equal(loaded.missingQaHead, false);
  assert.ok(!loaded.tensors.has('distilbert.embeddings.token_type_embeddings.weight'));
  for (const name of [
    'distilbert.embeddings.position_embeddings.weight',
    'distilbert.transformer.layer.1.attention.out_lin.weight',
    'distilbert.transformer.layer.0.sa_layer_norm.bias',
    'distilbert.transformer.layer.1.ffn.lin2.weight',
    'distilbert.transformer.layer.1.output_layer_norm.weight',
  ]) {
    assert.ok(loaded.tensors.has(name), name);
  }
  assert.deepEqual(loaded.tensors.get('distilbert.transformer.layer.0.ffn.lin1.weight')?.shape, [64, 32]);
  const byHand = parseFileByHand(path.join(tinyDistilBertDir, 'model.safetensors'));
  assert.deepEqual([...loaded.tensors.get('qa_outputs.weight')!.data], tensorByHand(byHand, 'qa_outputs.weight'));
  assert.deepEqual([...loaded.tensors.get('distilbert.transformer.layer.1.attention.q_lin.bias')!.data], tensorByHand(byHand, 'distilbert.transformer.layer.1.attention.q_lin.bias'));
});

/** Splits the BERT fixture into two shards with an index, by hand. */
function shardFixture(): string {
  const dir = tempDir();
  copyFileSync(path.join(tinyBertDir, 'config.json'), path.join(dir, 'config.json'));
  const parsed = parseFileByHand(path.join(tinyBertDir, 'model.safetensors'));
  const names = Object.keys(parsed.header).filter((n) => n !== '__metadata__');
  const shards = [names.filter((n) => !n.includes('layer.1')), names.filter((n) => n.includes('layer.1'))];
  const weightMap: Record<string, string> = {};
  shards.forEach((shardNames, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    const raw = shardNames.map((name): RawTensor => {
      const entry = parsed.header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
      return { name, dtype: entry.dtype, shape: entry.shape, bytes: parsed.data.subarray(entry.data_offsets[0], entry.data_offsets[1]) };
    });
    writeFileSync(path.join(dir, file), buildSafetensors(raw));
    for (const name of shardNames) weightMap[name] = file;
  });
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 4041480 }, weight_map: weightMap }));
  return dir;
}

test('a sharded checkpoint (model.safetensors.index.json) loads the same tensors as the single file', async () => {
  const dir = shardFixture();
  const sharded = await loadCheckpointWeights(dir);
  const single = await loadCheckpointWeights(tinyBertDir);
  assert.equal(sharded.weightsSource, 'model.safetensors.index.json (2 shards)');
  assert.deepEqual([...sharded.tensors.keys()].sort(), [...single.tensors.keys()].sort());
  for (const [name, tensor] of single.tensors) {
    assert.deepEqual(sharded.tensors.get(name)!.shape, tensor.shape);
    assert.ok(Buffer.from(sharded.tensors.get(name)!.data.buffer).equals(Buffer.from(tensor.data.slice().buffer)), name);
  }
});

test('a missing shard or a tensor absent from its shard is named', async () => {
  const dir = shardFixture();
  const index = JSON.parse(readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
  index.weight_map['qa_outputs.weight'] = 'model-00003-of-00003.safetensors';
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
  await rejectsWith(loadCheckpointWeights(dir), /model\.safetensors\.index\.json lists shard model-00003-of-00003\.safetensors \(1 tensors, e\.g\. qa_outputs\.weight\) but it is missing from /);

  index.weight_map['qa_outputs.weight'] = 'model-00002-of-00002.safetensors';
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
  await rejectsWith(loadCheckpointWeights(dir), /says tensor "qa_outputs\.weight" is in model-00002-of-00002\.safetensors, but model-00002-of-00002\.safetensors has no such tensor/);

  writeFileSync(path.join(dir, 'model.safetensors.index.json'), '{"metadata": {}}');
  await rejectsWith(loadCheckpointWeights(dir), /has no "weight_map" object/);
});

test('missing folder, missing weights, PyTorch-only weights and missing config get clear messages', async () => {
  const dir = tempDir();
  await rejectsWith(loadCheckpointWeights(path.join(dir, 'nope')), /^model folder not found: .*nope$/);
  await rejectsWith(loadCheckpointWeights(dir), /config\.json not found in /);
  copyFileSync(path.join(tinyBertDir, 'config.json'), path.join(dir, 'config.json'));
  await rejectsWith(loadCheckpointWeights(dir), /^no model weights in .*: expected model\.safetensors or model\.safetensors\.index\.json$/);
  writeFileSync(path.join(dir, 'pytorch_model.bin'), 'PK');
  await rejectsWith(loadCheckpointWeights(dir), /PyTorch pickle weights \(pytorch_model\.bin\) cannot be read; convert them .*save_pretrained\(OUT, safe_serialization=True\)/);
  await rejectsWith(loadCheckpointWeights(path.join(dir, 'config.json')), /is a file; --model expects a folder/);
});

test('a tensor of the wrong shape is named with the config keys that imply the right one', async () => {
  const dir = writeEditedModel({}, (tensors) =>
    tensors.map((t) => (t.name === 'bert.encoder.layer.1.intermediate.dense.weight' ? { ...t, shape: [16, 7], bytes: f32Bytes(new Float32Array(16 * 7)) } : t)),
  );
  await rejectsWith(loadCheckpointWeights(dir), /^bert\.encoder\.layer\.1\.intermediate\.dense\.weight has shape \[16, 7\] but config\.json \(intermediate_size 16, hidden_size 8\) implies \[16, 8\]$/);

  const vocab = writeTinyModel({}, { vocab_size: 13 });
  await rejectsWith(loadCheckpointWeights(vocab), /^bert\.embeddings\.word_embeddings\.weight has shape \[12, 8\] but config\.json \(vocab_size 13, hidden_size 8\) implies \[13, 8\]$/);

  const head = writeEditedModel({}, (tensors) =>
    tensors.map((t) => (t.name === 'qa_outputs.weight' ? { ...t, shape: [3, 8], bytes: f32Bytes(new Float32Array(24)) } : t)),
  );
  await rejectsWith(loadCheckpointWeights(head), /^qa_outputs\.weight has shape \[3, 8\] but config\.json \(hidden_size 8\) implies \[2, 8\]$/);
});

test('a config that contradicts the weights (layer count, missing tensors, another architecture) is refused', async () => {
  await rejectsWith(loadCheckpointWeights(writeTinyModel({}, { num_hidden_layers: 4 })), /^config\.json says num_hidden_layers 4 but model\.safetensors has weights for 2 layers \(0–1\)$/);
  await rejectsWith(loadCheckpointWeights(writeTinyModel({}, { num_hidden_layers: 1 })), /says num_hidden_layers 1 but model\.safetensors has weights for 2 layers/);

  const missing = writeEditedModel({}, (tensors) => tensors.filter((t) => t.name !== 'bert.encoder.layer.0.attention.self.key.bias'));
  await rejectsWith(loadCheckpointWeights(missing), /^model\.safetensors lacks 1 tensor that config\.json implies: bert\.encoder\.layer\.0\.attention\.self\.key\.bias$/);

  const distilWeights = tempDir();
  copyFileSync(path.join(tinyBertDir, 'config.json'), path.join(distilWeights, 'config.json'));
  copyFileSync(path.join(tinyDistilBertDir, 'model.safetensors'), path.join(distilWeights, 'model.safetensors'));
  await rejectsWith(loadCheckpointWeights(distilWeights), /^model\.safetensors does not hold bert weights as config\.json says: expected bert\.embeddings\.word_embeddings\.weight, found distilbert\.\* tensors$/);

  const halfHead = writeEditedModel({}, (tensors) => tensors.filter((t) => t.name !== 'qa_outputs.bias'));
  await rejectsWith(loadCheckpointWeights(halfHead), /has qa_outputs\.weight but not qa_outputs\.bias/);
});

test('a bare BertModel (no prefix, gamma/beta, pooler, no QA head) loads with a new-head flag and notes', async () => {
  const pooler: RawTensor[] = [
    { name: 'pooler.dense.weight', dtype: 'F32', shape: [8, 8], bytes: f32Bytes(new Float32Array(64)) },
    { name: 'pooler.dense.bias', dtype: 'F32', shape: [8], bytes: f32Bytes(new Float32Array(8)) },
  ];
  const options: TinyModelOptions = { prefix: '', qaHead: false, gammaBeta: true, extras: pooler };
  const dir = writeTinyModel(options, { architectures: ['BertModel'] });
  const loaded = await loadCheckpointWeights(dir);
  assert.equal(loaded.missingQaHead, true);
  assert.equal(loaded.tensors.size, 37);
  assert.ok(!loaded.tensors.has('qa_outputs.weight'));
  const lnGamma = tinyBertTensors(options).find((t) => t.name === 'encoder.layer.1.output.LayerNorm.gamma')!;
  assert.deepEqual(Buffer.from(loaded.tensors.get('bert.encoder.layer.1.output.LayerNorm.weight')!.data.buffer), Buffer.from(lnGamma.bytes));
  assert.equal(loaded.warnings.length, 2);
  assert.match(loaded.warnings.join('\n'), /ignored 2 tensors that question answering does not use .*: pooler\.dense\.weight, pooler\.dense\.bias/);
  assert.match(loaded.warnings.join('\n'), /no question-answering head \(qa_outputs\.weight, qa_outputs\.bias\): it is a BertModel checkpoint; a new head is drawn from N\(0, 0\.02\)/);
});

test('a BertForMaskedLM checkpoint with an I64 position_ids buffer loads; the MLM head and buffer are ignored', async () => {
  const extras: RawTensor[] = [
    { name: 'bert.embeddings.position_ids', dtype: 'I64', shape: [1, 10], bytes: new Uint8Array(80) },
    { name: 'cls.predictions.bias', dtype: 'F32', shape: [12], bytes: f32Bytes(new Float32Array(12)) },
  ];
  const dir = writeTinyModel({ qaHead: false, extras }, { architectures: ['BertForMaskedLM'] });
  const loaded = await loadCheckpointWeights(dir);
  assert.equal(loaded.missingQaHead, true);
  assert.match(loaded.warnings[0]!, /ignored 2 tensors .*: bert\.embeddings\.position_ids, cls\.predictions\.bias/);
});

test('an ELECTRA discriminator with embedding_size ≠ hidden_size loads with its projection under bert. names', async () => {
  const extras: RawTensor[] = [{ name: 'discriminator_predictions.dense.weight', dtype: 'F32', shape: [8, 8], bytes: f32Bytes(new Float32Array(64)) }];
  const options: TinyModelOptions = { prefix: 'electra.', embedding: 4, qaHead: false, extras };
  const dir = writeTinyModel(options, { architectures: ['ElectraForPreTraining'] });
  const loaded = await loadCheckpointWeights(dir);
  assert.equal(loaded.config.hubModelType, 'electra');
  assert.equal(loaded.config.embeddingSize, 4);
  assert.deepEqual(loaded.tensors.get('bert.embeddings.word_embeddings.weight')?.shape, [12, 4]);
  assert.deepEqual(loaded.tensors.get('bert.embeddings_project.weight')?.shape, [8, 4]);
  assert.deepEqual(loaded.tensors.get('bert.embeddings_project.bias')?.shape, [8]);
  assert.deepEqual(loaded.tensors.get('bert.encoder.layer.0.attention.self.query.weight')?.shape, [8, 8]);
  assert.equal(loaded.missingQaHead, true);
  assert.match(loaded.warnings[0]!, /discriminator_predictions\.dense\.weight/);

  const noProjection = writeEditedModel(options, (tensors) => tensors.filter((t) => !t.name.startsWith('electra.embeddings_project')));
  await rejectsWith(loadCheckpointWeights(noProjection), /lacks 2 tensors that config\.json implies: bert\.embeddings_project\.weight, bert\.embeddings_project\.bias/);
});

test('F16 weights are converted, with a note', async () => {
  const dir = writeTinyModel({ dtype: 'F16' });
  const loaded = await loadCheckpointWeights(dir);
  assert.deepEqual([...loaded.tensors.get('qa_outputs.bias')!.data], [1, 1]);
  assert.deepEqual(loaded.warnings, ['39 tensors stored as F16 were converted to float32']);
});

test('an unsupported architecture fails on its config before any weight is read', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'roberta', architectures: ['RobertaForQuestionAnswering'] }));
  mkdirSync(path.join(dir, 'model.safetensors'));
  await rejectsWith(loadCheckpointWeights(dir), /model_type "roberta" \(architectures: RobertaForQuestionAnswering\), which SpanTune does not support/);
});

test('a weight holding NaN or Infinity is refused, naming the tensor and the element', async () => {
  const poison = (name: string, index: number, value: number) => (tensors: RawTensor[]) =>
    tensors.map((t) => {
      if (t.name !== name) return t;
      const values = new Float32Array(t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.byteLength));
      values[index] = value;
      return { ...t, bytes: f32Bytes(values) };
    });
  const nan = writeEditedModel({}, poison('bert.encoder.layer.1.attention.self.key.weight', 5, NaN));
  await rejectsWith(
    loadCheckpointWeights(nan),
    /^bert\.encoder\.layer\.1\.attention\.self\.key\.weight in model\.safetensors holds NaN \(element 5; 1 of 64 values are not finite\): the checkpoint is corrupt or was saved from a run that diverged$/,
  );
  const inf = writeEditedModel({}, poison('qa_outputs.bias', 1, -Infinity));
  await rejectsWith(loadCheckpointWeights(inf), /^qa_outputs\.bias in model\.safetensors holds -Infinity \(element 1; 1 of 2 values/);
});
