/**
 * Tests of the sections added with the lqr controller and the study (controllers.lqr, pso.bounds.lqr,
 * controller_defaults.lqr, disturbances, metrics, study): each invalid variant, in the file or set by a
 * DIP__ override, is rejected at its dot-path.
 */
import assert from "assert";
import { assertRejected, type RejectedCase, REMOVE } from "./helpers.ts";

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
