/**
 * Small checks on untrusted values shared by the optimiser's modules: how a bad value is named in
 * an error message, and what counts as an array. The describer differs from gains/'s
 * `describeValue` on purpose (its messages are pinned by the tests): the optimiser's inputs are
 * vectors, so an array is named with its length and a typed array by its type. Whether a value is a
 * promise-like is gains/'s `isThenable`.
 *
 * @module
 */

/**
 * Names a value for an error message: strings quoted, numbers as written, arrays by length, typed
 * arrays by type, anything else by its `typeof`.
 *
 * @example Usage
 * ```ts
 * import { describeValue } from "./values.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([describeValue("1"), describeValue(NaN), describeValue([1, 2])], ['"1"', "NaN", "an array of length 2"]);
 * ```
 *
 * @param value Anything.
 * @returns A short description.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}

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
