/**
 * Number rules in the project's error style: what a number must satisfy, the one message for a
 * number that fails (type, then finiteness, then integrality, then range), and the zod schema that
 * checks it.
 *
 * @module
 */
import { z } from "zod";
import { describe } from "./errors.ts";

/**
 * What a number must satisfy. Bounds are inclusive unless marked exclusive.
 *
 * @example Usage
 * ```ts
 * import { number, type NumberRule } from "./numbers.ts";
 * const angle: NumberRule = { min: 0, minExclusive: true, max: Math.PI };
 * console.log(number(angle).safeParse(4).success); // false
 * ```
 */
export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly maxExclusive?: boolean;
  /**
   * Why `max` exists when it is a resource limit rather than a property of the model. Such a
   * bound gets its own message, naming the limit and this reason, instead of a combined range.
   */
  readonly limit?: string;
  /**
   * With `limit`: the bound is on the magnitude (`min` is `-max`), so a value past either end is
   * told the whole range and the reason, `must be in [-1000000, 1000000] (…), got 1e+308`.
   */
  readonly limitsMagnitude?: boolean;
}

/** Issue fields the messages read (`input` is always filled in for the issues built here). */
type IssueInput = { readonly input?: unknown };

function rangeText(rule: NumberRule): string {
  const { min, max, minExclusive, maxExclusive } = rule;
  if (min !== undefined && max !== undefined) {
    return `must be in ${minExclusive ? "(" : "["}${min}, ${max}${maxExclusive ? ")" : "]"}`;
  }
  if (min !== undefined) return minExclusive ? `must be greater than ${min}` : `must be at least ${min}`;
  return maxExclusive ? `must be less than ${max}` : `must be at most ${max}`;
}

/**
 * The message for a number that fails `rule`: type, then finiteness, then integrality, then range,
 * so that exactly one problem is named for one value.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberMessage } from "./numbers.ts";
 * assert.equal(numberMessage({ min: 0, minExclusive: true }, -1), "must be greater than 0, got -1");
 * assert.equal(numberMessage({}, "0.01"), 'must be a number, got "0.01"');
 * ```
 *
 * @param rule The rule the value failed.
 * @param value The value as given.
 * @param nullable Whether null would have been accepted (named in the type message).
 * @returns What is wrong, with the value given.
 */
export function numberMessage(rule: NumberRule, value: unknown, nullable = false): string {
  if (typeof value !== "number") {
    return `must be ${rule.integer ? "an integer" : "a number"}${nullable ? " or null" : ""}, got ${
      describe(value)
    }`;
  }
  if (!Number.isFinite(value)) return `must be finite, got ${value}`;
  if (rule.integer && !Number.isInteger(value)) return `must be an integer, got ${value}`;
  // Beyond 2^53 integers are no longer exact, so a seed or a count there would be silently rounded.
  if (rule.integer && !Number.isSafeInteger(value)) {
    return `must be a safe integer (at most ${Number.MAX_SAFE_INTEGER} in magnitude), got ${value}`;
  }
  const { min, max, minExclusive, maxExclusive } = rule;
  const below = min !== undefined && (minExclusive ? value <= min : value < min);
  const above = max !== undefined && (maxExclusive ? value >= max : value > max);
  if (rule.limit !== undefined) {
    if (rule.limitsMagnitude && (below || above)) return `${rangeText(rule)} (${rule.limit}), got ${value}`;
    if (below) return `${rangeText({ min, minExclusive })}, got ${value}`;
    if (above) return `must be at most ${max} (${rule.limit}), got ${value}`;
  }
  return `${rangeText(rule)}, got ${value}`;
}

/**
 * A number schema for `rule`.
 *
 * Every failing check of one value reports the same message (the first problem in
 * {@linkcode numberMessage}'s order), and repeats are dropped when issues are collected, so a value
 * gets one message. No check aborts: zod skips a parent mapping's cross-field rules after an
 * aborting issue anywhere below it, and those rules must still see the fields that are valid.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { number } from "./numbers.ts";
 * const count = number({ integer: true, min: 1 });
 * assert.equal(count.parse(3), 3);
 * assert.equal(count.safeParse(1.5).error?.issues[0].message, "must be an integer, got 1.5");
 * ```
 *
 * @param rule Integrality and bounds.
 * @param nullable Only for the message: whether the caller wraps the schema in `.nullable()`.
 * @returns The schema.
 */
export function number(rule: NumberRule = {}, nullable = false): z.ZodNumber {
  const error = (issue: IssueInput) => numberMessage(rule, issue.input, nullable);
  let schema = z.number({ error });
  // A refinement, not .int(): zod's integer check aborts (see above).
  if (rule.integer) schema = schema.refine(Number.isSafeInteger, { error });
  if (rule.min !== undefined) {
    schema = rule.minExclusive ? schema.gt(rule.min, { error }) : schema.gte(rule.min, { error });
  }
  if (rule.max !== undefined) {
    schema = rule.maxExclusive ? schema.lt(rule.max, { error }) : schema.lte(rule.max, { error });
  }
  return schema;
}

/**
 * A number for `rule`, or null.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nullableNumber } from "./numbers.ts";
 * assert.equal(nullableNumber({ min: 0 }).parse(null), null);
 * ```
 *
 * @param rule Integrality and bounds of the number.
 * @returns The schema.
 */
export function nullableNumber(rule: NumberRule = {}): z.ZodNullable<z.ZodNumber> {
  return number(rule, true).nullable();
}

/**
 * Any finite number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { finite, number } from "./numbers.ts";
 * assert.equal(number(finite).safeParse(-1e9).success, true);
 * ```
 */
export const finite: NumberRule = {};
/**
 * A finite number > 0.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { positive, number } from "./numbers.ts";
 * assert.equal(number(positive).safeParse(0).success, false);
 * ```
 */
export const positive: NumberRule = { min: 0, minExclusive: true };
/**
 * A finite number ≥ 0.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nonNegative, number } from "./numbers.ts";
 * assert.equal(number(nonNegative).safeParse(0).success, true);
 * ```
 */
export const nonNegative: NumberRule = { min: 0 };
/**
 * An integer ≥ 1.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { count, number } from "./numbers.ts";
 * assert.equal(number(count).safeParse(0).success, false);
 * ```
 */
export const count: NumberRule = { integer: true, min: 1 };
/**
 * A PRNG seed: an integer ≥ 0.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { seed, number } from "./numbers.ts";
 * assert.equal(number(seed).safeParse(42).success, true);
 * ```
 */
export const seed: NumberRule = { integer: true, min: 0 };
/**
 * A weight in [0, 1].
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unit, number } from "./numbers.ts";
 * assert.equal(number(unit).safeParse(1.5).success, false);
 * ```
 */
export const unit: NumberRule = { min: 0, max: 1 };
