/**
 * Tests of PSOTuner's request limits (docs/tuning.md#the-tuner): bad options and absurd sizes are
 * refused up front with clear errors naming the option and the allowed range, and scenarios that do
 * not fit one batch with a SimulationSizeError.
 */
import assert from "assert";
import { CONFIG_LIMITS } from "../../config/mod.ts";
import { batchBytes, SimulationSizeError } from "../../plant/mod.ts";
import { UnknownControllerError } from "../../factory/mod.ts";
import { createEvaluator, PSOTuner, type PSOTunerOptions } from "../../optimizer/mod.ts";
import { config, STA_RUN } from "./tuner_helpers.ts";

Deno.test("PSOTuner rejects bad options with clear errors", () => {
  const base = { controllerType: "sta_smc", config };
  assert.throws(
    () => new PSOTuner({ ...base, controllerType: "pid" }),
    (error) => error instanceof UnknownControllerError && /"pid"/.test(error.message),
  );
  assert.throws(
    () => new PSOTuner({ ...base, numWorkers: -1 }),
    /numWorkers: must be an integer in \[0, 1024\], got -1/,
  );
  assert.throws(
    () => new PSOTuner({ ...base, numWorkers: 1.5 }),
    /numWorkers: must be an integer in \[0, 1024\], got 1.5/,
  );
  assert.throws(
    () => new PSOTuner({ ...base, numParticles: 0 }),
    /numParticles: must be an integer in \[1, 1000000\], got 0/,
  );
  assert.throws(
    () => new PSOTuner({ ...base, numIterations: 2.5 }),
    /numIterations: must be an integer in \[1, 1000000\], got 2.5/,
  );
  assert.throws(() => new PSOTuner({ ...base, seed: -3 }), /seed: must be an integer ≥ 0, got -3/);
  assert.throws(
    () => new PSOTuner({ ...base, scenarios: 0 }),
    /scenario count: must be an integer ≥ 1, got 0/,
  );
});

Deno.test("PSOTuner refuses absurd sizes up front, naming the option and the allowed range", () => {
  const base = { controllerType: "classical_smc", config };
  const cases: [Partial<PSOTunerOptions>, RegExp][] = [
    [
      { numParticles: 1e8 },
      /^RangeError: numParticles: must be an integer in \[1, 1000000\], got 100000000$/,
    ],
    [
      { numIterations: 1e9 },
      /^RangeError: numIterations: must be an integer in \[1, 1000000\], got 1000000000$/,
    ],
    [{ numWorkers: 1e8 }, /^RangeError: numWorkers: must be an integer in \[0, 1024\], got 100000000$/],
    // A chunk of 0 particles would never advance through a batch: the run would hang.
    [{ chunkSize: 0 }, /^RangeError: chunkSize: must be an integer in \[1, 1000000\], got 0$/],
    [{ chunkSize: 2.5 }, /^RangeError: chunkSize: must be an integer in \[1, 1000000\], got 2.5$/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new PSOTuner({ ...base, ...options }), message, String(message));
  }
});

Deno.test("PSOTuner refuses scenarios that do not fit one batch with a SimulationSizeError naming them", async (t) => {
  await t.step("too many scenarios", () => {
    // 5000 × 1001 samples: the DIP__PHYSICS_UNCERTAINTY__N_EVALS=5000 case, as an option. It used to
    // pass here and fail in every Worker's first batch ("particles: 5000 particles …").
    for (const scenarios of [5000, 1e6]) {
      assert.throws(
        () => new PSOTuner({ controllerType: "classical_smc", config, scenarios }),
        (error: unknown) => {
          assert.ok(error instanceof SimulationSizeError, String(error));
          assert.ok(error instanceof RangeError);
          assert.equal(error.field, "scenarios");
          assert.equal(error.samples, scenarios * 1001);
          assert.equal(error.limit, CONFIG_LIMITS.maxBatchSamples);
          assert.equal(
            error.message,
            `scenarios: ${scenarios} scenarios × 1001 samples needs ${scenarios * 1001} state samples ` +
              `(${
                batchBytes(scenarios, 1000)
              } bytes of buffers), more than the limit of 4000000 samples per batch`,
          );
          return true;
        },
      );
    }
  });
  await t.step("too many steps", () => {
    // Past the config's cap on samples per run the config itself is refused, naming the field.
    const tooLong = {
      ...structuredClone(config),
      simulation: { ...config.simulation, duration: 1e5, dt: 1e-3 },
    };
    assert.throws(
      () => new PSOTuner({ controllerType: "sta_smc", config: tooLong, scenarios: 10 }),
      /^ConfigError: [^]*simulation\.duration: 100000 s at dt 0\.001 asks for 100000001 samples/,
    );
    // Within that cap (10⁶ samples), 4 scenarios fit a batch (the config's own n_evals must be ≤ 4),
    // 20 do not: refused by the tuner and by an evaluator built directly.
    const long = {
      ...structuredClone(config),
      simulation: { ...config.simulation, duration: 9999.99, dt: 0.01 },
      physics_uncertainty: { ...config.physics_uncertainty, n_evals: 4 },
    };
    assert.equal(new PSOTuner({ controllerType: "sta_smc", config: long }).scenarios.length, 4);
    for (
      const build of [
        () => new PSOTuner({ controllerType: "sta_smc", config: long, scenarios: 20 }),
        () =>
          createEvaluator({
            ...new PSOTuner({ ...STA_RUN, numWorkers: 0, scenarios: 20 }).setup,
            config: long,
          }),
      ]
    ) {
      assert.throws(
        build,
        /^SimulationSizeError: scenarios: 20 scenarios × 1000000 samples needs 20000000 state samples .* per batch$/,
      );
    }
  });
  await t.step("the largest count that fits is accepted", () => {
    // 3996 × 1001 = 3 999 996 samples (the scenarios are drawn, nothing simulated).
    const tuner = new PSOTuner({ controllerType: "classical_smc", config, scenarios: 3996 });
    assert.equal(tuner.scenarios.length, 3996);
    assert.throws(
      () => new PSOTuner({ controllerType: "classical_smc", config, scenarios: 3997 }),
      SimulationSizeError,
    );
  });
});
