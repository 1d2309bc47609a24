/**
 * Tests of PSOTuner (docs/tuning.md#the-tuner): bit-identical results whatever the number of Workers, the
 * tuned cost against the configured gains, feasibility of the result, custom fitness (function and module
 * reference), failing fitness, abort, option errors, and that every Worker it starts is terminated.
 *
 * Runs are tiny (≤ 20 particles, ≤ 40 iterations, ≤ 3 scenarios): the properties do not depend on
 * the size, and the whole file runs in a few seconds.
 */
import assert from "assert";
import { CONFIG_LIMITS, loadConfig } from "../../config/mod.ts";
import { batchBytes, SimulationSizeError } from "../../plant/mod.ts";
import {
  getControllerInfo,
  registerController,
  UnknownControllerError,
  validateGains,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import {
  createEvaluator,
  type EvaluationBackendFactory,
  type EvaluationRun,
  PSOTuner,
  type PSOTunerOptions,
  TUNER_WORKER_URL,
  type TunerProgress,
  type TunerResult,
  WorkerPool,
  WorkerTaskError,
} from "../../optimizer/mod.ts";
import {
  distanceToTarget,
  rejectsAboveHalf,
  TARGET,
  THROW_ABOVE,
  throwsAboveHalf,
} from "../fixtures/fitness_module.ts";
import { assertPoolClosed } from "../fixtures/pool_assertions.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";

const config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const FITNESS_MODULE = new URL("../fixtures/fitness_module.ts", import.meta.url).href;

/** The run the identity tests compare: sta_smc, 10 × 8, 3 scenarios, unseeded swarm. */
const STA_RUN: PSOTunerOptions = {
  controllerType: "sta_smc",
  config,
  numParticles: 10,
  numIterations: 8,
  scenarios: 3,
  seed: 5,
  // Without the configured gains the best improves over the run, so the history has content.
  includeConfiguredGains: false,
};

/** The parts of a result that must not depend on where particles were evaluated. */
const essence = (r: TunerResult) => ({
  bestGains: r.bestGains,
  bestFitness: r.bestFitness,
  history: r.history,
  exitReason: r.exitReason,
  evaluations: r.evaluations,
  iterations: r.iterations,
  finalSwarm: r.result.finalSwarm,
});

let reference: Promise<TunerResult> | undefined;
/** The in-process run of {@linkcode STA_RUN}, computed once. */
const staReference = () => (reference ??= new PSOTuner({ ...STA_RUN, numWorkers: 0 }).optimize());

Deno.test({
  name: "concurrent: PSOTuner gives bit-identical results with 0, 1, 2, 4 and 8 Workers and closes its pools",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const base = await staReference();
    using workers = trackWorkers();
    for (const numWorkers of [1, 2, 4, 8]) {
      const result = await new PSOTuner({ ...STA_RUN, numWorkers }).optimize();
      // deepStrictEqual compares numbers with Object.is: bit-identical, -0 and NaN included.
      assert.deepStrictEqual(essence(result), essence(base), `numWorkers ${numWorkers}`);
      assert.equal(workers.live, 0, `numWorkers ${numWorkers}: Workers left running`);
    }
    assert.equal(workers.created, 1 + 2 + 4 + 8);
    // A different seed gives a different run (the comparison above is not vacuous).
    const other = await new PSOTuner({ ...STA_RUN, seed: 6, numWorkers: 0 }).optimize();
    assert.notDeepStrictEqual(other.bestGains, base.bestGains);
  },
});

Deno.test("PSOTuner result is a feasible point in the bounds whose fitness re-evaluates exactly", async () => {
  const tuner = new PSOTuner({ ...STA_RUN, numWorkers: 0 });
  const result = await staReference();
  assert.equal(result.controllerType, "sta_smc");
  assert.equal(result.seed, 5);
  assert.equal(result.exitReason, "maxIterations");
  assert.equal(result.iterations, 8);
  assert.equal(result.history.best.length, 8);
  assert.equal(result.fitnessFailures, 0);
  assert.ok(validateGains("sta_smc", result.bestGains).ok);
  const { lower, upper } = config.pso.bounds.sta_smc;
  assert.deepEqual(tuner.lower, lower);
  assert.deepEqual(tuner.upper, upper);
  result.bestGains.forEach((g, i) => assert.ok(g >= lower[i] && g <= upper[i], `gain ${i} = ${g}`));
  assert.ok(Object.is(createEvaluator(tuner.setup).cost(result.bestGains), result.bestFitness));
  // The best never gets worse, and it did improve.
  for (let i = 1; i < 8; i++) assert.ok(result.history.best[i] <= result.history.best[i - 1]);
  assert.ok(result.history.best[7] < result.history.best[0]);
  assert.ok(result.elapsedMs >= 0);
});

Deno.test("PSOTuner never returns STA gains with K1 ≤ K2: infeasible particles get the penalty unevaluated", async () => {
  const tuner = new PSOTuner({ ...STA_RUN, numWorkers: 0 });
  const result = await staReference();
  assert.ok(result.bestGains[0] > result.bestGains[1]);
  // About half of the box has K1 ≤ K2; those particles are not evaluated, so fewer than 10 × 8 are.
  assert.ok(result.evaluations < 10 * 8, `evaluations ${result.evaluations}`);
  const { positions, costs } = result.result.finalSwarm;
  positions.forEach((p, i) => {
    if (p[0] <= p[1]) assert.equal(costs[i], tuner.infeasiblePenalty);
    else assert.ok(costs[i] < tuner.infeasiblePenalty);
  });
  // The infeasible penalty is above anything a simulated run can cost.
  assert.ok(tuner.infeasiblePenalty > config.cost_function.instability_penalty);
});

Deno.test("PSOTuner seeds the configured gains, so the tuned cost is never above theirs", async () => {
  const options = { ...STA_RUN, includeConfiguredGains: true, numWorkers: 0 };
  const tuner = new PSOTuner(options);
  const configuredCost = createEvaluator(tuner.setup).cost(config.controller_defaults.sta_smc.gains);
  const seeded = await tuner.optimize();
  assert.ok(seeded.bestFitness <= configuredCost, `${seeded.bestFitness} > ${configuredCost}`);
  // Already the initial swarm holds them: its best is no worse than the configured cost ...
  assert.ok(seeded.history.best[0] <= configuredCost);
  // ... which a random initial swarm of this seed does not reach.
  const unseeded = await staReference();
  assert.ok(unseeded.history.best[0] > configuredCost, "the seed check would be vacuous");
});

Deno.test("PSOTuner optimises a custom fitness function toward its minimum", async () => {
  const tuner = new PSOTuner({
    controllerType: "classical_smc",
    config,
    numParticles: 20,
    numIterations: 40,
    numWorkers: 0,
    scenarios: 1,
    seed: 5,
  });
  let calls = 0;
  const result = await tuner.optimize((gains) => {
    calls++;
    assert.equal(gains.length, 6);
    return distanceToTarget(gains);
  });
  assert.equal(calls, result.evaluations);
  assert.equal(result.bestFitness, distanceToTarget(result.bestGains));
  assert.ok(result.bestFitness < 1, `distance² ${result.bestFitness}`);
  assert.ok(result.bestFitness < result.history.best[0] / 100);
  result.bestGains.forEach((g, i) => assert.ok(Math.abs(g - TARGET[i]) < 1, `gain ${i}: ${g}`));
});

/** A short run on {@linkcode distanceToTarget}, shared by the module-fitness tests. */
const TARGET_RUN = {
  controllerType: "classical_smc",
  config,
  numParticles: 12,
  numIterations: 10,
  scenarios: 1,
  seed: 9,
} as const;
let targetReference: Promise<TunerResult> | undefined;
/** {@linkcode TARGET_RUN} with the function form on the main thread, computed once. */
const inlineTarget =
  () => (targetReference ??= new PSOTuner({ ...TARGET_RUN, numWorkers: 0 }).optimize(distanceToTarget));

Deno.test({
  name: "concurrent: PSOTuner runs a { module, export } fitness in Workers with the function form's result",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const inline = await inlineTarget();
    using workers = trackWorkers();
    const viaModule = await new PSOTuner({ ...TARGET_RUN, numWorkers: 2 }).optimize({
      module: FITNESS_MODULE,
      export: "distanceToTarget",
    });
    assert.deepStrictEqual(essence(viaModule), essence(inline));
    assert.equal(workers.created, 2);
    assert.equal(workers.live, 0);
    assert.ok(inline.bestFitness < inline.history.best[0]);
  },
});

Deno.test({
  name: "concurrent: PSOTuner with numWorkers 0 imports a { module, export } fitness on the main thread, " +
    "starting no Worker",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const options = { ...TARGET_RUN, numWorkers: 0 };
    const inline = await inlineTarget();
    using workers = trackWorkers();
    const viaModule = await new PSOTuner(options).optimize({
      module: FITNESS_MODULE,
      export: "distanceToTarget",
    });
    assert.deepStrictEqual(essence(viaModule), essence(inline));
    assert.equal(workers.created, 0);
    // A bad reference fails here with the same message a Worker gives, as a TypeError of this thread.
    await assert.rejects(
      new PSOTuner(options).optimize({ module: FITNESS_MODULE, export: "notAFitness" }),
      { name: "TypeError", message: /has no function export "notAFitness", got number$/ },
    );
    assert.equal(workers.created, 0);
  },
});

Deno.test({
  name: "concurrent: PSOTuner turns a throwing fitness into the penalty and counts every failure",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const options = {
      controllerType: "classical_smc",
      config,
      numParticles: 12,
      numIterations: 6,
      scenarios: 1,
      seed: 3,
    };
    const tuner = new PSOTuner({ ...options, numWorkers: 0 });
    let thrown = 0;
    const sync = await tuner.optimize((gains) => {
      if (gains[0] > THROW_ABOVE) thrown++;
      return throwsAboveHalf(gains);
    });
    assert.ok(thrown > 0, "the fitness never threw: the test is vacuous");
    assert.equal(sync.fitnessFailures, thrown);
    assert.match(sync.firstFitnessFailure ?? "", /^RangeError: k1 .* above 15$/);
    const { positions, costs } = sync.result.finalSwarm;
    positions.forEach((p, i) => {
      if (p[0] > THROW_ABOVE) assert.equal(costs[i], tuner.infeasiblePenalty);
      else assert.equal(costs[i], distanceToTarget(p));
    });
    assert.ok(sync.bestGains[0] <= THROW_ABOVE);
    assert.ok(sync.bestFitness < tuner.infeasiblePenalty);
    // The async (rejecting) form and the module form in Workers see the same failures.
    const rejecting = await tuner.optimize(rejectsAboveHalf);
    assert.deepStrictEqual(essence(rejecting), essence(sync));
    assert.equal(rejecting.fitnessFailures, thrown);
    using workers = trackWorkers();
    const inWorkers = await new PSOTuner({ ...options, numWorkers: 2 }).optimize({
      module: FITNESS_MODULE,
      export: "throwsAboveHalf",
    });
    assert.deepStrictEqual(essence(inWorkers), essence(sync));
    assert.equal(inWorkers.fitnessFailures, thrown);
    assert.equal(inWorkers.firstFitnessFailure !== undefined, true);
    assert.match(inWorkers.firstFitnessFailure!, /^RangeError: k1 /);
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: PSOTuner rejects a fitness reference that is not a function and closes its pool",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    using workers = trackWorkers();
    const tuner = new PSOTuner({
      controllerType: "classical_smc",
      config,
      numParticles: 4,
      numIterations: 2,
      numWorkers: 1,
      scenarios: 1,
    });
    await assert.rejects(
      tuner.optimize({ module: FITNESS_MODULE, export: "notAFitness" }),
      (error: unknown) => {
        assert.ok(error instanceof WorkerTaskError);
        assert.match(error.message, /has no function export "notAFitness", got number/);
        return true;
      },
    );
    assert.equal(workers.created, 1);
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: PSOTuner stops on an AbortSignal with exit reason aborted and the best so far",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const full = await staReference();
    using workers = trackWorkers();
    for (const numWorkers of [0, 2]) {
      const abort = new AbortController();
      const seen: TunerProgress[] = [];
      const result = await new PSOTuner({
        ...STA_RUN,
        numWorkers,
        signal: abort.signal,
        onIteration: (p) => {
          seen.push(p);
          if (p.iteration === 3) abort.abort();
        },
      }).optimize();
      assert.equal(result.exitReason, "aborted");
      assert.equal(result.iterations, 3);
      // The best so far is the uninterrupted run's best after 3 iterations.
      assert.deepStrictEqual(result.history.best, full.history.best.slice(0, 3));
      assert.equal(result.bestFitness, full.history.best[2]);
      assert.ok(result.bestFitness > full.bestFitness, "the abort did not cut anything off");
      assert.deepEqual(seen.map((p) => p.iteration), [1, 2, 3]);
      for (const p of seen) {
        assert.equal(p.maxIterations, 8);
        assert.equal(p.bestCost, full.history.best[p.iteration - 1]);
        assert.ok(p.evaluations > 0 && p.elapsedMs >= 0);
      }
      assert.equal(workers.live, 0, `numWorkers ${numWorkers}`);
    }
  },
});

Deno.test({
  name: "concurrent: PSOTuner rejects with the reason of a signal aborted before the first iteration",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    using workers = trackWorkers();
    const reason = new Error("stop now");
    await assert.rejects(
      new PSOTuner({ ...STA_RUN, numWorkers: 1, signal: AbortSignal.abort(reason) }).optimize(),
      (error) => error === reason,
    );
    assert.equal(workers.live, 0);
  },
});

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

/** A backend evaluating in this thread that records what the tuner asked of it. */
function recordingBackend(failOnBatch = Infinity, failClose = false) {
  const log = { runs: [] as EvaluationRun[], batches: 0, closed: 0 };
  const factory: EvaluationBackendFactory = (run) => {
    log.runs.push(run);
    const evaluator = createEvaluator(run.setup);
    return {
      evaluate(positions, count, dims) {
        if (++log.batches >= failOnBatch) return Promise.reject(new Error(`batch ${log.batches} lost`));
        const out = new Float64Array(count);
        evaluator.evaluate(positions, count, dims, out);
        return Promise.resolve(out);
      },
      close() {
        log.closed++;
        return failClose ? Promise.reject(new Error("close failed")) : Promise.resolve();
      },
    };
  };
  return { log, factory };
}

Deno.test("PSOTuner evaluates through an injected EvaluationBackend and closes it once however the run ends", async (t) => {
  const base = await staReference();
  await t.step("a finished run equals the in-process run bit for bit", async () => {
    const { log, factory } = recordingBackend();
    // numWorkers 0 would evaluate in this thread: a backend takes precedence.
    const result = await new PSOTuner({ ...STA_RUN, numWorkers: 0, backend: factory }).optimize();
    assert.deepStrictEqual(essence(result), essence(base));
    assert.equal(log.batches, 8);
    assert.equal(log.closed, 1);
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.match(run.key, /^sta_smc:5:[0-9a-f-]{36}$/);
    assert.equal(run.numParticles, 10);
    assert.equal(run.controllerSource, undefined);
    assert.equal(run.setup.scenarios.length, 3);
  });
  await t.step("an aborted run closes it", async () => {
    const { log, factory } = recordingBackend();
    const abort = new AbortController();
    const result = await new PSOTuner({
      ...STA_RUN,
      backend: factory,
      signal: abort.signal,
      onIteration: (p) => p.iteration === 2 && abort.abort(),
    }).optimize();
    assert.equal(result.exitReason, "aborted");
    assert.deepStrictEqual(result.history.best, base.history.best.slice(0, 2));
    assert.equal(log.closed, 1);
  });
  await t.step("a failed run closes it and rejects with the backend's error", async () => {
    const { log, factory } = recordingBackend(3);
    await assert.rejects(new PSOTuner({ ...STA_RUN, backend: factory }).optimize(), /^Error: batch 3 lost$/);
    assert.equal(log.closed, 1);
    // Each optimize() gets a backend of its own, with a key of its own.
    const again = recordingBackend();
    const tuner = new PSOTuner({ ...STA_RUN, backend: again.factory });
    await tuner.optimize();
    await tuner.optimize();
    assert.equal(again.log.closed, 2);
    assert.notEqual(again.log.runs[0].key, again.log.runs[1].key);
  });
  await t.step("a close that fails after a failed run keeps both errors", async () => {
    const { log, factory } = recordingBackend(2, true);
    await assert.rejects(new PSOTuner({ ...STA_RUN, backend: factory }).optimize(), (error: unknown) => {
      assert.ok(error instanceof SuppressedError);
      assert.match(String(error.error), /close failed/);
      assert.match(String(error.suppressed), /batch 2 lost/);
      return true;
    });
    assert.equal(log.closed, 1);
  });
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

Deno.test("PSOTuner takes its defaults from the config and canonicalises the type", () => {
  const tuner = new PSOTuner({ controllerType: "super-twisting", config });
  assert.equal(tuner.controllerType, "sta_smc");
  assert.equal(tuner.numParticles, config.pso.n_particles);
  assert.equal(tuner.numIterations, config.pso.iters);
  assert.equal(tuner.seed, config.pso.seed);
  assert.equal(tuner.numWorkers, navigator.hardwareConcurrency);
  assert.equal(tuner.scenarios.length, config.physics_uncertainty.n_evals);
  assert.equal(tuner.infeasiblePenalty, 10 * config.cost_function.instability_penalty);
  assert.deepEqual(tuner.setup.scenarios[0].x0, [...config.simulation.initial_state]);
  // The scenarios are a function of the seed.
  const again = new PSOTuner({ controllerType: "sta_smc", config });
  assert.deepStrictEqual(again.scenarios, tuner.scenarios);
  assert.notDeepStrictEqual(
    new PSOTuner({ controllerType: "sta_smc", config, seed: 1 }).scenarios,
    tuner.scenarios,
  );
});

Deno.test({
  name: "concurrent: PSOTuner leaves a pool passed in open and reusable; closing it leaves nothing",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: TUNER_WORKER_URL, size: 2, name: "shared-tuner-pool" });
    try {
      const base = await staReference();
      const first = await new PSOTuner({ ...STA_RUN, numWorkers: 2, pool }).optimize();
      assert.deepStrictEqual(essence(first), essence(base));
      assert.equal(pool.closed, false);
      assert.equal(pool.stats().live, 2);
      // A second tuner (another controller, so another evaluator key) on the same Workers.
      const options = { ...STA_RUN, controllerType: "classical_smc", includeConfiguredGains: true };
      const second = await new PSOTuner({ ...options, numWorkers: 2, pool }).optimize();
      const inline = await new PSOTuner({ ...options, numWorkers: 0 }).optimize();
      assert.deepStrictEqual(essence(second), essence(inline));
      assert.equal(pool.stats().pending, 0);
      assert.ok(pool.stats().completed > 0);
    } finally {
      await pool.close();
    }
    assertPoolClosed(pool);
  },
});

Deno.test({
  name: "concurrent: PSOTuner tunes a registered custom controller in Workers as on the main thread",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const module = new URL("../fixtures/custom_controller.ts", import.meta.url).href;
    const { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } = await import(module);
    try {
      await registerController({
        type: "state_feedback",
        module,
        export: "createStateFeedback",
        gainNames: STATE_FEEDBACK_GAIN_NAMES,
        defaultGains: STATE_FEEDBACK_DEFAULTS,
        stateful: false,
      });
      const info = getControllerInfo("state_feedback");
      const options = {
        controllerType: "state_feedback",
        config,
        numParticles: 6,
        numIterations: 3,
        scenarios: 2,
        seed: 4,
      };
      const inline = await new PSOTuner({ ...options, numWorkers: 0 }).optimize();
      using workers = trackWorkers();
      const remote = await new PSOTuner({ ...options, numWorkers: 2 }).optimize();
      assert.deepStrictEqual(essence(remote), essence(inline));
      assert.equal(workers.live, 0);
      // Bounds came from the registry entry, and the result lies inside them.
      inline.bestGains.forEach((g, i) => assert.ok(g >= info.bounds.lower[i] && g <= info.bounds.upper[i]));
      assert.ok(inline.bestFitness < 10 * config.cost_function.instability_penalty);
    } finally {
      resetRegistryForTests();
    }
  },
});
