/**
 * WorkerPool failures and replacement (docs/concurrency.md): a throwing handler fails only its task,
 * a Worker that dies mid-task or while idle is replaced, a module that fails to load is reported
 * clearly, and a messageerror retires its Worker.
 *
 * Every test here is a concurrency test: the "concurrent: " prefix is what `deno task
 * test:concurrent` selects, and each one turns the sanitizers on itself (off by default in 2.9).
 */
import assert from "assert";
import { WorkerCrashedError, WorkerLoadError, WorkerPool, WorkerTaskError } from "../../workers/mod.ts";
import { closeAndCheck, CRASH, ECHO, eventually, fixture, within } from "./helpers.ts";

Deno.test({
  name: "concurrent: WorkerPool fails only the task whose handler throws, and keeps its Worker",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: ECHO, size: 3, name: "errors" });
    try {
      const settled = await within(
        10_000,
        "mixed tasks",
        Promise.allSettled(
          Array.from(
            { length: 20 },
            (_, i) => i % 5 === 0 ? pool.run("fail", `bad ${i}`) : pool.run("square", i),
          ),
        ),
      );
      settled.forEach((outcome, i) => {
        if (i % 5 === 0) {
          assert.equal(outcome.status, "rejected");
          const error = (outcome as PromiseRejectedResult).reason;
          assert.ok(error instanceof WorkerTaskError);
          assert.equal(error.remote.name, "TypeError");
          assert.equal(error.remote.message, `bad ${i}`);
          assert.match(error.remote.stack ?? "", /echo_worker\.ts/);
          assert.match(error.stack ?? "", /\[worker\] TypeError/);
          assert.equal(error.kind, "fail");
          assert.ok(error.workerIndex >= 0 && error.workerIndex < 3);
          assert.match(
            error.message,
            new RegExp(`^Task "fail" failed in worker \\d of pool "errors": TypeError: bad ${i}$`),
          );
        } else {
          assert.deepEqual(outcome, { status: "fulfilled", value: i * i });
        }
      });
      await assert.rejects(pool.run("failWith", 42), (error: unknown) => {
        assert.ok(error instanceof WorkerTaskError);
        assert.deepEqual(error.remote, { name: "NonErrorThrown", message: "42" });
        return true;
      });
      await assert.rejects(pool.run("nope"), {
        name: "WorkerTaskError",
        message: /UnknownTaskKindError: Unknown task kind "nope": available are square, slowSquare, echo/,
      });
      await assert.rejects(pool.run("uncloneable"), {
        message: /DataCloneError: Task "uncloneable" returned a value that cannot be posted to the pool/,
      });
      // A payload that cannot be cloned fails on the main thread, before any Worker sees it.
      await assert.rejects(pool.run("echo", () => 1), { name: "DataCloneError" });
      const stats = pool.stats();
      assert.equal(stats.replaced, 0);
      assert.equal(stats.failed, 8);
      assert.equal(stats.completed, 16);
      assert.equal(stats.live, 3);
      assert.deepEqual(await pool.map("square", [1, 2, 3]), [1, 4, 9]);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

const deaths: readonly [kind: string, reason: RegExp][] = [
  ["throwLater", /Uncaught Error: fixture: uncaught error from a timer/],
  ["rejectLater", /Uncaught \(in promise\) RangeError: fixture: unhandled rejection/],
  ["close", /the worker called self\.close\(\)/],
  ["exit", /the worker exited \(Deno\.exit\(\)\)/],
];

for (const [kind, reason] of deaths) {
  Deno.test({
    name: `concurrent: WorkerPool replaces a Worker that dies mid-task (${kind})`,
    sanitizeOps: true,
    sanitizeResources: true,
    fn: async () => {
      const pool = new WorkerPool({ moduleUrl: CRASH, size: 2, name: `death-${kind}` });
      try {
        await assert.rejects(within(5_000, kind, pool.run(kind)), (error: unknown) => {
          assert.ok(error instanceof WorkerCrashedError, String(error));
          assert.match(error.reason, reason);
          assert.ok(error.workerIndex === 0 || error.workerIndex === 1);
          assert.match(
            error.message,
            new RegExp(
              `^Worker ${error.workerIndex} of pool "death-${kind}" crashed while running task "${kind}": `,
            ),
          );
          return true;
        });
        const stats = pool.stats();
        assert.ok(stats.replaced >= 1, `replaced ${stats.replaced}`);
        assert.equal(stats.live, 2);
        const names = await within(5_000, "after the crash", pool.map<string>("ok", Array(10)));
        assert.equal(names.length, 10);
        assert.equal(pool.stats().failed, 1);
      } finally {
        await closeAndCheck(pool);
      }
    },
  });
}

Deno.test({
  name: "concurrent: WorkerPool fails every task in flight on a Worker that dies",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: CRASH, size: 1, maxInFlightPerWorker: 2, name: "shared-death" });
    try {
      const bystander = pool.run("wait", 2_000);
      const killer = pool.run("throwLater");
      const queued = pool.run<string>("ok");
      await assert.rejects(within(5_000, "killer", killer), WorkerCrashedError);
      await assert.rejects(within(5_000, "bystander", bystander), WorkerCrashedError);
      // The queued task was never sent to the dead Worker: it runs on the replacement.
      assert.equal(await within(5_000, "queued", queued), "shared-death#0");
      assert.equal(pool.stats().replaced, 1);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool replaces a Worker that crashes while idle, failing no task",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: CRASH, size: 1, name: "idle-death" });
    try {
      assert.equal(await pool.run("crashWhenIdle"), "idle-death#0");
      await eventually(5_000, "replacement", () => pool.stats().replaced === 1);
      assert.equal(await within(5_000, "after", pool.run("ok")), "idle-death#0");
      assert.equal(pool.stats().failed, 0);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool rejects tasks with a clear error when the module fails to load",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async (t) => {
    const cases: [file: string, reason: RegExp, readyTimeoutMs?: number][] = [
      [
        "broken_worker.ts",
        /failed to load: Uncaught \(in promise\) Error: fixture: this module refuses to load$/,
      ],
      // Under `deno test` the missing module fails its type check first; under `deno run` it is
      // "Module not found".
      ["does_not_exist.ts", /failed to load: (Module not found|Type checking failed)/],
      ["silent_worker.ts", /failed to load: the module did not call serveWorker\(\) within 300 ms$/, 300],
    ];
    for (const [file, reason, readyTimeoutMs] of cases) {
      await t.step(file, async () => {
        const pool = new WorkerPool({ moduleUrl: fixture(file), size: 2, name: "load", readyTimeoutMs });
        try {
          const tasks = [pool.run("square", 1), pool.run("square", 2)];
          const outcomes = await within(5_000, file, Promise.allSettled(tasks));
          for (const outcome of outcomes) {
            assert.equal(outcome.status, "rejected");
            assert.throws(() => {
              throw (outcome as PromiseRejectedResult).reason;
            }, (error: unknown) => {
              assert.ok(error instanceof WorkerLoadError, String(error));
              assert.match(
                error.message,
                /^Worker pool "load" has no live Worker: module file:\/\/\S+ failed to load/,
              );
              assert.match(error.message, reason);
              assert.equal(error.moduleUrl, fixture(file).href);
              return true;
            });
          }
          // Later tasks reject at once instead of waiting for a Worker that will never come.
          await assert.rejects(within(100, "after", pool.run("square", 3)), WorkerLoadError);
          const stats = pool.stats();
          assert.equal(stats.live, 0);
          assert.equal(stats.pending, 0);
          assert.equal(stats.replaced, 0);
        } finally {
          await closeAndCheck(pool);
        }
      });
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool keeps serving on the Workers that loaded when one fails to load",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new WorkerPool({ moduleUrl: fixture("flaky_load_worker.ts"), size: 3, name: "flaky" });
    try {
      const names = await within(5_000, "map", pool.map<string>("name", Array(12)));
      assert.ok(!names.includes("flaky#0"));
      assert.ok(names.every((name) => name === "flaky#1" || name === "flaky#2"));
      await eventually(5_000, "slot 0 retired, 1 and 2 loaded", () => {
        const { live, ready } = pool.stats();
        return live === 2 && ready === 2;
      });
      assert.equal(pool.stats().replaced, 0);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: WorkerPool retires a Worker on messageerror and ignores stale or unknown replies",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    // A messageerror cannot be provoked from a real Worker here; record the pool's Workers to
    // dispatch the events the runtime would.
    const RealWorker = globalThis.Worker;
    const spawned: Worker[] = [];
    globalThis.Worker = class extends RealWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        spawned.push(this);
      }
    };
    let pool: WorkerPool | undefined;
    try {
      pool = new WorkerPool({ moduleUrl: ECHO, size: 1, name: "events" });
      await pool.run("square", 1);
      // The Worker ignores what is not a task request, and keeps serving.
      spawned[0].postMessage("not a request");
      spawned[0].postMessage({ id: "1" });
      assert.equal(await pool.run("square", 5), 25);
      const stuck = pool.run("hang");
      spawned[0].dispatchEvent(new MessageEvent("message", { data: { id: 999_999, ok: true, result: 1 } }));
      spawned[0].dispatchEvent(new MessageEvent("message", { data: "stray progress report" }));
      assert.equal(pool.stats().inFlight, 1, "a reply to no task, or a stray message, changes nothing");

      spawned[0].dispatchEvent(new MessageEvent("messageerror"));
      await assert.rejects(stuck, { name: "WorkerCrashedError", message: /could not be deserialized/ });
      // Events from the retired Worker are ignored.
      spawned[0].dispatchEvent(new MessageEvent("message", { data: { ready: true, kinds: [] } }));
      spawned[0].dispatchEvent(new ErrorEvent("error", { message: "late", cancelable: true }));
      assert.equal(pool.stats().replaced, 1);
      await pool.run("square", 2);
      const stuckAgain = pool.run("hang");
      spawned[1].dispatchEvent(new ErrorEvent("error", { message: "", cancelable: true }));
      await assert.rejects(stuckAgain, { name: "WorkerCrashedError", message: /: unknown error$/ });
      assert.equal(pool.stats().replaced, 2);
      assert.equal(spawned.length, 3);
    } finally {
      globalThis.Worker = RealWorker;
      if (pool !== undefined) await closeAndCheck(pool);
    }
  },
});
