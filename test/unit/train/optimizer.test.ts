import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { AdamW, appliesWeightDecay, type NamedParameter } from '../../../src/engine/train/optimizer';
import { Float32AdamW } from '../../../src/engine/train/adamw-float32';
import { Rng } from '../../../src/engine/train/rng';
import { UserError } from '../../../src/engine/errors';

before(async () => {
  await tf.setBackend('cpu');
});

/** torch.optim.AdamW written out element by element in float64, independent of tfjs. */
class ReferenceAdamW {
  readonly state = new Map<string, { p: number[]; m: number[]; v: number[]; step: number; decays: boolean }>();
  constructor(
    initial: Map<string, number[]>,
    private readonly wd: number,
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    for (const [name, p] of initial) {
      this.state.set(name, { p: [...p], m: p.map(() => 0), v: p.map(() => 0), step: 0, decays: !/bias|LayerNorm|layer_norm/.test(name) });
    }
  }
  step(grads: Map<string, number[]>, lr: number) {
    for (const [name, s] of this.state) {
      const g = grads.get(name);
      if (!g) continue; // grad None: nothing happens, the step count included
      s.step += 1;
      const wd = s.decays ? this.wd : 0;
      for (let i = 0; i < s.p.length; i++) {
        s.p[i] = s.p[i]! * (1 - lr * wd);
        s.m[i] = this.b1 * s.m[i]! + (1 - this.b1) * g[i]!;
        s.v[i] = this.b2 * s.v[i]! + (1 - this.b2) * g[i]! * g[i]!;
        const mHat = s.m[i]! / (1 - this.b1 ** s.step);
        const vHat = s.v[i]! / (1 - this.b2 ** s.step);
        s.p[i] = s.p[i]! - (lr * mHat) / (Math.sqrt(vHat) + this.eps);
      }
    }
  }
}

const SHAPES: Record<string, number[]> = {
  'bert.embeddings.word_embeddings.weight': [5, 3],
  'bert.encoder.layer.0.attention.self.query.weight': [3, 3],
  'bert.encoder.layer.0.attention.self.query.bias': [3],
  'bert.encoder.layer.0.output.LayerNorm.weight': [3],
  'qa_outputs.weight': [2, 3],
};
const PAD_ROW = 0; // word-embedding row of pad_token_id: its gradient is always zero

function initialValues(seed: number): Map<string, number[]> {
  const rng = new Rng(seed);
  const values = new Map<string, number[]>();
  for (const [name, shape] of Object.entries(SHAPES)) {
    const size = shape.reduce((a, b) => a * b, 1);
    // Magnitudes in [0.1, 1) with random signs, exactly representable in float32.
    values.set(name, Array.from({ length: size }, () => Math.fround((rng.nextFloat() * 0.9 + 0.1) * (rng.nextInt(2) ? 1 : -1))));
  }
  return values;
}

function gradientValues(rng: Rng, skip: Set<string>): Map<string, number[]> {
  const grads = new Map<string, number[]>();
  for (const [name, shape] of Object.entries(SHAPES)) {
    if (skip.has(name)) continue;
    const size = shape.reduce((a, b) => a * b, 1);
    const g = Array.from(rng.normalArray(size, 0, 1), (x) => Math.fround(x));
    if (name.includes('word_embeddings')) for (let j = 0; j < shape[1]!; j++) g[PAD_ROW * shape[1]! + j] = 0;
    grads.set(name, g);
  }
  return grads;
}

function makeParameters(values: Map<string, number[]>): NamedParameter[] {
  return [...values].map(([name, v]) => ({ name, variable: tf.variable(tf.tensor(v, SHAPES[name]!, 'float32'), true, `${name}#${Math.random()}`) }));
}

function toTensors(grads: Map<string, number[]>): Map<string, tf.Tensor> {
  return new Map([...grads].map(([name, g]) => [name, tf.tensor(g, SHAPES[name]!, 'float32')]));
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-6, abs = 1e-12) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= rel * Math.abs(e) + abs, `${what}[${i}]: ${a} vs ${e}`);
  }
}

const SCHEDULES = [
  { wd: 0.01, lrs: [0, 1e-3, 5e-3, 2e-3, 1e-2, 3e-5], skips: [[], [], ['qa_outputs.weight'], [], ['bert.encoder.layer.0.attention.self.query.bias'], []] },
  { wd: 0.1, lrs: [1e-2, 1e-2, 5e-2, 0.1], skips: [['qa_outputs.weight'], ['qa_outputs.weight'], [], []] },
  { wd: 0, lrs: [3e-5, 2e-5, 1e-5], skips: [[], [], []] },
];

for (const [index, { wd, lrs, skips }] of SCHEDULES.entries()) {
  test(`matches a float64 reference of torch's AdamW (schedule ${index}: wd ${wd}, lrs ${lrs.join(', ')})`, () => {
    const init = initialValues(100 + index);
    const params = makeParameters(init);
    const optimizer = new AdamW(params, { weightDecay: wd });
    const reference = new ReferenceAdamW(init, wd);
    const rng = new Rng(200 + index);
    for (const [k, lr] of lrs.entries()) {
      const grads = gradientValues(rng, new Set(skips[k]));
      const tensors = toTensors(grads);
      optimizer.step(tensors, lr);
      for (const t of tensors.values()) t.dispose();
      reference.step(grads, lr);
      for (const { name, variable } of params) {
        assertClose(variable.dataSync(), reference.state.get(name)!.p, `step ${k} ${name}`);
        assert.equal(optimizer.stepOf(name), reference.state.get(name)!.step, `step count of ${name}`);
      }
    }
    const state = optimizer.getState();
    for (const saved of state.parameters) {
      const ref = reference.state.get(saved.name)!;
      // Moments are sums of O(1) gradients: near-cancelling entries get an absolute float32 floor.
      assertClose(saved.expAvg, ref.m, `m of ${saved.name}`, 1e-5, 1e-7);
      assertClose(saved.expAvgSq, ref.v, `v of ${saved.name}`, 1e-5, 1e-9);
    }
    optimizer.dispose();
    for (const p of params) p.variable.dispose();
  });
}

test('a missing gradient leaves the parameter, its moments and its step count untouched (as grad None in torch)', () => {
  const init = initialValues(1);
  const params = makeParameters(init);
  const optimizer = new AdamW(params);
  const rng = new Rng(2);
  const skip = new Set(['qa_outputs.weight']);
  for (let k = 0; k < 3; k++) {
    const tensors = toTensors(gradientValues(rng, skip));
    optimizer.step(tensors, 1e-2);
    for (const t of tensors.values()) t.dispose();
  }
  const head = params.find((p) => p.name === 'qa_outputs.weight')!;
  assert.deepEqual(Array.from(head.variable.dataSync()), init.get('qa_outputs.weight')!.map(Math.fround));
  assert.equal(optimizer.stepOf('qa_outputs.weight'), 0);
  assert.equal(optimizer.stepOf('bert.encoder.layer.0.attention.self.query.weight'), 3);
  assert.ok(!optimizer.getState().parameters.some((p) => p.name === 'qa_outputs.weight'), 'no state before a first gradient');
  // Its first gradient then uses bias correction for t = 1, not t = 4.
  const tensors = toTensors(gradientValues(rng, new Set()));
  const g = tensors.get('qa_outputs.weight')!.dataSync();
  const p0 = init.get('qa_outputs.weight')!;
  optimizer.step(tensors, 1e-2);
  const p1 = head.variable.dataSync();
  for (let i = 0; i < p0.length; i++) {
    // t = 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε) after decay.
    const expected = p0[i]! * (1 - 1e-2 * 0.01) - (1e-2 * g[i]!) / (Math.abs(g[i]!) + 1e-8);
    assert.ok(Math.abs(p1[i]! - expected) < 1e-6, `${p1[i]} vs ${expected}`);
  }
  for (const t of tensors.values()) t.dispose();
  optimizer.dispose();
});

test('the padding row (zero gradient) is only shrunk by weight decay, as in torch', () => {
  const init = initialValues(3);
  const params = makeParameters(init);
  const optimizer = new AdamW(params, { weightDecay: 0.1 });
  const rng = new Rng(4);
  const lrs = [0.05, 0.02, 0.01];
  for (const lr of lrs) {
    const tensors = toTensors(gradientValues(rng, new Set()));
    optimizer.step(tensors, lr);
    for (const t of tensors.values()) t.dispose();
  }
  const emb = params.find((p) => p.name.includes('word_embeddings'))!;
  const row = Array.from(emb.variable.dataSync()).slice(0, 3);
  const factor = lrs.reduce((f, lr) => f * (1 - lr * 0.1), 1);
  assertClose(row, init.get(emb.name)!.slice(0, 3).map((x) => x * factor), 'pad row');
  const state = optimizer.getState().parameters.find((p) => p.name === emb.name)!;
  assert.deepEqual(Array.from(state.expAvg.slice(0, 3)), [0, 0, 0]);
  optimizer.dispose();
});

test('weight decay follows Hugging Face: not on biases or LayerNorm parameters (BERT and DistilBERT names)', () => {
  const noDecay = [
    'bert.embeddings.LayerNorm.weight',
    'bert.embeddings.LayerNorm.bias',
    'bert.encoder.layer.3.attention.output.LayerNorm.weight',
    'bert.encoder.layer.3.output.dense.bias',
    'qa_outputs.bias',
    'distilbert.transformer.layer.0.sa_layer_norm.weight',
    'distilbert.transformer.layer.0.output_layer_norm.weight',
    'distilbert.embeddings.LayerNorm.weight',
    'distilbert.transformer.layer.0.ffn.lin1.bias',
  ];
  const decay = [
    'bert.embeddings.word_embeddings.weight',
    'bert.embeddings.position_embeddings.weight',
    'bert.embeddings.token_type_embeddings.weight',
    'bert.encoder.layer.3.attention.self.key.weight',
    'bert.encoder.layer.3.intermediate.dense.weight',
    'distilbert.transformer.layer.0.attention.q_lin.weight',
    'distilbert.transformer.layer.0.ffn.lin2.weight',
    'qa_outputs.weight',
  ];
  for (const name of noDecay) assert.equal(appliesWeightDecay(name), false, name);
  for (const name of decay) assert.equal(appliesWeightDecay(name), true, name);
});

test('the first step at learning rate 0 (warm-up) changes no parameter but counts and fills the moments', () => {
  const init = initialValues(5);
  const params = makeParameters(init);
  const optimizer = new AdamW(params);
  const tensors = toTensors(gradientValues(new Rng(6), new Set()));
  optimizer.step(tensors, 0);
  for (const { name, variable } of params) assert.deepEqual(Array.from(variable.dataSync()), init.get(name)!, name);
  assert.equal(optimizer.stepOf('qa_outputs.weight'), 1);
  const m = optimizer.getState().parameters.find((p) => p.name === 'qa_outputs.weight')!.expAvg;
  assertClose(m, Array.from(tensors.get('qa_outputs.weight')!.dataSync(), (g) => 0.1 * g), 'm after one step');
  for (const t of tensors.values()) t.dispose();
  optimizer.dispose();
});

test('save and restore: a resumed optimizer continues exactly like an uninterrupted one; no tensors leak', () => {
  const init = initialValues(7);
  const lrs = [1e-3, 2e-3, 3e-3, 4e-3, 5e-3];
  const gradRng = new Rng(8);
  const grads = lrs.map((_, k) => gradientValues(gradRng, new Set(k === 1 ? ['qa_outputs.weight'] : [])));

  const straight = makeParameters(init);
  const a = new AdamW(straight);
  for (const [k, lr] of lrs.entries()) {
    const t = toTensors(grads[k]!);
    const before = tf.memory().numTensors;
    a.step(t, lr);
    if (k > 0) assert.equal(tf.memory().numTensors, before, `no tensor leaked in step ${k}`);
    for (const x of t.values()) x.dispose();
  }

  const first = makeParameters(init);
  const b = new AdamW(first);
  for (const k of [0, 1, 2]) {
    const t = toTensors(grads[k]!);
    b.step(t, lrs[k]!);
    for (const x of t.values()) x.dispose();
  }
  const saved = structuredClone(b.getState());
  const weights = first.map((p) => ({ name: p.name, values: p.variable.dataSync().slice() }));
  b.dispose();

  const resumedParams = weights.map(({ name, values }) => ({ name, variable: tf.variable(tf.tensor(values, SHAPES[name]!)) }));
  const c = new AdamW(resumedParams);
  c.setState(saved);
  for (const k of [3, 4]) {
    const t = toTensors(grads[k]!);
    c.step(t, lrs[k]!);
    for (const x of t.values()) x.dispose();
  }
  for (const [i, p] of straight.entries()) {
    assert.deepEqual(Array.from(resumedParams[i]!.variable.dataSync()), Array.from(p.variable.dataSync()), p.name);
    assert.equal(c.stepOf(p.name), a.stepOf(p.name));
  }
  assert.equal(c.stepOf('qa_outputs.weight'), 4);
  a.dispose();
  c.dispose();
});

test('restoring state that does not fit the model is a UserError naming the parameter', () => {
  const params = makeParameters(initialValues(9));
  const optimizer = new AdamW(params);
  const good = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };
  const entry = (name: string, shape: number[], size: number) => ({ name, shape, step: 1, expAvg: new Float32Array(size), expAvgSq: new Float32Array(size) });
  assert.throws(() => optimizer.setState({ ...good, parameters: [entry('nope.weight', [2], 2)] }), (e: unknown) => e instanceof UserError && /nope\.weight/.test(e.message));
  assert.throws(() => optimizer.setState({ ...good, parameters: [entry('qa_outputs.weight', [3, 2], 6)] }), (e: unknown) => e instanceof UserError && /qa_outputs\.weight.*shape/.test(e.message));
  assert.throws(() => optimizer.setState({ ...good, parameters: [entry('qa_outputs.weight', [2, 3], 5)] }), UserError);
  assert.throws(() => new AdamW(params, { beta1: 1 }), RangeError);
  assert.throws(() => optimizer.step(new Map([['unknown', tf.zeros([1])]]), 1e-3), /unknown/);
  optimizer.dispose();
});

test('on the cpu backend each element follows the documented float32 operation order exactly', () => {
  const f = Math.fround;
  const init = initialValues(11);
  const params = makeParameters(init);
  const optimizer = new AdamW(params, { weightDecay: 0.05 });
  const rng = new Rng(12);
  const emulated = new Map([...init].map(([name, p]) => [name, { p: p.map(f), m: p.map(() => 0), v: p.map(() => 0) }]));
  const lrs = [1e-3, 7e-3, 2e-3];
  for (const [k, lr] of lrs.entries()) {
    const grads = gradientValues(rng, new Set());
    const tensors = toTensors(grads);
    optimizer.step(tensors, lr);
    for (const t of tensors.values()) t.dispose();
    const t = k + 1;
    for (const [name, s] of emulated) {
      const g = grads.get(name)!;
      const decay = appliesWeightDecay(name) ? f(1 - lr * 0.05) : 1;
      const stepSize = f(-(lr / (1 - 0.9 ** t)));
      const bc2Sqrt = f(Math.sqrt(1 - 0.999 ** t));
      for (let i = 0; i < s.p.length; i++) {
        s.m[i] = f(s.m[i]! + f(f(g[i]! - s.m[i]!) * f(1 - 0.9)));
        s.v[i] = f(f(s.v[i]! * f(0.999)) + f(f(g[i]! * f(1 - 0.999)) * g[i]!));
        const denom = f(f(f(Math.sqrt(s.v[i]!)) / bc2Sqrt) + f(1e-8));
        s.p[i] = f(f(s.p[i]! * decay) + f(f(s.m[i]! * stepSize) / denom));
      }
    }
  }
  for (const { name, variable } of params) assert.deepEqual(Array.from(variable.dataSync()), emulated.get(name)!.p, name);
  optimizer.dispose();
});

test('an update holds at most three full-size temporaries of the largest parameter beside p, g, m, v', async () => {
  const big = tf.variable(tf.zeros([300, 300]));
  const small = tf.variable(tf.zeros([10]));
  const optimizer = new AdamW([
    { name: 'big.weight', variable: big },
    { name: 'small.bias', variable: small },
  ]);
  const grads = new Map<string, tf.Tensor>([
    ['big.weight', tf.fill([300, 300], 0.5)],
    ['small.bias', tf.fill([10], -0.5)],
  ]);
  optimizer.step(grads, 1e-3); // allocates m and v
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => optimizer.step(grads, 1e-3));
  const bigBytes = 300 * 300 * 4;
  assert.ok(info.peakBytes - before <= 3 * bigBytes + 1024, `peak extra ${(info.peakBytes - before) / bigBytes} × the largest parameter`);
  assert.equal(tf.memory().numBytes, before);
  for (const g of grads.values()) g.dispose();
  optimizer.dispose();
  big.dispose();
  small.dispose();
});

test('the Float32Array AdamW of the ONNX Runtime path updates bit for bit as the tfjs AdamW (clipping factor, skipped gradients, restored state)', () => {
  for (const [index, { wd, lrs, skips }] of SCHEDULES.entries()) {
    const init = initialValues(300 + index);
    const params = makeParameters(init);
    const tfjs = new AdamW(params, { weightDecay: wd });
    const arrays = [...init].map(([name, v]) => ({ name, shape: SHAPES[name]!, data: Float32Array.from(v) }));
    let f32 = new Float32AdamW(arrays, { weightDecay: wd });
    const rng = new Rng(400 + index);
    for (const [k, lr] of lrs.entries()) {
      const grads = gradientValues(rng, new Set(skips[k]));
      const scale = k % 2 === 0 ? 1 : Math.fround(0.37);
      // clip_grad_norm_ multiplies each gradient by the factor in float32 before the update.
      const tensors = toTensors(new Map([...grads].map(([name, g]) => [name, g.map((x) => Math.fround(x * scale))])));
      tfjs.step(tensors, lr);
      for (const t of tensors.values()) t.dispose();
      f32.step(new Map([...grads].map(([name, g]) => [name, Float32Array.from(g)])), lr, scale);
      for (const { name, variable } of params) {
        assert.deepEqual(arrays.find((a) => a.name === name)!.data, variable.dataSync() as Float32Array, `schedule ${index}, step ${k}: ${name}`);
        assert.equal(f32.stepOf(name), tfjs.stepOf(name));
      }
      // A checkpoint in the middle: a fresh optimizer from the saved state goes on identically.
      if (k === 1) {
        const state = f32.getState();
        f32 = new Float32AdamW(arrays, { weightDecay: wd });
        f32.setState(state);
      }
    }
    assert.deepEqual(f32.getState(), tfjs.getState());
    tfjs.dispose();
    for (const p of params) p.variable.dispose();
  }
});
