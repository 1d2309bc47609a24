/**
 * The one short description of an arbitrary value for error messages ("got 5", "got null",
 * `got "gains"`, "got an array", "got object").
 *
 * @module
 */

/**
 * Describes a value for an error message: strings quoted, numbers as written, `null`, "an array",
 * else its `typeof`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "./describe.ts";
 * assert.equal(describeValue("gains"), '"gains"');
 * assert.equal(describeValue(NaN), "NaN");
 * assert.equal(describeValue([1, 2]), "an array");
 * assert.equal(describeValue({ c1: 1 }), "object");
 * ```
 *
 * @param value Anything.
 * @returns A short description.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array`;
  return typeof value;
}
