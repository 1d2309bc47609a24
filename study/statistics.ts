/**
 * Summary statistics of a study: the Wilson score interval of a success rate and empirical
 * percentiles of a sample. Definitions in docs/study.md#statistics.
 *
 * @module
 */

/** The 97.5 % quantile of the standard normal distribution: the z of a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

/** A success rate with its two-sided confidence interval. */
export interface RateInterval {
  /** Number of trials. */
  readonly runs: number;
  /** Number of successes. */
  readonly successes: number;
  /** `successes / runs`. */
  readonly successRate: number;
  /** `[lower, upper]` of the interval, both within [0, 1]. */
  readonly ci95: readonly [number, number];
}

function checkCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: must be a non-negative integer, got ${value}`);
  }
}

/**
 * The Wilson score interval of a binomial proportion: the set of p for which the observed count
 * is not rejected by the normal-approximation score test. Unlike the Wald interval p̂ ± z·√(p̂(1−p̂)/n)
 * it never leaves [0, 1] and does not collapse to a point at 0 or n successes, which is exactly
 * where robustness results sit (1000 of 1000 runs).
 *
 * center = (p̂ + z²/(2n)) / (1 + z²/n), half-width = z·√(p̂(1−p̂)/n + z²/(4n²)) / (1 + z²/n).
 *
 * Throws a RangeError for a negative or fractional count, successes above runs, or runs = 0.
 *
 * @example 95 successes out of 100
 * ```ts
 * import assert from "node:assert/strict";
 * import { wilsonInterval } from "./statistics.ts";
 * const { successRate, ci95 } = wilsonInterval(95, 100);
 * assert.equal(successRate, 0.95);
 * assert.ok(Math.abs(ci95[0] - 0.888248) < 2e-5 && Math.abs(ci95[1] - 0.978457) < 2e-5);
 * ```
 *
 * @param successes Number of successful runs.
 * @param runs Number of runs (> 0).
 * @param z The normal quantile; the default gives a 95 % interval.
 * @returns The rate and its interval.
 */
export function wilsonInterval(successes: number, runs: number, z = Z_95): RateInterval {
  checkCount(successes, "successes");
  checkCount(runs, "runs");
  if (runs === 0) throw new RangeError("runs: must be at least 1 for a success rate, got 0");
  if (successes > runs) {
    throw new RangeError(`successes: must not exceed runs (${runs}), got ${successes}`);
  }
  if (!(z > 0) || !Number.isFinite(z)) throw new RangeError(`z: must be a finite number > 0, got ${z}`);
  const p = successes / runs;
  const z2 = z * z;
  const denominator = 1 + z2 / runs;
  const center = (p + z2 / (2 * runs)) / denominator;
  const half = (z * Math.sqrt(p * (1 - p) / runs + z2 / (4 * runs * runs))) / denominator;
  // Clamp only the rounding: the exact bounds are 0 at 0 successes and 1 at `runs`.
  const lower = successes === 0 ? 0 : Math.max(0, center - half);
  const upper = successes === runs ? 1 : Math.min(1, center + half);
  return { runs, successes, successRate: p, ci95: [lower, upper] };
}

/** The percentiles a study reports for a sampled quantity. */
export interface PercentileSummary {
  /** Number of finite values summarised. */
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/**
 * The q-quantile of sorted values by linear interpolation between order statistics (the
 * "type 7" rule of most statistics packages): h = (n − 1)·q, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 *
 * @example The median of four values
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantileSorted } from "./statistics.ts";
 * assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
 * assert.equal(quantileSorted([1, 2, 3, 4], 0.9), 3.7);
 * ```
 *
 * @param sorted Values in ascending order (at least one).
 * @param q The quantile in [0, 1].
 * @returns The interpolated quantile.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("values: need at least one value for a quantile, got none");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q: must lie in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * p50, p90, p99, min and max of the finite values of a sample; non-finite values (a run that never
 * settled has no settling time) are left out and the count says how many remained. With no finite
 * value every statistic is `null`, so JSON output never holds NaN.
 *
 * @example Settling times with one run that never settled
 * ```ts
 * import assert from "node:assert/strict";
 * import { percentiles } from "./statistics.ts";
 * const s = percentiles([1.2, 1.4, Number.NaN, 1.3]);
 * assert.equal(s.count, 3);
 * assert.equal(s.p50, 1.3);
 * ```
 *
 * @param values The sample.
 * @returns The summary.
 */
export function percentiles(values: ArrayLike<number>): PercentileSummary {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (finite.length === 0) return { count: 0, p50: null, p90: null, p99: null, min: null, max: null };
  finite.sort((a, b) => a - b);
  return {
    count: finite.length,
    p50: quantileSorted(finite, 0.5),
    p90: quantileSorted(finite, 0.9),
    p99: quantileSorted(finite, 0.99),
    min: finite[0],
    max: finite[finite.length - 1],
  };
}
