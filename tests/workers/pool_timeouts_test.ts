/**
 * WorkerPool timeouts and aborts (docs/concurrency.md): a stuck task times out and its Worker is
 * replaced, the timeout counts from dispatch, and an abort rejects a queued or in-flight task.
 *
 * Every test here is a concurrency test: the "concurrent: " prefix is what `deno task
 * test:concurrent` selects, and each one turns the sanitizers on itself (off by default in 2.9).
 */
import assert from "assert";
import { TaskTimeoutError, WorkerPool } from "../../workers/mod.ts";
import { closeAndCheck, ECHO, within } from "./helpers.ts";

Deno.test({
  name: "concurrent: WorkerPool times out a stuck task, replaces its Worker and keeps going",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 1, maxInFlightPerWorker: 2, name: "timeouts" });
    try {
      await pool.run("square", 1);
      // An async task that never settles, sharing its Worker with a healthy one.
      const bystander = pool.run("sleep", 1_000);
      const started = performance.now();
      await assert.rejects(
        within(5_000, "hang", pool.run("hang", undefined, { timeoutMs: 150 })),
        (error: unknown) => {
          assert.ok(error instanceof TaskTimeoutError, String(error));
          assert.equal(error.timeoutMs, 150);
          assert.equal(error.workerIndex, 0);
          assert.equal(
            error.message,
            'Task "hang" exceeded its timeout of 150 ms in worker 0 of pool "timeouts": the worker was terminated and replaced',
          );
          return true;
        },
      );
      assert.ok(performance.now() - started < 1_000);
      await assert.rejects(bystander, {
        name: "WorkerCrashedError",
        message: /task "hang" \(id \d+\) was aborted or timed out/,
      });
      // A synchronous loop cannot answer anything, yet the pool rejects it on time. Warm the
      // replacement first: under --coverage a fresh Worker's first task starts ~0.5 s late.
      assert.equal(await pool.run("square", 3), 9);
      const spinStart = performance.now();
      await assert.rejects(
        within(5_000, "spin", pool.run("spin", 1_200, { timeoutMs: 100 })),
        TaskTimeoutError,
      );
      assert.ok(performance.now() - spinStart < 800, "the timeout must not wait for the loop");
      assert.equal(pool.stats().replaced, 2);
      assert.equal(await pool.run("square", 4), 16);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool counts taskTimeoutMs from dispatch, not from the queue",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 1, taskTimeoutMs: 300, name: "dispatch-time" });
    try {
      // A generous override for the first task: under --coverage a fresh Worker starts it late.
      assert.equal(await pool.run("square", 1, { timeoutMs: 5_000 }), 1);
      // Three 120 ms tasks on one Worker take 360 ms in all, each well within 300 ms.
      assert.deepEqual(await pool.map("slowSquare", [1, 2, 3].map((n) => ({ n, ms: 120 }))), [1, 4, 9]);
      await assert.rejects(pool.run("hang"), TaskTimeoutError);
      assert.equal(pool.stats().replaced, 1);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool aborts a queued task without a Worker, and an in-flight one by replacing it",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 1, name: "abort" });
    try {
      await pool.run("square", 1);
      const inFlight = new AbortController();
      const queued = new AbortController();
      const first = pool.run("hang", undefined, { signal: inFlight.signal });
      const second = pool.run("square", 3, { signal: queued.signal });
      const third = pool.run("square", 4);
      queued.abort(new Error("queued abort"));
      await assert.rejects(second, /queued abort/);
      assert.equal(pool.stats().replaced, 0);
      inFlight.abort(new Error("in-flight abort"));
      await assert.rejects(first, /in-flight abort/);
      assert.equal(await within(5_000, "third", third), 16);
      assert.equal(pool.stats().replaced, 1);
      const aborted = AbortSignal.abort(new Error("already aborted"));
      await assert.rejects(pool.run("square", 2, { signal: aborted }), /already aborted/);
      // A signal that never fires must not keep a listener once its task is done.
      const unused = new AbortController();
      assert.equal(await pool.run("square", 5, { signal: unused.signal }), 25);
    } finally {
      await closeAndCheck(pool);
    }
  },
});
