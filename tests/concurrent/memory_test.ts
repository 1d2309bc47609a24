/**
 * Memory safety of the factory under concurrency (docs/concurrency.md#scenarios, numbers 3, 10 and 11):
 * create, compute and drop controllers by the thousand on Workers and async tasks, and check with a forced GC
 * that nothing is kept.
 *
 * What is measured, and why the bounds mean something: `Deno.memoryUsage().heapUsed` of one
 * isolate (a Worker's own heap, or the main thread's) right after two forced full collections
 * (`globalThis.gc`, exposed by `--v8-flags=--expose-gc` in deno.json's test tasks; without it these
 * tests are skipped, as diagnostics rather than gates), sampled every 25 cycles, 41 samples a
 * series. The gate is the series' growth per cycle, fitted over all its samples
 * ({@linkcode heapSlope}, a median of pairwise slopes that single spikes do not move), below
 * {@linkcode SLOPE_BOUND} = 100 B a cycle. Warmed-up cycles that keep nothing measure 0–10 B a cycle;
 * a retained controller costs ≈ 3.4 KB, and the variants below, which keep a string of ≈ 200 B of
 * heap per cycle and nothing else, measure ≈ 202 B a cycle and must fail the gate: a leak of a tenth
 * of a controller per creation is caught. (The previous gate compared window medians against
 * 384 KB and let such a leak through.)
 *
 * @module
 */
import assert from "assert";
import { WorkerPool } from "../../optimizer/mod.ts";
import { cycle, distinctString, heapAfterGc } from "../fixtures/factory_cases.ts";
import {
  allReady,
  closeAndCheck,
  CONFIG,
  FACTORY_WORKER,
  HAS_GC,
  heapSlope,
  leastSquaresSlope,
  plainConfig,
  tick,
  within,
} from "./helpers.ts";

/** Heap growth a leak-free series may show, in bytes per cycle (measured 0–10, see above). */
const SLOPE_BOUND = 100;
/**
 * Characters of the string the leaking variants keep per cycle: with its 16-byte header and its
 * 8-byte slot in the array that keeps it, 176 + 24 = 200 B of heap (measured 202 B a cycle).
 */
const LEAK_CHARS = 176;
/** The variants must measure their leak, not just fail the gate by luck: at least this per cycle. */
const LEAK_FLOOR = 180;
/** Cycles between two heap samples. */
const SPACING = 25;

interface CyclesResult {
  /** Heap in use after a forced GC: before the cycles, every `sampleEvery` cycles, and at the end. */
  readonly heaps: number[];
  readonly retained: number;
  readonly checksum: number;
}

/** Asserts that a heap series sampled every `spacing` cycles grows by less than the bound a cycle. */
function assertFlat(heaps: readonly number[], spacing: number, where: string): void {
  const slope = heapSlope(heaps, spacing);
  assert.ok(
    slope < SLOPE_BOUND,
    `${where}: the heap grows ${slope.toFixed(1)} B a cycle (least squares ` +
      `${leastSquaresSlope(heaps, spacing).toFixed(1)}) over ${heaps.length} samples, bound ${SLOPE_BOUND}`,
  );
}

/** Asserts that a leaking variant both fails {@linkcode assertFlat} and measured its leak. */
function assertCaught(heaps: readonly number[], spacing: number, where: string): void {
  assert.throws(() => assertFlat(heaps, spacing, where), assert.AssertionError, `${where} passed the gate`);
  const slope = heapSlope(heaps, spacing);
  assert.ok(slope > LEAK_FLOOR, `${where}: measured only ${slope.toFixed(1)} B a cycle`);
}

Deno.test({
  name: "concurrent: heapSlope() measures a steady leak exactly and ignores a one-off 541 KB spike",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: () => {
    const flat = Array.from({ length: 41 }, (_, i) => 8_000_000 + (i % 3) * 512);
    const leaking = flat.map((h, i) => h + 200 * SPACING * i);
    for (const spikeAt of [0, 20, 40]) {
      const spiked = flat.map((h, i) => (i === spikeAt ? h + 541 * 1024 : h));
      // The gate's estimator ignores the spike; least squares is moved by up to ≈ 77 B a cycle.
      assert.ok(Math.abs(heapSlope(spiked, SPACING)) < 1, `spike at ${spikeAt}`);
      assertFlat(spiked, SPACING, `flat series with a spike at ${spikeAt}`);
      const spikedLeak = leaking.map((h, i) => (i === spikeAt ? h + 541 * 1024 : h));
      assert.ok(Math.abs(heapSlope(spikedLeak, SPACING) - 200) < 1);
      assertCaught(spikedLeak, SPACING, `leaking series with a spike at ${spikeAt}`);
    }
    assert.ok(Math.abs(leastSquaresSlope(flat.map((h, i) => (i === 40 ? h + 541 * 1024 : h)), SPACING)) > 70);
    assert.equal(heapSlope(leaking, SPACING), 200);
  },
});

Deno.test({
  name: "concurrent: 2000 create/compute/drop cycles on 2 Workers leave the Workers' heaps flat, under " +
    "100 B a cycle (and the same cycles keeping 200 B each fail the bound)",
  ignore: !HAS_GC,
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 2, name: "cycles" });
    try {
      await allReady(pool);
      const run = (retainBytes?: number) =>
        within(
          30_000,
          `cycles (retaining ${retainBytes ?? 0} characters a cycle)`,
          Promise.all([0, 1].map(() =>
            pool.runWithInfo<CyclesResult>("cycles", {
              n: 1000,
              // Compiling code and filling caches grows the heap for the first few hundred
              // cycles (≈ 25 B a cycle after 300 of them); that is not a leak.
              warmup: 600,
              retain: false,
              retainBytes,
              config: plainConfig(),
              sampleEvery: SPACING,
            })
          )),
        );
      const dropped = await run();
      // Both Workers took part: 2 × 1000 cycles measured in two separate heaps.
      assert.deepEqual(dropped.map((r) => r.workerIndex).sort(), [0, 1]);
      for (const { result, workerIndex } of dropped) {
        assert.equal(result.retained, 0);
        assert.equal(result.heaps.length, 41);
        assertFlat(result.heaps, SPACING, `Worker ${workerIndex}, controllers dropped`);
      }
      // The same cycles on the same Workers, each also keeping ≈ 200 B: the gate must fail them.
      const leaking = await run(LEAK_CHARS);
      for (const { result, workerIndex } of leaking) {
        assert.equal(result.retained, 1000);
        assert.equal(result.checksum, dropped[0].result.checksum);
        assertCaught(result.heaps, SPACING, `Worker ${workerIndex}, 200 B kept a cycle`);
      }
    } finally {
      await closeAndCheck(pool);
    }
  },
});

/**
 * One batch: `n` cycles as concurrent async tasks on the main thread, each awaiting between steps;
 * with `keep`, each cycle also pushes a {@linkcode LEAK_CHARS}-character string onto it.
 */
async function mainBatch(first: number, n: number, keep?: string[]): Promise<number> {
  const us = await Promise.all(Array.from({ length: n }, async (_, j) => {
    await tick();
    const { u } = cycle(first + j, CONFIG);
    keep?.push(distinctString(LEAK_CHARS, first + j));
    await tick();
    return u;
  }));
  return us.length;
}

Deno.test({
  name:
    "concurrent: 40 batches of 50 cycles, half on a Worker and half on async tasks, keep both heaps flat " +
    "from batch to batch, under 100 B a cycle (and the same batches keeping 200 B a cycle fail the bound)",
  ignore: !HAS_GC,
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const perSide = 25;
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 1, name: "batches" });
    try {
      const batch = (b: number, warmup: number, keep?: string[]) =>
        within(
          20_000,
          `batch ${b}`,
          Promise.all([
            pool.run<CyclesResult>("cycles", {
              n: perSide,
              warmup,
              retain: false,
              // The Worker's leak must outlive the task, as a leak over many short tasks does.
              retainBytes: keep === undefined ? undefined : LEAK_CHARS,
              carry: keep !== undefined,
              config: plainConfig(),
            }),
            mainBatch(b * 50, perSide, keep),
          ]),
        );
      /** 40 batches; the heap of each side after each batch. */
      const series = async (keep?: string[]) => {
        const mainHeap: number[] = [], workerHeap: number[] = [];
        let cycles = 0;
        for (let b = 0; b < 40; b++) {
          const [inWorker, onMain] = await batch(b, 0, keep);
          assert.equal(inWorker.retained, keep === undefined ? 0 : perSide);
          cycles += onMain + perSide;
          workerHeap.push(inWorker.heaps[inWorker.heaps.length - 1]);
          mainHeap.push(heapAfterGc());
        }
        assert.equal(cycles, 2000);
        return { mainHeap, workerHeap };
      };
      // Warm-up: ten batches of the same shape, not measured. Both heaps grow by ≈ 15 KB a batch
      // for the first eight or so batches whatever the number of cycles per batch (300 or 1000
      // extra warm-up cycles did not shorten it), then stay flat: per-batch machinery (messages,
      // timers, compiled code) settling, not controllers.
      for (let b = 0; b < 10; b++) await batch(1000 + b, b === 0 ? 300 : 0);
      const clean = await series();
      assertFlat(clean.mainHeap, perSide, "main thread, controllers dropped");
      assertFlat(clean.workerHeap, perSide, "Worker, controllers dropped");

      // The same batches, each cycle keeping ≈ 200 B on its side: both series fail the bound.
      const kept: string[] = [];
      const leaking = await series(kept);
      assert.equal(kept.length, 1000);
      assertCaught(leaking.mainHeap, perSide, "main thread, 200 B kept a cycle");
      assertCaught(leaking.workerHeap, perSide, "Worker, 200 B kept a cycle");
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
