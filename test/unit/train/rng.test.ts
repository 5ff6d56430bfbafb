import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from '../../../src/engine/train/rng';

test('xoshiro128** core matches the outputs derived by hand from state [1, 2, 3, 4]', () => {
  const rng = Rng.fromState({ s: [1, 2, 3, 4] });
  // out = rotl(s1·5, 7)·9; s1 = 2 → rotl(10, 7)·9 = 1280·9; then s1 becomes 0; then 1029 → rotl(5145, 7)·9.
  assert.deepEqual([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [11520, 0, 5927040]);
});

test('same seed gives the same stream; a different seed differs', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 20 }, () => a.nextUint32());
  const sb = Array.from({ length: 20 }, () => b.nextUint32());
  const sc = Array.from({ length: 20 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('seeds beyond 32 bits and negative seeds are distinct from their low words', () => {
  const first = (seed: number) => new Rng(seed).nextUint32();
  assert.notEqual(first(1), first(1 + 2 ** 32));
  assert.notEqual(first(1), first(-1));
  assert.throws(() => new Rng(1.5), RangeError);
});

test('getState/setState resumes the same stream, and the state survives JSON', () => {
  const rng = new Rng(7);
  for (let i = 0; i < 5; i++) rng.nextFloat();
  const saved = JSON.parse(JSON.stringify(rng.getState()));
  const expected = [rng.nextFloat(), rng.nextInt(10), rng.nextNormal()];
  const resumed = Rng.fromState(saved);
  assert.deepEqual([resumed.nextFloat(), resumed.nextInt(10), resumed.nextNormal()], expected);
  assert.throws(() => rng.setState({ s: [0, 0, 0, 0] }), RangeError);
  assert.throws(() => rng.setState({ s: [1, 2, 3] } as never), RangeError);
});

test('nextFloat lies in [0, 1) with mean near 1/2; nextInt is in range and roughly uniform', () => {
  const rng = new Rng(1);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const x = rng.nextFloat();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[rng.nextInt(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `count ${c}`);
  assert.throws(() => rng.nextInt(0), RangeError);
  assert.equal(rng.nextInt(1), 0);
});

test('shuffle is a seeded permutation (Fisher–Yates): all elements kept, every position reachable', () => {
  const a = new Rng(3).shuffle([...Array(50).keys()]);
  const b = new Rng(3).shuffle([...Array(50).keys()]);
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), [...Array(50).keys()]);
  assert.notDeepEqual(a, [...Array(50).keys()]);
  // Uniformity on 3 elements: each of the 6 permutations about 1/6 of the time.
  const rng = new Rng(9);
  const seen = new Map<string, number>();
  for (let i = 0; i < 12000; i++) {
    const key = rng.shuffle([0, 1, 2]).join('');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.equal(seen.size, 6);
  for (const c of seen.values()) assert.ok(Math.abs(c - 2000) < 200, `count ${c}`);
});

test('normal samples have the asked mean and standard deviation', () => {
  const values = new Rng(5).normalArray(40001, 0, 0.02);
  assert.equal(values.length, 40001);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / values.length);
  assert.ok(Math.abs(mean) < 0.0005, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.02) < 0.0005, `std ${std}`);
  const single = new Rng(5);
  const samples = Array.from({ length: 20000 }, () => single.nextNormal(3, 2));
  const m = samples.reduce((s, x) => s + x, 0) / samples.length;
  assert.ok(Math.abs(m - 3) < 0.05, `mean ${m}`);
});

test('deriveSeed is deterministic, order-sensitive and 32-bit', () => {
  assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
  assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 3, 2));
  assert.notEqual(deriveSeed(1, 2), deriveSeed(1, 2, 0));
  const seeds = new Set<number>();
  for (let step = 0; step < 1000; step++) {
    const s = deriveSeed(42, step, 0);
    assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
    seeds.add(s);
  }
  assert.equal(seeds.size, 1000);
});
