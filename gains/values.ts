/**
 * Small helpers on untrusted values, shared across folders: how a value is named in an error
 * message ({@linkcode describeValue}), freezing a value deeply ({@linkcode deepFreeze}) and telling a
 * promise-like apart ({@linkcode isThenable}). They live in gains/ because it is the leaf folder (it
 * imports nothing), so config/, controllers/, factory/ and optimizer/ can all use them without a cycle.
 *
 * @module
 */

/**
 * Names a value for an error message the way the gain validator and the controllers do: a string
 * quoted as given, a number as written, `null`, `an array` (without its length: the messages that
 * use it state the count they expect separately), anything else by its `typeof`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "./values.ts";
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

/**
 * Freezes `value` and everything reachable from it through own enumerable keys, and returns it.
 *
 * It descends into objects that are already frozen (`Object.freeze` is shallow: a frozen object may
 * still hold mutable arrays that any reader could rewrite for all), and it is safe on cycles and
 * shared references (each object is visited once).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { deepFreeze } from "./values.ts";
 * const inner = [1, 2];
 * const shallow = Object.freeze({ inner });
 * const cyclic: { self?: unknown; shallow: typeof shallow } = { shallow };
 * cyclic.self = cyclic;
 * deepFreeze(cyclic);
 * assert.ok(Object.isFrozen(cyclic) && Object.isFrozen(inner));
 * ```
 *
 * @param value Anything; primitives are returned as they are.
 * @param seen Objects already visited (for the recursion).
 * @returns `value`, frozen.
 */
export function deepFreeze<V>(value: V, seen: WeakSet<object> = new WeakSet<object>()): V {
  if (value !== null && typeof value === "object" && !seen.has(value)) {
    seen.add(value);
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  }
  return value;
}

/**
 * Whether `value` is a promise-like: an object or function with a callable `then`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isThenable } from "./values.ts";
 * assert.deepEqual([isThenable(Promise.resolve(1)), isThenable(1), isThenable({ then: 1 })], [true, false, false]);
 * ```
 *
 * @param value Anything.
 * @returns Whether awaiting it would call its `then`.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
