/**
 * A generic pool of long-lived module Workers and the message protocol they speak: the main thread
 * runs tasks by kind with {@linkcode WorkerPool}, a Worker module answers them with
 * {@linkcode serveWorker}. It knows nothing of what the tasks compute (the optimiser's tuner and the
 * study run on it) and imports nothing, so a Worker module that only serves tasks loads (and, under
 * `deno test`, type-checks) just these few files.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerPool } from "./mod.ts";
 *
 * // A Worker module written inline; a real one is a file, `new URL("./my_worker.ts", import.meta.url)`.
 * const protocol = new URL("./mod.ts", import.meta.url).href;
 * const source = `import { serveWorker } from "${protocol}";
 * serveWorker({ double: (n: number) => 2 * n });`;
 * await using pool = new WorkerPool({
 *   moduleUrl: `data:application/typescript,${encodeURIComponent(source)}`,
 *   size: 2,
 * });
 * assert.deepEqual(await pool.map<number>("double", [1, 2, 3]), [2, 4, 6]);
 * ```
 *
 * @module
 */

export { WorkerPool } from "./worker_pool.ts";
export type { RunOptions, TaskInfo, WorkerPoolOptions, WorkerPoolStats } from "./worker_pool_types.ts";
export {
  PoolClosedError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerLoadError,
  WorkerTaskError,
} from "./worker_errors.ts";
export {
  type ClosingMessage,
  isTaskRequest,
  isWorkerMessage,
  type ReadyMessage,
  type SerializedError,
  serializeError,
  serveWorker,
  type TaskContext,
  type TaskFailure,
  type TaskHandler,
  type TaskHandlers,
  type TaskRequest,
  type TaskResponse,
  type TaskSuccess,
  type Transfer,
  transfer,
  type WorkerMessage,
} from "./worker_protocol.ts";
