/**
 * The training graph's gradients (hand-written backward passes of every block, training-graph.ts)
 * against central finite differences of its own loss, on ONNX Runtime's CPU provider: for entries of
 * every kind of parameter of BERT and DistilBERT, with each activation (gelu, gelu_new, relu), with an
 * ELECTRA embedding projection, with DistilBERT's frozen sinusoidal table, and with dropout masks fed;
 * plus the rows of the word table that must get exactly no gradient (padding_idx, unused ids). And
 * the loss's Hugging Face semantics: positions clamped to [0, S], a position of S ignored.
 *
 * relu's kink makes float32 differences through a whole model unreliable (a step crosses it at some
 * of the thousands of pre-activations), so the activations' derivatives are also checked alone,
 * against double-precision differences of their formulas, away from the kink.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadQaWeights } from '../../../src/engine/checkpoint/qa-weights';
import type { ModelConfig } from '../../../src/engine/checkpoint/config';
import { parameterSpecs } from '../../../src/engine/checkpoint/parameters';
import type { FloatTensor } from '../../../src/engine/checkpoint/safetensors';
import { FLOAT, GraphBuilder } from '../../../src/engine/onnx/graph';
import { activation, activationBackward } from '../../../src/engine/onnx/layers';
import { buildTrainingGraph, isTrainable, LOSS_OUTPUT, LOSS_WEIGHT_INPUT } from '../../../src/engine/onnx/training-graph';
import { withDropout } from '../../../src/engine/train/dropout';
import { gradientFailures, measureGradients, randomWeights, smallConfig } from '../../support/gradient-probes';

const shared = path.resolve(__dirname, '../../../../shared');
const fixture = (name: string) => path.join(shared, 'fixtures/models', name);
const trainable = (config: ModelConfig) => parameterSpecs(config).map((s) => s.name).filter((name) => isTrainable(config, name));

async function check(config: ModelConfig, tensors: Map<string, FloatTensor>, dropout = 0) {
  const m = await measureGradients(withDropout(config, dropout), tensors, { provider: 'cpu', perParameter: 2, dropout });
  assert.deepEqual(gradientFailures(m, trainable(config)), [], `loss ${m.loss}`);
  assert.ok(m.probes.length >= 2 * trainable(config).length);
}

describe('training graph gradients against finite differences (CPU provider, float32)', () => {
  test('tiny BERT fixture (gelu, 30,522-row vocabulary)', async () => {
    const { config, tensors } = await loadQaWeights(fixture('tiny-bert-qa'));
    await check(config, tensors);
  });
  test('tiny DistilBERT fixture', async () => {
    const { config, tensors } = await loadQaWeights(fixture('tiny-distilbert-qa'));
    await check(config, tensors);
  });
  test('BERT with gelu_new and dropout masks fed', async () => {
    const config = smallConfig({ model_type: 'bert', hidden_act: 'gelu_new' });
    await check(config, randomWeights(config, 1), 0.2);
  });
  test('ELECTRA with an embedding projection', async () => {
    const config = smallConfig({ model_type: 'electra', embedding_size: 8 });
    await check(config, randomWeights(config, 2));
  });
  test('DistilBERT with dropout masks fed (qa_dropout included)', async () => {
    const config = smallConfig({ model_type: 'distilbert', dim: 16, n_layers: 2, n_heads: 2, hidden_dim: 32 });
    await check(config, randomWeights(config, 3), 0.2);
  });
  test('DistilBERT with the sinusoidal table: frozen, no gradient output', async () => {
    const config = smallConfig({ model_type: 'distilbert', dim: 16, n_layers: 1, n_heads: 2, hidden_dim: 32, sinusoidal_pos_embds: true, activation: 'gelu_new' });
    assert.ok(!trainable(config).includes('distilbert.embeddings.position_embeddings.weight'));
    await check(config, randomWeights(config, 4));
  });
});

describe('activation derivatives against double-precision differences', () => {
  const formulas = {
    relu: (x: number) => Math.max(0, x),
    gelu_new: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  };
  for (const [act, f] of Object.entries(formulas)) {
    test(act, async () => {
      const xs = Float32Array.from({ length: 41 }, (_, i) => -4 + i * 0.2 + 0.01); // no entry at the kink
      const g = new GraphBuilder();
      const x = g.input('x', FLOAT, [xs.length]);
      const forward = activation(g, x, act as keyof typeof formulas);
      g.output(forward.output, 'y', FLOAT, [xs.length]);
      g.output(activationBackward(g, forward.saved, g.constant(Array.from(xs, () => 1), [xs.length])), 'dx', FLOAT, [xs.length]);
      const session = await ort.InferenceSession.create(g.toModel({ name: act }), { executionProviders: ['cpu'] });
      const out = await session.run({ x: new ort.Tensor('float32', xs, [xs.length]) });
      await session.release();
      xs.forEach((v, i) => {
        const h = 1e-6;
        const slope = (f(v + h) - f(v - h)) / (2 * h);
        assert.ok(Math.abs((out.y!.data as Float32Array)[i]! - f(v)) < 1e-5, `${act}(${v})`);
        assert.ok(Math.abs((out.dx!.data as Float32Array)[i]! - slope) < 1e-5, `${act}'(${v}): ${(out.dx!.data as Float32Array)[i]} vs ${slope}`);
      });
    });
  }
});

describe('QA loss semantics', () => {
  const config = smallConfig({ model_type: 'bert' });
  const tensors = randomWeights(config, 5);
  const graph = buildTrainingGraph(withDropout(config, 0));
  const S = 8;
  const row = [2, 5, 7, 9, 3, 11, 13, 3];
  const int64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
  async function lossOf(rows: number[][], start: number[], end: number[]) {
    const session = await ort.InferenceSession.create(graph.bytes, { executionProviders: ['cpu'] });
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64(rows.flat(), [rows.length, S]),
      attention_mask: int64(rows.flat().map(() => 1), [rows.length, S]),
      token_type_ids: int64(rows.flat().map(() => 0), [rows.length, S]),
      start_positions: int64(start, [rows.length]),
      end_positions: int64(end, [rows.length]),
      [LOSS_WEIGHT_INPUT]: new ort.Tensor('float32', Float32Array.of(1), []),
    };
    for (const w of graph.weights) feeds[w.name] = new ort.Tensor('float32', tensors.get(w.name)!.data, w.shape);
    const out = await session.run(feeds);
    const grad = out[graph.gradients.find((g) => g.weight === 'qa_outputs.weight')!.output]!.data as Float32Array;
    await session.release();
    return { loss: (out[LOSS_OUTPUT]!.data as Float32Array)[0]!, grad: Array.from(grad) };
  }

  test('a position equal to the sequence length is ignored, and larger ones are clamped to it', async () => {
    const alone = await lossOf([row], [2], [4]);
    const other = [2, 6, 8, 10, 3, 12, 14, 3];
    for (const ignored of [S, S + 5]) {
      const withIgnored = await lossOf([row, other], [2, ignored], [4, ignored]);
      assert.ok(Math.abs(withIgnored.loss - alone.loss) < 1e-6, `ignored ${ignored}: ${withIgnored.loss} vs ${alone.loss}`);
      withIgnored.grad.forEach((g, i) => assert.ok(Math.abs(g - alone.grad[i]!) < 1e-6, `gradient ${i}`));
    }
    // A negative position is clamped to 0 ([CLS]), not ignored.
    const negative = await lossOf([row, other], [2, -3], [4, -3]);
    const atZero = await lossOf([row, other], [2, 0], [4, 0]);
    assert.equal(negative.loss, atZero.loss);
    assert.ok(Math.abs(negative.loss - alone.loss) > 1e-3);
  });

  test('every position ignored gives NaN, as torch.nn.CrossEntropyLoss does', async () => {
    assert.ok(Number.isNaN((await lossOf([row], [S], [S])).loss));
  });
});
