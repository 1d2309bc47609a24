/**
 * A tiny seeded source of uniform and Gaussian draws for the disturbance models, allocation-free
 * after construction so that the batch kernel can draw measurement noise on every step.
 *
 * The uniform stream is the project's one generator, random/'s `Prng` (xoshiro128** seeded through
 * splitmix32), so `new GaussianSource(s).next()` and `new Prng(s).next()` give the same doubles; this
 * module only adds the Box–Muller transform on top.
 *
 * @module
 */
import { Prng } from "../random/mod.ts";

const TWO_PI = 2 * Math.PI;

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
  /** The uniform stream, reseeded in place so that a restart allocates nothing. */
  readonly #uniform = new Prng(0);
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
    this.#uniform.reseed(seed);
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
    return this.#uniform.nextUint32();
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
    return this.#uniform.next();
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
    const uniform = this.#uniform;
    const r = Math.sqrt(-2 * Math.log(1 - uniform.next()));
    const angle = TWO_PI * uniform.next();
    this.#spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  }
}
