/**
 * The sections of the evaluation study: named disturbance scenarios (docs/disturbances.md), the
 * metric settings (docs/metrics.md) and the study itself (docs/study.md).
 *
 * @module
 */
import { z } from "zod";
import { CONTROLLER_TYPES } from "../gains/mod.ts";
import { describe } from "./errors.ts";
import { CONFIG_LIMITS, FORCE_LIMIT_REASON } from "./limits.ts";
import { finite, nonNegative, nullableNumber, number, positive, seed } from "./numbers.ts";
import { mapping, plainMapping, strict, vector } from "./rules.ts";

// A force past 1e6 N is no physical cart's (and at 1e308 the first step overflows to NaN).
const FORCE_LIMIT = FORCE_LIMIT_REASON;
/** A signed force amplitude [N], finite and at most `CONFIG_LIMITS.maxForce` in magnitude. */
const amplitude = () =>
  number({
    min: -CONFIG_LIMITS.maxForce,
    max: CONFIG_LIMITS.maxForce,
    limit: FORCE_LIMIT,
    limitsMagnitude: true,
  });

// Start times default to 0 (from the beginning of the run), the sine's phase too.
const start = () => number(nonNegative).default(0);

/** A force on the cart: one of four kinds, each with the fields it needs and no others. */
const FORCE_KINDS = ["impulse", "step", "sine", "random"] as const;

const force = plainMapping().pipe(z.discriminatedUnion("kind", [
  /** `amplitude` newtons for `duration` seconds from `start`. */
  strict({
    kind: z.literal("impulse"),
    amplitude: amplitude(),
    start: start(),
    duration: number(positive),
  }),
  /** `amplitude` newtons from `start` on. */
  strict({ kind: z.literal("step"), amplitude: amplitude(), start: start() }),
  /** `amplitude`·sin(2π·frequency·(t − start) + phase) from `start` on. */
  strict({
    kind: z.literal("sine"),
    amplitude: amplitude(),
    frequency: number(positive),
    start: start(),
    phase: number(finite).default(0),
  }),
  /** Seeded Gaussian force of standard deviation `std`, low-pass limited to `bandwidth` Hz. */
  strict({
    kind: z.literal("random"),
    std: number({ ...nonNegative, max: CONFIG_LIMITS.maxForce, limit: FORCE_LIMIT }),
    bandwidth: number(positive),
    seed: number(seed),
    start: start(),
  }),
], {
  error: (issue) => {
    const kind = (issue.input as Record<string, unknown> | undefined)?.kind;
    return `must be one of ${FORCE_KINDS.map((k) => `"${k}"`).join(", ")}, got ${describe(kind)}`;
  },
}));

/** Seeded Gaussian measurement noise, one standard deviation per state entry. */
const noise = mapping({ std: vector(6, nonNegative), seed: number(seed) });

const scenario = mapping({
  force: force.exactOptional(),
  noise: noise.exactOptional(),
}, (_valid, report, _isValid, parsed) => {
  if (!("force" in parsed) && !("noise" in parsed)) {
    report([], "must have force, noise or both, got neither");
  }
});

// Lower-case snake_case, like every other key: DIP__DISTURBANCES__<NAME>__... overrides can then
// address a scenario without ambiguity.
const SCENARIO_NAME = /^[a-z][a-z0-9_]*$/;
const nameMessage = (name: unknown) =>
  `must be a lower-case name (a letter, then a-z, 0-9 or _), got ${describe(name)}`;

/**
 * Schema of the `disturbances` section: named scenarios, each a cart force, measurement noise or
 * both.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { disturbancesSchema } from "./study_schema.ts";
 * const parsed = disturbancesSchema.parse({ kick: { force: { kind: "impulse", amplitude: 20, duration: 0.1 } } });
 * assert.equal(parsed.kick.force?.start, 0);
 * assert.equal(disturbancesSchema.safeParse({ empty: {} }).success, false);
 * ```
 */
export const disturbancesSchema = plainMapping().check((payload) => {
  // The record parser skips a "__proto__" key (so it cannot replace the prototype); name it
  // instead of dropping a scenario without a word.
  if (Object.hasOwn(payload.value, "__proto__")) {
    payload.issues.push({
      code: "custom",
      path: ["__proto__"],
      message: nameMessage("__proto__"),
      input: payload.value,
    });
  }
}).pipe(z.record(
  z.string().regex(SCENARIO_NAME, { error: (issue) => nameMessage(issue.input) }),
  scenario,
  { error: (issue) => issue.code === "invalid_key" ? issue.issues[0]?.message : undefined },
));

/**
 * Schema of the `metrics` section.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsSchema } from "./study_schema.ts";
 * assert.equal(metricsSchema.safeParse({ settling_band: 0, chattering_frequency: 5 }).success, false);
 * ```
 */
export const metricsSchema = mapping({
  /** rad: |θ1| and |θ2| below it, held to the end, is "settled". */
  settling_band: number(positive),
  /** Hz: the chattering index is the share of u's power above this frequency. */
  chattering_frequency: number(positive),
});

const controllerList = z.array(
  z.enum(CONTROLLER_TYPES as [string, ...string[]], {
    error: (issue) =>
      `must be a canonical controller type (${CONTROLLER_TYPES.join(", ")}), got ${describe(issue.input)}`,
  }),
  { error: (issue) => `must be an array of controller types, got ${describe(issue.input)}` },
).min(1, { error: "must list at least one controller, got none" }).check(z.superRefine((list, ctx) => {
  list.forEach((type, i) => {
    const first = list.indexOf(type);
    if (first !== i) {
      ctx.addIssue({
        code: "custom",
        path: [i],
        message: `must list each controller once, got "${type}" again (first at [${first}])`,
        input: list,
      });
    }
  });
}));

const monteCarlo = mapping({
  runs: number({
    integer: true,
    min: 1,
    max: CONFIG_LIMITS.maxMonteCarloRuns,
    limit: "the most runs a study makes",
  }),
  sampling: z.enum(["lhs", "sobol"], {
    error: (issue) => `must be one of "lhs", "sobol", got ${describe(issue.input)}`,
  }),
  /** rad: θ1 and θ2 drawn within ±initial_angle. */
  initial_angle: number({ min: 0, max: Math.PI / 2 }),
  /** Name of a `disturbances` entry, or null for none (checked against the names across sections). */
  disturbance: z.string({
    error: (issue) => `must be the name of a disturbances entry or null, got ${describe(issue.input)}`,
  }).nullable(),
  /** [lo, hi]: each run scales the scenario's force amplitude by a factor drawn in this range. */
  amplitude_scale: vector(2, nonNegative),
}, ({ amplitude_scale: scale }, report) => {
  if (scale !== undefined && !(scale[0] <= scale[1])) {
    report(
      ["amplitude_scale", 0],
      `must be at most study.monte_carlo.amplitude_scale[1] (${scale[1]}), got ${scale[0]}`,
    );
  }
});

const basin = mapping({
  /** Points per axis. */
  grid: number({
    integer: true,
    min: CONFIG_LIMITS.minBasinGrid,
    max: CONFIG_LIMITS.maxBasinGrid,
    limit: `a ${CONFIG_LIMITS.maxBasinGrid}² grid is ${CONFIG_LIMITS.maxBasinGrid ** 2} runs per controller`,
  }),
  /** rad: θ1 and θ2 span ±range, from rest at x = 0. */
  range: number({ min: 0, minExclusive: true, max: CONFIG_LIMITS.maxBasinRange }),
});

/**
 * Schema of the `study` section.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parse } from "yaml";
 * import { studySchema } from "./study_schema.ts";
 * const { study } = parse(await Deno.readTextFile("config.yaml"));
 * assert.equal(studySchema.parse(study).basin.grid, 41);
 * assert.equal(studySchema.safeParse({ ...study, controllers: ["pid"] }).success, false);
 * ```
 */
export const studySchema = mapping({
  controllers: controllerList,
  /** null: use global_seed. */
  seed: nullableNumber(seed),
  monte_carlo: monteCarlo,
  basin,
});
