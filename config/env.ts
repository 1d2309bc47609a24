/**
 * `DIP__SECTION__KEY=value` environment overrides: each variable names a config path (segments
 * matched case-insensitively against the schema's keys), its value is parsed as YAML and set into
 * a copy of the configuration before validation, so an override is validated exactly like the
 * file, and an issue under an overridden path names the variable that set it.
 *
 * @module
 */
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type ConfigIssue, isPlainObject } from "./errors.ts";
import { yamlMessage } from "./yaml_issues.ts";

/**
 * Prefix of the environment variables that override configuration values; `__` separates the keys.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENV_PREFIX, parseConfig } from "./mod.ts";
 * const text = await Deno.readTextFile("config.yaml");
 * const config = parseConfig(text, { env: { [`${ENV_PREFIX}PSO__SEED`]: "7" } });
 * assert.equal(config.pso.seed, 7);
 * ```
 */
export const ENV_PREFIX = "DIP__";

/**
 * One override that was applied: the variable and the dot-path it set.
 *
 * @example Usage
 * ```ts
 * import type { Override } from "./env.ts";
 * const o: Override = { name: "DIP__SIMULATION__DT", path: "simulation.dt" };
 * ```
 */
export interface Override {
  readonly name: string;
  readonly path: string;
}

/** What a schema node offers below it: named fields, any key (a record), or nothing (a leaf). */
type Children =
  | { readonly kind: "fields"; readonly fields: Readonly<Record<string, z.core.$ZodType>> }
  | { readonly kind: "any"; readonly value: z.core.$ZodType }
  | { readonly kind: "leaf" };

/**
 * The fields below a schema node, looking through the wrappers the schema uses (the plain-mapping
 * guard pipe, optional, nullable, default) and merging the fields of a union's options.
 */
function childrenOf(schema: z.core.$ZodType): Children {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case "pipe": {
      // mapping() is guard.pipe(object); gainVector() is unknown.pipe(transform): a leaf.
      const out = def.out as z.core.$ZodType;
      return out._zod.def.type === "transform" ? childrenOf(def.in as z.core.$ZodType) : childrenOf(out);
    }
    case "optional":
    case "exact_optional" as string:
    case "nullable":
    case "default":
    case "readonly":
      return childrenOf(def.innerType as z.core.$ZodType);
    case "object":
      return { kind: "fields", fields: (def as unknown as { shape: Record<string, z.core.$ZodType> }).shape };
    case "union": {
      const fields: Record<string, z.core.$ZodType> = {};
      for (const option of def.options as z.core.$ZodType[]) {
        const inner = childrenOf(option);
        if (inner.kind === "fields") Object.assign(fields, inner.fields);
      }
      return { kind: "fields", fields };
    }
    case "record":
      return { kind: "any", value: def.valueType as z.core.$ZodType };
    default:
      return { kind: "leaf" };
  }
}

/**
 * Applies `DIP__A__B=value` overrides to a copy of `root` (copy-on-write along each path),
 * resolving each segment case-insensitively against the schema. Returns the new root and the
 * overrides applied, so that issues under an overridden path can name the variable.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyEnv } from "./env.ts";
 * import { configSchema } from "./schema.ts";
 * const issues: { path: string; message: string }[] = [];
 * const { root } = applyEnv(configSchema, { pso: { seed: 1 } }, { DIP__PSO__SEED: "7" }, issues);
 * assert.deepEqual(root, { pso: { seed: 7 } });
 * ```
 *
 * @param schema The configuration schema whose keys the variables name.
 * @param root The configuration before overrides (not modified).
 * @param env The environment; only `DIP__` variables are read.
 * @param issues Receives the problems with the variables themselves (unknown key, bad YAML).
 * @returns The overridden root and the overrides applied.
 */
export function applyEnv(
  schema: z.core.$ZodType,
  root: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
): { root: unknown; overrides: Override[] } {
  const entries = Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(ENV_PREFIX) && typeof e[1] === "string")
    .map(([name, text]) => ({ name, text, segments: name.slice(ENV_PREFIX.length).split("__") }))
    // Shallow first, so DIP__PHYSICS={...} can be refined by DIP__PHYSICS__CART_MASS; then by name,
    // so the result never depends on the environment's enumeration order.
    .sort((a, b) => a.segments.length - b.segments.length || (a.name < b.name ? -1 : 1));
  const overrides: Override[] = [];
  for (const { name, text, segments } of entries) {
    const keys = resolveKeys(schema, root, segments, name, issues);
    if (keys === undefined) continue;
    const path = keys.join(".");
    const earlier = overrides.find((o) => o.path === path);
    if (earlier) {
      issues.push({ path, message: `set by both ${earlier.name} and ${name}` });
      continue;
    }
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      issues.push({ path, message: `${name} is not a valid YAML value: ${yamlMessage(doc.errors[0])}` });
      continue;
    }
    // Setting below a non-mapping is skipped: validation already reports that ancestor's type.
    const updated = setIn(root, keys, doc.toJS());
    if (updated === undefined) continue;
    root = updated;
    overrides.push({ name, path });
  }
  return { root, overrides };
}

function resolveKeys(
  schema: z.core.$ZodType,
  root: unknown,
  segments: readonly string[],
  name: string,
  issues: ConfigIssue[],
): string[] | undefined {
  let node: Children = childrenOf(schema);
  let value: unknown = root;
  const keys: string[] = [];
  for (const segment of segments) {
    const lower = segment.toLowerCase();
    const path = [...keys, lower].join(".");
    let key: string | undefined;
    if (node.kind === "leaf") {
      issues.push({ path, message: `unknown key set by ${name}; ${keys.join(".")} is not a mapping` });
      return undefined;
    } else if (node.kind === "any") {
      // A record (named scenarios): an existing entry in any case, else a new lower-case one.
      const existing = isPlainObject(value) ? Object.keys(value) : [];
      key = existing.find((k) => k.toLowerCase() === lower) ?? lower;
      node = childrenOf(node.value);
    } else {
      const allowed = Object.keys(node.fields);
      key = allowed.find((k) => k.toLowerCase() === lower);
      if (key === undefined) {
        issues.push({ path, message: `unknown key set by ${name}; allowed: ${allowed.join(", ")}` });
        return undefined;
      }
      node = childrenOf(node.fields[key]);
    }
    keys.push(key);
    value = isPlainObject(value) ? value[key] : undefined;
  }
  return keys;
}

function setIn(node: unknown, keys: readonly string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const base = node === undefined ? {} : node;
  if (!isPlainObject(base)) return undefined;
  const [key, ...rest] = keys;
  const inner = setIn(Object.hasOwn(base, key) ? base[key] : undefined, rest, value);
  return inner === undefined ? undefined : { ...base, [key]: inner };
}

/**
 * Adds `(set by DIP__…)` to an issue under a path that an override set (the deepest one wins).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { blame } from "./env.ts";
 * const issue = blame({ path: "simulation.dt", message: "must be greater than 0, got -1" }, [
 *   { name: "DIP__SIMULATION__DT", path: "simulation.dt" },
 * ]);
 * assert.equal(issue.message, "must be greater than 0, got -1 (set by DIP__SIMULATION__DT)");
 * ```
 *
 * @param issue The issue.
 * @param overrides The overrides applied.
 * @returns The issue, attributed when an override set its value.
 */
export function blame(issue: ConfigIssue, overrides: readonly Override[]): ConfigIssue {
  const hit = overrides
    .filter((o) =>
      issue.path === o.path || issue.path.startsWith(`${o.path}.`) || issue.path.startsWith(`${o.path}[`)
    )
    .sort((a, b) => b.path.length - a.path.length)[0];
  return hit && !issue.message.includes(hit.name)
    ? { path: issue.path, message: `${issue.message} (set by ${hit.name})` }
    : issue;
}
