/**
 * Tests of the configuration's resource limits: each is accepted at the limit and rejected one past
 * it with a message that names the field and the limit, also when the value came from a DIP__
 * environment override.
 */
import assert from "assert";
import {
  batchSizeProblem,
  CONFIG_LIMITS,
  maxRunsPerBatch,
  parseConfig,
  simulationSamples,
  validateConfig,
} from "../../config/mod.ts";
import { assertIssue, catchConfigError, edited, raw, TEXT } from "./helpers.ts";

interface LimitCase {
  readonly path: string;
  readonly limit: number;
  /** Extra edits that keep the rest of the config valid at the limit. */
  readonly with?: Record<string, unknown>;
}

const LIMITS: readonly LimitCase[] = [
  { path: "pso.n_particles", limit: CONFIG_LIMITS.maxParticles },
  { path: "pso.iters", limit: CONFIG_LIMITS.maxIterations },
  // 10000 scenarios fit one batch only with runs of at most 400 samples (round(3.99 / 0.01) + 1).
  {
    path: "physics_uncertainty.n_evals",
    limit: CONFIG_LIMITS.maxScenarioEvaluations,
    with: { "simulation.duration": 3.99 },
  },
  { path: "study.monte_carlo.runs", limit: CONFIG_LIMITS.maxMonteCarloRuns },
  { path: "study.basin.grid", limit: CONFIG_LIMITS.maxBasinGrid },
];

Deno.test("CONFIG_LIMITS holds the limits the issues ask for", () => {
  assert.equal(CONFIG_LIMITS.maxParticles, 10_000);
  assert.equal(CONFIG_LIMITS.maxIterations, 100_000);
  assert.equal(CONFIG_LIMITS.maxScenarioEvaluations, 10_000);
  assert.equal(CONFIG_LIMITS.maxSimulationSamples, 1_000_000);
  assert.equal(CONFIG_LIMITS.maxBatchSamples, 4_000_000);
  assert.equal(CONFIG_LIMITS.maxForce, 1_000_000);
  assert.equal(CONFIG_LIMITS.maxMonteCarloRuns, 1_000_000);
  assert.equal(CONFIG_LIMITS.maxBasinGrid, 401);
  assert.ok(Object.isFrozen(CONFIG_LIMITS));
});

Deno.test("validateConfig() accepts each count limit and rejects one past it, naming field and limit", async (t) => {
  for (const c of LIMITS) {
    await t.step(`${c.path} ≤ ${c.limit}`, () => {
      const at = validateConfig(edited({ [c.path]: c.limit, ...c.with }), { env: {} });
      const value = c.path.split(".").reduce(
        (node: unknown, key) => (node as Record<string, unknown>)[key],
        at,
      );
      assert.equal(value, c.limit);
      const error = catchConfigError(() =>
        validateConfig(edited({ [c.path]: c.limit + 1, ...c.with }), { env: {} })
      );
      assertIssue(error, c.path, `must be at most ${c.limit} (`);
      assertIssue(error, c.path, `got ${c.limit + 1}`);
      assert.equal(error.issues.length, 1);
    });
  }
});

Deno.test("validateConfig() names the DIP__ variable that asked for too many particles", () => {
  const error = catchConfigError(() =>
    parseConfig(TEXT, { env: { DIP__PSO__N_PARTICLES: "100000000" }, onWarning: () => {} })
  );
  assert.deepEqual(error.issues, [{
    path: "pso.n_particles",
    message:
      "must be at most 10000 (the largest swarm the tuner runs), got 100000000 (set by DIP__PSO__N_PARTICLES)",
  }]);
});

Deno.test("simulationSamples() counts the initial state: 10 s at 0.01 s is 1001 samples", () => {
  assert.equal(simulationSamples(10, 0.01), 1001);
  assert.equal(simulationSamples(0.01, 0.01), 2);
});

Deno.test("validateConfig() accepts a simulation of 1000000 samples and rejects 1000001", () => {
  // round(9999.99 / 0.01) + 1 = 1000000 samples: at the limit.
  assert.equal(simulationSamples(9999.99, 0.01), CONFIG_LIMITS.maxSimulationSamples);
  // At most 4 robust-cost scenarios of 10⁶ samples fit one batch.
  const at = validateConfig(edited({ "simulation.duration": 9999.99, "physics_uncertainty.n_evals": 4 }), {
    env: {},
  });
  assert.equal(at.simulation.duration, 9999.99);
  const error = catchConfigError(() => validateConfig(edited({ "simulation.duration": 10000 }), { env: {} }));
  assert.deepEqual(error.issues, [{
    path: "simulation.duration",
    message:
      "10000 s at dt 0.01 asks for 1000001 samples (≈ 48 MB of state buffers); at most 1000000 samples " +
      "(duration/dt) are allowed",
  }]);
  // The same limit reached through a small step instead of a long horizon.
  const fine = catchConfigError(() => validateConfig(edited({ "simulation.dt": 1e-6 }), { env: {} }));
  assertIssue(fine, "simulation.duration", "10 s at dt 0.000001 asks for 10000001 samples");
  // And a step so small that duration/dt overflows.
  const tiny = catchConfigError(() =>
    validateConfig(edited({ "simulation.dt": Number.MIN_VALUE }), { env: {} })
  );
  assertIssue(
    tiny,
    "simulation.duration",
    "asks for more samples than a number can count (duration/dt overflows)",
  );
});

Deno.test("parseConfig() rejects DIP__SIMULATION__DURATION=1e7 with what it asked for, not a RangeError", () => {
  const error = catchConfigError(() =>
    parseConfig(TEXT, { env: { DIP__SIMULATION__DURATION: "1e7" }, onWarning: () => {} })
  );
  assert.deepEqual(error.issues, [{
    path: "simulation.duration",
    message:
      "10000000 s at dt 0.01 asks for 1000000001 samples (≈ 48 GB of state buffers); at most 1000000 " +
      "samples (duration/dt) are allowed (set by DIP__SIMULATION__DURATION)",
  }]);
  // Without the override the same file is valid.
  assert.equal(validateConfig(raw(), { env: {} }).simulation.duration, 10);
});

Deno.test("maxRunsPerBatch() and batchSizeProblem() agree: the largest count fits, one more does not", () => {
  for (const samples of [2, 400, 1001, 62_501, CONFIG_LIMITS.maxSimulationSamples]) {
    const most = maxRunsPerBatch(samples);
    assert.ok(most >= 4, `${samples}: ${most}`);
    assert.equal(batchSizeProblem(most, samples, "runs"), undefined, `${samples}`);
    assert.match(
      batchSizeProblem(most + 1, samples, "runs") ?? "",
      new RegExp(`at most ${most} runs of ${samples}`),
    );
  }
  assert.equal(maxRunsPerBatch(1001), 3996);
});

Deno.test("validateConfig() refuses more n_evals scenarios than one batch holds at the run length, naming both numbers", () => {
  // 3996 × 1001 = 3 999 996 samples fit; 3997 × 1001 = 4 000 997 do not.
  assert.equal(
    validateConfig(edited({ "physics_uncertainty.n_evals": 3996 }), { env: {} }).physics_uncertainty.n_evals,
    3996,
  );
  const error = catchConfigError(() =>
    validateConfig(edited({ "physics_uncertainty.n_evals": 3997 }), { env: {} })
  );
  assert.deepEqual(error.issues, [{
    path: "physics_uncertainty.n_evals",
    message:
      "3997 scenarios × 1001 samples per run (simulation.duration / simulation.dt + 1) = 4000997 state " +
      "samples, more than the 4000000 one batch may hold (at most 3996 scenarios of 1001 samples); lower it or " +
      "shorten the run, got 3997",
  }]);
  // The same count fits a shorter run.
  validateConfig(edited({ "physics_uncertainty.n_evals": 3997, "simulation.duration": 5 }), { env: {} });
});

Deno.test("parseConfig() names the DIP__ variable that asked for 5000 scenarios", () => {
  const error = catchConfigError(() =>
    parseConfig(TEXT, { env: { DIP__PHYSICS_UNCERTAINTY__N_EVALS: "5000" }, onWarning: () => {} })
  );
  assert.equal(error.issues.length, 1);
  assert.equal(error.issues[0].path, "physics_uncertainty.n_evals");
  assert.match(
    error.issues[0].message,
    /^5000 scenarios × 1001 samples per run .* = 5005000 state samples, more than the 4000000 .*, got 5000 \(set by DIP__PHYSICS_UNCERTAINTY__N_EVALS\)$/,
  );
  // A run made longer by a variable hits the same rule, on n_evals: 10 × 400001 samples.
  const longer = catchConfigError(() =>
    parseConfig(TEXT, { env: { DIP__SIMULATION__DURATION: "4000" }, onWarning: () => {} })
  );
  assert.deepEqual(longer.issues.map((i) => i.path), ["physics_uncertainty.n_evals"]);
  assert.match(longer.issues[0].message, /^10 scenarios × 400001 samples per run .*\(at most 9 scenarios/);
});

Deno.test("validateConfig() checks the batch rule only on valid values: a bad dt is one issue, not two", () => {
  const error = catchConfigError(() =>
    validateConfig(edited({ "physics_uncertainty.n_evals": 5000, "simulation.dt": -1 }), { env: {} })
  );
  assert.deepEqual(error.issues.map((i) => i.path), ["simulation.dt"]);
  const missing = catchConfigError(() =>
    validateConfig(edited({ "physics_uncertainty.n_evals": 5000, simulation: "none" }), { env: {} })
  );
  assert.deepEqual(missing.issues.map((i) => i.path), ["simulation"]);
});

const FORCE_REASON = "(the largest force in N the tools simulate)";

Deno.test("validateConfig() accepts forces of 1e6 N and refuses one past it, naming the field and the limit", async (t) => {
  const limit = CONFIG_LIMITS.maxForce;
  const cases: { path: string; at: number[]; past: number[]; fragment: (v: number) => string }[] = [
    ...["classical_smc", "sta_smc", "adaptive_smc", "hybrid_adaptive_sta_smc", "lqr"].map((type) => ({
      path: `controllers.${type}.max_force`,
      at: [limit],
      past: [limit + 1, 1e308],
      fragment: (v: number) => `must be at most 1000000 ${FORCE_REASON}, got ${v}`,
    })),
    ...["step", "impulse", "sine"].map((name) => ({
      path: `disturbances.${name}.force.amplitude`,
      at: [limit, -limit],
      past: [limit + 1, -limit - 1, 1e308],
      fragment: (v: number) => `must be in [-1000000, 1000000] ${FORCE_REASON}, got ${v}`,
    })),
    {
      path: "disturbances.random.force.std",
      at: [limit],
      past: [limit + 1, 1e308],
      fragment: (v: number) => `must be at most 1000000 ${FORCE_REASON}, got ${v}`,
    },
  ];
  for (const c of cases) {
    await t.step(c.path, () => {
      for (const v of c.at) validateConfig(edited({ [c.path]: v }), { env: {} });
      for (const v of c.past) {
        const error = catchConfigError(() => validateConfig(edited({ [c.path]: v }), { env: {} }));
        assert.equal(error.issues.length, 1, error.message);
        assertIssue(error, c.path, c.fragment(v));
      }
    });
  }
});

Deno.test("parseConfig() refuses DIP__DISTURBANCES__STEP__FORCE__AMPLITUDE=1e308 with the variable named", () => {
  const error = catchConfigError(() =>
    parseConfig(TEXT, { env: { DIP__DISTURBANCES__STEP__FORCE__AMPLITUDE: "1e308" }, onWarning: () => {} })
  );
  assert.deepEqual(error.issues, [{
    path: "disturbances.step.force.amplitude",
    message:
      `must be in [-1000000, 1000000] ${FORCE_REASON}, got 1e+308 (set by DIP__DISTURBANCES__STEP__FORCE__AMPLITUDE)`,
  }]);
});
