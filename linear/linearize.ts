/**
 * Linearisation of a plant about an operating point: `ṡ ≈ f(s*, u*) + A·(s − s*) + B·(u − u*)`.
 *
 * @module
 */
import { type Plant, STATE_SIZE } from "../plant/mod.ts";
import { LinearAnalysisError } from "./errors.ts";

/**
 * The Jacobians of the state derivative at an operating point.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LinearModel, linearize } from "./mod.ts";
 * import { createPlant } from "../plant/mod.ts";
 * import { loadConfig } from "../config/mod.ts";
 * const model: LinearModel = linearize(createPlant(loadConfig("config.yaml", { env: {} }).physics));
 * assert.equal(model.B[0][0], 0);
 * ```
 */
export interface LinearModel {
  /** ∂f/∂s, 6×6, rows and columns over [x, θ1, θ2, ẋ, θ̇1, θ̇2]. */
  readonly A: number[][];
  /** ∂f/∂u, 6×1. */
  readonly B: number[][];
}

// Ridders' extrapolation of central differences: start with a step large against rounding, shrink
// it by CON per level, and eliminate the h², h⁴, … error terms by Richardson extrapolation, keeping
// the entry whose error estimate is smallest. For the smooth (sin, cos, rational) model this reaches
// ~1e-13 relative, where a single central difference stops near 1e-10 (truncation and rounding
// balance at h ≈ 1e-5).
const FIRST_STEP = 0.1;
const CON = 1.4;
const CON2 = CON * CON;
const LEVELS = 10;
const SAFE = 2;

/** Central differences of `f` along one input direction at LEVELS step sizes. */
function centralDifferences(
  evaluate: (delta: number, out: Float64Array) => void,
): Float64Array[] {
  const plus = new Float64Array(STATE_SIZE), minus = new Float64Array(STATE_SIZE);
  const out: Float64Array[] = [];
  let h = FIRST_STEP;
  for (let level = 0; level < LEVELS; level++) {
    evaluate(h, plus);
    evaluate(-h, minus);
    const d = new Float64Array(STATE_SIZE);
    for (let r = 0; r < STATE_SIZE; r++) d[r] = (plus[r] - minus[r]) / (2 * h);
    out.push(d);
    h /= CON;
  }
  return out;
}

/** Ridders' tableau for one output component; returns the best extrapolated derivative. */
function extrapolate(differences: readonly Float64Array[], r: number): number {
  const a: number[][] = Array.from({ length: LEVELS }, () => new Array<number>(LEVELS).fill(0));
  a[0][0] = differences[0][r];
  let best = a[0][0], err = Infinity;
  for (let i = 1; i < LEVELS; i++) {
    a[0][i] = differences[i][r];
    let fac = CON2;
    for (let j = 1; j <= i; j++) {
      a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1);
      fac *= CON2;
      const e = Math.max(Math.abs(a[j][i] - a[j - 1][i]), Math.abs(a[j][i] - a[j - 1][i - 1]));
      if (e <= err) {
        err = e;
        best = a[j][i];
      }
    }
    // Higher orders got worse: rounding has taken over, stop with the best so far.
    if (Math.abs(a[i][i] - a[i - 1][i - 1]) >= SAFE * err) break;
  }
  return best;
}

/**
 * Linearises `plant` at the operating point (`state`, `u`): the Jacobians `A = ∂f/∂s` and
 * `B = ∂f/∂u` of `f = plant.derivatives`. The default point is upright at rest with no force, where
 * both models (full and simplified) have the same linearisation.
 *
 * Each column is Ridders' extrapolation of central differences of `plant.derivatives`, so any plant
 * with that method can be linearised; the result agrees with the analytic Jacobian to about 1e-12
 * on this model. Any point works, not only an equilibrium (away from one, `f(s*, u*) ≠ 0` and the
 * affine term is the caller's).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPlant } from "../plant/mod.ts";
 * import { loadConfig } from "../config/mod.ts";
 * import { linearize } from "./mod.ts";
 * const plant = createPlant(loadConfig("config.yaml", { env: {} }).physics);
 * const { A, B } = linearize(plant);
 * assert.equal(A.length, 6);
 * assert.equal(A[0][3], 1); // ẋ is the derivative of x
 * assert.ok(B[3][0] > 0); // a push accelerates the cart forward
 * ```
 *
 * @param plant The model to linearise.
 * @param state Operating state `[x, θ1, θ2, ẋ, θ̇1, θ̇2]`; default all zeros.
 * @param u Operating force (N); default 0.
 * @returns `{ A: 6×6, B: 6×1 }` as plain arrays.
 * @throws {LinearAnalysisError} for a state that is not six finite numbers or a non-finite `u`.
 */
export function linearize(
  plant: Plant,
  state: ArrayLike<number> = new Float64Array(STATE_SIZE),
  u = 0,
): LinearModel {
  if (state == null || state.length !== STATE_SIZE) {
    throw new LinearAnalysisError(
      "state",
      `linearize() argument state: must hold 6 values [x, θ1, θ2, ẋ, θ̇1, θ̇2], got ${
        state == null ? state : `length ${state.length}`
      }`,
    );
  }
  for (let i = 0; i < STATE_SIZE; i++) {
    if (typeof state[i] !== "number" || !Number.isFinite(state[i])) {
      throw new LinearAnalysisError(
        "state",
        `linearize() argument state[${i}]: must be a finite number, got ${state[i]}`,
      );
    }
  }
  if (typeof u !== "number" || !Number.isFinite(u)) {
    throw new LinearAnalysisError("u", `linearize() argument u: must be a finite number, got ${u}`);
  }
  const base = Float64Array.from(state);
  const probe = new Float64Array(STATE_SIZE);
  const A: number[][] = Array.from({ length: STATE_SIZE }, () => new Array<number>(STATE_SIZE).fill(0));
  for (let j = 0; j < STATE_SIZE; j++) {
    const differences = centralDifferences((delta, out) => {
      probe.set(base);
      probe[j] += delta;
      plant.derivatives(probe, u, out);
    });
    for (let r = 0; r < STATE_SIZE; r++) A[r][j] = extrapolate(differences, r);
  }
  const differences = centralDifferences((delta, out) => {
    plant.derivatives(base, u + delta, out);
  });
  const B = Array.from({ length: STATE_SIZE }, (_, r) => [extrapolate(differences, r)]);
  return { A, B };
}
