/**
 * Linear analysis of the double inverted pendulum: linearisation about an operating point, the
 * linear-quadratic regulator (continuous algebraic Riccati equation), open-loop poles and
 * controllability. Matrices are plain `number[][]` rows; see docs/linear.md.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { createPlant } from "../plant/mod.ts";
 * import { controllability, eigenvalues, linearize, lqr } from "./mod.ts";
 * const plant = createPlant(loadConfig("config.yaml", { env: {} }).physics);
 * const { A, B } = linearize(plant);
 * assert.ok(eigenvalues(A).some((p) => p.re > 7)); // upright is unstable
 * assert.equal(controllability(A, B).rank, 6);
 * const Q = [10, 100, 100, 1, 10, 10].map((q, i) => [0, 0, 0, 0, 0, 0].map((_, j) => (i === j ? q : 0)));
 * const { E } = lqr(A, B, Q, 0.1);
 * assert.ok(E.every((p) => p.re < 0));
 * ```
 *
 * @module
 */
export { LinearAnalysisError } from "./errors.ts";
export type { Complex, MatrixInput } from "./matrix.ts";
export { linearize, type LinearModel } from "./linearize.ts";
export { lqr, type LqrResult, riccatiResidual } from "./lqr.ts";
export { type Controllability, controllability, eigenvalues } from "./analysis.ts";
