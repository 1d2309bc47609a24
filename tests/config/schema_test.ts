/**
 * Tests of the schema as a single source of truth: the loaded config has exactly the schema's keys,
 * and the sections added with the lqr controller and the study (controllers.lqr, pso.bounds.lqr,
 * controller_defaults.lqr, disturbances, metrics, study) accept the shipped values and reject each
 * invalid variant at its dot-path.
 */
import assert from "assert";
import fc from "fast-check";
import { z } from "zod";
import {
  ConfigError,
  configSchema,
  CONTROLLER_TYPES,
  parseConfig,
  validateConfig,
} from "../../config/mod.ts";
import { GAIN_NAMES, validateGainVector } from "../../gains/mod.ts";
import {
  assertIssue,
  assertRejected,
  catchConfigError,
  edited,
  raw,
  type RejectedCase,
  REMOVE,
  shipped,
  TEXT,
} from "./helpers.ts";

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

Deno.test("validateConfig() accepts the shipped new sections and fills the defaults", () => {
  const config = shipped();
  assert.deepEqual(config.controllers.lqr, {
    Q: [10, 100, 100, 1, 10, 10],
    R: 0.1,
    max_force: 150,
    model: "full",
  });
  assert.deepEqual(config.pso.bounds.lqr, {
    lower: [-200, -2000, -2000, -200, -400, -400],
    upper: [200, 2000, 2000, 200, 400, 400],
  });
  assert.equal(config.controller_defaults.lqr, undefined);
  assert.deepEqual(config.disturbances.impulse, {
    force: { kind: "impulse", amplitude: 20, start: 2, duration: 0.1 },
  });
  assert.deepEqual(config.disturbances.noise.noise, {
    std: [0.001, 0.002, 0.002, 0.01, 0.02, 0.02],
    seed: 11,
  });
  assert.deepEqual(config.metrics, { settling_band: 0.02, chattering_frequency: 5 });
  assert.deepEqual(config.study.controllers, [
    "classical_smc",
    "sta_smc",
    "adaptive_smc",
    "hybrid_adaptive_sta_smc",
    "lqr",
  ]);
  assert.equal(config.study.seed, null);
  assert.deepEqual(config.study.monte_carlo.amplitude_scale, [0, 1]);
  assert.deepEqual(config.study.basin, { grid: 41, range: 0.5 });
  assert.ok(Object.isFrozen(config.disturbances.random.force));

  const variant = validateConfig(
    edited({
      "controllers.lqr.gains": [-1.5, 90, -120, -2.5, 5, -15],
      "controller_defaults.lqr": { gains: [-1, 80, -110, -2, 4, -14] },
      "disturbances.late_kick": { force: { kind: "impulse", amplitude: -10, duration: 0.05 } },
      "disturbances.wobble": { force: { kind: "sine", amplitude: 1, frequency: 2 } },
      "disturbances.both": {
        force: { kind: "step", amplitude: 1 },
        noise: { std: [0, 0, 0, 0, 0, 0], seed: 0 },
      },
      "study.seed": 3,
      "study.controllers": ["lqr"],
      "study.monte_carlo.disturbance": null,
      "study.monte_carlo.sampling": "sobol",
      "study.monte_carlo.amplitude_scale": [0.5, 0.5],
      "study.basin.range": Math.PI / 2,
    }),
    { env: {} },
  );
  // lqr gains are signed; start and phase default to 0.
  assert.deepEqual(variant.controllers.lqr.gains, [-1.5, 90, -120, -2.5, 5, -15]);
  assert.deepEqual(variant.controller_defaults.lqr?.gains, [-1, 80, -110, -2, 4, -14]);
  assert.deepEqual(variant.disturbances.late_kick.force, {
    kind: "impulse",
    amplitude: -10,
    duration: 0.05,
    start: 0,
  });
  assert.deepEqual(variant.disturbances.wobble.force, {
    kind: "sine",
    amplitude: 1,
    frequency: 2,
    start: 0,
    phase: 0,
  });
  assert.equal(variant.study.seed, 3);
  assert.equal(variant.study.monte_carlo.disturbance, null);
});

Deno.test("validateGainVector() accepts six finite lqr gains of either sign and nothing else", () => {
  assert.ok(CONTROLLER_TYPES.includes("lqr"));
  assert.deepEqual(GAIN_NAMES.lqr, ["k_x", "k_theta1", "k_theta2", "k_xdot", "k_theta1dot", "k_theta2dot"]);
  assert.deepEqual(validateGainVector("lqr", [-1, 0, 90, -2.5, 0, -15]), { ok: true, errors: [] });
  const bad = validateGainVector("lqr", [1, Infinity, "2", 3, 4]);
  assert.deepEqual(bad.errors.map((e) => [e.index, e.name]), [[-1, "gains"], [1, "k_theta1"], [
    2,
    "k_theta2",
  ]]);
  // The same zero is rejected for a sliding-mode type, whose gains must be positive.
  assert.equal(
    validateGainVector("classical_smc", [1, 0, 1, 1, 1, 1]).errors[0].message,
    "classical_smc gain k2 (index 1): must be greater than 0, got 0",
  );
});

const LQR_BOUNDS = "pso.bounds.lqr";

const REJECTED: readonly RejectedCase[] = [
  // controllers.lqr
  {
    name: "Q of length 5",
    edits: { "controllers.lqr.Q": [1, 1, 1, 1, 1] },
    path: "controllers.lqr.Q",
    fragment: "must have 6 values, got 5",
  },
  {
    name: "a negative Q entry",
    edits: { "controllers.lqr.Q[2]": -1 },
    path: "controllers.lqr.Q[2]",
    fragment: "must be at least 0, got -1",
  },
  {
    name: "an infinite Q entry",
    edits: { "controllers.lqr.Q[0]": Infinity },
    path: "controllers.lqr.Q[0]",
    fragment: "must be finite, got Infinity",
  },
  {
    name: "Q as a number",
    edits: { "controllers.lqr.Q": 10 },
    path: "controllers.lqr.Q",
    fragment: "must be an array of 6 numbers, got 10",
  },
  {
    name: "R = 0",
    edits: { "controllers.lqr.R": 0 },
    path: "controllers.lqr.R",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "R as a string",
    edits: { "controllers.lqr.R": "0.1" },
    path: "controllers.lqr.R",
    fragment: 'must be a number, got "0.1"',
  },
  {
    name: "a negative lqr max_force",
    edits: { "controllers.lqr.max_force": -1 },
    path: "controllers.lqr.max_force",
    fragment: "must be greater than 0, got -1",
  },
  {
    name: "a wrong lqr model",
    edits: { "controllers.lqr.model": "linear" },
    path: "controllers.lqr.model",
    fragment: 'must be one of "full", "simplified", got "linear"',
  },
  {
    name: "lqr gains too short",
    edits: { "controllers.lqr.gains": [1, 2, 3] },
    path: "controllers.lqr.gains",
    fragment: "must have 6 values (k_x, k_theta1, k_theta2, k_xdot, k_theta1dot, k_theta2dot), got 3",
  },
  {
    name: "a NaN lqr gain",
    edits: { "controllers.lqr.gains": [1, NaN, 3, 4, 5, 6] },
    path: "controllers.lqr.gains[1]",
    fragment: "lqr gain k_theta1 (index 1): must be finite, got NaN",
  },
  {
    name: "an unknown lqr key",
    edits: { "controllers.lqr.N": [0, 0, 0, 0, 0, 0] },
    path: "controllers.lqr.N",
    fragment: "unknown key; allowed: Q, R, max_force, model, gains",
  },
  {
    name: "a missing Q",
    edits: { "controllers.lqr.Q": REMOVE },
    path: "controllers.lqr.Q",
    fragment: "missing required key",
  },
  {
    name: "a missing lqr block",
    edits: { "controllers.lqr": REMOVE },
    path: "controllers.lqr",
    fragment: "missing required key",
  },
  {
    name: "lqr default gains of the wrong length",
    edits: { "controller_defaults.lqr": { gains: [1, 2] } },
    path: "controller_defaults.lqr.gains",
    fragment: "must have 6 values",
  },
  {
    name: "an lqr defaults block without gains",
    edits: { "controller_defaults.lqr": {} },
    path: "controller_defaults.lqr.gains",
    fragment: "missing required key",
  },
  // pso.bounds.lqr
  {
    name: "lqr bounds lower ≥ upper",
    edits: { [`${LQR_BOUNDS}.lower[3]`]: 200 },
    path: `${LQR_BOUNDS}.lower[3]`,
    fragment: `must be less than ${LQR_BOUNDS}.upper[3] (200), got 200`,
  },
  {
    name: "lqr bounds of length 5",
    edits: { [`${LQR_BOUNDS}.upper`]: [1, 1, 1, 1, 1] },
    path: `${LQR_BOUNDS}.upper`,
    fragment: "must have 6 values, got 5",
  },
  {
    name: "a NaN lqr bound",
    edits: { [`${LQR_BOUNDS}.lower[0]`]: NaN },
    path: `${LQR_BOUNDS}.lower[0]`,
    fragment: "must be finite, got NaN",
  },
  {
    name: "missing lqr bounds",
    edits: { [LQR_BOUNDS]: REMOVE },
    path: LQR_BOUNDS,
    fragment: "missing required key",
  },
  // disturbances
  {
    name: "an impulse of negative duration",
    edits: { "disturbances.impulse.force.duration": -1 },
    path: "disturbances.impulse.force.duration",
    fragment: "must be greater than 0, got -1",
  },
  {
    name: "an impulse without duration",
    edits: { "disturbances.impulse.force.duration": REMOVE },
    path: "disturbances.impulse.force.duration",
    fragment: "missing required key",
  },
  {
    name: "a step with a duration",
    edits: { "disturbances.step.force.duration": 0.1 },
    path: "disturbances.step.force.duration",
    fragment: "unknown key; allowed: kind, amplitude, start",
  },
  {
    name: "an unknown force kind",
    edits: { "disturbances.step.force.kind": "ramp" },
    path: "disturbances.step.force.kind",
    fragment: 'must be one of "impulse", "step", "sine", "random", got "ramp"',
  },
  {
    name: "a force without kind",
    edits: { "disturbances.step.force.kind": REMOVE },
    path: "disturbances.step.force.kind",
    fragment: "missing required key",
  },
  {
    name: "a negative start",
    edits: { "disturbances.step.force.start": -2 },
    path: "disturbances.step.force.start",
    fragment: "must be at least 0, got -2",
  },
  {
    name: "a string amplitude",
    edits: { "disturbances.step.force.amplitude": "5 N" },
    path: "disturbances.step.force.amplitude",
    fragment: 'must be a number, got "5 N"',
  },
  {
    name: "a sine of zero frequency",
    edits: { "disturbances.sine.force.frequency": 0 },
    path: "disturbances.sine.force.frequency",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "an infinite sine phase",
    edits: { "disturbances.sine.force.phase": -Infinity },
    path: "disturbances.sine.force.phase",
    fragment: "must be finite, got -Infinity",
  },
  {
    name: "a random force with a fractional seed",
    edits: { "disturbances.random.force.seed": 1.5 },
    path: "disturbances.random.force.seed",
    fragment: "must be an integer, got 1.5",
  },
  {
    name: "a random force without bandwidth",
    edits: { "disturbances.random.force.bandwidth": REMOVE },
    path: "disturbances.random.force.bandwidth",
    fragment: "missing required key",
  },
  {
    name: "a random force with a negative std",
    edits: { "disturbances.random.force.std": -2 },
    path: "disturbances.random.force.std",
    fragment: "must be at least 0, got -2",
  },
  {
    name: "noise std of length 5",
    edits: { "disturbances.noise.noise.std": [0, 0, 0, 0, 0] },
    path: "disturbances.noise.noise.std",
    fragment: "must have 6 values, got 5",
  },
  {
    name: "a negative noise std",
    edits: { "disturbances.noise.noise.std[3]": -0.01 },
    path: "disturbances.noise.noise.std[3]",
    fragment: "must be at least 0, got -0.01",
  },
  {
    name: "noise without a seed",
    edits: { "disturbances.noise.noise.seed": REMOVE },
    path: "disturbances.noise.noise.seed",
    fragment: "missing required key",
  },
  {
    name: "an unknown noise key",
    edits: { "disturbances.noise.noise.bias": 0 },
    path: "disturbances.noise.noise.bias",
    fragment: "unknown key; allowed: std, seed",
  },
  {
    name: "a scenario with neither force nor noise",
    edits: { "disturbances.calm": {} },
    path: "disturbances.calm",
    fragment: "must have force, noise or both, got neither",
  },
  {
    name: "an unknown scenario key",
    edits: { "disturbances.impulse.wind": 1 },
    path: "disturbances.impulse.wind",
    fragment: "unknown key; allowed: force, noise",
  },
  {
    name: "a force that is a number",
    edits: { "disturbances.impulse.force": 5 },
    path: "disturbances.impulse.force",
    fragment: "must be a mapping, got 5",
  },
  {
    name: "a scenario name in capitals",
    edits: { "disturbances.Gust": { force: { kind: "step", amplitude: 1 } } },
    path: "disturbances.Gust",
    fragment: 'must be a lower-case name (a letter, then a-z, 0-9 or _), got "Gust"',
  },
  {
    name: "disturbances as a list",
    edits: { disturbances: [] },
    path: "disturbances",
    fragment: "must be a mapping, got an array of 0",
  },
  {
    name: "a missing disturbances section",
    edits: { disturbances: REMOVE },
    path: "disturbances",
    fragment: "missing required key",
  },
  // metrics
  {
    name: "a zero settling band",
    edits: { "metrics.settling_band": 0 },
    path: "metrics.settling_band",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "a negative chattering frequency",
    edits: { "metrics.chattering_frequency": -5 },
    path: "metrics.chattering_frequency",
    fragment: "must be greater than 0, got -5",
  },
  {
    name: "an unknown metrics key",
    edits: { "metrics.band": 0.02 },
    path: "metrics.band",
    fragment: "unknown key; allowed: settling_band, chattering_frequency",
  },
  // study
  {
    name: "an unknown study controller",
    edits: { "study.controllers": ["classical_smc", "pid"] },
    path: "study.controllers[1]",
    fragment:
      'must be a canonical controller type (adaptive_smc, classical_smc, hybrid_adaptive_sta_smc, lqr, sta_smc), got "pid"',
  },
  {
    name: "an alias as a study controller",
    edits: { "study.controllers": ["sta"] },
    path: "study.controllers[0]",
    fragment: 'got "sta"',
  },
  {
    name: "a study controller listed twice",
    edits: { "study.controllers": ["lqr", "sta_smc", "lqr"] },
    path: "study.controllers[2]",
    fragment: 'must list each controller once, got "lqr" again (first at [0])',
  },
  {
    name: "no study controllers",
    edits: { "study.controllers": [] },
    path: "study.controllers",
    fragment: "must list at least one controller, got none",
  },
  {
    name: "study controllers as a string",
    edits: { "study.controllers": "lqr" },
    path: "study.controllers",
    fragment: 'must be an array of controller types, got "lqr"',
  },
  {
    name: "a fractional study seed",
    edits: { "study.seed": 1.5 },
    path: "study.seed",
    fragment: "must be an integer, got 1.5",
  },
  {
    name: "a wrong sampling",
    edits: { "study.monte_carlo.sampling": "grid" },
    path: "study.monte_carlo.sampling",
    fragment: 'must be one of "lhs", "sobol", got "grid"',
  },
  {
    name: "zero Monte Carlo runs",
    edits: { "study.monte_carlo.runs": 0 },
    path: "study.monte_carlo.runs",
    fragment: "must be at least 1, got 0",
  },
  {
    name: "fractional Monte Carlo runs",
    edits: { "study.monte_carlo.runs": 10.5 },
    path: "study.monte_carlo.runs",
    fragment: "must be an integer, got 10.5",
  },
  {
    name: "a negative initial angle",
    edits: { "study.monte_carlo.initial_angle": -0.1 },
    path: "study.monte_carlo.initial_angle",
    fragment: "must be in [0, 1.5707963267948966], got -0.1",
  },
  {
    name: "an amplitude scale with lo > hi",
    edits: { "study.monte_carlo.amplitude_scale": [1, 0.5] },
    path: "study.monte_carlo.amplitude_scale[0]",
    fragment: "must be at most study.monte_carlo.amplitude_scale[1] (0.5), got 1",
  },
  {
    name: "a negative amplitude scale",
    edits: { "study.monte_carlo.amplitude_scale": [-0.1, 1] },
    path: "study.monte_carlo.amplitude_scale[0]",
    fragment: "must be at least 0, got -0.1",
  },
  {
    name: "an amplitude scale of 3 values",
    edits: { "study.monte_carlo.amplitude_scale": [0, 0.5, 1] },
    path: "study.monte_carlo.amplitude_scale",
    fragment: "must have 2 values, got 3",
  },
  {
    name: "a Monte Carlo disturbance that names no scenario",
    edits: { "study.monte_carlo.disturbance": "gust" },
    path: "study.monte_carlo.disturbance",
    fragment:
      'must name an entry of disturbances (impulse, step, sine, random, noise) or be null, got "gust"',
  },
  {
    name: "a Monte Carlo disturbance that is a number",
    edits: { "study.monte_carlo.disturbance": 5 },
    path: "study.monte_carlo.disturbance",
    fragment: "must be the name of a disturbances entry or null, got 5",
  },
  {
    name: "a basin range of 0",
    edits: { "study.basin.range": 0 },
    path: "study.basin.range",
    fragment: "must be in (0, 1.5707963267948966], got 0",
  },
  {
    name: "a basin range past π/2",
    edits: { "study.basin.range": Math.PI / 2 + 1e-9 },
    path: "study.basin.range",
    fragment: "must be in (0, 1.5707963267948966]",
  },
  {
    name: "a basin grid of 1",
    edits: { "study.basin.grid": 1 },
    path: "study.basin.grid",
    fragment: "must be at least 2, got 1",
  },
  {
    name: "a fractional basin grid",
    edits: { "study.basin.grid": 40.5 },
    path: "study.basin.grid",
    fragment: "must be an integer, got 40.5",
  },
  {
    name: "an unknown study key",
    edits: { "study.runs": 10 },
    path: "study.runs",
    fragment: "unknown key; allowed: controllers, seed, monte_carlo, basin",
  },
  // Environment overrides reach the new sections and are validated like the file.
  {
    name: "an env override of an impulse duration",
    env: { DIP__DISTURBANCES__IMPULSE__FORCE__DURATION: "-1" },
    path: "disturbances.impulse.force.duration",
    fragment: "must be greater than 0, got -1 (set by DIP__DISTURBANCES__IMPULSE__FORCE__DURATION)",
  },
  {
    name: "an env override of a field another kind has",
    env: { DIP__DISTURBANCES__STEP__FORCE__FREQUENCY: "1" },
    path: "disturbances.step.force.frequency",
    fragment:
      "unknown key; allowed: kind, amplitude, start (set by DIP__DISTURBANCES__STEP__FORCE__FREQUENCY)",
  },
  {
    name: "an env override of a field no kind has",
    env: { DIP__DISTURBANCES__STEP__FORCE__WIND: "1" },
    path: "disturbances.step.force.wind",
    fragment:
      "unknown key set by DIP__DISTURBANCES__STEP__FORCE__WIND; allowed: kind, amplitude, start, duration",
  },
  {
    name: "an env override of the lqr R",
    env: { DIP__CONTROLLERS__LQR__R: "-0.1" },
    path: "controllers.lqr.R",
    fragment: "must be greater than 0, got -0.1 (set by DIP__CONTROLLERS__LQR__R)",
  },
  {
    name: "an env override naming no scenario",
    env: { DIP__STUDY__MONTE_CARLO__DISTURBANCE: "gust" },
    path: "study.monte_carlo.disturbance",
    fragment: '"gust" (set by DIP__STUDY__MONTE_CARLO__DISTURBANCE)',
  },
];

Deno.test("validateConfig() rejects each invalid variant of the new sections at its dot-path", async (t) => {
  for (const c of REJECTED) {
    await t.step(`validateConfig() rejects ${c.name}`, () => {
      assertRejected(c);
    });
  }
});

Deno.test("validateConfig() checks the Monte Carlo disturbance name even when another scenario is broken", () => {
  const error = assertRejected({
    name: "a broken scenario and a wrong name",
    edits: { "disturbances.sine.force.frequency": -1, "study.monte_carlo.disturbance": "gust" },
    path: "study.monte_carlo.disturbance",
    fragment: 'got "gust"',
  });
  assert.ok(error.issues.some((i) => i.path === "disturbances.sine.force.frequency"));
  assert.equal(error.issues.length, 2);
});

Deno.test("DIP__ overrides set the new sections like the file", () => {
  const config = validateConfig(raw(), {
    env: {
      DIP__CONTROLLERS__LQR__Q: "[1, 2, 3, 4, 5, 6]",
      DIP__CONTROLLERS__LQR__R: "0.5",
      DIP__STUDY__MONTE_CARLO__DISTURBANCE: "step",
      DIP__DISTURBANCES__GUST__FORCE: "{kind: step, amplitude: 1}",
      DIP__DISTURBANCES__IMPULSE__FORCE__AMPLITUDE: "30",
      DIP__STUDY__CONTROLLERS: "[lqr, sta_smc]",
    },
  });
  assert.deepEqual(config.controllers.lqr.Q, [1, 2, 3, 4, 5, 6]);
  assert.equal(config.controllers.lqr.R, 0.5);
  assert.equal(config.study.monte_carlo.disturbance, "step");
  assert.deepEqual(config.disturbances.gust, { force: { kind: "step", amplitude: 1, start: 0 } });
  assert.equal(
    config.disturbances.impulse.force?.kind === "impulse" && config.disturbances.impulse.force.amplitude,
    30,
  );
  assert.deepEqual(config.study.controllers, ["lqr", "sta_smc"]);
});

Deno.test("parseConfig() names a __proto__ scenario instead of dropping it", () => {
  const text = TEXT.replace(
    "disturbances:\n",
    "disturbances:\n  __proto__: { force: { kind: step, amplitude: 1 } }\n",
  );
  assert.notEqual(text, TEXT);
  const error = catchConfigError(() => parseConfig(text, { env: {}, onWarning: () => {} }));
  assertIssue(
    error,
    "disturbances.__proto__",
    'must be a lower-case name (a letter, then a-z, 0-9 or _), got "__proto__"',
  );
});

/** Every leaf and mapping of a value, as dot-path segments. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (typeof value === "object" && value !== null) {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  }
  return here;
}

Deno.test("validateConfig() answers any single replaced value in the project's message style", () => {
  const paths = pathsOf(raw());
  const values = fc.oneof(
    fc.double(),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.string({ maxLength: 8 }),
    fc.constantFrom(null, true, false, [], {}, [1, 2], { kind: "impulse" }, -1, 0, 1e300),
  );
  // Every message says what was given ("got …", or the samples a run asks for) or is one of the
  // structural messages.
  const style = /got |^\S+ s at dt \S+ asks for |^missing required key$|^unknown key; allowed: /;
  fc.assert(
    fc.property(fc.constantFrom(...paths), values, (path, value) => {
      const config = raw();
      let node = config as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1]] = value;
      try {
        validateConfig(config, { env: {}, onWarning: () => {} });
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        for (const issue of error.issues) {
          assert.match(issue.message, style, `${issue.path}: ${issue.message}`);
          assert.doesNotMatch(issue.message, /Invalid input|expected [a-z]+, received/, issue.message);
        }
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});
