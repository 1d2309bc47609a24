/**
 * Tests of the schema as a single source of truth (config/schema.ts): the loaded config has exactly
 * the schema's keys, every optional key the shipped config leaves out is listed, and a drift either
 * way is detected.
 */
import assert from "assert";
import { z } from "zod";
import { configSchema } from "../../config/mod.ts";
import { raw, shipped } from "./helpers.ts";

/**
 * Keys a schema node declares: for a mapping its fields (each with whether it may be absent), for
 * a record its value schema, for a discriminated union the option matching the value's `kind`.
 */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  if (schema instanceof z.ZodPipe) {
    return schema.out instanceof z.ZodTransform ? schema.in : unwrap(schema.out);
  }
  if (
    schema instanceof z.ZodExactOptional || schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable || schema instanceof z.ZodDefault
  ) {
    return unwrap(schema.unwrap());
  }
  return schema;
}

/** Dot-paths where the value's keys and the schema's keys differ; `[]` when they agree. */
function keyDrift(schema: z.core.$ZodType, value: unknown, path = "config"): string[] {
  const node = unwrap(schema);
  if (node instanceof z.ZodDiscriminatedUnion) {
    const kind = (value as { kind?: unknown }).kind;
    const option = (node.options as z.ZodObject[]).find((o) => (o.shape.kind as z.ZodLiteral).value === kind);
    return option ? keyDrift(option, value, path) : [`${path}: no option for kind ${String(kind)}`];
  }
  if (node instanceof z.ZodRecord) {
    return Object.entries(value as Record<string, unknown>)
      .flatMap(([k, v]) => keyDrift(node.valueType, v, `${path}.${k}`));
  }
  if (!(node instanceof z.ZodObject)) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not a mapping`];
  const drift: string[] = [];
  const shape = node.shape as Record<string, z.core.$ZodType>;
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(shape, key)) drift.push(`${path}.${key}: not in the schema`);
  }
  for (const [key, field] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[key];
    if (!Object.hasOwn(value, key)) {
      if (!(field instanceof z.ZodExactOptional)) drift.push(`${path}.${key}: missing from the value`);
      continue;
    }
    drift.push(...keyDrift(field, v, `${path}.${key}`));
  }
  return drift;
}

/** Optional keys the shipped config leaves out, so the agreement test knows every optional key. */
function absentOptionalKeys(schema: z.core.$ZodType, value: unknown, path = "config"): string[] {
  const node = unwrap(schema);
  if (node instanceof z.ZodRecord) {
    return Object.entries(value as Record<string, unknown>)
      .flatMap(([_name, v]) => absentOptionalKeys(node.valueType, v, `${path}.*`)).filter((p, i, all) =>
        all.indexOf(p) === i
      );
  }
  if (!(node instanceof z.ZodObject) || typeof value !== "object" || value === null) return [];
  return Object.entries(node.shape as Record<string, z.core.$ZodType>).flatMap(([key, field]) =>
    Object.hasOwn(value, key)
      ? absentOptionalKeys(field, (value as Record<string, unknown>)[key], `${path}.${key}`)
      : [`${path}.${key}`]
  );
}

Deno.test("parseConfig() of the shipped config.yaml has exactly the schema's keys", () => {
  const config = shipped();
  assert.deepEqual(keyDrift(configSchema, config), []);
  // Every key the schema may leave out, listed, so a new optional key is a decision, not a drift.
  assert.deepEqual(absentOptionalKeys(configSchema, config).sort(), [
    "config.controller_defaults.lqr",
    "config.controllers.adaptive_smc.gains",
    "config.controllers.classical_smc.gains",
    "config.controllers.hybrid_adaptive_sta_smc.gains",
    "config.controllers.lqr.gains",
    "config.controllers.sta_smc.gains",
    "config.disturbances.*.force",
    "config.disturbances.*.noise",
  ]);
  // The check can fail: a key the schema lacks, and a schema key the value lacks, are both drift.
  assert.deepEqual(keyDrift(configSchema, { ...config, extra: 1 }), ["config.extra: not in the schema"]);
  const { metrics: _metrics, ...withoutMetrics } = config;
  assert.deepEqual(keyDrift(configSchema, withoutMetrics), ["config.metrics: missing from the value"]);
  // The top level in config.yaml's order.
  assert.deepEqual(Object.keys(config), Object.keys(raw()));
});
