/**
 * Tests of robustnessCheck() (SPEC 7): the shipped default gains survive most draws, bad gains
 * survive none, the counts are consistent, and the check is a pure function of its seed.
 */
import assert from "assert";
import { type Config, loadConfig } from "../../config/mod.ts";
import { SLIDING_MODE_TYPES } from "../../config/mod.ts";
import { robustnessCheck, type RobustnessResult } from "../../optimizer/mod.ts";

const config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const defaults = (type: (typeof SLIDING_MODE_TYPES)[number]) => config.controller_defaults[type].gains;

function assertCountsAddUp(r: RobustnessResult, runs: number): void {
  for (const part of [r.physics, r.initialAngles]) {
    assert.equal(part.total, runs);
    assert.ok(part.passed >= 0 && part.failed >= 0);
    // A run that fell cannot pass; the rest stood but may have left the band.
    assert.ok(part.passed + part.failed <= part.total);
  }
  assert.equal(r.passRate, (r.physics.passed + r.initialAngles.passed) / (2 * runs));
}

Deno.test("robustnessCheck() passes the shipped default gains in at least 80 % of the runs", () => {
  for (const type of SLIDING_MODE_TYPES) {
    // The check as SPEC 7 runs it: 100 physics draws and 100 initial-angle draws.
    const r = robustnessCheck({ config, controllerType: type, gains: defaults(type) });
    assertCountsAddUp(r, 100);
    assert.ok(r.passRate >= 0.8, `${type}: pass rate ${r.passRate}`);
    assert.equal(r.physics.failed, 0, `${type}: fell under a ±5 % physics draw`);
  }
});

Deno.test("robustnessCheck() fails most runs of a deliberately bad gain set", () => {
  const tiny = config.pso.bounds.classical_smc.lower; // the weakest gains PSO may try
  const r = robustnessCheck({ config, controllerType: "classical_smc", gains: tiny, runs: 20 });
  assertCountsAddUp(r, 20);
  assert.ok(r.passRate < 0.2, `pass rate ${r.passRate}`);
  assert.ok(r.physics.failed + r.initialAngles.failed > 20, "the bad gains should let the pendulum fall");
});

Deno.test("robustnessCheck() is deterministic for a seed and depends on it", () => {
  const options = { config, controllerType: "sta_smc", gains: defaults("sta_smc"), runs: 30 };
  const a = robustnessCheck({ ...options, seed: 1 });
  assert.deepStrictEqual(robustnessCheck({ ...options, seed: 1 }), a);
  // Some seed gives other counts: the draws are not fixed regardless of the seed.
  const others = [2, 3, 4, 5, 6].map((seed) => robustnessCheck({ ...options, seed }));
  assert.ok(
    others.some((r) => r.initialAngles.passed !== a.initialAngles.passed),
    "every seed gave the same counts",
  );
});

Deno.test("robustnessCheck() honours runs, band, window and initialAngle", () => {
  const options = { config, controllerType: "classical_smc", gains: defaults("classical_smc"), seed: 3 };
  for (const runs of [1, 7]) assertCountsAddUp(robustnessCheck({ ...options, runs }), runs);
  // A band nobody leaves: every run that did not fall passes, so the counts add up exactly.
  const wide = robustnessCheck({ ...options, runs: 25, band: 10 });
  for (const part of [wide.physics, wide.initialAngles]) assert.equal(part.passed + part.failed, part.total);
  // A window covering the start (θ1(0) = 0.05 > 0.02): nothing passes.
  const whole = robustnessCheck({ ...options, runs: 10, window: 10 });
  assert.equal(whole.passRate, 0);
  // No angle perturbation: every angle run is the nominal run, which settles.
  const still = robustnessCheck({ ...options, runs: 10, initialAngle: 0 });
  assert.equal(still.initialAngles.passed, 10);
  // A wider perturbation than the shipped one costs passes.
  const shaken = robustnessCheck({ ...options, runs: 30, initialAngle: 0.3 });
  const shipped = robustnessCheck({ ...options, runs: 30 });
  assert.ok(shaken.initialAngles.passed < shipped.initialAngles.passed);
});

Deno.test("robustnessCheck() draws the physics from physics_uncertainty", () => {
  const options = { controllerType: "classical_smc", gains: defaults("classical_smc"), runs: 30, seed: 8 };
  const exact = structuredClone(config) as unknown as { physics_uncertainty: Record<string, number> };
  for (const key of Object.keys(exact.physics_uncertainty)) {
    if (key !== "n_evals") exact.physics_uncertainty[key] = 0;
  }
  const none = robustnessCheck({ ...options, config: exact as unknown as Config });
  // Without uncertainty every physics run is the nominal run: all pass or all fail together.
  assert.ok(none.physics.passed === 30 || none.physics.passed === 0);
  // Heavy uncertainty (±45 % gravity and masses) is really applied: some runs no longer pass.
  const heavy = structuredClone(exact);
  for (const key of ["gravity", "pendulum1_mass", "pendulum2_mass", "cart_mass", "pendulum2_length"]) {
    heavy.physics_uncertainty[key] = 0.45;
  }
  const r = robustnessCheck({ ...options, config: heavy as unknown as Config });
  assert.ok(r.physics.passed < 30, `every heavily perturbed run passed (${r.physics.passed}/30)`);
});

Deno.test("robustnessCheck() rejects a runs count below 1", () => {
  for (const runs of [0, -2, 1.5]) {
    assert.throws(
      () => robustnessCheck({ config, controllerType: "sta_smc", gains: defaults("sta_smc"), runs }),
      /runs: must be an integer ≥ 1/,
    );
  }
});
