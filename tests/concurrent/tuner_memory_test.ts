/**
 * Memory of a long-lived tuner pool: one pool serving many `PSOTuner.optimize()` calls (the `pool`
 * option) must not keep anything per run in its Workers.
 *
 * What is measured: in the Worker, `heapUsed + external` of `Deno.memoryUsage()` right after two
 * forced full collections (`--v8-flags=--expose-gc`; without it the test is skipped). `external`
 * counts, because an evaluator's trajectory buffers are typed arrays whose backing stores live
 * outside the V8 heap. At the shipped 10 scenarios of 1000 steps an evaluator holds
 * 10 × (1001 × 6 + 2 × 1000) doubles ≈ 0.64 MB, so a Worker that keeps one per run grows by
 * ≈ 0.64 MB a tuning; one that releases them stays flat once its code is compiled. The series are
 * compared by window medians ({@linkcode windowDrift}), as tests/concurrent/memory_test.ts does, and
 * the retaining variant (the same Worker told to ignore `release`) proves the bound can fail.
 *
 * @module
 */
import assert from "assert";
import {
  PSOTuner,
  type PSOTunerOptions,
  type TunerResult,
  WorkerPool,
  WorkerTaskError,
} from "../../optimizer/mod.ts";
import type { WorkerMemory } from "../fixtures/tuner_heap_worker.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import {
  allReady,
  closeAndCheck,
  CONFIG,
  fixture,
  HAS_GC,
  RecordingPool,
  windowDrift,
  within,
} from "./helpers.ts";

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`;

/** A tiny tuning at the shipped scenario count: 4 particles × 2 iterations × 10 scenarios. */
const RUN: PSOTunerOptions = {
  controllerType: "classical_smc",
  config: CONFIG,
  numParticles: 4,
  numIterations: 2,
  seed: 17,
};

/** Tunings measured per series, after the warm-up ones. */
const TUNINGS = 32;
const WARMUP = 6;

interface Series {
  /** Worker memory after each measured tuning (heap + external, bytes). */
  readonly totals: number[];
  readonly last: WorkerMemory;
  readonly results: TunerResult[];
}

async function series(pool: WorkerPool, retain: boolean): Promise<Series> {
  await pool.run("retainEvaluators", retain);
  const totals: number[] = [];
  const results: TunerResult[] = [];
  let last: WorkerMemory | undefined;
  for (let i = 0; i < WARMUP + TUNINGS; i++) {
    const result = await within(
      30_000,
      `tuning ${i} (retain ${retain})`,
      new PSOTuner({ ...RUN, numWorkers: 1, pool }).optimize(),
    );
    last = await pool.run<WorkerMemory>("memory");
    if (i >= WARMUP) {
      totals.push(last.heapUsed + last.external);
      results.push(result);
    }
  }
  return { totals, last: last!, results };
}

Deno.test({
  name: "concurrent: 32 tunings on one long-lived pool keep the tuner Worker's memory flat " +
    "(and the same Worker keeping its evaluators fails the bound)",
  ignore: !HAS_GC,
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    // 32 samples, medians of the first and last 5 sit 27 tunings apart: a kept evaluator per tuning
    // (≈ 0.64 MB) moves them ≈ 17 MB apart; released evaluators drift by well under the bound.
    const bound = 2 * MB;
    using workers = trackWorkers();
    const pool = new WorkerPool({
      moduleUrl: fixture("tuner_heap_worker.ts"),
      size: 1,
      name: "tuner-memory",
    });
    try {
      await allReady(pool);
      const released = await series(pool, false);
      const drift = windowDrift(released.totals, 5);
      console.log(`tuner Worker drift over ${TUNINGS} tunings, evaluators released: ${mb(drift)}`);
      // Every tuning sent its release, and the Worker holds nothing between tunings.
      assert.equal(released.last.releases, WARMUP + TUNINGS);
      assert.equal(released.last.ignoredReleases, 0);
      assert.equal(released.last.held.evaluators, 0);
      assert.ok(drift < bound, `memory grew ${mb(drift)} over ${TUNINGS} tunings (bound ${mb(bound)})`);
      // The pool reused across tunings changes no result: every run of the seed is the same.
      for (const r of released.results) assert.deepStrictEqual(r.bestGains, released.results[0].bestGains);

      const kept = await series(pool, true);
      const keptDrift = windowDrift(kept.totals, 5);
      console.log(`tuner Worker drift over ${TUNINGS} tunings, evaluators kept: ${mb(keptDrift)}`);
      assert.equal(kept.last.ignoredReleases, WARMUP + TUNINGS);
      assert.equal(kept.last.held.evaluators, WARMUP + TUNINGS);
      assert.ok(
        keptDrift > 2 * bound,
        `keeping ${TUNINGS} evaluators grew the Worker by only ${mb(keptDrift)}`,
      );
      assert.deepStrictEqual(kept.results[0].bestGains, released.results[0].bestGains);
    } finally {
      await closeAndCheck(pool);
    }
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: a tuning aborted with tasks still queued, and a failing one, release their Workers " +
    "too; the aborted run's late tasks are refused instead of rebuilding its evaluator",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    using workers = trackWorkers();
    const pool = new RecordingPool({
      moduleUrl: fixture("tuner_heap_worker.ts"),
      size: 1,
      name: "tuner-release-on-abort",
    });
    try {
      await allReady(pool);
      const full = await new PSOTuner({ ...RUN, numParticles: 8, numIterations: 4, numWorkers: 0 })
        .optimize();
      const abort = new AbortController();
      // Abort as the 2nd iteration's first one-particle task is dispatched: the other 7 are queued.
      pool.onDispatch = (phase) => {
        if (phase === 1 && !abort.signal.aborted) abort.abort();
      };
      const aborted = await within(
        30_000,
        "aborted tuning",
        new PSOTuner({
          ...RUN,
          numParticles: 8,
          numIterations: 4,
          numWorkers: 1,
          pool,
          chunkSize: 1,
          signal: abort.signal,
          onIteration: () => pool.phase++,
        }).optimize(),
      );
      assert.equal(aborted.exitReason, "aborted");
      assert.equal(aborted.iterations, 1);
      assert.deepStrictEqual(aborted.history.best, full.history.best.slice(0, 1));
      // The release went out at once; the abandoned tasks drain after it, refused.
      const deadline = performance.now() + 20_000;
      while (pool.stats().pending > 0 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(pool.stats().pending, 0);
      const afterAbort = await pool.run<WorkerMemory>("memory");
      assert.equal(afterAbort.releases, 1);
      assert.equal(afterAbort.held.evaluators, 0, "a late task rebuilt the aborted run's evaluator");
      assert.equal(afterAbort.held.releasedKeys, 1);
      assert.ok(pool.stats().failed >= 1, "no late task was refused: the abort left nothing queued");

      // A run that fails (its fitness reference names no function) releases on the way out as well.
      await assert.rejects(
        new PSOTuner({ ...RUN, numWorkers: 1, pool }).optimize({
          module: fixture("fitness_module.ts").href,
          export: "notAFitness",
        }),
        WorkerTaskError,
      );
      const afterFailure = await pool.run<WorkerMemory>("memory");
      assert.equal(afterFailure.releases, 2);
      assert.equal(afterFailure.held.evaluators, 0);
    } finally {
      await closeAndCheck(pool);
    }
    assert.equal(workers.live, 0);
  },
});
