/**
 * Space-filling samples of the unit hypercube for the Monte-Carlo study: Latin-hypercube and
 * scrambled Sobol points, both driven by the project's owned, seeded PRNG so a seed fixes every
 * draw. Definitions and properties in docs/study.md#sampling.
 *
 * @module
 */
import { Prng } from "../optimizer/mod.ts";

/** The samplers a study can use. */
export type SamplingMethod = "lhs" | "sobol";

/** The largest number of Sobol points (the 32-bit direction numbers index up to 2³² points). */
export const MAX_SOBOL_POINTS = 2 ** 31;

/**
 * Primitive polynomials and initial direction numbers of the Sobol sequence for dimensions 2 and
 * up (Joe and Kuo's "new-joe-kuo-6" set; dimension 1 is the van der Corput sequence). Each row is
 * `[degree s, coefficients a, m_1 … m_s]` with every m_k odd and below 2^k, which is what makes
 * each one-dimensional projection a (0, m, 1)-net in base 2.
 */
const SOBOL_TABLE: readonly (readonly number[])[] = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
  [6, 19, 1, 1, 1, 15, 7, 5],
  [6, 22, 1, 3, 1, 15, 13, 25],
  [6, 25, 1, 1, 5, 5, 19, 61],
  [7, 1, 1, 3, 7, 11, 23, 15, 103],
  [7, 4, 1, 3, 7, 13, 13, 15, 69],
];

/** The largest dimension the Sobol sampler supports. */
export const MAX_SOBOL_DIMENSIONS = SOBOL_TABLE.length + 1;

const BITS = 32;
const TWO_POW_32 = 4294967296;

/** The 32 direction numbers v_k·2³² of one Sobol dimension (0-based: dimension 0 is van der Corput). */
function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dimension === 0) {
    for (let k = 0; k < BITS; k++) v[k] = (1 << (BITS - 1 - k)) >>> 0;
    return v;
  }
  const [s, a, ...m] = SOBOL_TABLE[dimension - 1];
  for (let k = 0; k < s; k++) v[k] = (m[k] << (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let value = v[k - s] ^ (v[k - s] >>> s);
    for (let j = 1; j < s; j++) {
      if ((a >>> (s - 1 - j)) & 1) value ^= v[k - j];
    }
    v[k] = value >>> 0;
  }
  return v;
}

function checkShape(count: number, dims: number, maxDims: number, method: string): void {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`${method} sample count: must be an integer >= 1, got ${count}`);
  }
  if (!Number.isSafeInteger(dims) || dims < 1 || dims > maxDims) {
    throw new RangeError(`${method} dimensions: must be an integer in 1..${maxDims}, got ${dims}`);
  }
}

/**
 * Latin-hypercube sample: for each dimension the unit interval is cut into `count` equal strata and
 * every stratum holds exactly one point, the strata of different dimensions paired by independent
 * random permutations. The point sits uniformly inside its stratum.
 *
 * Draw order (fixed, so a seed gives the same points on every machine): for each dimension, a
 * Fisher–Yates permutation then `count` offsets.
 *
 * @example One point per stratum in every dimension
 * ```ts
 * import assert from "node:assert/strict";
 * import { latinHypercube } from "./sampling.ts";
 * const points = latinHypercube(10, 3, 42); // row-major 10 × 3 in [0, 1)
 * for (let d = 0; d < 3; d++) {
 *   const strata = new Set(Array.from({ length: 10 }, (_, i) => Math.floor(points[i * 3 + d] * 10)));
 *   assert.equal(strata.size, 10);
 * }
 * ```
 *
 * @param count Number of points.
 * @param dims Number of dimensions.
 * @param seed Seed of the owned PRNG stream.
 * @returns Row-major `count × dims` coordinates in [0, 1).
 */
export function latinHypercube(count: number, dims: number, seed: number): Float64Array {
  checkShape(count, dims, Number.MAX_SAFE_INTEGER, "lhs");
  const prng = Prng.derive(seed, "study:lhs");
  const out = new Float64Array(count * dims);
  const perm = new Uint32Array(count);
  for (let d = 0; d < dims; d++) {
    for (let i = 0; i < count; i++) perm[i] = i;
    for (let i = count - 1; i > 0; i--) {
      const j = prng.nextInt(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (let i = 0; i < count; i++) out[i * dims + d] = (perm[i] + prng.next()) / count;
  }
  return out;
}

/**
 * Scrambled Sobol points: the Sobol sequence (Gray-code order, starting at index 0) with a random
 * digital shift per dimension (each coordinate's 32 bits XOR-ed with a seeded random word). The shift
 * keeps the net structure (for `count` = 2^m every one-dimensional projection still has one point
 * per interval of width 2^−m) and removes the deterministic point at the origin, so different seeds
 * give independent replicates.
 *
 * @example A power-of-two sample stratifies each axis exactly
 * ```ts
 * import assert from "node:assert/strict";
 * import { sobolPoints } from "./sampling.ts";
 * const points = sobolPoints(16, 2, 7);
 * for (let d = 0; d < 2; d++) {
 *   const cells = new Set(Array.from({ length: 16 }, (_, i) => Math.floor(points[i * 2 + d] * 16)));
 *   assert.equal(cells.size, 16);
 * }
 * ```
 *
 * @param count Number of points (≤ 2³¹).
 * @param dims Number of dimensions (≤ {@linkcode MAX_SOBOL_DIMENSIONS}).
 * @param seed Seed of the owned PRNG stream for the digital shift.
 * @param scramble `false` gives the plain sequence (for tests against published points).
 * @returns Row-major `count × dims` coordinates in [0, 1).
 */
export function sobolPoints(count: number, dims: number, seed: number, scramble = true): Float64Array {
  checkShape(count, dims, MAX_SOBOL_DIMENSIONS, "sobol");
  if (count > MAX_SOBOL_POINTS) {
    throw new RangeError(`sobol sample count: must be at most ${MAX_SOBOL_POINTS}, got ${count}`);
  }
  const prng = Prng.derive(seed, "study:sobol");
  const directions = Array.from({ length: dims }, (_, d) => directionNumbers(d));
  const shift = new Uint32Array(dims);
  if (scramble) { for (let d = 0; d < dims; d++) shift[d] = prng.nextUint32(); }
  const x = new Uint32Array(dims);
  const out = new Float64Array(count * dims);
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      // Gray-code step: flip the direction number of the lowest zero bit of i − 1.
      let c = 0;
      let n = i - 1;
      while (n & 1) {
        n >>>= 1;
        c++;
      }
      for (let d = 0; d < dims; d++) x[d] ^= directions[d][c];
    }
    for (let d = 0; d < dims; d++) out[i * dims + d] = ((x[d] ^ shift[d]) >>> 0) / TWO_POW_32;
  }
  return out;
}

/**
 * A sample of the unit hypercube by the named method.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplePoints } from "./sampling.ts";
 * assert.equal(samplePoints("lhs", 5, 2, 1).length, 10);
 * ```
 *
 * @param method "lhs" or "sobol".
 * @param count Number of points.
 * @param dims Number of dimensions.
 * @param seed Seed of the owned PRNG stream.
 * @returns Row-major `count × dims` coordinates in [0, 1).
 */
export function samplePoints(
  method: SamplingMethod,
  count: number,
  dims: number,
  seed: number,
): Float64Array {
  if (method === "lhs") return latinHypercube(count, dims, seed);
  if (method === "sobol") return sobolPoints(count, dims, seed);
  throw new RangeError(`sampling: must be "lhs" or "sobol", got ${JSON.stringify(method)}`);
}
