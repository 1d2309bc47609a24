/**
 * The public option, result and counter types of {@linkcode WorkerPool}.
 *
 * @module
 */

/** Options for {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** The Worker module; resolve it against the caller: `new URL("./w.ts", import.meta.url)`. */
  readonly moduleUrl: string | URL;
  /** Number of Workers, an integer >= 1. Default `navigator.hardwareConcurrency`. */
  readonly size?: number;
  /** Tasks a Worker may run at once, an integer >= 1. Default 1. */
  readonly maxInFlightPerWorker?: number;
  /** Names the pool in errors; Workers are named `"<name>#<index>"`. Default `"worker-pool"`. */
  readonly name?: string;
  /** Extra Worker options; `type` is always `"module"` and `name` is set by the pool. */
  readonly workerOptions?: Omit<WorkerOptions, "type" | "name">;
  /** Default per-task timeout in ms, counted from when the task reaches a Worker. Default none. */
  readonly taskTimeoutMs?: number;
  /** How long a Worker may take to load and call `serveWorker()`. Default 30 000 ms. */
  readonly readyTimeoutMs?: number;
}

/** Per-task options for {@linkcode WorkerPool.run}. */
export interface RunOptions {
  /** Objects in `payload` to transfer (not copy) to the Worker. */
  readonly transfer?: readonly Transferable[];
  /** Timeout in ms from when the task reaches a Worker; overrides the pool's `taskTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Aborting removes a queued task, or terminates and replaces the Worker running it. */
  readonly signal?: AbortSignal;
}

/** A task's result with the Worker that produced it. */
export interface TaskInfo<T> {
  readonly result: T;
  /** The Worker slot, 0 … size − 1; a replacement Worker keeps its slot's index. */
  readonly workerIndex: number;
  /** Milliseconds from dispatch to the Worker until the result arrived. */
  readonly durationMs: number;
}

/** A snapshot of the pool's counters, from {@linkcode WorkerPool.stats}. */
export interface WorkerPoolStats {
  /** The configured number of Workers. */
  readonly size: number;
  /** Workers spawned and not terminated (loading or ready). */
  readonly live: number;
  /** Workers whose module has loaded (they called `serveWorker()`). */
  readonly ready: number;
  /** Workers running at least one task. */
  readonly busy: number;
  /** Tasks queued plus tasks in flight. */
  readonly pending: number;
  /** Tasks waiting for a free Worker. */
  readonly queued: number;
  /** Tasks sent to a Worker and not yet answered. */
  readonly inFlight: number;
  /** Tasks that resolved. */
  readonly completed: number;
  /** Tasks that rejected for any reason, including close and abort. */
  readonly failed: number;
  /** Workers replaced after a crash or a timeout. */
  readonly replaced: number;
  /** Tasks completed per Worker slot. */
  readonly completedPerWorker: readonly number[];
}
