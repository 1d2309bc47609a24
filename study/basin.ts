/**
 * The basin-of-attraction grid of the study: the θ1 × θ2 starting points (from rest, x = 0) and the
 * summary of which of them settle. Definitions in docs/study.md#what-it-runs (the grid and its labels)
 * and docs/study.md#statistics (the largest square).
 *
 * @module
 */

/** What happened to the run started from one grid point. */
export type BasinLabel = "settled" | "fell" | "not_settled";

/** Summary of a labelled grid. */
export interface BasinSummary {
  /** Share of grid points whose run settled, in [0, 1]. */
  readonly areaFraction: number;
  /**
   * Half-width r [rad] of the largest square |θ1| ≤ r, |θ2| ≤ r centred on upright whose grid points
   * all settle (0 when not even the innermost ring settles).
   */
  readonly largestSquare: number;
  /** Counts of each label. */
  readonly counts: Readonly<Record<BasinLabel, number>>;
}

/**
 * `n` evenly spaced angles from −range to +range (both included); with an odd `n` the middle one is
 * exactly 0, the upright starting point.
 *
 * @example A 5-point axis
 * ```ts
 * import assert from "node:assert/strict";
 * import { basinAxis } from "./basin.ts";
 * assert.deepEqual(basinAxis(0.5, 5), [-0.5, -0.25, 0, 0.25, 0.5]);
 * ```
 *
 * @param range Half-width of the axis [rad], > 0.
 * @param n Number of points, ≥ 2.
 * @returns The axis values, symmetric about 0.
 */
export function basinAxis(range: number, n: number): number[] {
  if (!(range > 0) || !Number.isFinite(range)) {
    throw new RangeError(`basin range: must be a finite number > 0, got ${range}`);
  }
  if (!Number.isSafeInteger(n) || n < 2) {
    throw new RangeError(`basin grid: must be an integer >= 2, got ${n}`);
  }
  // Built from both ends so the axis is exactly symmetric (a[i] === -a[n-1-i]) and the middle is 0.
  return Array.from({ length: n }, (_, i) => {
    const j = n - 1 - i;
    if (i === j) return 0;
    return i < j ? -range + (2 * range * i) / (n - 1) : range - (2 * range * j) / (n - 1);
  });
}

/**
 * Summarises a labelled grid: the settled area fraction and the largest centred square of settled
 * points. The square grows ring by ring from the middle of the grid (the middle point for an odd
 * grid, the middle 2 × 2 block for an even one) and stops at the first ring holding a point that did
 * not settle.
 *
 * @example A 3 × 3 grid whose corners fall
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeBasin } from "./basin.ts";
 * const s = "settled", f = "fell";
 * const summary = summarizeBasin([-0.2, 0, 0.2], [-0.2, 0, 0.2], [[f, s, f], [s, s, s], [f, s, f]]);
 * assert.equal(summary.areaFraction, 5 / 9);
 * assert.equal(summary.largestSquare, 0); // the 3 × 3 ring has fallen corners; only the centre settles
 * ```
 *
 * @param theta1 Axis of θ1 (rows), symmetric about 0.
 * @param theta2 Axis of θ2 (columns), symmetric about 0, same length as theta1.
 * @param labels `labels[i][j]` for the start (theta1[i], theta2[j]).
 * @returns The summary.
 */
export function summarizeBasin(
  theta1: readonly number[],
  theta2: readonly number[],
  labels: readonly (readonly BasinLabel[])[],
): BasinSummary {
  const n = theta1.length;
  if (theta2.length !== n) {
    throw new RangeError(`basin: theta2 must have the length of theta1 (${n}), got ${theta2.length}`);
  }
  if (labels.length !== n || labels.some((row) => row.length !== n)) {
    throw new RangeError(`basin: labels must be a ${n} × ${n} grid`);
  }
  const counts: Record<BasinLabel, number> = { settled: 0, fell: 0, not_settled: 0 };
  for (const row of labels) {
    for (const label of row) {
      if (!(label in counts)) throw new RangeError(`basin: unknown label ${JSON.stringify(label)}`);
      counts[label]++;
    }
  }
  let largestSquare = 0;
  const innerLo = Math.floor((n - 1) / 2);
  const innerHi = Math.ceil((n - 1) / 2);
  for (let k = 0; innerLo - k >= 0; k++) {
    const lo = innerLo - k, hi = innerHi + k;
    let all = true;
    for (let i = lo; i <= hi && all; i++) {
      for (let j = lo; j <= hi; j++) {
        // Only the ring's border is new; the inside was checked by the smaller rings.
        if (i !== lo && i !== hi && j !== lo && j !== hi) continue;
        if (labels[i][j] !== "settled") {
          all = false;
          break;
        }
      }
    }
    if (!all) break;
    largestSquare = Math.min(
      Math.max(Math.abs(theta1[lo]), Math.abs(theta1[hi])),
      Math.max(Math.abs(theta2[lo]), Math.abs(theta2[hi])),
    );
  }
  return { areaFraction: counts.settled / (n * n), largestSquare, counts };
}
