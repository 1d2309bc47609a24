/**
 * Tests of where PSOTuner evaluates (docs/tuning.md#the-tuner): through an injected EvaluationBackend,
 * closed once however the run ends, and on a WorkerPool passed in, which it leaves open and reusable.
 */
import assert from "assert";
import {
  createEvaluator,
  type EvaluationBackendFactory,
  type EvaluationRun,
  PSOTuner,
  TUNER_WORKER_URL,
  WorkerPool,
} from "../../optimizer/mod.ts";
import { assertPoolClosed } from "../fixtures/pool_assertions.ts";
import { essence, STA_RUN, staReference } from "./tuner_helpers.ts";

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
