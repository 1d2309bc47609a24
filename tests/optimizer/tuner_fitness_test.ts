/**
 * Tests of PSOTuner's fitness forms (docs/tuning.md#the-tuner): a custom fitness function, a
 * { module, export } reference in Workers and on the main thread with the function form's result, a
 * throwing or rejecting fitness turned into the penalty, and a reference that is not a function.
 */
import assert from "assert";
import { PSOTuner, type TunerResult, WorkerTaskError } from "../../optimizer/mod.ts";
import {
  distanceToTarget,
  rejectsAboveHalf,
  TARGET,
  THROW_ABOVE,
  throwsAboveHalf,
} from "../fixtures/fitness_module.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import { config, essence } from "./tuner_helpers.ts";

const FITNESS_MODULE = new URL("../fixtures/fitness_module.ts", import.meta.url).href;

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
