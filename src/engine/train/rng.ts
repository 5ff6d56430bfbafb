/**
 * Seeded pseudo-random numbers for training: shuffles, data splits, weight initialisation and dropout
 * seeds. xoshiro128** (Blackman & Vigna) on four 32-bit words, seeded through splitmix32, so that the
 * whole state is four integers that a checkpoint can store and a resumed run can restore.
 */
export interface RngState {
  /** The four 32-bit state words, as unsigned integers. */
  s: [number, number, number, number];
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One splitmix32 step: a well-mixed 32-bit value from a counter, used to fill the state from a seed. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Checks that a seed is a safe integer (negative allowed), so that runs are reproducible from the flag. */
function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
}

/**
 * Mixes integers into one 32-bit seed, e.g. deriveSeed(runSeed, step, microBatch, layer) for the dropout
 * mask of one layer in one micro-batch. The same parts always give the same seed, so a resumed run
 * draws the same masks without replaying any stream; changing any part changes the seed.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x2545f491;
  for (const part of parts) {
    checkSeed(part);
    // Feed the low and high 32-bit halves, so seeds beyond 2^32 still count.
    const low = part >>> 0;
    const high = Math.floor(part / TWO_POW_32) >>> 0;
    h = splitmix32(h ^ low);
    h = splitmix32(h ^ high);
  }
  return h;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    checkSeed(seed);
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    let x = splitmix32(low ^ splitmix32(high));
    this.s0 = x;
    x = splitmix32(x);
    this.s1 = x;
    x = splitmix32(x);
    this.s2 = x;
    x = splitmix32(x);
    this.s3 = x;
    // xoshiro must not start from the all-zero state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  setState(state: RngState): void {
    const words = state?.s;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new RangeError('RNG state must be { s: [four unsigned 32-bit integers] }');
    }
    if (words.every((w) => w === 0)) throw new RangeError('RNG state must not be all zeros');
    [this.s0, this.s1, this.s2, this.s3] = words.map((w) => w | 0) as [number, number, number, number];
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** A uniform integer in [0, n), without modulo bias (rejection sampling); n ≤ 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) throw new RangeError(`nextInt needs an integer 1 ≤ n ≤ 2^32, got ${n}`);
    // Reject the top partial block of the 32-bit range so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `array` in place (Fisher–Yates, from the end) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i] as T;
      array[i] = array[j] as T;
      array[j] = tmp;
    }
    return array;
  }

  /** A sample of N(mean, std²) by Box–Muller; uses two uniforms and keeps no spare, so the state stays four words. */
  nextNormal(mean = 0, std = 1): number {
    const u1 = 1 - this.nextFloat(); // (0, 1]: log is finite
    const u2 = this.nextFloat();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** `count` samples of N(mean, std²) as float32 (both Box–Muller outputs used), e.g. a new QA head from N(0, 0.02²). */
  normalArray(count: number, mean = 0, std = 1): Float32Array {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`normalArray needs a count ≥ 0, got ${count}`);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const u1 = 1 - this.nextFloat();
      const u2 = this.nextFloat();
      const radius = std * Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + radius * Math.cos(2 * Math.PI * u2);
      if (i + 1 < count) out[i + 1] = mean + radius * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }
}
