/**
 * Tests of the configuration's resource limits: each is accepted at the limit and rejected one past
 * it with a message that names the field and the limit, also when the value came from a DIP__
 * environment override.
 */
import assert from "assert";
import { CONFIG_LIMITS, parseConfig, simulationSamples, validateConfig } from "../../config/mod.ts";
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
  { path: "physics_uncertainty.n_evals", limit: CONFIG_LIMITS.maxScenarioEvaluations },
  { path: "study.monte_carlo.runs", limit: CONFIG_LIMITS.maxMonteCarloRuns },
  { path: "study.basin.grid", limit: CONFIG_LIMITS.maxBasinGrid },
];

Deno.test("CONFIG_LIMITS holds the limits the issues ask for", () => {
  assert.equal(CONFIG_LIMITS.maxParticles, 10_000);
  assert.equal(CONFIG_LIMITS.maxIterations, 100_000);
  assert.equal(CONFIG_LIMITS.maxScenarioEvaluations, 10_000);
  assert.equal(CONFIG_LIMITS.maxSimulationSamples, 1_000_000);
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
  const at = validateConfig(edited({ "simulation.duration": 9999.99 }), { env: {} });
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
