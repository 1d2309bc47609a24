/**
 * Memory safety of the factory under concurrency (SPEC 8, scenarios 3, 10 and 11): create,
 * compute and drop controllers by the thousand on Workers and async tasks, and check with a forced
 * GC that nothing is kept.
 *
 * What is measured, and why the bounds mean something: `Deno.memoryUsage().heapUsed` of one
 * isolate (a Worker's own heap, or the main thread's) right after two forced full collections
 * (`globalThis.gc`, exposed by `--v8-flags=--expose-gc` in deno.json's test tasks; without it these
 * tests are skipped, as diagnostics rather than gates). A retained controller costs about 3.4 KB
 * of heap (measured by the retaining variants below, which also prove each bound can fail), so a
 * leak of one controller per cycle adds about 1.7 MB per 500 cycles, while compiled code and
 * caches settle during a warm-up and leave well under 0.1 MB of drift. The bounds sit between
 * the two: 512 KB per 500 cycles in a Worker, 256 KB over the last 16 batches on the main thread.
 *
 * @module
 */
import assert from "assert";
import { WorkerPool } from "../../optimizer/mod.ts";
import { type Controller } from "../../controllers/mod.ts";
import { cycle, heapAfterGc } from "../fixtures/factory_cases.ts";
import {
  allReady,
  closeAndCheck,
  CONFIG,
  FACTORY_WORKER,
  HAS_GC,
  plainConfig,
  tick,
  within,
} from "./helpers.ts";

const KB = 1024;

interface CyclesResult {
  readonly before: number;
  readonly after: number;
  readonly growth: number;
  readonly retained: number;
  readonly checksum: number;
}

Deno.test({
  name: "concurrent: 1000 create/compute/drop cycles on 2 Workers leave the Workers' heaps flat " +
    "(and the same cycles retaining their controllers fail the bound)",
  ignore: !HAS_GC,
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const bound = 512 * KB;
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 2, name: "cycles" });
    try {
      await allReady(pool);
      const run = (retain: boolean) =>
        within(
          30_000,
          `cycles (retain ${retain})`,
          Promise.all([0, 1].map(() =>
            pool.runWithInfo<CyclesResult>("cycles", { n: 500, warmup: 300, retain, config: plainConfig() })
          )),
        );
      const dropped = await run(false);
      // Both Workers took part: 2 × 500 = 1000 cycles measured in two separate heaps.
      assert.deepEqual(dropped.map((r) => r.workerIndex).sort(), [0, 1]);
      for (const { result } of dropped) {
        assert.equal(result.retained, 0);
        assert.ok(
          result.growth < bound,
          `heap grew ${(result.growth / KB).toFixed(1)} KB over 500 cycles (bound ${bound / KB} KB)`,
        );
      }
      // Same work on the same Workers, but every controller kept: the check must fail it.
      const retained = await run(true);
      for (const { result } of retained) {
        assert.equal(result.retained, 500);
        assert.equal(result.checksum, dropped[0].result.checksum);
        assert.ok(
          result.growth > 2 * bound,
          `retaining 500 controllers grew the heap by only ${(result.growth / KB).toFixed(1)} KB`,
        );
      }
    } finally {
      await closeAndCheck(pool);
    }
  },
});

/** One batch: `n` cycles as concurrent async tasks on the main thread, each awaiting between steps. */
async function mainBatch(first: number, n: number, keep?: Controller[]): Promise<number> {
  const us = await Promise.all(Array.from({ length: n }, async (_, j) => {
    await tick();
    const { controller, u } = cycle(first + j, CONFIG);
    if (keep !== undefined) keep.push(controller);
    await tick();
    return u;
  }));
  return us.length;
}

Deno.test({
  name:
    "concurrent: 20 batches of 50 cycles, half on a Worker and half on async tasks, keep both heaps flat " +
    "from batch to batch",
  ignore: !HAS_GC,
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const bound = 256 * KB;
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 1, name: "batches" });
    try {
      const mainHeap: number[] = [], workerHeap: number[] = [];
      let cycles = 0;
      for (let b = 0; b < 20; b++) {
        const [inWorker, onMain] = await within(
          20_000,
          `batch ${b}`,
          Promise.all([
            pool.run<CyclesResult>("cycles", { n: 25, warmup: 0, retain: false, config: plainConfig() }),
            mainBatch(b * 50, 25),
          ]),
        );
        cycles += onMain + 25;
        workerHeap.push(inWorker.after);
        mainHeap.push(heapAfterGc());
      }
      assert.equal(cycles, 1000);
      // The first batches warm up (compile, fill caches); from then on nothing may accumulate.
      const drift = (heaps: number[]) => Math.max(...heaps.slice(4)) - heaps[4];
      assert.ok(drift(mainHeap) < bound, `main heap drifted ${(drift(mainHeap) / KB).toFixed(1)} KB`);
      assert.ok(drift(workerHeap) < bound, `worker heap drifted ${(drift(workerHeap) / KB).toFixed(1)} KB`);

      // The same batches retaining their controllers exceed the bound (10 batches suffice: 250
      // controllers kept after batch 4 are about 850 KB).
      const kept: Controller[] = [];
      const leaking: number[] = [];
      for (let b = 0; b < 10; b++) {
        await mainBatch(b * 50, 50, kept);
        leaking.push(heapAfterGc());
      }
      assert.equal(kept.length, 500);
      assert.ok(
        drift(leaking) > 2 * bound,
        `retaining 250 more controllers drifted only ${(drift(leaking) / KB).toFixed(1)} KB`,
      );
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: 200 controllers created and dropped on Workers and async tasks are all collected " +
    "(FinalizationRegistry)",
  ignore: !HAS_GC,
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 2, name: "weak" });
    try {
      await allReady(pool);
      const collected = new Set<number>();
      const registry = new FinalizationRegistry<number>((token) => collected.add(token));
      // A controller kept alive on purpose: its callback must not fire (no false positives).
      const keeper = cycle(999, CONFIG).controller;
      registry.register(keeper, -1);

      const inWorkers = pool.map<{ created: number; collected: number[] }>(
        "collect",
        [0, 1].map(() => ({ count: 50, config: plainConfig(), deadlineMs: 10_000 })),
      );
      // 100 on the main thread, as async tasks that hold their controller across an await.
      await Promise.all(Array.from({ length: 100 }, async (_, i) => {
        await tick();
        const { controller } = cycle(i, CONFIG);
        registry.register(controller, i);
        await tick();
        controller.computeControl([0, 0.01 * (i % 5), 0, 0, 0, 0]);
      }));
      const workerResults = await within(20_000, "collection in Workers", inWorkers);
      const deadline = performance.now() + 10_000;
      while (collected.size < 100 && performance.now() < deadline) {
        heapAfterGc();
        await tick();
      }
      const expected = Array.from({ length: 100 }, (_, i) => i);
      assert.deepEqual(
        [...collected].sort((a, b) => a - b),
        expected,
        "main-thread controllers not all collected",
      );
      for (const result of workerResults) {
        assert.equal(result.created, 50);
        assert.deepEqual(result.collected, expected.slice(0, 50), "Worker controllers not all collected");
      }
      assert.ok(!collected.has(-1));
      assert.equal(keeper.type, "hybrid_adaptive_sta_smc");
    } finally {
      await closeAndCheck(pool);
    }
  },
});
