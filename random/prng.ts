/**
 * A small, fast, seeded pseudo-random number generator that the project owns: xoshiro128**
 * (Blackman & Vigna 2018) seeded through splitmix32, with a capturable state and derived
 * sub-streams. Nothing in the project calls `Math.random`; every random draw goes through a
 * {@linkcode Prng} built from an explicit seed, so runs are reproducible. It lives in random/, a
 * folder that imports nothing from the project, so that the plant's disturbance models and the
 * optimiser share this one generator.
 *
 * Stream layout: `new Prng(seed)` is the root stream of a seed; `Prng.derive(seed, label)` (the same
 * as `new Prng(seed).split(label)`) is an independent stream fixed by the seed and the label, so a
 * module (e.g. the robust cost's scenario draws) can own its stream without consuming draws from the
 * optimiser's.
 *
 * @module
 */
import { describeValue as describe } from "./values.ts";

/** The name recorded in {@linkcode PrngState}; a state from another algorithm is refused. */
export const PRNG_ALGORITHM = "xoshiro128**";

/**
 * A plain, JSON-serialisable snapshot of a {@linkcode Prng}: the four 32-bit state words as
 * unsigned integers.
 */
export interface PrngState {
  /** Always {@linkcode PRNG_ALGORITHM}. */
  readonly algorithm: typeof PRNG_ALGORITHM;
  /** The xoshiro128** state words `s0 … s3`, each an integer in [0, 2³²), not all zero. */
  readonly s: readonly [number, number, number, number];
}

const GOLDEN = 0x9e3779b9;
const TWO_POW_26 = 67108864;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** The splitmix32 output function (a bijection of the 32-bit integers). */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function checkSeed(seed: unknown, what: string): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new RangeError(`${what}: must be a safe integer, got ${describe(seed)}`);
  }
  return seed;
}

/** FNV-1a over the UTF-16 code units of a label; numbers and strings hash to different values. */
function labelWords(label: number | string): [number, number, number] {
  if (typeof label === "number") {
    checkSeed(label, "stream label");
    return [1, label >>> 0, Math.floor(label / TWO_POW_32) >>> 0];
  }
  if (typeof label !== "string") {
    throw new TypeError(`stream label: must be a string or a safe integer, got ${describe(label)}`);
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return [2, h >>> 0, label.length];
}

/**
 * A seeded xoshiro128** generator.
 *
 * `next()` has 53-bit resolution (it combines two 32-bit outputs, like `Math.random` in V8), so
 * every double it returns is a multiple of 2⁻⁵³ in [0, 1); `nextUint32()` is the raw 32-bit
 * output. Seeding: the low and high 32-bit halves of the integer seed each drive their own splitmix32
 * sequence (two words each), so distinct safe-integer seeds give distinct states and the state is
 * never all zero. The period is 2¹²⁸ − 1.
 *
 * @example Usage
 * ```ts
 * import { Prng } from "./prng.ts";
 * import assert from "node:assert/strict";
 *
 * const rng = new Prng(42);
 * const snapshot = rng.state();
 * const first = [rng.next(), rng.next()];
 * assert.deepStrictEqual([Prng.fromState(snapshot).next(), rng.uniform(-1, 1) <= 1], [first[0], true]);
 * ```
 */
export class Prng {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  /**
   * Creates the root stream of `seed`.
   *
   * @param seed Any safe integer (negative values included). Default 0.
   * @throws {RangeError} When `seed` is not a safe integer.
   */
  constructor(seed = 0) {
    this.reseed(seed);
  }

  /**
   * Restarts this generator, in place and without allocating, as the root stream of `seed`: the
   * draws that follow are those of `new Prng(seed)`. For a hot loop that restarts a stream per run.
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const rng = new Prng(1);
   * rng.next();
   * rng.reseed(42);
   * assert.deepStrictEqual(rng.state(), new Prng(42).state());
   * ```
   *
   * @param seed Any safe integer (negative values included).
   * @throws {RangeError} When `seed` is not a safe integer; the state is then unchanged.
   */
  reseed(seed: number): void {
    checkSeed(seed, "seed");
    let lo = seed >>> 0;
    let hi = Math.floor(seed / TWO_POW_32) >>> 0;
    // Each word is splitmix32 of a distinct counter value; mix32 is a bijection, so (s0, s2)
    // already determines (lo, hi): no two seeds share a state, and s0, s1 are never both zero.
    lo = (lo + GOLDEN) | 0;
    this.#s0 = mix32(lo);
    lo = (lo + GOLDEN) | 0;
    this.#s1 = mix32(lo);
    hi = ((hi ^ 0x6a09e667) + GOLDEN) | 0;
    this.#s2 = mix32(hi);
    hi = (hi + GOLDEN) | 0;
    this.#s3 = mix32(hi);
  }

  /**
   * Returns a generator restored from a snapshot taken with {@linkcode Prng.state}.
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const a = new Prng(7);
   * const b = Prng.fromState(JSON.parse(JSON.stringify(a.state())));
   * assert.equal(a.next(), b.next());
   * ```
   *
   * @param state The snapshot.
   * @returns A new generator in that state.
   * @throws {TypeError | RangeError} When the snapshot is malformed.
   */
  static fromState(state: PrngState): Prng {
    const rng = new Prng(0);
    rng.setState(state);
    return rng;
  }

  /**
   * Returns the independent stream of `seed` named by `label`: the same as
   * `new Prng(seed).split(label)`.
   *
   * Different labels (or the same label under different seeds) give unrelated streams; the same
   * pair always gives the same stream.
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const scenarios = Prng.derive(42, "scenarios");
   * assert.equal(scenarios.next(), Prng.derive(42, "scenarios").next());
   * assert.notEqual(Prng.derive(42, 1).next(), Prng.derive(42, 2).next());
   * ```
   *
   * @param seed Any safe integer.
   * @param label A string or a safe integer (a stream index).
   * @returns A new generator.
   */
  static derive(seed: number, label: number | string): Prng {
    return new Prng(seed).split(label);
  }

  /**
   * Returns an independent child stream named by `label`, hashed from this generator's current
   * state. The parent is not advanced, so adding a split never changes the parent's draws.
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const root = new Prng(3);
   * const before = root.state();
   * const child = root.split("physics");
   * assert.deepStrictEqual(root.state(), before);
   * assert.ok(child.next() < 1);
   * ```
   *
   * @param label A string or a safe integer.
   * @returns A new generator.
   */
  split(label: number | string): Prng {
    const words = [this.#s0, this.#s1, this.#s2, this.#s3, ...labelWords(label)];
    let h = 0x5be0cd19;
    for (const w of words) h = mix32((h ^ w) + GOLDEN);
    const child = new Prng(0);
    // Four consecutive splitmix32 outputs: distinct inputs to a bijection, so at most one is zero.
    h = (h + GOLDEN) | 0;
    child.#s0 = mix32(h);
    h = (h + GOLDEN) | 0;
    child.#s1 = mix32(h);
    h = (h + GOLDEN) | 0;
    child.#s2 = mix32(h);
    h = (h + GOLDEN) | 0;
    child.#s3 = mix32(h);
    return child;
  }

  /**
   * Returns the next raw 32-bit output, an integer in [0, 2³²).
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const u = new Prng(1).nextUint32();
   * assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
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
    this.#s1 = s1 ^ s2;
    this.#s0 = s0 ^ s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    this.#s2 = s2 >>> 0;
    this.#s3 = s3 >>> 0;
    this.#s0 >>>= 0;
    this.#s1 >>>= 0;
    return result;
  }

  /**
   * Returns a double uniformly distributed in [0, 1) with 53-bit resolution (two 32-bit outputs).
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const u = new Prng(1).next();
   * assert.ok(u >= 0 && u < 1);
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
   * Returns `a + (b − a)·next()`: uniform in [a, b) for a < b (rounding can make it equal `b` when
   * the range is many orders of magnitude below |a|; callers that need a strict bound clamp).
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const x = new Prng(5).uniform(-2, 3);
   * assert.ok(x >= -2 && x < 3);
   * ```
   *
   * @param a The lower end.
   * @param b The upper end.
   * @returns The draw.
   */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /**
   * Returns an integer uniformly distributed in [0, n) (from one 53-bit draw; the bias is below
   * n·2⁻⁵³).
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const die = new Prng(9).nextInt(6);
   * assert.ok(Number.isInteger(die) && die >= 0 && die < 6);
   * ```
   *
   * @param n The number of outcomes, a positive safe integer.
   * @returns The draw.
   * @throws {RangeError} When `n` is not a positive safe integer.
   */
  nextInt(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`nextInt(n): n must be a positive safe integer, got ${describe(n)}`);
    }
    return Math.floor(this.next() * n);
  }

  /**
   * Returns a plain, JSON-serialisable snapshot of the state; {@linkcode Prng.fromState} or
   * {@linkcode Prng.setState} restore it and the draws that follow are the same.
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const rng = new Prng(11);
   * const saved = rng.state();
   * const a = rng.next();
   * rng.setState(saved);
   * assert.equal(rng.next(), a);
   * ```
   *
   * @returns The snapshot.
   */
  state(): PrngState {
    return { algorithm: PRNG_ALGORITHM, s: [this.#s0, this.#s1, this.#s2, this.#s3] };
  }

  /**
   * Restores a snapshot taken with {@linkcode Prng.state}.
   *
   * @example Usage
   * ```ts
   * import { Prng } from "./prng.ts";
   * import assert from "node:assert/strict";
   *
   * const a = new Prng(1), b = new Prng(2);
   * b.setState(a.state());
   * assert.equal(a.nextUint32(), b.nextUint32());
   * ```
   *
   * @param state The snapshot.
   * @throws {TypeError | RangeError} When the snapshot is malformed or all-zero.
   */
  setState(state: PrngState): void {
    if (typeof state !== "object" || state === null) {
      throw new TypeError(`PRNG state: must be an object, got ${describe(state)}`);
    }
    if (state.algorithm !== PRNG_ALGORITHM) {
      throw new RangeError(
        `PRNG state.algorithm: must be ${JSON.stringify(PRNG_ALGORITHM)}, got ${describe(state.algorithm)}`,
      );
    }
    const s: unknown = state.s;
    if (!Array.isArray(s) || s.length !== 4) {
      throw new TypeError(`PRNG state.s: must be an array of 4 integers, got ${describe(s)}`);
    }
    for (let i = 0; i < 4; i++) {
      const w = s[i];
      if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w >= TWO_POW_32) {
        throw new RangeError(`PRNG state.s[${i}]: must be an integer in [0, 2^32), got ${describe(w)}`);
      }
    }
    if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) {
      throw new RangeError(
        "PRNG state.s: must not be all zero (xoshiro would output zeros forever), got [0, 0, 0, 0]",
      );
    }
    this.#s0 = s[0];
    this.#s1 = s[1];
    this.#s2 = s[2];
    this.#s3 = s[3];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
