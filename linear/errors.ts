/**
 * The one error class of the linear-analysis module.
 *
 * @module
 */

/**
 * Thrown for bad input to {@linkcode linearize}, {@linkcode lqr}, {@linkcode controllability} or
 * {@linkcode eigenvalues} (a wrong shape, a non-finite entry, Q not symmetric positive semidefinite,
 * R not positive definite) and for a design that has no answer (an unstabilisable pair, a Riccati
 * equation without a stabilising solution). `argument` names the offending argument ("A", "B", "Q",
 * "R", "state", "u", or "A, B" for a property of the pair); the message says what was given and
 * what is required.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LinearAnalysisError, lqr } from "./mod.ts";
 * assert.throws(() => lqr([[0, 1], [0, 0]], [[0], [1], [2]], [[1, 0], [0, 1]], 1), (e: unknown) => {
 *   assert.ok(e instanceof LinearAnalysisError);
 *   assert.equal(e.argument, "B");
 *   assert.equal(e.message, "lqr() argument B: must be a 2×m matrix (as many rows as A), got 3×1");
 *   return true;
 * });
 * ```
 */
export class LinearAnalysisError extends Error {
  /** The offending argument: "A", "B", "Q", "R", "state", "u" or "A, B". */
  readonly argument: string;
  /**
   * @param argument The offending argument.
   * @param message What was given and what is required.
   */
  constructor(argument: string, message: string) {
    super(message);
    this.name = "LinearAnalysisError";
    this.argument = argument;
  }
}
