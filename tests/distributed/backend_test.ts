/**
 * The tuner's evaluation back-end path without a server: an in-process back end built on the same
 * evaluator matches the Worker pool bit for bit, a back end that misplaces results does not, and a
 * run resumed from any checkpoint reaches the uninterrupted result.
 */
import assert from "node:assert/strict";
import {
  createEvaluator,
  type EvaluationBackend,
  type EvaluationContext,
  optimizeOnBackend,
  type PSOState,
  PSOTuner,
  type TunerResult,
} from "../../optimizer/mod.ts";

const RUN = { controllerType: "sta_smc", numParticles: 6, numIterations: 5, scenarios: 2, seed: 4 };

function outcome(r: TunerResult) {
  return { gains: r.bestGains, fitness: r.bestFitness, result: r.result };
}

/** Evaluates in this thread, chunk by chunk, optionally writing the chunks back in reverse order. */
function inProcessBackend(reverseChunks = false): EvaluationBackend & { contexts: EvaluationContext[] } {
  let evaluator: ReturnType<typeof createEvaluator> | undefined;
  const contexts: EvaluationContext[] = [];
  return {
    contexts,
    prepare(context) {
      contexts.push(context);
      evaluator = createEvaluator(context.setup);
      return Promise.resolve();
    },
    evaluate(positions, count, dims) {
      const size = 2, parts: Float64Array[] = [];
      for (let start = 0; start < count; start += size) {
        const n = Math.min(size, count - start), out = new Float64Array(n);
        evaluator!.evaluate(positions.subarray(start * dims, (start + n) * dims), n, dims, out);
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
}

Deno.test("PSOTuner on an in-process backend matches the Worker pool bit for bit; misplaced chunks do not", async () => {
  const pool = await new PSOTuner({ ...RUN, numWorkers: 2 }).optimize();
  const backend = inProcessBackend();
  const viaBackend = await new PSOTuner({ ...RUN, backend }).optimize();
  assert.deepStrictEqual(outcome(viaBackend), outcome(pool));
  assert.equal(backend.contexts.length, 1);
  assert.equal(backend.contexts[0].seed, RUN.seed);
  assert.equal(backend.contexts[0].setup.scenarios.length, RUN.scenarios);
  const misplaced = await new PSOTuner({ ...RUN, backend: inProcessBackend(true) }).optimize();
  assert.notDeepStrictEqual(outcome(misplaced), outcome(pool));
});

Deno.test("optimizeOnBackend() resumed from any checkpoint reaches the uninterrupted result", async () => {
  const states: string[] = [];
  const whole = await new PSOTuner({
    ...RUN,
    backend: inProcessBackend(),
    onCheckpoint: (state) => void states.push(JSON.stringify(state)),
  }).optimize();
  assert.equal(states.length, RUN.numIterations);
  for (let k = 1; k < RUN.numIterations; k++) {
    const resumeFrom = JSON.parse(states[k - 1]) as PSOState;
    assert.equal(resumeFrom.iteration, k);
    const resumed = await new PSOTuner({ ...RUN, backend: inProcessBackend(), resumeFrom }).optimize();
    assert.deepStrictEqual(outcome(resumed), outcome(whole), `resumed after iteration ${k}`);
  }
  // Resuming with another seed is refused by the engine rather than silently mixing two runs.
  await assert.rejects(
    new PSOTuner({
      ...RUN,
      seed: RUN.seed + 1,
      backend: inProcessBackend(),
      resumeFrom: JSON.parse(states[1]),
    })
      .optimize(),
    /options\.seed: must match the state's seed/,
  );
});

Deno.test("PSOTuner refuses a function fitness on a backend, which cannot carry a function", async () => {
  await assert.rejects(
    new PSOTuner({ ...RUN, backend: inProcessBackend() }).optimize(() => 1),
    /fitness: a function cannot run on an evaluation backend/,
  );
});

Deno.test("optimizeOnBackend() rejects a backend that returns the wrong number of costs", async () => {
  const short: EvaluationBackend = {
    evaluate: (_x, count) => Promise.resolve(new Float64Array(count - 1)),
    close: () => Promise.resolve(),
  };
  await assert.rejects(
    optimizeOnBackend(short, { lower: [0], upper: [1], swarmSize: 3, maxIterations: 2 }),
    /must return a Float64Array of one cost per position \(3\), got length 2/,
  );
});

Deno.test("optimizeOnBackend() ends 'aborted' with the best so far when the signal aborts during a batch", async () => {
  const abort = new AbortController();
  let calls = 0;
  const backend: EvaluationBackend = {
    evaluate: (_x, count) => {
      if (++calls === 2) {
        abort.abort();
        return new Promise(() => {}); // never answers: the abort must not wait for it
      }
      return Promise.resolve(new Float64Array(count).fill(calls));
    },
    close: () => Promise.resolve(),
  };
  const result = await optimizeOnBackend(backend, {
    lower: [0],
    upper: [1],
    swarmSize: 3,
    maxIterations: 10,
    signal: abort.signal,
  });
  assert.equal(result.exitReason, "aborted");
  assert.equal(result.iterations, 1);
});
