/**
 * The configuration's error type and the translation of schema issues into it: every problem is a
 * `<dot.path>: <what is wrong>` line that says what was given and what is allowed.
 *
 * @module
 */
import type { z } from "zod";

/**
 * Path of the issues about the whole document (malformed YAML, empty file, non-mapping root,
 * unreadable file).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, parseConfig, ROOT_PATH } from "./mod.ts";
 * try {
 *   parseConfig("");
 *   assert.fail("an empty document is not a configuration");
 * } catch (error) {
 *   assert.ok(error instanceof ConfigError);
 *   assert.equal(error.issues[0].path, ROOT_PATH);
 * }
 * ```
 */
export const ROOT_PATH = "<root>";

/**
 * One problem found in a configuration.
 *
 * @example Usage
 * ```ts
 * import type { ConfigIssue } from "./errors.ts";
 * const issue: ConfigIssue = { path: "physics.cart_mass", message: "must be greater than 0, got -1" };
 * ```
 */
export interface ConfigIssue {
  /** Dot-path of the offending value (`pso.bounds.sta_smc.lower[1]`), or `<root>`. */
  readonly path: string;
  /** What is wrong, with the value given (`must be greater than 0, got -1`). */
  readonly message: string;
}

/**
 * Thrown when a configuration cannot be read, parsed or validated. It carries every problem found,
 * not just the first; its message is a header line followed by one `<dot.path>: <what is wrong>`
 * line per issue.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, parseConfig } from "./mod.ts";
 * try {
 *   parseConfig("physics: [1, 2]");
 *   assert.fail("a list is not a physics section");
 * } catch (error) {
 *   assert.ok(error instanceof ConfigError);
 *   assert.ok(error.issues.some((i) => i.path === "physics"));
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found. */
  readonly issues: readonly ConfigIssue[];
  /** The configuration's origin when known (a file path). */
  readonly source?: string;

  /**
   * Builds the error and its message from the issues.
   *
   * @param issues The problems found (at least one).
   * @param source The configuration's origin, for the header line.
   */
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const header = `Invalid configuration${source === undefined ? "" : ` in ${source}`} (${count}):`;
    super([header, ...issues.map((i) => `  ${i.path}: ${i.message}`)].join("\n"));
    this.name = "ConfigError";
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ path: i.path, message: i.message })));
    if (source !== undefined) this.source = source;
  }
}

/**
 * A value as an error message shows it: `"abc"`, `-1`, `null`, `an array of 3`, `a mapping`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { describe } from "./errors.ts";
 * assert.equal(describe([1, 2, 3]), "an array of 3");
 * assert.equal(describe(new URL("file:///x")), "a URL");
 * ```
 *
 * @param value Any value.
 * @returns Its short description.
 */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return isPlainObject(value) ? "a mapping" : `a ${value.constructor?.name ?? "object"}`;
}

/**
 * Whether `value` is a mapping as YAML or JSON produce it (not an array, not a class instance).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlainObject } from "./errors.ts";
 * assert.equal(isPlainObject({ a: 1 }), true);
 * assert.equal(isPlainObject(new Map()), false);
 * ```
 *
 * @param value Any value.
 * @returns Whether it is a plain mapping.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `path.key`, or `key` at the root.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { childPath } from "./errors.ts";
 * assert.equal(childPath("", "pso"), "pso");
 * assert.equal(childPath("pso", "seed"), "pso.seed");
 * ```
 *
 * @param path The parent's dot-path ("" at the root).
 * @param key The key.
 * @returns The child's dot-path.
 */
export function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/**
 * Dot-path of schema path segments; no segments is `<root>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./errors.ts";
 * assert.equal(formatPath(["pso", "bounds", "sta_smc", "lower", 1]), "pso.bounds.sta_smc.lower[1]");
 * assert.equal(formatPath([]), "<root>");
 * ```
 *
 * @param segments Keys and indices from the root.
 * @returns The dot-path.
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = "";
  for (const segment of segments) {
    path = typeof segment === "number" ? `${path}[${segment}]` : childPath(path, String(segment));
  }
  return path === "" ? ROOT_PATH : path;
}

/**
 * Message of the `unrecognized_keys` issue that {@linkcode toConfigIssues} splits into one issue
 * per key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownKeyMessage } from "./errors.ts";
 * assert.equal(unknownKeyMessage(["mean", "max"]), "unknown key; allowed: mean, max");
 * ```
 *
 * @param allowed The keys the mapping has, in order.
 * @returns The message.
 */
export function unknownKeyMessage(allowed: readonly string[]): string {
  return `unknown key; allowed: ${allowed.join(", ")}`;
}

/**
 * Message of a key the schema requires and the mapping lacks.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MISSING_KEY } from "./errors.ts";
 * import { ConfigError, validateConfig } from "./mod.ts";
 * try {
 *   validateConfig({});
 *   assert.fail("an empty mapping is not a configuration");
 * } catch (error) {
 *   assert.ok(error instanceof ConfigError);
 *   assert.equal(error.issues[0].message, MISSING_KEY);
 * }
 * ```
 */
export const MISSING_KEY = "missing required key";

/**
 * Translates schema issues into configuration issues. Leaf schemas already carry the project's
 * messages (see rules.ts); what is left is structural: a key absent from its mapping is reported
 * as missing (the schema only sees `undefined`), and an unknown-keys issue becomes one issue per
 * key, at that key's path, so each typo gets its own line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toConfigIssues } from "./errors.ts";
 * import { number } from "./numbers.ts";
 * import { mapping } from "./rules.ts";
 * const schema = mapping({ a: number(), b: number() });
 * const input = { a: "x", c: 1 };
 * const issues = toConfigIssues(schema.safeParse(input).error!.issues, input);
 * assert.deepEqual(issues.map((i) => `${i.path}: ${i.message}`), [
 *   'a: must be a number, got "x"',
 *   "b: missing required key",
 *   "c: unknown key; allowed: a, b",
 * ]);
 * ```
 *
 * @param issues The issues of a failed parse.
 * @param input The value that was parsed (after env overrides), to tell missing keys from
 *   present-but-undefined values such as the hole of a sparse array.
 * @returns One issue per problem, each path reported once.
 */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, message });
  };
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add(formatPath([...issue.path, key]), issue.message);
      continue;
    }
    add(formatPath(issue.path), isMissing(input, issue.path) ? MISSING_KEY : issue.message);
  }
  return out;
}

/** Whether `path` ends at a key that its (plain-object) parent in `root` does not have. */
function isMissing(root: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let node = root;
  for (const segment of path.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  const last = path[path.length - 1];
  return typeof last === "string" && isPlainObject(node) && !Object.hasOwn(node, last);
}
