/**
 * The tuner's backend path that the NATS back end relies on, without a server: an in-process
 * backend built on the same evaluator matches the Worker pool bit for bit, a backend that misplaces
 * results does not, each batch is told its iteration (counting on after a resume), and a run
 * resumed from any checkpoint reaches the uninterrupted result.
 */
import assert from "node:assert/strict";
import {
  createEvaluator,
  type EvaluationBackendFactory,
  type EvaluationRun,
  type PSOState,
  PSOTuner,
  type TunerResult,
} from "../../optimizer/mod.ts";

const RUN = { controllerType: "sta_smc", numParticles: 6, numIterations: 5, scenarios: 2, seed: 4 };

function outcome(r: TunerResult) {
  return { gains: r.bestGains, fitness: r.bestFitness, result: r.result };
}

/**
 * Evaluates in this thread, chunk by chunk, optionally writing the chunks back in reverse order;
 * records the runs it served and the iteration of every batch.
 */
function inProcessBackend(reverseChunks = false) {
  const runs: EvaluationRun[] = [], iterations: (number | undefined)[] = [];
  const factory: EvaluationBackendFactory = (run) => {
    runs.push(run);
    const evaluator = createEvaluator(run.setup);
    return {
      evaluate(positions, count, dims, iteration) {
        iterations.push(iteration);
        const size = 2, parts: Float64Array[] = [];
        for (let start = 0; start < count; start += size) {
          const n = Math.min(size, count - start), out = new Float64Array(n);
          evaluator.evaluate(positions.subarray(start * dims, (start + n) * dims), n, dims, out);
          parts.push(out);
        }
        // The bug this guards against: placing chunks in arrival order instead of by index.
        if (reverseChunks) parts.reverse();
        const out = new Float64Array(count);
        let offset = 0;
        for (const part of parts) out.set(part, (offset += part.length) - part.length);
        return Promise.resolve(out);
      },
      close: () => Promise.resolve(),
    };
  };
  return { factory, runs, iterations };
}

Deno.test("PSOTuner on an in-process backend matches the Worker pool bit for bit; misplaced chunks do not", async () => {
  const pool = await new PSOTuner({ ...RUN, numWorkers: 2 }).optimize();
  const backend = inProcessBackend();
  const viaBackend = await new PSOTuner({ ...RUN, backend: backend.factory }).optimize();
  assert.deepStrictEqual(outcome(viaBackend), outcome(pool));
  assert.equal(backend.runs.length, 1);
  // What a remote worker needs to rebuild the setup: the seed the scenarios were drawn from.
  assert.equal(backend.runs[0].seed, RUN.seed);
  assert.equal(backend.runs[0].setup.scenarios.length, RUN.scenarios);
  assert.deepStrictEqual(backend.iterations, [0, 1, 2, 3, 4]);
  const misplaced = await new PSOTuner({ ...RUN, backend: inProcessBackend(true).factory }).optimize();
  assert.notDeepStrictEqual(outcome(misplaced), outcome(pool));
});

Deno.test("PSOTuner on a backend, resumed from any checkpoint, reaches the uninterrupted result", async () => {
  const states: string[] = [];
  const whole = await new PSOTuner({
    ...RUN,
    backend: inProcessBackend().factory,
    onCheckpoint: (state) => void states.push(JSON.stringify(state)),
  }).optimize();
  assert.equal(states.length, RUN.numIterations);
  for (let k = 1; k < RUN.numIterations; k++) {
    const resumeFrom = JSON.parse(states[k - 1]) as PSOState;
    assert.equal(resumeFrom.iteration, k);
    const backend = inProcessBackend();
    const resumed = await new PSOTuner({ ...RUN, backend: backend.factory, resumeFrom }).optimize();
    assert.deepStrictEqual(outcome(resumed), outcome(whole), `resumed after iteration ${k}`);
    // The batches go on being named as in the interrupted run.
    assert.deepStrictEqual(
      backend.iterations,
      Array.from({ length: RUN.numIterations - k }, (_, i) => k + i),
    );
  }
  // Resuming with another swarm size is refused by the engine rather than silently mixing two runs.
  await assert.rejects(
    new PSOTuner({
      ...RUN,
      numParticles: RUN.numParticles + 1,
      backend: inProcessBackend().factory,
      resumeFrom: JSON.parse(states[1]),
    }).optimize(),
    /options\.swarmSize: must match the state's swarm size/,
  );
});
