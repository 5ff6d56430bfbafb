/**
 * The SIMD kernels (kernels.wat) give exactly the bits of the scalar definitions they replace: the
 * dropout masks of mulberry32 and the float32 AdamW update, over lengths that end in the middle of a
 * vector and of a chunk; and the committed module is what the .wat compiles to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileKernels } from '../../../scripts/build-kernels';
import { Float32AdamW } from '../../../src/engine/train/adamw-float32';
import { fillDropoutMask } from '../../../src/engine/train/dropout';
import { KERNELS_WASM_BASE64 } from '../../../src/engine/train/kernels-wasm';
import { Rng } from '../../../src/engine/train/rng';

const f = Math.fround;

/** mulberry32 as published (one state increment, mix, output / 2³²), a value per draw. */
function referenceMask(length: number, rate: number, seed: number): Float32Array {
  const values = new Float32Array(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const uniform = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    values[i] = uniform < rate ? 0 : 1 / (1 - rate);
  }
  return values;
}

/** Index and values of the first difference, for a readable failure. */
function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length);
  const ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ia[i] !== ib[i]) return `index ${i}: ${a[i]} against ${b[i]}`;
  return a.length === b.length ? undefined : `lengths ${a.length} and ${b.length}`;
}

test('the committed kernels-wasm.ts is what kernels.wat compiles to (npm run build:kernels)', async () => {
  assert.deepEqual(Buffer.from(KERNELS_WASM_BASE64, 'base64'), Buffer.from(await compileKernels()));
});

test('dropout masks from the SIMD kernel equal mulberry32 value by value, across vector and chunk ends', () => {
  const lengths = [0, 1, 3, 4, 5, 7, 8, 33, 16384, 16387, 3 * 16384 + 5, 8 * 12 * 40 * 40 + 2];
  const seeds = [0, 1, 42, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32 + 5, 3_141_592_653];
  const rates = [0, 0.1, 0.25, 0.5, 0.9, 2 ** -32, 1 - 2 ** -20];
  let checked = 0;
  for (const length of lengths) {
    for (const [k, seed] of seeds.entries()) {
      const rate = rates[(k + length) % rates.length]!;
      const got = fillDropoutMask(new Float32Array(length).fill(NaN), rate, seed);
      const difference = firstDifference(got, referenceMask(length, rate, seed));
      assert.equal(difference, undefined, `length ${length}, rate ${rate}, seed ${seed}: ${difference}`);
      checked += length;
    }
  }
  // The kept share is the rate's complement (a kernel that kept everything, or nothing, fails here).
  const big = fillDropoutMask(new Float32Array(200_000), 0.1, 7);
  const kept = big.filter((v) => v !== 0).length / big.length;
  assert.ok(Math.abs(kept - 0.9) < 0.005, `kept ${kept}`);
  assert.ok(checked > 500_000);
});

test('the SIMD AdamW updates bit for bit as the scalar float32 loop, with and without decay and clipping, over chunk ends', () => {
  const rng = new Rng(9);
  const sizes = { 'encoder.weight': 3 * 4096 + 6, 'encoder.bias': 4099, 'LayerNorm.weight': 3, 'head.weight': 4096 };
  const initial = new Map(Object.entries(sizes).map(([name, n]) => [name, Float32Array.from({ length: n }, () => f((rng.nextFloat() - 0.5) * 0.2))]));
  const parameters = [...initial].map(([name, data]) => ({ name, shape: [data.length], data: Float32Array.from(data) }));
  const optimizer = new Float32AdamW(parameters, { weightDecay: 0.01 });
  const reference = [...initial].map(([name, data]) => ({ name, p: Float32Array.from(data), m: new Float32Array(data.length), v: new Float32Array(data.length), decays: !/bias|LayerNorm/.test(name) }));
  const lrs = [1e-3, 3e-5, 5e-4, 0];
  for (const [t0, lr] of lrs.entries()) {
    const t = t0 + 1;
    const scale = t % 2 === 0 ? f(0.37) : 1;
    // Gradients over many magnitudes, with zeros (rows without tokens) and subnormal values.
    const grads = new Map(parameters.map(({ name, data }) => [name, Float32Array.from({ length: data.length }, (_, i) =>
      i % 11 === 0 ? 0 : i % 13 === 0 ? f(1e-41 * (rng.nextFloat() - 0.5)) : f((rng.nextFloat() - 0.5) * 10 ** -(1 + rng.nextInt(6))))]));
    optimizer.step(grads, lr, scale);
    for (const r of reference) {
      const g0 = grads.get(r.name)!;
      const decay = f(1 - lr * (r.decays ? 0.01 : 0));
      const [b1c, b2, b2c, bc2, eps, step] = [f(1 - 0.9), f(0.999), f(1 - 0.999), f(Math.sqrt(1 - 0.999 ** t)), f(1e-8), f(-(lr / (1 - 0.9 ** t)))];
      for (let i = 0; i < r.p.length; i++) {
        const g = scale === 1 ? g0[i]! : f(g0[i]! * scale);
        r.m[i] = f(r.m[i]! + f(b1c * f(g - r.m[i]!)));
        r.v[i] = f(f(r.v[i]! * b2) + f(f(g * b2c) * g));
        const denom = f(f(f(Math.sqrt(r.v[i]!)) / bc2) + eps);
        r.p[i] = f((decay === 1 ? r.p[i]! : f(r.p[i]! * decay)) + f(f(step * r.m[i]!) / denom));
      }
      const state = optimizer.getState().parameters.find((s) => s.name === r.name)!;
      const parameter = parameters.find((p) => p.name === r.name)!.data;
      for (const [what, got, want] of [['p', parameter, r.p], ['m', state.expAvg, r.m], ['v', state.expAvgSq, r.v]] as const) {
        const difference = firstDifference(got, want);
        assert.equal(difference, undefined, `step ${t}, ${r.name}.${what}: ${difference}`);
      }
    }
  }
  // The update moved every parameter that had a gradient (a kernel that wrote nothing fails here).
  for (const { name, data } of parameters) assert.ok(data.some((x, i) => x !== initial.get(name)![i]), name);
});
