/**
 * The engine's gradients of the QA loss (qa-model.ts forward + loss.ts qaLoss, through
 * tf.variableGrads and the hand-written gradients of ops.ts and attention.ts) against central finite
 * differences, on the tiny fixture checkpoints, for entries of every kind of parameter; and the
 * padding row of the word embeddings, which Hugging Face's nn.Embedding(padding_idx) keeps at zero
 * gradient although it does change the loss.
 *
 * tfjs has no float64 on cpu or wasm, so the differences are taken in float32. The loss (about 4.8)
 * carries rounding noise of a few 1e-7, so the step must be large enough that noise/(2h) stays small,
 * and small enough that the O(h²) truncation error does too. The embedding tables (std 0.02) feed a
 * LayerNorm that divides by their spread, so a step there moves the loss about 30× more than the same
 * step on the std-0.2 weights of the layers: h = 1e-3 there, 1e-2 elsewhere. With those steps the
 * differences measured here agree with the gradients to within 0.3% + 2e-4 (see the assertion), while
 * the mistakes this guards against (a missing or doubled term, a transposed weight, a gradient that
 * ignores repeated ids) are off by 30% or more.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../../../src/engine/backend/select';
import { loadQaModel } from '../../../src/engine/model/load';
import { forward, trainableParameters, type QaModel } from '../../../src/engine/model/qa-model';
import type { BackendName } from '../../../src/engine/process/protocol';
import { qaLoss } from '../../../src/engine/train/loss';
import { tinyBertDir, tinyDistilBertDir } from '../../support/training-fixtures';

const SEQ = 16;
const PAD = 0;
/** Used twice in the first row and once in the second: its gradient must sum three contributions. */
const REPEATED_ID = 2054;
const SINGLE_ID = 3185;
// [CLS] question [SEP] context [SEP] [PAD]…
const ROWS = [
  [101, REPEATED_ID, 2003, 1996, 102, 3007, 1997, REPEATED_ID, 2003, 3000, 1012, 102, PAD, PAD, PAD, PAD],
  [101, 2040, 2001, REPEATED_ID, 102, 2198, 2001, 2141, 1999, SINGLE_ID, 1012, 2002, 2001, 102, PAD, PAD],
];
const TYPES = ROWS.map((row) => row.map((_, i) => (i > row.indexOf(102) && row[i] !== PAD ? 1 : 0)));
const MASK = ROWS.map((row) => row.map((id) => (id === PAD ? 0 : 1)));
const START = [7, 0]; // the second example is unanswerable: both labels on [CLS]
const END = [9, 0];

function lossOf(model: QaModel): tf.Scalar {
  return tf.tidy(() => {
    const inputs = {
      inputIds: tf.tensor2d(ROWS, [2, SEQ], 'int32'),
      tokenTypeIds: tf.tensor2d(TYPES, [2, SEQ], 'int32'),
      attentionMask: tf.tensor2d(MASK, [2, SEQ], 'int32'),
    };
    const { start, end } = forward(model, inputs, { training: true, dropoutOverride: 0, seed: 1 });
    return qaLoss(start, end, tf.tensor1d(START, 'int32'), tf.tensor1d(END, 'int32'));
  });
}

function lossValue(model: QaModel): number {
  const loss = lossOf(model);
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/** (L(w + h·e_i) − L(w − h·e_i)) / 2h for entry `index` of `variable`. */
function centralDifference(model: QaModel, variable: tf.Variable, index: number, h: number): number {
  const original = variable.dataSync().slice() as Float32Array;
  const at = (delta: number) => {
    const changed = original.slice();
    changed[index] = original[index]! + delta;
    variable.assign(tf.tensor(changed, variable.shape, 'float32'));
    return lossValue(model);
  };
  // The float32 entries actually reached, so the divisor is exact.
  const plus = Math.fround(original[index]! + h);
  const minus = Math.fround(original[index]! - h);
  const difference = (at(plus - original[index]!) - at(minus - original[index]!)) / (plus - minus);
  variable.assign(tf.tensor(original, variable.shape, 'float32'));
  return difference;
}

interface Probe {
  parameter: string;
  /** Flat indices into the variable (dense weights are held transposed, [in, out]). */
  indices: number[];
}

/** The entries to check: fixed rows of the embedding tables, and the largest-gradient entries elsewhere. */
function probes(model: QaModel, grads: Map<string, Float32Array>): Probe[] {
  const hidden = model.config.hiddenSize;
  const root = model.architecture === 'bert' ? 'bert' : 'distilbert';
  const layer = (i: number, bertPart: string, distilPart: string) =>
    model.architecture === 'bert' ? `bert.encoder.layer.${i}.${bertPart}` : `distilbert.transformer.layer.${i}.${distilPart}`;
  const largest = (name: string, count: number) => {
    const g = grads.get(name)!;
    return [...g.keys()].sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!)).slice(0, count);
  };
  const top = (name: string, count = 2): Probe => ({ parameter: name, indices: largest(name, count) });
  const list: Probe[] = [
    { parameter: `${root}.embeddings.word_embeddings.weight`, indices: [REPEATED_ID * hidden + 3, REPEATED_ID * hidden + 17, SINGLE_ID * hidden + 5] },
    { parameter: `${root}.embeddings.position_embeddings.weight`, indices: [2 * hidden + 1, 9 * hidden + 30] },
    top(`${root}.embeddings.LayerNorm.weight`),
    top(`${root}.embeddings.LayerNorm.bias`),
    top(layer(0, 'attention.self.query.weight', 'attention.q_lin.weight')),
    top(layer(0, 'attention.self.key.weight', 'attention.k_lin.weight')),
    top(layer(0, 'attention.self.value.weight', 'attention.v_lin.weight')),
    top(layer(1, 'attention.self.query.bias', 'attention.q_lin.bias')),
    top(layer(1, 'attention.output.dense.weight', 'attention.out_lin.weight')),
    top(layer(0, 'attention.output.LayerNorm.weight', 'sa_layer_norm.weight')),
    top(layer(1, 'intermediate.dense.weight', 'ffn.lin1.weight')),
    top(layer(1, 'output.dense.bias', 'ffn.lin2.bias')),
    top(layer(1, 'output.LayerNorm.bias', 'output_layer_norm.bias')),
    top('qa_outputs.weight'),
    top('qa_outputs.bias', 2),
  ];
  if (model.tokenTypeEmbeddings) list.push({ parameter: 'bert.embeddings.token_type_embeddings.weight', indices: [hidden + 4, 11] });
  return list;
}

const isEmbeddingTable = (name: string) => name.includes('embeddings.') && !name.includes('LayerNorm');

async function checkModel(modelDir: string, backend: BackendName) {
  await initBackend({ force: backend });
  const { model } = await loadQaModel(modelDir);
  try {
    const trainable = trainableParameters(model);
    const { value, grads } = tf.variableGrads(() => lossOf(model), trainable.map((p) => p.variable));
    const loss = value.dataSync()[0]!;
    value.dispose();
    const byName = new Map<string, Float32Array>();
    for (const p of trainable) {
      byName.set(p.name, grads[p.variable.name]!.dataSync().slice() as Float32Array);
    }
    tf.dispose(Object.values(grads));

    const failures: string[] = [];
    let checked = 0;
    for (const probe of probes(model, byName)) {
      const variable = model.parameters.get(probe.parameter);
      assert.ok(variable, `no parameter ${probe.parameter}`);
      const h = isEmbeddingTable(probe.parameter) ? 1e-3 : 1e-2;
      for (const index of probe.indices) {
        const analytic = byName.get(probe.parameter)![index]!;
        const numeric = centralDifference(model, variable, index, h);
        const allowed = 2e-4 + 3e-3 * Math.abs(numeric);
        checked++;
        if (!(Math.abs(numeric - analytic) <= allowed)) failures.push(`${probe.parameter}[${index}]: gradient ${analytic}, finite difference ${numeric}`);
      }
    }
    assert.deepEqual(failures, [], `loss ${loss}`);
    assert.ok(checked >= 30, `checked ${checked} entries`);

    // The repeated id's row gathers three positions' gradients; a wrong scatter would keep one.
    const word = byName.get(`${model.architecture === 'bert' ? 'bert' : 'distilbert'}.embeddings.word_embeddings.weight`)!;
    const hidden = model.config.hiddenSize;
    const row = (id: number) => word.subarray(id * hidden, (id + 1) * hidden);
    assert.ok(row(REPEATED_ID).some((g) => Math.abs(g) > 1e-3), 'the repeated id gets a gradient');
    assert.ok(row(SINGLE_ID).some((g) => Math.abs(g) > 1e-3), 'a used id gets a gradient');
    assert.ok(row(1000).every((g) => g === 0), 'an unused id gets none');

    // padding_idx: exactly zero, although the padding row does change the loss (pad positions get
    // logits of their own), so this is the nn.Embedding rule and not a by-product.
    assert.ok(row(PAD).every((g) => g === 0), `pad row gradient: ${Array.from(row(PAD).slice(0, 4))}`);
    const padInfluence = Math.max(...[0, 7, 21].map((c) => Math.abs(centralDifference(model, model.wordEmbeddings, PAD * hidden + c, 1e-3))));
    assert.ok(padInfluence > 1e-3, `the padding row changes the loss (max |dL/dw| ${padInfluence})`);
  } finally {
    for (const v of model.parameters.values()) v.dispose();
  }
}

describe('QA loss gradients against central finite differences (float32)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    test(`tiny BERT on ${backend}`, async () => {
      await checkModel(tinyBertDir, backend);
    });
    test(`tiny DistilBERT on ${backend}`, async () => {
      await checkModel(tinyDistilBertDir, backend);
    });
  }
});
