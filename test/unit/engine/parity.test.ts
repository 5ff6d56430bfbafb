/**
 * The model computes what Hugging Face's PyTorch code computes: start/end logits within 1e-5 of the
 * reference outputs in ../shared/fixtures, on every backend that runs here.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { initBackend } from '../../../src/engine/backend/select';
import { readSafetensors, writeSafetensors } from '../../../src/engine/checkpoint/safetensors';
import { loadQaModel } from '../../../src/engine/model/load';
import { copyTokenizerFiles } from '../../../src/engine/tokenizer/load';
import { disposeModel, forward } from '../../../src/engine/model/qa-model';

const shared = path.resolve(__dirname, '../../../../shared');
const fixtureModel = (name: string) => path.join(shared, 'fixtures/models', name);

interface GoldenCase {
  name: string;
  input_ids: number[][];
  token_type_ids?: number[][];
  attention_mask: number[][];
  start_logits_f32: number[][];
  end_logits_f32: number[][];
}

async function maxLogitError(modelDir: string, cases: GoldenCase[]): Promise<number> {
  const { model } = await loadQaModel(modelDir);
  let worst = 0;
  try {
    for (const c of cases) {
      const { start, end } = tf.tidy(() => {
        const inputs = {
          inputIds: tf.tensor2d(c.input_ids, undefined, 'int32'),
          attentionMask: tf.tensor2d(c.attention_mask, undefined, 'int32'),
          tokenTypeIds: c.token_type_ids ? tf.tensor2d(c.token_type_ids, undefined, 'int32') : undefined,
        };
        return forward(model, inputs, { training: false });
      });
      const [s, e] = [start.arraySync(), end.arraySync()];
      tf.dispose([start, end]);
      c.start_logits_f32.forEach((row, i) => row.forEach((want, j) => (worst = Math.max(worst, Math.abs(s[i]![j]! - want)))));
      c.end_logits_f32.forEach((row, i) => row.forEach((want, j) => (worst = Math.max(worst, Math.abs(e[i]![j]! - want)))));
    }
  } finally {
    disposeModel(model);
  }
  return worst;
}

const bertGolden = JSON.parse(readFileSync(path.join(shared, 'fixtures/golden_forward_bert.json'), 'utf8')).models['tiny-bert-qa'].cases as GoldenCase[];
const distilGolden = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/golden_forward_distilbert.json'), 'utf8')).cases as GoldenCase[];

for (const backend of ['wasm', 'cpu'] as const) {
  test(`tiny BERT logits match Hugging Face within 1e-5 on ${backend}`, async () => {
    await initBackend({ force: backend });
    const error = await maxLogitError(fixtureModel('tiny-bert-qa'), bertGolden);
    assert.ok(error < 1e-5, `max |Δ logit| = ${error}`);
  });

  test(`tiny DistilBERT logits match the PyTorch reference within 1e-5 on ${backend}`, async () => {
    await initBackend({ force: backend });
    const error = await maxLogitError(fixtureModel('tiny-distilbert-qa'), distilGolden);
    assert.ok(error < 1e-5, `max |Δ logit| = ${error}`);
  });
}

test('a base checkpoint without a QA head gets a seeded N(0, initializer_range) head, with a warning', async () => {
  await initBackend({ force: 'wasm' });
  // A BertModel-style folder: the fixture's encoder under names without the `bert.` prefix, no qa_outputs.
  const source = await readSafetensors(path.join(fixtureModel('tiny-bert-qa'), 'model.safetensors'));
  const folder = await mkdtemp(path.join(tmpdir(), 'spantune-base-'));
  const base = [...source.tensors].filter(([name]) => !name.startsWith('qa_outputs')).map(([name, t]) => ({ name: name.replace(/^bert\./, ''), ...t }));
  await writeSafetensors(path.join(folder, 'model.safetensors'), base);
  const config = JSON.parse(readFileSync(path.join(fixtureModel('tiny-bert-qa'), 'config.json'), 'utf8'));
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...config, architectures: ['BertModel'] }));
  await copyTokenizerFiles(fixtureModel('tiny-bert-qa'), folder);

  const first = await loadQaModel(folder, { seed: 7 });
  const second = await loadQaModel(folder, { seed: 7 });
  assert.ok(first.warnings.some((w) => w.includes('no question-answering head')), first.warnings.join('\n'));
  const head = Array.from(first.model.parameters.get('qa_outputs.weight')!.dataSync());
  assert.deepEqual(head, Array.from(second.model.parameters.get('qa_outputs.weight')!.dataSync()), 'same seed, same head');
  const std = Math.sqrt(head.reduce((s, x) => s + x * x, 0) / head.length);
  assert.ok(std > 0.01 && std < 0.03, `head std ${std} should be about 0.02`);
  assert.deepEqual(Array.from(first.model.parameters.get('qa_outputs.bias')!.dataSync()), [0, 0]);
  // The encoder weights are the fixture's.
  const word = first.model.parameters.get('bert.embeddings.word_embeddings.weight')!.dataSync();
  assert.equal(word[123], source.tensors.get('bert.embeddings.word_embeddings.weight')!.data[123]);
  disposeModel(first.model);
  disposeModel(second.model);
});
