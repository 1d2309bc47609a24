/**
 * The layout of a batch simulation's buffers (`simulateBatch` in plant/): particle `p` of a batch
 * of `steps` steps has its `steps + 1` states of 6 doubles from {@linkcode stateOffset} and its
 * `steps` controls (and σ values) from {@linkcode controlOffset}. One place for the arithmetic the
 * cost, the evaluator and the robustness check all do, and for the size the buffers take.
 *
 * @module
 */
import { STATE_SIZE } from "../plant/mod.ts";

/**
 * Offset of run `p`'s first state in a batch's state buffer `x`.
 *
 * @example Usage
 * ```ts
 * import { stateOffset } from "./batch_layout.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stateOffset(2, 1000), 2 * 1001 * 6);
 * ```
 *
 * @param p Run (particle) index.
 * @param steps Steps per run.
 * @returns The index of `x[p][0][0]`.
 */
export function stateOffset(p: number, steps: number): number {
  return p * (steps + 1) * STATE_SIZE;
}

/**
 * Offset of run `p`'s first control in a batch's control buffer `u` (and σ buffer).
 *
 * @example Usage
 * ```ts
 * import { controlOffset } from "./batch_layout.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(controlOffset(2, 1000), 2000);
 * ```
 *
 * @param p Run (particle) index.
 * @param steps Steps per run.
 * @returns The index of `u[p][0]`.
 */
export function controlOffset(p: number, steps: number): number {
  return p * steps;
}

/** How {@linkcode batchDoubles} counts, for error messages. */
export const BATCH_DOUBLES_FORMULA = "((steps + 1) × 6 + 2 × steps) doubles";

/**
 * Doubles a batch of `count` runs of `steps` steps allocates: states, controls and σ,
 * `count × ((steps + 1) × 6 + 2 × steps)`.
 *
 * @example Usage
 * ```ts
 * import { batchDoubles } from "./batch_layout.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(batchDoubles(10, 1000) * 8, 640_480); // ≈ 0.64 MB for 10 scenarios of 1000 steps
 * ```
 *
 * @param count Runs in the batch.
 * @param steps Steps per run.
 * @returns The number of doubles.
 */
export function batchDoubles(count: number, steps: number): number {
  return count * ((steps + 1) * STATE_SIZE + 2 * steps);
}
