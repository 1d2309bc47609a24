/**
 * The typed errors a {@linkcode WorkerPool} rejects its tasks with, one class per way a task can
 * fail, so callers match on the class (`error instanceof WorkerCrashedError`), not on a message.
 *
 * @module
 */

import type { SerializedError } from "./worker_protocol.ts";

/**
 * A task was rejected because the pool is closed (it was queued or in flight at `close()`, or
 * `run()` was called after it).
 *
 * @example Matching on the class
 * ```ts
 * import { PoolClosedError } from "./worker_errors.ts";
 * const error: unknown = new PoolClosedError("pool", "square");
 * if (error instanceof PoolClosedError) console.log(error.message);
 * ```
 */
export class PoolClosedError extends Error {
  /**
   * @param poolName The pool's name.
   * @param kind The task's kind.
   */
  constructor(poolName: string, kind: string) {
    super(`Worker pool "${poolName}" is closed: task "${kind}" was not completed`);
    this.name = "PoolClosedError";
  }
}

/**
 * A Worker threw an uncaught error, died, or was terminated while it ran this task (the task
 * itself may have been fine). The Worker has been replaced.
 *
 * @example Matching on the class
 * ```ts
 * import { WorkerCrashedError } from "./worker_errors.ts";
 * const error = new WorkerCrashedError("pool", 2, "Uncaught Error: boom", "square");
 * console.log(error.workerIndex, error.reason);
 * ```
 */
export class WorkerCrashedError extends Error {
  /** The Worker slot that crashed. */
  readonly workerIndex: number;
  /** What the runtime reported: the uncaught error's message, or how the Worker died. */
  readonly reason: string;
  /**
   * @param poolName The pool's name.
   * @param workerIndex The Worker slot.
   * @param reason The runtime's message.
   * @param kind The task's kind.
   */
  constructor(poolName: string, workerIndex: number, reason: string, kind: string) {
    super(`Worker ${workerIndex} of pool "${poolName}" crashed while running task "${kind}": ${reason}`);
    this.name = "WorkerCrashedError";
    this.workerIndex = workerIndex;
    this.reason = reason;
  }
}

/**
 * The Worker module did not load (not found, threw at the top level, or never called
 * `serveWorker()`), so no Worker could run this task.
 *
 * @example Matching on the class
 * ```ts
 * import { WorkerLoadError } from "./worker_errors.ts";
 * const error = new WorkerLoadError("pool", "file:///w.ts", 0, 'Module not found "file:///w.ts".');
 * console.log(error.moduleUrl);
 * ```
 */
export class WorkerLoadError extends Error {
  /** The module that failed. */
  readonly moduleUrl: string;
  /** The Worker slot whose load failed last. */
  readonly workerIndex: number;
  /**
   * @param poolName The pool's name.
   * @param moduleUrl The Worker module.
   * @param workerIndex The Worker slot.
   * @param reason The runtime's message.
   */
  constructor(poolName: string, moduleUrl: string, workerIndex: number, reason: string) {
    super(`Worker pool "${poolName}" has no live Worker: module ${moduleUrl} failed to load: ${reason}`);
    this.name = "WorkerLoadError";
    this.moduleUrl = moduleUrl;
    this.workerIndex = workerIndex;
  }
}

/**
 * The task's handler threw or rejected inside the Worker (or its kind is unknown there). The Worker
 * is fine and keeps serving; `remote` holds the Worker-side error.
 *
 * @example Reading the Worker-side error
 * ```ts
 * import { WorkerTaskError } from "./worker_errors.ts";
 * const error = new WorkerTaskError("pool", 1, "square", { name: "RangeError", message: "n < 0" });
 * console.log(error.remote.name); // "RangeError"
 * ```
 */
export class WorkerTaskError extends Error {
  /** The Worker slot that ran the task. */
  readonly workerIndex: number;
  /** The task's kind. */
  readonly kind: string;
  /** The error as thrown in the Worker: name, message, stack. */
  readonly remote: SerializedError;
  /**
   * @param poolName The pool's name.
   * @param workerIndex The Worker slot.
   * @param kind The task's kind.
   * @param remote The Worker-side error.
   */
  constructor(poolName: string, workerIndex: number, kind: string, remote: SerializedError) {
    super(
      `Task "${kind}" failed in worker ${workerIndex} of pool "${poolName}": ${remote.name}: ${remote.message}`,
    );
    this.name = "WorkerTaskError";
    this.workerIndex = workerIndex;
    this.kind = kind;
    this.remote = remote;
    if (remote.stack !== undefined) this.stack = `${this.name}: ${this.message}\n  [worker] ${remote.stack}`;
  }
}

/**
 * A task ran longer than its timeout; its Worker was terminated and replaced.
 *
 * The task rejects on time whatever the Worker is doing, but in Deno 2.9 `terminate()` does not
 * interrupt synchronous JavaScript: a Worker stuck in a loop keeps its thread (and a core) until
 * the loop ends, and the process cannot exit before that (denoland/deno PR #35657).
 *
 * @example Matching on the class
 * ```ts
 * import { TaskTimeoutError } from "./worker_errors.ts";
 * const error = new TaskTimeoutError("pool", 0, "spin", 200);
 * console.log(error.timeoutMs); // 200
 * ```
 */
export class TaskTimeoutError extends Error {
  /** The Worker slot that ran the task. */
  readonly workerIndex: number;
  /** The timeout that was exceeded. */
  readonly timeoutMs: number;
  /**
   * @param poolName The pool's name.
   * @param workerIndex The Worker slot.
   * @param kind The task's kind.
   * @param timeoutMs The timeout.
   */
  constructor(poolName: string, workerIndex: number, kind: string, timeoutMs: number) {
    super(
      `Task "${kind}" exceeded its timeout of ${timeoutMs} ms in worker ${workerIndex} of pool "${poolName}": ` +
        "the worker was terminated and replaced",
    );
    this.name = "TaskTimeoutError";
    this.workerIndex = workerIndex;
    this.timeoutMs = timeoutMs;
  }
}
