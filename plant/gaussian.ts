/**
 * A tiny seeded source of uniform and Gaussian draws for the disturbance models, allocation-free
 * after construction so that the batch kernel can draw measurement noise on every step.
 *
 * The uniform stream is xoshiro128** seeded through splitmix32 exactly as the optimiser's `Prng`
 * (optimizer/prng.ts) seeds its root stream, so `new GaussianSource(s).next()` and
 * `new Prng(s).next()` give the same doubles. It lives here because plant/ must not import
 * optimizer/ (optimizer/ imports plant/); the two copies are meant to become one.
 *
 * @module
 */

const GOLDEN = 0x9e3779b9;
const TWO_POW_26 = 67108864;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_PI = 2 * Math.PI;

/** The splitmix32 output function (a bijection of the 32-bit integers). */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Seeded uniform and standard normal draws.
 *
 * `next()` returns a multiple of 2⁻⁵³ in [0, 1) built from two 32-bit outputs; `nextGaussian()` uses
 * the Box–Muller transform on two uniforms and returns both normals of the pair in turn, so every
 * two Gaussian draws consume exactly four 32-bit outputs (no rejection loop: the number of draws per
 * step is fixed, which keeps runs reproducible when only some standard deviations change).
 *
 * @example Usage
 * ```ts
 * import { GaussianSource } from "./gaussian.ts";
 * import assert from "node:assert/strict";
 *
 * const a = new GaussianSource(7), b = new GaussianSource(7);
 * assert.equal(a.nextGaussian(), b.nextGaussian());
 * a.reseed(7);
 * assert.equal(a.next(), new GaussianSource(7).next());
 * ```
 */
export class GaussianSource {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  /** The second normal of the last Box–Muller pair, or NaN when none is pending. */
  #spare = NaN;

  /**
   * Creates the stream of `seed`.
   *
   * @param seed Any safe integer.
   * @throws {RangeError} When `seed` is not a safe integer.
   */
  constructor(seed: number) {
    this.reseed(seed);
  }

  /**
   * Restarts the stream of `seed` in place (no allocation), dropping any pending normal.
   *
   * @example Usage
   * ```ts
   * import { GaussianSource } from "./gaussian.ts";
   * import assert from "node:assert/strict";
   * const g = new GaussianSource(1);
   * const first = g.nextGaussian();
   * g.reseed(1);
   * assert.equal(g.nextGaussian(), first);
   * ```
   *
   * @param seed Any safe integer.
   * @throws {RangeError} When `seed` is not a safe integer.
   */
  reseed(seed: number): void {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new RangeError(`seed: must be a safe integer, got ${String(seed)}`);
    }
    let lo = seed >>> 0;
    let hi = Math.floor(seed / TWO_POW_32) >>> 0;
    lo = (lo + GOLDEN) | 0;
    this.#s0 = mix32(lo);
    lo = (lo + GOLDEN) | 0;
    this.#s1 = mix32(lo);
    hi = ((hi ^ 0x6a09e667) + GOLDEN) | 0;
    this.#s2 = mix32(hi);
    hi = (hi + GOLDEN) | 0;
    this.#s3 = mix32(hi);
    this.#spare = NaN;
  }

  /**
   * The next raw 32-bit output, an integer in [0, 2³²).
   *
   * @example Usage
   * ```ts
   * import { GaussianSource } from "./gaussian.ts";
   * const v = new GaussianSource(3).nextUint32();
   * console.log(Number.isInteger(v) && v >= 0 && v < 2 ** 32); // true
   * ```
   *
   * @returns The output.
   */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let s2 = this.#s2 ^ s0;
    let s3 = this.#s3 ^ s1;
    this.#s1 = (s1 ^ s2) >>> 0;
    this.#s0 = (s0 ^ s3) >>> 0;
    s2 ^= t;
    s3 = rotl(s3, 11);
    this.#s2 = s2 >>> 0;
    this.#s3 = s3 >>> 0;
    return result;
  }

  /**
   * A uniform double in [0, 1) with 53-bit resolution.
   *
   * @example Usage
   * ```ts
   * import { GaussianSource } from "./gaussian.ts";
   * const u = new GaussianSource(3).next();
   * console.log(u >= 0 && u < 1); // true
   * ```
   *
   * @returns The draw.
   */
  next(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /**
   * A standard normal draw (mean 0, variance 1).
   *
   * @example Usage
   * ```ts
   * import { GaussianSource } from "./gaussian.ts";
   * const g = new GaussianSource(5);
   * let sum = 0;
   * for (let i = 0; i < 10000; i++) sum += g.nextGaussian();
   * console.log(Math.abs(sum / 10000) < 0.05); // true: the standard error is 0.01
   * ```
   *
   * @returns The draw.
   */
  nextGaussian(): number {
    const spare = this.#spare;
    if (spare === spare) { // not NaN: hand out the pair's second normal
      this.#spare = NaN;
      return spare;
    }
    // 1 − next() is in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = TWO_PI * this.next();
    this.#spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  }
}
