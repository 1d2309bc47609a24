/**
 * Tests of robustnessCheck() (docs/acceptance.md#robustness): robust-tuned gains meet the 95 % criterion,
 * gains known to be bad (the nominal table, the weakest PSO gains, the original's all-positive surface) fall
 * below it, the counts are consistent, and the check is a pure function of its seed.
 */
import assert from "assert";
import { type Config, loadConfig } from "../../config/mod.ts";
import { SLIDING_MODE_TYPES } from "../../config/mod.ts";
import { registerController } from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { robustnessCheck, type RobustnessResult } from "../../optimizer/mod.ts";
import { SimulationSizeError } from "../../plant/mod.ts";
import { ALL_POSITIVE_DEFAULTS, ALL_POSITIVE_GAIN_NAMES } from "../fixtures/all_positive_smc.ts";
import { NOMINAL_TABLE_GAINS, ROBUST_GAINS } from "../fixtures/robust_gains.ts";

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

/** The acceptance criterion: the pendulum stays up and inside the band in ≥ 95 % of the 200 runs. */
const CRITERION = 0.95;

/** Whether a result meets {@linkcode CRITERION}. */
function meetsCriterion(r: RobustnessResult): boolean {
  return r.passRate >= CRITERION;
}

Deno.test("robustnessCheck() finds robust-tuned gains meeting the 95 % criterion for every controller", () => {
  for (const type of SLIDING_MODE_TYPES) {
    // The default seed, and two others: the criterion is not met by the luck of one draw.
    for (const seed of [undefined, 1, 2]) {
      const r = robustnessCheck({ config, controllerType: type, gains: ROBUST_GAINS[type], seed });
      assertCountsAddUp(r, 100);
      assert.ok(meetsCriterion(r), `${type}, seed ${seed}: pass rate ${r.passRate} < ${CRITERION}`);
      // At the seed they were checked with when tuned, all 200 runs pass (at others ≥ 198 measured).
      if (seed === undefined) assert.equal(r.passRate, 1, `${type}: ${JSON.stringify(r)}`);
    }
  }
});

Deno.test("robustnessCheck() puts gains known to be bad below the 95 % criterion", async () => {
  // Nominal-only tuning (the cross-implementation table) falls just short: 15 of the 100
  // perturbed-angle runs fall at the default seed (measured 0.925 for classical_smc and adaptive_smc).
  for (const type of ["classical_smc", "adaptive_smc"]) {
    const nominal = robustnessCheck({ config, controllerType: type, gains: NOMINAL_TABLE_GAINS[type] });
    assert.ok(!meetsCriterion(nominal), `${type} nominal table: pass rate ${nominal.passRate}`);
    assert.ok(nominal.passRate > 0.8, `${type} nominal table is near the line, got ${nominal.passRate}`);
    assert.ok(nominal.initialAngles.failed > 0 && nominal.physics.failed === 0);
  }
  // The weakest gains PSO may try let every run fall.
  const tiny = robustnessCheck({
    config,
    controllerType: "classical_smc",
    gains: config.pso.bounds.classical_smc.lower,
  });
  assert.equal(tiny.passRate, 0);
  assert.equal(tiny.physics.failed + tiny.initialAngles.failed, 200);
  // The original's all-positive surface falls in every run, with its own defaults and with gains
  // that are robust on the shipped surface: the surface, not the gains, is what fails.
  try {
    await registerController({
      type: "all_positive_smc",
      module: new URL("../fixtures/all_positive_smc.ts", import.meta.url),
      export: "createAllPositiveSMC",
      gainNames: ALL_POSITIVE_GAIN_NAMES,
      defaultGains: ALL_POSITIVE_DEFAULTS,
      stateful: false,
    });
    for (const gains of [ALL_POSITIVE_DEFAULTS, ROBUST_GAINS.classical_smc]) {
      const r = robustnessCheck({ config, controllerType: "all_positive_smc", gains, runs: 20 });
      assert.ok(!meetsCriterion(r));
      assert.equal(r.physics.failed + r.initialAngles.failed, 40, `all-positive surface, gains [${gains}]`);
    }
  } finally {
    resetRegistryForTests();
  }
});

Deno.test("robustnessCheck() passes the shipped default gains in at least 80 % of the runs", () => {
  for (const type of SLIDING_MODE_TYPES) {
    // The check as docs/acceptance.md#robustness defines it: 100 physics draws and 100 initial-angle draws.
    const r = robustnessCheck({ config, controllerType: type, gains: defaults(type) });
    assertCountsAddUp(r, 100);
    assert.ok(r.passRate >= 0.8, `${type}: pass rate ${r.passRate}`);
    assert.equal(r.physics.failed, 0, `${type}: fell under a ±5 % physics draw`);
  }
});

Deno.test("robustnessCheck() is deterministic for a seed and depends on it", () => {
  // Gains near the 95 % line (the nominal table), so that the counts can depend on the draws at all.
  const options = { config, controllerType: "sta_smc", gains: NOMINAL_TABLE_GAINS.sta_smc, runs: 30 };
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
  // Without uncertainty every physics run is the nominal run: all pass together for gains whose
  // nominal run settles, and all fall together for gains whose nominal run falls.
  const none = robustnessCheck({ ...options, config: exact as unknown as Config });
  assert.deepEqual(none.physics, { passed: 30, total: 30, failed: 0 });
  const tiny = robustnessCheck({
    ...options,
    gains: config.pso.bounds.classical_smc.lower,
    config: exact as unknown as Config,
  });
  assert.deepEqual(tiny.physics, { passed: 0, total: 30, failed: 30 });
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

Deno.test("robustnessCheck() refuses more runs than one batch holds before simulating, naming them", () => {
  // 5000 × 1001 samples: the `deno task tune --robustness 5000` case. It used to simulate the
  // physics batch's plants and die in the batch kernel with "particles: 5000 particles …".
  for (const runs of [5000, 1e6]) {
    const t0 = performance.now();
    assert.throws(
      () => robustnessCheck({ config, controllerType: "sta_smc", gains: defaults("sta_smc"), runs }),
      (error: unknown) => {
        assert.ok(error instanceof SimulationSizeError, String(error));
        assert.equal(error.field, "robustness runs");
        assert.match(
          error.message,
          new RegExp(
            `^robustness runs: ${runs} robustness runs × 1001 samples needs ${
              runs * 1001
            } state samples .* per batch$`,
          ),
        );
        return true;
      },
    );
    assert.ok(performance.now() - t0 < 2000, "refused up front");
  }
});
