/**
 * The resume and checkpoint hooks of `optimize()` (and `PSOTuner`'s `resumeFrom` / `onCheckpoint`):
 * a run resumed from any checkpoint, through JSON, reaches the uninterrupted run's result bit for
 * bit; a batch objective is told the iteration it evaluates, counting on after a resume.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../config/mod.ts";
import { optimize, type PSOOptions, type PSOState, PSOTuner, type TunerResult } from "../../optimizer/mod.ts";

const ITERATIONS = 12, SWARM = 9;
const OPTIONS: PSOOptions = {
  lower: [-4, -4, -4],
  upper: [4, 4, 4],
  swarmSize: SWARM,
  maxIterations: ITERATIONS,
  seed: 21,
};

/** A shifted sphere: its minimum is at (1, −2, 0.5). */
const sphere = (x: Float64Array) => (x[0] - 1) ** 2 + (x[1] + 2) ** 2 + (x[2] - 0.5) ** 2;

Deno.test("optimize() resumed from every checkpoint reaches the uninterrupted result bit for bit", async () => {
  const states: string[] = [];
  const whole = await optimize(sphere, OPTIONS, { onCheckpoint: (s) => void states.push(JSON.stringify(s)) });
  assert.equal(states.length, ITERATIONS, "one checkpoint per iteration, the last one included");
  for (let k = 1; k <= states.length; k++) {
    const state = JSON.parse(states[k - 1]) as PSOState;
    assert.equal(state.iteration, k);
    const resumed = await optimize(sphere, OPTIONS, { resumeFrom: state });
    assert.deepStrictEqual(resumed, whole, `resumed after iteration ${k}`);
  }
  // The comparison can fail: the same checkpoint on another objective ends elsewhere.
  const other = await optimize((x) => sphere(x) + x[0], OPTIONS, { resumeFrom: JSON.parse(states[3]) });
  assert.notDeepStrictEqual(other.bestPosition, whole.bestPosition);
});

Deno.test("optimize() tells a batch objective the iteration it evaluates, counting on after a resume", async () => {
  const seen: number[] = [];
  const states: PSOState[] = [];
  const batch = {
    batch(positions: Float64Array, count: number, dims: number, iteration: number) {
      seen.push(iteration);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = sphere(positions.subarray(i * dims, (i + 1) * dims));
      return Promise.resolve(out);
    },
  };
  const whole = await optimize(batch, OPTIONS, { onCheckpoint: (s) => void states.push(s) });
  assert.deepStrictEqual(seen, Array.from({ length: ITERATIONS }, (_, i) => i));
  seen.length = 0;
  const resumed = await optimize(batch, OPTIONS, { resumeFrom: states[4] });
  assert.deepStrictEqual(seen, [5, 6, 7, 8, 9, 10, 11]);
  assert.deepStrictEqual(resumed, whole);
});

Deno.test("optimize() refuses a checkpoint that does not fit the options, naming the field", async () => {
  let state: PSOState | undefined;
  await optimize(sphere, { ...OPTIONS, maxIterations: 2 }, { onCheckpoint: (s) => void (state = s) });
  await assert.rejects(
    optimize(sphere, { ...OPTIONS, seed: 22 }, { resumeFrom: state }),
    /^RangeError: options\.seed: must match the state's seed \(21\), got 22$/,
  );
  await assert.rejects(
    optimize(sphere, { ...OPTIONS, swarmSize: 10 }, { resumeFrom: state }),
    /^RangeError: options\.swarmSize: must match the state's swarm size \(9\), got 10$/,
  );
});

Deno.test("optimize() rejects with onCheckpoint's error and evaluates nothing after it", async () => {
  let evaluations = 0;
  await assert.rejects(
    optimize((x) => (evaluations++, sphere(x)), OPTIONS, {
      onCheckpoint: (s) => s.iteration === 2 ? Promise.reject(new Error("disk full")) : undefined,
    }),
    /^Error: disk full$/,
  );
  assert.equal(evaluations, 2 * SWARM);
});

Deno.test("optimize() resumed and then aborted ends 'aborted' with the checkpoint's best", async () => {
  const states: PSOState[] = [];
  await optimize(sphere, OPTIONS, { onCheckpoint: (s) => void states.push(s) });
  const abort = new AbortController();
  const result = await optimize(
    () => {
      abort.abort();
      return new Promise<number>(() => {}); // never answers: the abort must not wait for it
    },
    { ...OPTIONS, signal: abort.signal },
    { resumeFrom: states[3] },
  );
  assert.equal(result.exitReason, "aborted");
  assert.equal(result.iterations, 4);
  assert.deepStrictEqual(result.history.best, states[3].history.best);
});

Deno.test("PSOTuner resumed from its checkpoint on the main thread and on Workers gives the uninterrupted result", async () => {
  const config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
  const run = { controllerType: "sta_smc", config, numParticles: 6, numIterations: 4, scenarios: 2, seed: 8 };
  const essence = (r: TunerResult) => ({ gains: r.bestGains, fitness: r.bestFitness, result: r.result });
  const states: string[] = [];
  const whole = await new PSOTuner({
    ...run,
    numWorkers: 0,
    onCheckpoint: (s) => void states.push(JSON.stringify(s)),
  }).optimize();
  assert.equal(states.length, run.numIterations);
  for (const numWorkers of [0, 2]) {
    const resumed = await new PSOTuner({ ...run, numWorkers, resumeFrom: JSON.parse(states[1]) }).optimize();
    assert.deepStrictEqual(essence(resumed), essence(whole), `${numWorkers} Workers`);
  }
});
