/**
 * The configuration schema, declared once: the {@linkcode Config} type is derived from it
 * (types.ts) and validation is a parse with it. Sections are listed in config.yaml's order, which
 * is the order issues and "allowed:" lists follow. Every section is described in
 * docs/configuration.md.
 *
 * @module
 */
import { z } from "zod";
import { type ControllerType, GAIN_NAMES } from "../gains/mod.ts";
import { describe, isPlainObject } from "./errors.ts";
import { batchSizeProblem, CONFIG_LIMITS, simulationLengthProblem, simulationSamples } from "./limits.ts";
import { count, finite, nonNegative, nullableNumber, number, positive, seed, unit } from "./numbers.ts";
import { gainVector, type IsValid, mapping, oneOf, type Report, vector } from "./rules.ts";
import { controllersSchema } from "./controllers_schema.ts";
import { disturbancesSchema, metricsSchema, studySchema } from "./study_schema.ts";

const physicsShape = {
  cart_mass: number(positive),
  pendulum1_mass: number(positive),
  pendulum2_mass: number(positive),
  pendulum1_length: number(positive),
  pendulum2_length: number(positive),
  pendulum1_com: number(positive),
  pendulum2_com: number(positive),
  pendulum1_inertia: number(positive),
  pendulum2_inertia: number(positive),
  gravity: number(positive),
  cart_friction: number(nonNegative),
  joint1_friction: number(nonNegative),
  joint2_friction: number(nonNegative),
};

/** A physics parameter's name. */
type PhysicsKey = keyof typeof physicsShape;

/**
 * The names of the physics parameters, in config order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PHYSICS_KEYS } from "./mod.ts";
 * assert.equal(PHYSICS_KEYS.length, 13);
 * assert.equal(PHYSICS_KEYS[0], "cart_mass");
 * ```
 */
export const PHYSICS_KEYS: readonly PhysicsKey[] = Object.freeze(Object.keys(physicsShape) as PhysicsKey[]);

const physics = mapping(physicsShape, (valid, report) => {
  for (const i of [1, 2] as const) {
    const com = valid[`pendulum${i}_com`];
    const length = valid[`pendulum${i}_length`];
    if (com !== undefined && length !== undefined && !(com < length)) {
      report(`pendulum${i}_com`, `must be less than physics.pendulum${i}_length (${length}), got ${com}`);
    }
  }
});

/**
 * Warnings about a valid physics section: values that are possible but implausible.
 *
 * A slender rod about its centre has I = m·L²/12; more than m·L² means a unit slip (g·cm²?), not an
 * impossible plant, so it warns instead of rejecting.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { physicsWarnings } from "./schema.ts";
 * const p = { pendulum1_mass: 0.2, pendulum1_length: 0.4, pendulum1_inertia: 0.05, pendulum2_mass: 0.15, pendulum2_length: 0.3, pendulum2_inertia: 0.0034 };
 * assert.equal(physicsWarnings(p).length, 1);
 * ```
 *
 * @param p The validated physics parameters.
 * @returns One `{ path, message }` per implausible value.
 */
export function physicsWarnings(
  p: Readonly<Record<`pendulum${1 | 2}_${"mass" | "length" | "inertia"}`, number>>,
): { path: string; message: string }[] {
  const warnings: { path: string; message: string }[] = [];
  for (const i of [1, 2] as const) {
    const limit = p[`pendulum${i}_mass`] * p[`pendulum${i}_length`] ** 2;
    const inertia = p[`pendulum${i}_inertia`];
    if (inertia > limit) {
      warnings.push({
        path: `physics.pendulum${i}_inertia`,
        message: `implausibly large, more than pendulum${i}_mass·pendulum${i}_length² (${
          Number(limit.toPrecision(6))
        }), got ${inertia}`,
      });
    }
  }
  return warnings;
}

const simulation = mapping({
  dt: number(positive),
  duration: number(positive),
  initial_state: vector(6, finite),
  integrator: oneOf("rk4", "euler"),
  plant_model: oneOf("full", "simplified"),
  fall_angle: number({ min: 0, minExclusive: true, max: Math.PI }),
  /** |x| limit in metres, or null for none. */
  track_limit: nullableNumber(positive),
}, ({ dt, duration }, report) => {
  if (dt === undefined || duration === undefined) return;
  if (duration < dt) {
    report("duration", `must be at least simulation.dt (${dt}), got ${duration}`);
    return;
  }
  const tooLong = simulationLengthProblem(duration, dt);
  if (tooLong !== undefined) report("duration", tooLong);
});

const defaultsOf = (type: ControllerType) => mapping({ gains: gainVector(type) });

// lqr has no shipped default gains: its K is designed from controllers.lqr.Q and R when the
// controller is created, so its entry may be absent.
const controllerDefaults = mapping({
  classical_smc: defaultsOf("classical_smc"),
  sta_smc: defaultsOf("sta_smc"),
  adaptive_smc: defaultsOf("adaptive_smc"),
  hybrid_adaptive_sta_smc: defaultsOf("hybrid_adaptive_sta_smc"),
  lqr: defaultsOf("lqr").exactOptional(),
});

function bounds(type: ControllerType) {
  const n = GAIN_NAMES[type].length;
  const path = `pso.bounds.${type}`;
  return mapping({
    // Bounds must lie inside the gains' validity domain (every sliding-mode gain > 0), so that PSO
    // never proposes a gain vector the controller would reject; lqr gains are signed.
    lower: vector(n, type === "lqr" ? finite : positive),
    upper: vector(n, finite),
  }, ({ lower, upper }, report) => {
    if (lower && upper) {
      for (let i = 0; i < n; i++) {
        if (!(lower[i] < upper[i])) {
          report(["lower", i], `must be less than ${path}.upper[${i}] (${upper[i]}), got ${lower[i]}`);
        }
      }
    }
    // With lower K1 > lower K2, any K1 in the box admits a K2 below it, so the engine can always
    // repair a particle into K1 > K2 (stronger than mere feasibility, upper K1 > lower K2).
    if (type === "sta_smc" && lower && !(lower[0] > lower[1])) {
      report(
        ["lower", 1],
        `must be less than ${path}.lower[0] (${lower[0]}) so that K1 > K2 is feasible, got ${lower[1]}`,
      );
    }
  });
}

const pso = mapping({
  n_particles: number({
    ...count,
    max: CONFIG_LIMITS.maxParticles,
    limit: "the largest swarm the tuner runs",
  }),
  iters: number({ ...count, max: CONFIG_LIMITS.maxIterations, limit: "the most iterations the tuner runs" }),
  w: number({ min: 0, max: 1.2 }),
  /** Final inertia for `inertia: linear`; null with `inertia: constant`. */
  w_final: nullableNumber({ min: 0, max: 1.2 }),
  inertia: oneOf("constant", "linear"),
  c1: number(nonNegative),
  c2: number(nonNegative),
  topology: oneOf("global", "ring"),
  ring_neighbours: number(count),
  velocity_clamp: number({ min: 0, minExclusive: true, max: 1 }),
  bound_handling: oneOf("clip", "reflect", "random", "periodic"),
  stall_iterations: number(count),
  stall_tolerance: number(nonNegative),
  seed: number(seed),
  bounds: mapping({
    classical_smc: bounds("classical_smc"),
    sta_smc: bounds("sta_smc"),
    adaptive_smc: bounds("adaptive_smc"),
    hybrid_adaptive_sta_smc: bounds("hybrid_adaptive_sta_smc"),
    lqr: bounds("lqr"),
  }),
}, (valid, report) => {
  if (valid.inertia === "linear" && valid.w_final === null) {
    report("w_final", `must be a number when pso.inertia is "linear", got null`);
  }
  const n = valid.n_particles;
  const k = valid.ring_neighbours;
  // Neighbours only matter for the ring; with the global topology a small swarm must stay valid.
  if (valid.topology === "ring" && n !== undefined && k !== undefined && !(k < n)) {
    report("ring_neighbours", `must be less than pso.n_particles (${n}) with the ring topology, got ${k}`);
  }
});

const costTerms = (rule: typeof positive) =>
  mapping({
    state_error: number(rule),
    control_effort: number(rule),
    control_rate: number(rule),
    sliding: number(rule),
  });

const costFunction = mapping({
  weights: costTerms(nonNegative),
  norms: costTerms(positive),
  instability_penalty: number(positive),
  time_weighting: oneOf("none", "linear"),
  combine_weights: mapping({ mean: number(unit), max: number(unit) }, (valid, report) => {
    if (valid.mean === 0 && valid.max === 0) {
      report([], "mean and max must not both be 0, got mean 0 and max 0");
    }
  }),
  /**
   * Acceptance targets enforced in the tuner's robust cost as hinge penalties (`weight` 0 turns
   * them off); see docs/tuning.md, "Constraints".
   */
  constraints: mapping({
    weight: number(nonNegative),
    band: number(positive),
    settling_time: number(positive),
    max_cart_position: number(positive),
    final_window: number(nonNegative),
    final_cart_position: nullableNumber(positive),
  }),
});

const fraction = () => number({ min: 0, max: 0.5, maxExclusive: true });
const physicsUncertainty = mapping({
  n_evals: number({
    ...count,
    max: CONFIG_LIMITS.maxScenarioEvaluations,
    limit: "the most physics scenarios per particle",
  }),
  ...(Object.fromEntries(PHYSICS_KEYS.map((k) => [k, fraction()])) as Record<PhysicsKey, z.ZodNumber>),
});

/**
 * The whole configuration schema. `parse` gives the validated value (not frozen; use
 * `validateConfig` for the frozen, env-aware, project-styled version).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parse } from "yaml";
 * import { configSchema } from "./schema.ts";
 * const raw = parse(await Deno.readTextFile("config.yaml"));
 * assert.equal(configSchema.safeParse(raw).success, true);
 * assert.equal(configSchema.safeParse({ ...raw, extra: 1 }).success, false);
 * ```
 */
export const configSchema = mapping({
  global_seed: number(seed),
  physics,
  simulation,
  controller_defaults: controllerDefaults,
  controllers: controllersSchema,
  pso,
  cost_function: costFunction,
  physics_uncertainty: physicsUncertainty,
  uncertainty: mapping({ initial_angle: number(nonNegative) }),
  disturbances: disturbancesSchema,
  metrics: metricsSchema,
  study: studySchema,
}, (_valid, report, isValid, parsed) => {
  // Across sections: the tuner simulates all n_evals scenarios of a particle in one batch, so
  // n_evals × the samples of one run must fit the batch limit (3996 scenarios of 1001 samples).
  // Checked on the three values alone, so a bad key elsewhere in those sections does not hide it.
  const sim = parsed.simulation as { dt?: unknown; duration?: unknown } | undefined;
  const n = (parsed.physics_uncertainty as { n_evals?: unknown } | undefined)?.n_evals;
  const { dt, duration } = sim ?? {};
  const nEvals = ["physics_uncertainty", "n_evals"];
  if (
    typeof dt === "number" && typeof duration === "number" && typeof n === "number" &&
    isValid(["simulation", "dt"]) && isValid(["simulation", "duration"]) && isValid(nEvals)
  ) {
    const samples = simulationSamples(duration, dt);
    const tooMany = batchSizeProblem(n, samples, "scenarios", "simulation.duration / simulation.dt + 1");
    if (tooMany !== undefined) report(nEvals, `${tooMany}; lower it or shorten the run, got ${n}`);
  }
  checkMonteCarloDisturbance(report, isValid, parsed);
});

function checkMonteCarloDisturbance(
  report: Report,
  isValid: IsValid,
  parsed: Readonly<Record<string, unknown>>,
): void {
  // Across sections: the Monte Carlo study names one of the disturbance scenarios. Checked as soon
  // as the name itself is valid and disturbances is a mapping, even if some scenario is broken.
  const study = parsed.study as { monte_carlo?: { disturbance?: unknown } } | undefined;
  const name = study?.monte_carlo?.disturbance;
  const scenarios = parsed.disturbances;
  if (typeof name !== "string" || !isValid(["study", "monte_carlo", "disturbance"])) return;
  if (!isPlainObject(scenarios) || Object.hasOwn(scenarios, name)) return;
  const names = Object.keys(scenarios);
  report(
    ["study", "monte_carlo", "disturbance"],
    `must name an entry of disturbances (${
      names.length > 0 ? names.join(", ") : "there are none"
    }) or be null, got ${describe(name)}`,
  );
}
