/**
 * Workers sharing memory (the seed's basic counter and producer/consumer scenarios, done with the
 * only shared mutable state JavaScript has: a SharedArrayBuffer, with `Atomics`).
 *
 * @module
 */
import assert from "assert";
import { WorkerPool } from "../../optimizer/mod.ts";
import { allReady, closeAndCheck, fixture, within } from "./helpers.ts";

const SHARED = fixture("shared_memory_worker.ts");
/** Must match shared_memory_worker.ts: a producer's values are `producer · ITEM_BASE + seq`. */
const ITEM_BASE = 1000;

Deno.test({
  name: "concurrent: 4 Workers counting into one SharedArrayBuffer with Atomics reach the exact total",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const workers = 4, increments = 50_000, creations = 25;
    const counters = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
    const pool = new WorkerPool({ moduleUrl: SHARED, size: workers, name: "counters" });
    try {
      await allReady(pool);
      // The Workers wait for each other at a barrier, so the increments really overlap.
      const names = await within(
        20_000,
        "counting",
        pool.map<string>(
          "count",
          Array.from({ length: workers }, () => ({ counters, workers, increments, creations })),
        ),
      );
      assert.equal(new Set(names).size, workers, `tasks ran on ${[...new Set(names)]}`);
      assert.equal(Atomics.load(counters, 0), workers);
      assert.equal(Atomics.load(counters, 1), workers * increments);
      assert.equal(Atomics.load(counters, 3), workers * creations);
      // The plain `++` on the same memory is a racy read-modify-write: updates can be lost, so its
      // total is not asserted exact, only that it never exceeds the increments made.
      const racy = Atomics.load(counters, 2);
      assert.ok(racy > 0 && racy <= workers * increments, `racy total ${racy}`);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name:
    "concurrent: 2 producer Workers and 1 consumer Worker pass 100 items through a bounded shared queue, " +
    "each exactly once and in order per producer",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const capacity = 4, producers = 2, perProducer = 50;
    const queue = new Int32Array(new SharedArrayBuffer((5 + capacity) * Int32Array.BYTES_PER_ELEMENT));
    const pool = new WorkerPool({ moduleUrl: SHARED, size: producers + 1, name: "queue" });
    try {
      // Each task blocks its Worker until the others progress, so the three must run at once on
      // three Workers (one task per Worker at a time); the deadlines fail the test on a deadlock.
      const deadlineMs = 15_000;
      const consumer = pool.run<{ items: number[]; maxCount: number; waitsWhenEmpty: number }>("consume", {
        queue,
        total: producers * perProducer,
        deadlineMs,
      });
      const made = Array.from(
        { length: producers },
        (_, producer) =>
          pool.run<{ producer: number; waitsWhenFull: number }>("produce", {
            queue,
            producer,
            items: perProducer,
            deadlineMs,
          }),
      );
      const [{ items, maxCount }, ...producerResults] = await within(
        20_000,
        "producer/consumer",
        Promise.all([consumer, ...made]),
      );
      assert.equal(items.length, producers * perProducer);
      assert.equal(new Set(items).size, items.length, "an item was delivered twice");
      for (let p = 0; p < producers; p++) {
        const fromP = items.filter((v) => Math.floor(v / ITEM_BASE) === p).map((v) => v % ITEM_BASE);
        assert.deepEqual(fromP, Array.from({ length: perProducer }, (_, s) => s), `producer ${p} order`);
      }
      // The bound held, and it mattered: the queue filled up and producers had to wait.
      assert.ok(maxCount <= capacity, `queue held ${maxCount} > ${capacity}`);
      assert.equal(maxCount, capacity);
      assert.ok(producerResults.some((r) => r.waitsWhenFull > 0), "no producer ever waited on a full queue");
      assert.equal(Atomics.load(queue, 3), 0, "items left in the queue");
    } finally {
      await closeAndCheck(pool);
    }
  },
});
