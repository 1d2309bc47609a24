/**
 * The basic counter and producer/consumer scenarios, on the project's own machinery: tasks fanned
 * out by `WorkerPool` to Workers served by `serveWorker()`, each creating a controller through the
 * factory inside its Worker, returning its forces with `transfer()`, and recording in a
 * SharedArrayBuffer, with `Atomics`, what all the Workers were doing at the same moment. The
 * shared counters are the independent witness: they must agree with the pool's own accounting,
 * with the in-flight bound the pool was given, and with a sequential run.
 *
 * @module
 */
import assert from "assert";
import { DEFAULT_GAINS } from "../../factory/mod.ts";
import { WorkerPool } from "../../optimizer/mod.ts";
import { createAndProbe, type CreationRequest } from "../fixtures/factory_cases.ts";
import { COUNTER, sharedCounters, type TallyResult, type TallyTask } from "../fixtures/shared_counters.ts";
import { allReady, closeAndCheck, fixture, plainConfig, within } from "./helpers.ts";

const SHARED = fixture("shared_memory_worker.ts");
const TYPES = ["classical_smc", "sta_smc", "adaptive_smc", "hybrid_adaptive_sta_smc"] as const;

/** `n` creation requests, types rotating and gains varying, so results differ task by task. */
function requests(n: number): CreationRequest[] {
  const config = plainConfig();
  return Array.from({ length: n }, (_, i) => ({
    type: TYPES[i % 4],
    gains: DEFAULT_GAINS[TYPES[i % 4]].map((g) => g * (1 + 0.005 * i)),
    config,
  }));
}

/** Asserts the shared total is exactly the number of tasks that ran (no update lost or doubled). */
function assertExactTotal(counters: Int32Array, expected: number): void {
  assert.equal(Atomics.load(counters, COUNTER.TOTAL), expected, "shared total");
}

/** Asserts that no more than `bound` tasks were ever inside a handler at once, over all Workers. */
function assertWithinBound(counters: Int32Array, bound: number): void {
  const max = Atomics.load(counters, COUNTER.MAX_ACTIVE);
  assert.ok(max <= bound, `${max} tasks ran at once, above the in-flight bound ${bound}`);
}

/** What a `tally` result must equal: the same request probed on the main thread. */
function assertSequential(results: readonly TallyResult[], reqs: readonly CreationRequest[]): void {
  assert.equal(results.length, reqs.length);
  for (const [i, result] of results.entries()) {
    const expected = createAndProbe(reqs[i]);
    assert.equal(result.index, i, `result ${i} out of order`);
    assert.deepEqual(result.summary, expected, `result ${i}`);
    assert.ok(result.u instanceof Float64Array, `result ${i}: u is ${result.u}`);
    assert.deepEqual(Array.from(result.u), expected.outputs.map((o) => o.u), `result ${i}: forces`);
  }
}

Deno.test({
  name: "concurrent: 200 tasks on a 4-Worker pool count into shared memory with Atomics: the exact total, " +
    "per-Worker counts equal to the pool's, results equal to a sequential run (and a lock-step " +
    "non-atomic increment fails the exact-total check)",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const workers = 4, tasks = 200;
    const reqs = requests(tasks);
    const counters = sharedCounters();
    const seen = new Int32Array(new SharedArrayBuffer(tasks * Int32Array.BYTES_PER_ELEMENT));
    const pool = new WorkerPool({ moduleUrl: SHARED, size: workers, name: "counters" });
    try {
      await allReady(pool);
      const infos = await within(
        30_000,
        "200 tally tasks",
        Promise.all(
          reqs.map((request, index) =>
            pool.runWithInfo<TallyResult>("tally", { counters, seen, index, request, holdMs: 1 } as TallyTask)
          ),
        ),
      );
      assertExactTotal(counters, tasks);
      // Every task ran exactly once, and nothing is still inside a handler.
      assert.deepEqual([...new Set(seen)], [1]);
      assert.equal(Atomics.load(counters, COUNTER.ACTIVE), 0);
      // The Workers' own count per slot is the pool's count per slot, and each task ran where the
      // pool says it did.
      const perSlot = Array.from({ length: workers }, (_, k) => Atomics.load(counters, COUNTER.PER_SLOT + k));
      assert.deepEqual(perSlot, pool.stats().completedPerWorker);
      for (const { result, workerIndex } of infos) assert.equal(result.slot, workerIndex);
      assert.ok(perSlot.filter((n) => n > 0).length >= 2, `tasks ran on slots ${perSlot}`);
      // Really concurrent, and never beyond one task per Worker.
      assert.ok(Atomics.load(counters, COUNTER.MAX_ACTIVE) >= 2, "the tasks never overlapped");
      assertWithinBound(counters, workers);
      assertSequential(infos.map((i) => i.result), reqs);

      // The broken variant: four Workers each load the total, wait until all four have loaded,
      // and store load + 1. Three updates are lost, and the exact-total check says so.
      const racy = sharedCounters();
      const loaded = await within(
        20_000,
        "lock-step racy increments",
        pool.map<number>(
          "racyTally",
          Array.from({ length: workers }, () => ({
            counters: racy,
            parties: workers,
            deadlineMs: 10_000,
          })),
        ),
      );
      assert.deepEqual(loaded, [0, 0, 0, 0]);
      assert.throws(() => assertExactTotal(racy, workers), assert.AssertionError);
      assert.equal(Atomics.load(racy, COUNTER.TOTAL), 1);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name:
    "concurrent: a producer pushing 100 items through a 2-Worker pool bounded at 2 in flight per Worker " +
    "never has more than 4 consumed at once, reaches the bound, and gets the sequential results in order " +
    "(and a pool allowed 4 per Worker fails the bound)",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const size = 2, perWorker = 2, bound = size * perWorker, items = 100;
    const reqs = requests(items);
    /** Produces `reqs` into `pool` as fast as it takes them, sampling its queue and in-flight counts. */
    const produce = async (pool: WorkerPool, counters: Int32Array, seen: Int32Array) => {
      let maxInFlight = 0, maxQueued = 0;
      const sample = () => {
        const { inFlight, queued } = pool.stats();
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxQueued = Math.max(maxQueued, queued);
      };
      const results = await within(
        30_000,
        `${reqs.length} items through "${pool.name}"`,
        Promise.all(reqs.map((request, index) => {
          // The consumers hold each item a few ms, so the producer outruns them and the pool's bound
          // (not the producer) is what limits the work in flight.
          const done = pool.run<TallyResult>(
            "tally",
            { counters, seen, index, request, holdMs: 3 } as TallyTask,
          );
          sample();
          return done.finally(sample);
        })),
      );
      return { results, maxInFlight, maxQueued };
    };

    const pool = new WorkerPool({
      moduleUrl: SHARED,
      size,
      maxInFlightPerWorker: perWorker,
      name: "bounded",
    });
    try {
      await allReady(pool);
      const counters = sharedCounters();
      const seen = new Int32Array(new SharedArrayBuffer(items * Int32Array.BYTES_PER_ELEMENT));
      const { results, maxInFlight, maxQueued } = await produce(pool, counters, seen);
      // What the Workers saw: never above the bound, per Worker and in all; and the bound was
      // reached, so it is what held the producer back.
      assertWithinBound(counters, bound);
      assert.equal(Atomics.load(counters, COUNTER.MAX_ACTIVE), bound);
      for (let k = 0; k < size; k++) assert.equal(Atomics.load(counters, COUNTER.SLOT_MAX + k), perWorker);
      // What the pool reported agrees: at most `bound` in flight, the rest waited in its queue.
      assert.equal(maxInFlight, bound);
      assert.ok(maxQueued >= items - bound - 1, `at most ${maxQueued} items queued`);
      // Each item consumed exactly once, and the results, in the order produced, equal a sequential run.
      assertExactTotal(counters, items);
      assert.deepEqual([...new Set(seen)], [1]);
      assertSequential(results, reqs);
      assert.deepEqual(pool.stats().completedPerWorker.reduce((a, b) => a + b, 0), items);
    } finally {
      await closeAndCheck(pool);
    }

    // The same producer on a pool allowed 4 tasks per Worker: the consumers' shared counters catch
    // the excess over the bound of 4.
    const loose = new WorkerPool({ moduleUrl: SHARED, size, maxInFlightPerWorker: 4, name: "unbounded" });
    try {
      await allReady(loose);
      const counters = sharedCounters();
      const seen = new Int32Array(new SharedArrayBuffer(items * Int32Array.BYTES_PER_ELEMENT));
      const { results } = await produce(loose, counters, seen);
      assertSequential(results, reqs);
      assert.throws(() => assertWithinBound(counters, bound), assert.AssertionError);
      assert.ok(Atomics.load(counters, COUNTER.MAX_ACTIVE) > bound);
    } finally {
      await closeAndCheck(loose);
    }
  },
});
