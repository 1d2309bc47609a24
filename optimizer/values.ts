/**
 * Small checks on untrusted values shared by the optimiser's modules: how a bad value is named in
 * an error message (random/'s describer, re-exported), and what counts as an array. The describer
 * differs from gains/'s `describeValue` on purpose (its messages are pinned by the tests): the
 * optimiser's inputs are vectors, so an array is named with its length and a typed array by its
 * type. Whether a value is a promise-like is gains/'s `isThenable`.
 *
 * @module
 */

// The describer lives in random/ (the generator's messages use it and random/ imports nothing from
// the project); re-exported here so that the optimiser's modules keep one local import.
export { describeValue } from "../random/mod.ts";

/**
 * Whether `value` is an array or a typed array (not a `DataView`).
 *
 * @example Usage
 * ```ts
 * import { isArrayLike } from "./values.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([isArrayLike([1]), isArrayLike(Float64Array.of(1)), isArrayLike("1")], [true, true, false]);
 * ```
 *
 * @param value Anything.
 * @returns `true` for an array or a typed array.
 */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}
