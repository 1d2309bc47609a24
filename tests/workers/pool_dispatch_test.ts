/**
 * How WorkerPool dispatches (docs/concurrency.md): results in input order, tasks spread over the
 * Workers, the maxInFlightPerWorker bound, transfers both ways, a long queue drained in order, and
 * broadcast() to every loaded Worker.
 *
 * Every test here is a concurrency test: the "concurrent: " prefix is what `deno task
 * test:concurrent` selects, and each one turns the sanitizers on itself (off by default in 2.9).
 */
import assert from "assert";
import { PoolClosedError, WorkerPool, WorkerTaskError } from "../../workers/mod.ts";
import { closeAndCheck, ECHO, eventually, within } from "./helpers.ts";

Deno.test({
  name: "concurrent: WorkerPool.map() returns 100 results in input order on 8 Workers, as a sequential run",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 8, name: "order" });
    try {
      // Uneven delays make the Workers finish out of input order.
      const payloads = Array.from({ length: 100 }, (_, n) => ({ n, ms: (n * 7) % 5 }));
      const results = await within(10_000, "map", pool.map<number>("slowSquare", payloads));
      assert.deepEqual(results, payloads.map(({ n }) => n * n));
      const stats = pool.stats();
      assert.equal(stats.completed, 100);
      assert.equal(stats.failed, 0);
      assert.equal(stats.completedPerWorker.reduce((a, b) => a + b, 0), 100);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool spreads 40 tasks over at least 3 of 4 Workers",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 4, name: "spread" });
    try {
      const infos = await within(
        10_000,
        "runWithInfo",
        Promise.all(Array.from({ length: 40 }, () => pool.runWithInfo<string>("sleep", 20))),
      );
      const indices = new Set(infos.map((info) => info.workerIndex));
      assert.ok(indices.size >= 3, `expected >= 3 distinct workers, got ${[...indices]}`);
      for (const info of infos) {
        // The Worker's own name proves the index is the Worker that really ran the task.
        assert.equal(info.result, `spread#${info.workerIndex}`);
        assert.ok(info.durationMs >= 15, `durationMs ${info.durationMs}`);
      }
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool never runs more than maxInFlightPerWorker tasks on a Worker",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    for (const maxInFlightPerWorker of [1, 2]) {
      const size = 3;
      const pool = new WorkerPool({
        moduleUrl: ECHO,
        size,
        maxInFlightPerWorker,
        name: `bound${maxInFlightPerWorker}`,
      });
      try {
        const counters = new Int32Array(new SharedArrayBuffer(8));
        let maxInFlight = 0;
        const sampler = setInterval(() => (maxInFlight = Math.max(maxInFlight, pool.stats().inFlight)), 2);
        const tasks = Array.from(
          { length: 36 },
          () => pool.run<{ workerName: string; maxActive: number }>("probe", { counters, ms: 15 }),
        );
        assert.ok(pool.stats().queued > 0, "tasks beyond the bound must wait in the queue");
        const results = await within(10_000, "probe", Promise.all(tasks)).finally(() =>
          clearInterval(sampler)
        );
        const perWorker = Math.max(...results.map((r) => r.maxActive));
        assert.ok(perWorker <= maxInFlightPerWorker, `a worker ran ${perWorker} tasks at once`);
        assert.equal(perWorker, maxInFlightPerWorker, "the bound should be reached under load");
        const global = Atomics.load(counters, 1);
        assert.ok(global <= size * maxInFlightPerWorker, `the pool ran ${global} tasks at once`);
        assert.ok(maxInFlight <= size * maxInFlightPerWorker, `stats().inFlight reached ${maxInFlight}`);
        assert.equal(Atomics.load(counters, 0), 0);
      } finally {
        await closeAndCheck(pool);
      }
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool transfers buffers both ways",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 2, name: "transfer" });
    try {
      const out = await pool.run<Float64Array>("bytes", 5);
      assert.deepEqual(Array.from(out), [0, 1, 2, 3, 4]);
      const xs = Float64Array.of(1, 2, 3.5);
      const sum = pool.run<number>("sum", xs, [xs.buffer]);
      assert.equal(xs.buffer.byteLength, 0, "a transferred buffer is detached at once");
      assert.equal(await sum, 6.5);
      const ys = Float64Array.of(4, 5);
      assert.equal(await pool.run<number>("sum", ys, { transfer: [ys.buffer], timeoutMs: 5_000 }), 9);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool.broadcast() runs one task on every loaded Worker at once, busy ones included",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 3, name: "broadcast" });
    try {
      // No Worker has loaded right after construction: there is nobody to tell yet.
      assert.deepEqual(await pool.broadcast("sleep", 1), []);
      await eventually(20_000, "all ready", () => pool.stats().ready === 3);
      // Worker 0 is busy (maxInFlightPerWorker 1) and a task waits in the queue behind the others.
      const hanging = pool.run("hang");
      const queued = [pool.run("slowSquare", { n: 2, ms: 50 }), pool.run("slowSquare", { n: 3, ms: 50 })];
      const waiting = pool.run<number>("square", 4);
      assert.equal(pool.stats().queued, 1);
      const names = await within(5_000, "broadcast past the bound", pool.broadcast<string>("sleep", 1));
      assert.deepEqual(names.map((info) => [info.workerIndex, info.result]), [
        [0, "broadcast#0"],
        [1, "broadcast#1"],
        [2, "broadcast#2"],
      ]);
      // The broadcast did not take the queued task's turn, nor run it.
      assert.equal(await within(5_000, "queued task", waiting), 16);
      assert.deepEqual(await Promise.all(queued), [4, 9]);
      // A handler that throws in a Worker rejects the broadcast with that Worker's error.
      await assert.rejects(pool.broadcast("fail", "nope"), (error: unknown) => {
        assert.ok(error instanceof WorkerTaskError);
        assert.equal(error.remote.message, "nope");
        return true;
      });
      await pool.close();
      await assert.rejects(hanging, PoolClosedError);
      await assert.rejects(pool.broadcast("sleep", 1), PoolClosedError);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool drains 3000 queued tasks in order",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 2, maxInFlightPerWorker: 4, name: "drain" });
    try {
      const payloads = Array.from({ length: 3000 }, (_, i) => i);
      assert.deepEqual(await within(10_000, "drain", pool.map("echo", payloads)), payloads);
      assert.equal(pool.stats().completed, 3000);
    } finally {
      await closeAndCheck(pool);
    }
  },
});
