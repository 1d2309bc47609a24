/**
 * Schemas that speak the project's error style: strings, booleans, vectors, gain vectors and
 * mappings (numbers are in numbers.ts). Each builds a zod schema (so the TypeScript type is derived
 * from it) whose messages say what was given and what is allowed, one message per value, and a
 * mapping's cross-field rules see the fields that passed their own rule.
 *
 * @module
 */
import { z } from "zod";
import { type ControllerType, validateGainVector } from "../gains/mod.ts";
import { describe, isPlainObject, unknownKeyMessage } from "./errors.ts";
import { number, type NumberRule } from "./numbers.ts";

/**
 * One of fixed strings (case-sensitive: `Full` is not `full`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneOf } from "./rules.ts";
 * const integrator = oneOf("rk4", "euler");
 * assert.equal(integrator.safeParse("rk5").error?.issues[0].message, 'must be one of "rk4", "euler", got "rk5"');
 * ```
 *
 * @param values The allowed strings, in the order the message lists them.
 * @returns The schema.
 */
export function oneOf<const T extends readonly [string, ...string[]]>(...values: T) {
  const allowed = values.map((v) => `"${v}"`).join(", ");
  return z.enum(values, { error: (issue) => `must be one of ${allowed}, got ${describe(issue.input)}` });
}

/**
 * `true` or `false` (no `"yes"`, no 0/1).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { boolean } from "./rules.ts";
 * assert.equal(boolean().safeParse("yes").success, false);
 * ```
 *
 * @returns The schema.
 */
export function boolean(): z.ZodBoolean {
  return z.boolean({ error: (issue) => `must be true or false, got ${describe(issue.input)}` });
}

/**
 * An array of exactly `length` numbers, each satisfying `element`. A wrong length and bad elements
 * are all reported (each element at its own index, holes of a sparse array included).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { vector } from "./rules.ts";
 * const state = vector(6, {});
 * assert.deepEqual(state.parse([0, 0.1, 0, 0, 0, 0]), [0, 0.1, 0, 0, 0, 0]);
 * assert.equal(state.safeParse([0, 1]).error?.issues[0].message, "must have 6 values, got 2");
 * ```
 *
 * @param length The exact number of entries.
 * @param element The rule of every entry.
 * @returns The schema.
 */
export function vector(length: number, element: NumberRule): z.ZodArray<z.ZodNumber> {
  return z.array(number(element), {
    error: (issue) => `must be an array of ${length} numbers, got ${describe(issue.input)}`,
  }).check(z.superRefine((list: unknown[], ctx) => {
    if (list.length !== length) {
      ctx.addIssue({
        code: "custom",
        message: `must have ${length} values, got ${list.length}`,
        input: list,
      });
    }
  }, {
    // Also when an element failed: a short vector with a NaN has two problems, both worth naming.
    when: (payload) => Array.isArray(payload.value),
  }));
}

/**
 * A gain vector of a controller type, checked by the one gain validator (gains/mod.ts), so config
 * loading, controller creation and PSO pre-filtering can never disagree about what a valid gain is.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { gainVector } from "./rules.ts";
 * assert.deepEqual(gainVector("hybrid_adaptive_sta_smc").parse([0.5, 22, 2.5, 6.7]), [0.5, 22, 2.5, 6.7]);
 * assert.equal(gainVector("hybrid_adaptive_sta_smc").safeParse([0.5, 22, 2.5, -6.7]).error?.issues[0].path[0], 3);
 * ```
 *
 * @param type The controller type whose rules apply.
 * @returns The schema; its output is a fresh plain array.
 */
export function gainVector(type: ControllerType) {
  return z.unknown().check((payload) => {
    for (const e of validateGainVector(type, payload.value).errors) {
      payload.issues.push({
        code: "custom",
        message: e.message,
        path: e.index < 0 ? [] : [e.index],
        input: payload.value,
      });
    }
  }).transform((value) => Array.from(value as ArrayLike<number>));
}

/**
 * Reports a cross-field problem at a path relative to the mapping (`[]`: the mapping itself).
 *
 * @example Usage
 * ```ts
 * import type { Report } from "./rules.ts";
 * const report: Report = (path, message) => console.log(path, message);
 * report(["lower", 1], "must be less than upper[1] (2), got 3");
 * ```
 */
export type Report = (path: string | readonly PropertyKey[], message: string) => void;

/**
 * Whether nothing under a path relative to the mapping failed its own rule.
 *
 * @example Usage
 * ```ts
 * import type { IsValid } from "./rules.ts";
 * const everythingValid: IsValid = () => true;
 * ```
 */
export type IsValid = (path: readonly PropertyKey[]) => boolean;

/**
 * A cross-field rule of a mapping. It runs even when some fields failed, but sees only the fields
 * that passed their own rule in `valid`, so one bad value neither hides nor cascades into others.
 *
 * @example Usage
 * ```ts
 * import type { z } from "zod";
 * import type { CrossCheck } from "./rules.ts";
 * const ordered: CrossCheck<{ lo: z.ZodNumber; hi: z.ZodNumber }> = ({ lo, hi }, report) => {
 *   if (lo !== undefined && hi !== undefined && lo > hi) report("lo", `must be at most hi (${hi}), got ${lo}`);
 * };
 * ```
 */
export type CrossCheck<S extends z.ZodRawShape> = (
  valid: Partial<z.output<z.ZodObject<S>>>,
  report: Report,
  isValid: IsValid,
  /** The mapping as parsed so far, failed fields included (as given or partly parsed). */
  parsed: Readonly<Record<string, unknown>>,
) => void;

/**
 * A mapping with exactly the keys of `shape` (unknown keys are errors) and an optional cross-field
 * rule, without the plain-object guard of {@linkcode mapping}: for the options of a discriminated
 * union, which must be objects.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { number } from "./numbers.ts";
 * import { strict } from "./rules.ts";
 * const pair = strict({ a: number(), b: number() });
 * assert.equal(pair.safeParse({ a: 1, b: 2, c: 3 }).error?.issues[0].code, "unrecognized_keys");
 * ```
 *
 * @param shape The fields, in the order messages list them.
 * @param check The cross-field rule.
 * @returns The schema.
 */
export function strict<S extends z.ZodRawShape>(shape: S, check?: CrossCheck<S>) {
  const keys = Object.keys(shape);
  const object = z.strictObject(shape, { error: () => unknownKeyMessage(keys) });
  if (check === undefined) return object;
  return object.check(z.superRefine((value: Record<string, unknown>, ctx) => {
    if (!isPlainObject(value)) return;
    const failed = ctx.issues.map((i) => i.path ?? []);
    const isValid: IsValid = (path) =>
      !failed.some((p) => path.every((segment, i) => p.length > i && p[i] === segment));
    const valid: Record<string, unknown> = {};
    for (const key of keys) if (Object.hasOwn(value, key) && isValid([key])) valid[key] = value[key];
    check(
      valid as Partial<z.output<z.ZodObject<S>>>,
      (path, message) => {
        ctx.addIssue({
          code: "custom",
          message,
          path: typeof path === "string" ? [path] : [...path],
          input: value,
        });
      },
      isValid,
      value,
    );
  }, { when: () => true }));
}

/**
 * Only plain mappings, as YAML and JSON produce them: an array, a scalar, null or a class instance
 * (a `URL`, a `Map`) is one error at the mapping's own path, not a list of missing keys.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { plainMapping } from "./rules.ts";
 * assert.equal(plainMapping().safeParse([1, 2]).error?.issues[0].message, "must be a mapping, got an array of 2");
 * ```
 *
 * @returns The guard schema.
 */
export function plainMapping() {
  return z.custom<Record<string, unknown>>(isPlainObject, {
    error: (issue) => `must be a mapping, got ${describe(issue.input)}`,
  });
}

/**
 * A section or sub-section: a plain mapping with exactly the keys of `shape`, all required unless
 * the field schema is optional, and an optional cross-field rule.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { number, positive } from "./numbers.ts";
 * import { mapping } from "./rules.ts";
 * const limits = mapping({ lo: number(), hi: number(positive) }, (valid, report) => {
 *   if (valid.lo !== undefined && valid.hi !== undefined && !(valid.lo < valid.hi)) {
 *     report("lo", `must be less than hi (${valid.hi}), got ${valid.lo}`);
 *   }
 * });
 * assert.deepEqual(limits.parse({ lo: 1, hi: 2 }), { lo: 1, hi: 2 });
 * assert.equal(limits.safeParse({ lo: 3, hi: 2 }).error?.issues[0].message, "must be less than hi (2), got 3");
 * ```
 *
 * @param shape The fields, in config.yaml's order (the order "allowed:" lists them).
 * @param check The cross-field rule.
 * @returns The schema.
 */
export function mapping<S extends z.ZodRawShape>(shape: S, check?: CrossCheck<S>) {
  return plainMapping().pipe(strict(shape, check));
}
