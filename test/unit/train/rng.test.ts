/**
 * The training RNG against values computed without it: xoshiro128**'s published reference outputs,
 * and for the seeding, derived seeds, shuffles and draws, outputs of an independent Python
 * implementation written from the algorithms' definitions (arbitrary-precision integers masked to
 * 32 bits, no shared code). Then distribution checks that a biased or broken generator would fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from '../../../src/engine/train/rng';

const take = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32());

test('xoshiro128** from state [1, 2, 3, 4] gives the reference outputs (rand_xoshiro reference test)', () => {
  // The first by hand: rotl(2·5, 7)·9 = 1280·9 = 11520.
  const reference = [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804];
  assert.deepEqual(take(Rng.fromState({ s: [1, 2, 3, 4] }), 10), reference);
});

test('seeding through splitmix32 gives the independently computed state and outputs', () => {
  const expected: [number, [number, number, number, number], number[]][] = [
    [42, [3420838842, 3328960819, 115158375, 28104515], [2080309104, 3461245948, 686220570, 2078209529]],
    [43, [28065535, 1302454054, 2252701259, 1362201159], [3122452818, 1644583233, 2841390503, 3393731140]],
    [0, [3553795876, 1422740206, 2688605155, 2175549128], [185986548, 3669925362, 2995864102, 3349175479]],
    // A negative seed and one beyond 32 bits: both halves of the seed count.
    [-1, [1109688387, 3489109281, 1381693127, 2777598841], [1117480639, 2659320350, 1087347133, 2880165683]],
    [2 ** 32 + 1, [3943092214, 529275512, 1735199932, 834054041], [3495136958, 3767986425, 2808464662, 155351198]],
  ];
  for (const [seed, state, outputs] of expected) {
    const rng = new Rng(seed);
    assert.deepEqual(rng.getState().s, state, `state of seed ${seed}`);
    assert.deepEqual(take(rng, 4), outputs, `outputs of seed ${seed}`);
  }
  assert.throws(() => new Rng(1.5), RangeError);
  assert.throws(() => new Rng(2 ** 53), RangeError);
});

test('deriveSeed gives the independently computed seeds: order and high words count', () => {
  assert.equal(deriveSeed(1, 2, 3), 1987319632);
  assert.equal(deriveSeed(1, 3, 2), 3078876518);
  assert.equal(deriveSeed(42, 0, 0), 2849135099);
  assert.equal(deriveSeed(42, 2 ** 40, 7), 1574427750);
  assert.throws(() => deriveSeed(1, 0.5), RangeError);
});

test('derived seeds of consecutive steps are distinct and each bit is set about half the time', () => {
  const seeds = Array.from({ length: 4000 }, (_, step) => deriveSeed(42, step, 0));
  assert.equal(new Set(seeds).size, seeds.length);
  for (let bit = 0; bit < 32; bit++) {
    const set = seeds.filter((s) => (s >>> bit) & 1).length;
    // Binomial(4000, 1/2): standard deviation 31.6; 5 of them is 158.
    assert.ok(Math.abs(set - 2000) < 158, `bit ${bit} set in ${set} of 4000 seeds`);
  }
});

test('nextFloat joins 27 and 26 bits of two outputs; its values match the independent implementation', () => {
  // From [1, 2, 3, 4] the outputs are 11520 and 0: (11520 >>> 5) · 2^26 / 2^53.
  assert.equal(Rng.fromState({ s: [1, 2, 3, 4] }).nextFloat(), (360 * 2 ** 26) / 2 ** 53);
  const rng = new Rng(1);
  assert.deepEqual([rng.nextFloat(), rng.nextFloat(), rng.nextFloat()], [0.3893729247373726, 0.22651124240070053, 0.4757564679539238]);
  assert.equal(new Rng(5).nextNormal(3, 2), 3.4572709768894567);
});

test('nextInt and shuffle match the independent implementation', () => {
  const rng = new Rng(1);
  assert.deepEqual(Array.from({ length: 10 }, () => rng.nextInt(6)), [1, 5, 3, 5, 2, 1, 5, 4, 2, 4]);
  assert.deepEqual(new Rng(3).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [9, 6, 4, 2, 7, 8, 1, 0, 3, 5]);
  assert.throws(() => rng.nextInt(0), RangeError);
  assert.throws(() => rng.nextInt(2 ** 32 + 1), RangeError);
  assert.equal(rng.nextInt(1), 0);
});

test('nextFloat is uniform on [0, 1): mean and ten equal bins', () => {
  const rng = new Rng(1);
  const bins = new Array(10).fill(0);
  let sum = 0;
  for (let i = 0; i < 50_000; i++) {
    const x = rng.nextFloat();
    assert.ok(x >= 0 && x < 1);
    sum += x;
    bins[Math.floor(x * 10)]++;
  }
  // Mean of 50,000 uniforms: standard deviation 0.0013.
  assert.ok(Math.abs(sum / 50_000 - 0.5) < 0.0065, `mean ${sum / 50_000}`);
  assert.ok(chiSquare(bins) < 27.9, `chi-square ${chiSquare(bins)} over 9 degrees of freedom (p = 0.001 at 27.9)`);
});

test('nextInt has no modulo bias: with n = 3·2^30 the low third is drawn a third of the time', () => {
  // Plain modulo would map two 32-bit values onto each of [0, 2^30): half the draws would land there.
  const rng = new Rng(11);
  const n = 3 * 2 ** 30;
  let low = 0;
  for (let i = 0; i < 30_000; i++) if (rng.nextInt(n) < 2 ** 30) low++;
  // Binomial(30000, 1/3): standard deviation 82.
  assert.ok(Math.abs(low - 10_000) < 410, `${low} of 30000 draws in the low third`);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[rng.nextInt(6)]++;
  assert.ok(chiSquare(counts) < 20.5, `chi-square ${chiSquare(counts)} over 5 degrees of freedom (p = 0.001 at 20.5)`);
});

test('shuffle is a uniform permutation: all six orders of three elements equally often', () => {
  const rng = new Rng(9);
  const seen = new Map<string, number>();
  for (let i = 0; i < 12_000; i++) {
    const order = rng.shuffle([0, 1, 2]).join('');
    seen.set(order, (seen.get(order) ?? 0) + 1);
  }
  assert.equal(seen.size, 6);
  assert.ok(chiSquare([...seen.values()]) < 20.5, `chi-square ${chiSquare([...seen.values()])}`);
  const fifty = new Rng(3).shuffle([...Array(50).keys()]);
  assert.deepEqual([...fifty].sort((x, y) => x - y), [...Array(50).keys()], 'every element kept once');
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
  assert.throws(() => rng.setState({ s: [1, 2, 3, 2 ** 32] }), RangeError);
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
  // About 68.3% within one standard deviation, 95.4% within two.
  const within = (k: number) => values.filter((v) => Math.abs(v) < k * 0.02).length / values.length;
  assert.ok(Math.abs(within(1) - 0.6827) < 0.01, `within 1σ: ${within(1)}`);
  assert.ok(Math.abs(within(2) - 0.9545) < 0.005, `within 2σ: ${within(2)}`);
  const single = new Rng(5);
  const samples = Array.from({ length: 20000 }, () => single.nextNormal(3, 2));
  const m = samples.reduce((s, x) => s + x, 0) / samples.length;
  assert.ok(Math.abs(m - 3) < 0.05, `mean ${m}`);
});

/** Pearson's chi-square statistic of counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}
