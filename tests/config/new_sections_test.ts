/**
 * Tests of the sections added with the lqr controller and the study (controllers.lqr, pso.bounds.lqr,
 * controller_defaults.lqr, disturbances, metrics, study): the shipped values and the defaults filled
 * in, lqr gains of either sign, DIP__ overrides of the new sections and a __proto__ scenario. Their
 * rejected variants are in new_sections_rejected_test.ts.
 */
import assert from "assert";
import { CONTROLLER_TYPES, parseConfig, validateConfig } from "../../config/mod.ts";
import { GAIN_NAMES, validateGainVector } from "../../gains/mod.ts";
import { assertIssue, catchConfigError, edited, raw, shipped, TEXT } from "./helpers.ts";

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
