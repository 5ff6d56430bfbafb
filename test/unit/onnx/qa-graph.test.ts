/**
 * The ONNX question-answering graph computes what Hugging Face's PyTorch code computes: start/end
 * logits within 1e-5 of the reference outputs, for BERT and DistilBERT, on ONNX Runtime's CPU
 * provider; and its weight tree names exactly the checkpoint's parameters.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { parseModelConfig } from '../../../src/engine/checkpoint/config';
import { parameterSpecs } from '../../../src/engine/checkpoint/parameters';
import { loadQaWeights } from '../../../src/engine/checkpoint/qa-weights';
import { weightNames } from '../../../src/engine/onnx/layers';
import { buildQaGraph, qaWeightTree } from '../../../src/engine/onnx/qa-graph';

const shared = path.resolve(__dirname, '../../../../shared');
const fixtureModel = (name: string) => path.join(shared, 'fixtures/models', name);

interface GoldenCase {
  input_ids: number[][];
  token_type_ids?: number[][];
  attention_mask: number[][];
  start_logits_f32: number[][];
  end_logits_f32: number[][];
}

const bertGolden = JSON.parse(readFileSync(path.join(shared, 'fixtures/golden_forward_bert.json'), 'utf8')).models['tiny-bert-qa'].cases as GoldenCase[];
const distilGolden = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/golden_forward_distilbert.json'), 'utf8')).cases as GoldenCase[];

function int64Matrix(rows: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, rows[0]!.length]);
}

async function maxLogitError(modelDir: string, cases: GoldenCase[]): Promise<number> {
  const { config, tensors } = await loadQaWeights(modelDir);
  const graph = buildQaGraph(config, tensors);
  const session = await ort.InferenceSession.create(graph.bytes, { executionProviders: ['cpu'] });
  let worst = 0;
  try {
    for (const c of cases) {
      const feeds: Record<string, ort.Tensor> = { input_ids: int64Matrix(c.input_ids), attention_mask: int64Matrix(c.attention_mask) };
      if (graph.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64Matrix(c.token_type_ids ?? c.input_ids.map((row) => row.map(() => 0)));
      const out = await session.run(feeds);
      const start = out.start_logits!.data as Float32Array;
      const end = out.end_logits!.data as Float32Array;
      assert.deepEqual(out.start_logits!.dims, [c.input_ids.length, c.input_ids[0]!.length]);
      c.start_logits_f32.flat().forEach((want, i) => (worst = Math.max(worst, Math.abs(start[i]! - want))));
      c.end_logits_f32.flat().forEach((want, i) => (worst = Math.max(worst, Math.abs(end[i]! - want))));
    }
  } finally {
    await session.release();
  }
  return worst;
}

test('tiny BERT logits through the ONNX graph match Hugging Face within 1e-5 (CPU provider)', async () => {
  const error = await maxLogitError(fixtureModel('tiny-bert-qa'), bertGolden);
  assert.ok(error < 1e-5, `max |Δ logit| = ${error}`);
});

test('tiny DistilBERT logits through the ONNX graph match the PyTorch reference within 1e-5 (CPU provider)', async () => {
  const error = await maxLogitError(fixtureModel('tiny-distilbert-qa'), distilGolden);
  assert.ok(error < 1e-5, `max |Δ logit| = ${error}`);
});

test('the weight trees name exactly the parameters of BERT, DistilBERT and ELECTRA-with-projection checkpoints', () => {
  const configs = [
    parseModelConfig({ model_type: 'bert', hidden_size: 32, num_hidden_layers: 3, num_attention_heads: 2, intermediate_size: 64 }),
    parseModelConfig({ model_type: 'distilbert', dim: 32, n_layers: 2, n_heads: 2, hidden_dim: 64 }),
    parseModelConfig({ model_type: 'electra', hidden_size: 64, embedding_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 128 }),
  ];
  for (const config of configs) {
    const names = weightNames(qaWeightTree(config));
    assert.equal(new Set(names).size, names.length, `${config.hubModelType}: no name twice`);
    assert.deepEqual([...names].sort(), parameterSpecs(config).map((s) => s.name).sort(), config.hubModelType);
  }
});

test('a missing weight is named when the graph cannot be built', async () => {
  const { config, tensors } = await loadQaWeights(fixtureModel('tiny-bert-qa'));
  tensors.delete('bert.encoder.layer.1.intermediate.dense.bias');
  assert.throws(() => buildQaGraph(config, tensors), /bert\.encoder\.layer\.1\.intermediate\.dense\.bias/);
});
