/**
 * How a bad value is named in an error message of the generator (and, re-exported by
 * optimizer/values.ts, of the optimiser, whose inputs are vectors too): strings quoted, arrays by
 * length, typed arrays by type.
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
