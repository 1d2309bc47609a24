/**
 * A fixed pool of long-lived module Workers that run tasks by kind, with a bounded number of tasks
 * in flight per Worker and a FIFO queue for the rest.
 *
 * The Worker module answers with {@linkcode serveWorker} from `./worker_protocol.ts`. The pool
 * never hangs: a Worker that throws, dies, fails to load or overruns a timeout fails its tasks with
 * a typed error and (if it had loaded) is replaced; `close()` rejects everything still pending.
 *
 * @module
 */

import {
  PoolClosedError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerLoadError,
  WorkerTaskError,
} from "./worker_errors.ts";
import { isWorkerMessage, type WorkerMessage } from "./worker_protocol.ts";
import type { RunOptions, TaskInfo, WorkerPoolOptions, WorkerPoolStats } from "./worker_pool_types.ts";

export { PoolClosedError, TaskTimeoutError, WorkerCrashedError, WorkerLoadError, WorkerTaskError };
export type { RunOptions, TaskInfo, WorkerPoolOptions, WorkerPoolStats };

interface Task {
  readonly id: number;
  readonly kind: string;
  readonly payload: unknown;
  readonly transfer: Transferable[];
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (info: TaskInfo<unknown>) => void;
  readonly reject: (error: unknown) => void;
  onAbort?: () => void;
  timer?: ReturnType<typeof setTimeout>;
  slot?: Slot;
  startedAt: number;
  settled: boolean;
}

interface Slot {
  readonly index: number;
  readonly worker: Worker;
  ready: boolean;
  readyTimer?: ReturnType<typeof setTimeout>;
  readonly inFlight: Map<number, Task>;
}

function checkCount(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`WorkerPool ${what}: must be an integer >= 1, got ${value}`);
  }
  return value;
}

function checkTimeout(what: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(value > 0 && value <= 2 ** 31 - 1)) {
    throw new RangeError(`WorkerPool ${what}: must be a number of ms in (0, 2147483647], got ${value}`);
  }
  return value;
}

/**
 * A fixed number of long-lived module Workers, spawned at construction, that run tasks sent with
 * {@linkcode WorkerPool.run}.
 *
 * At most `maxInFlightPerWorker` tasks run on a Worker at once; the rest wait in a FIFO queue and
 * go to the least busy ready Worker. Every task settles: it resolves with the handler's result or
 * rejects with {@linkcode WorkerTaskError} (the handler threw), {@linkcode WorkerCrashedError} (the
 * Worker died; it is replaced), {@linkcode TaskTimeoutError} (it is replaced),
 * {@linkcode WorkerLoadError} (no Worker could load the module) or {@linkcode PoolClosedError}.
 * A Worker that fails to load is not respawned (it would fail again); when no Worker is left, every
 * queued and later task rejects with the load error. Close it with `close()` or `await using`.
 *
 * @example Squaring numbers on 2 Workers
 * ```ts
 * import { WorkerPool } from "./worker_pool.ts";
 * import assert from "node:assert/strict";
 *
 * // A Worker module is any module that calls serveWorker; this one is written inline.
 * const protocol = new URL("./mod.ts", import.meta.url).href;
 * const source = `import { serveWorker } from "${protocol}";
 * serveWorker({ square: (n: number) => n * n });`;
 * const moduleUrl = `data:application/typescript,${encodeURIComponent(source)}`;
 * await using pool = new WorkerPool({ moduleUrl, size: 2 });
 * assert.deepEqual(await pool.map<number>("square", [1, 2, 3]), [1, 4, 9]);
 * const { result, workerIndex } = await pool.runWithInfo<number>("square", 4);
 * assert.equal(result, 16);
 * assert.ok(workerIndex === 0 || workerIndex === 1);
 * ```
 */
export class WorkerPool implements AsyncDisposable {
  readonly #name: string;
  readonly #moduleUrl: string;
  readonly #size: number;
  readonly #maxInFlight: number;
  readonly #workerOptions: Omit<WorkerOptions, "type" | "name">;
  readonly #taskTimeoutMs: number | undefined;
  readonly #readyTimeoutMs: number;
  readonly #slots: (Slot | undefined)[];
  readonly #queue: Task[] = [];
  readonly #completedPerWorker: number[];
  #queueHead = 0;
  #nextId = 1;
  #nextSlot = 0;
  #closed = false;
  #loadError: WorkerLoadError | undefined;
  #completed = 0;
  #failed = 0;
  #replaced = 0;

  /**
   * Spawns the Workers.
   *
   * @param options See {@linkcode WorkerPoolOptions}.
   * @throws {RangeError} On a size, in-flight bound or timeout that is not allowed.
   */
  constructor(options: WorkerPoolOptions) {
    this.#name = options.name ?? "worker-pool";
    this.#moduleUrl = String(options.moduleUrl);
    this.#size = checkCount("size", options.size ?? navigator.hardwareConcurrency);
    this.#maxInFlight = checkCount("maxInFlightPerWorker", options.maxInFlightPerWorker ?? 1);
    this.#taskTimeoutMs = checkTimeout("taskTimeoutMs", options.taskTimeoutMs);
    this.#readyTimeoutMs = checkTimeout("readyTimeoutMs", options.readyTimeoutMs) ?? 30_000;
    this.#workerOptions = options.workerOptions ?? {};
    this.#completedPerWorker = new Array<number>(this.#size).fill(0);
    this.#slots = new Array<Slot | undefined>(this.#size);
    for (let index = 0; index < this.#size; index++) this.#spawn(index);
  }

  /** The pool's name, as used in errors and Worker names. */
  get name(): string {
    return this.#name;
  }

  /** `true` once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs one task on a Worker and resolves with the handler's result.
   *
   * @example Usage
   * ```ts ignore
   * const nine = await pool.run<number>("square", 3);
   * const sum = await pool.run<number>("sum", buffer, { transfer: [buffer], timeoutMs: 1000 });
   * ```
   *
   * @param kind The handler name in the Worker module.
   * @param payload Anything structured clone accepts.
   * @param options A transfer list, or {@linkcode RunOptions}.
   * @returns The result; rejects as described on {@linkcode WorkerPool}.
   */
  async run<T = unknown>(
    kind: string,
    payload?: unknown,
    options?: readonly Transferable[] | RunOptions,
  ): Promise<T> {
    return (await this.runWithInfo<T>(kind, payload, options)).result;
  }

  /**
   * Like {@linkcode WorkerPool.run}, and also says which Worker ran the task and for how long.
   *
   * @example Usage
   * ```ts ignore
   * const { result, workerIndex } = await pool.runWithInfo<number>("square", 3);
   * ```
   *
   * @param kind The handler name in the Worker module.
   * @param payload Anything structured clone accepts.
   * @param options A transfer list, or {@linkcode RunOptions}.
   * @returns The result, the Worker slot and the duration.
   */
  runWithInfo<T = unknown>(
    kind: string,
    payload?: unknown,
    options: readonly Transferable[] | RunOptions = {},
  ): Promise<TaskInfo<T>> {
    const opts: RunOptions = isTransferList(options) ? { transfer: options } : options;
    let timeoutMs: number | undefined;
    try {
      timeoutMs = checkTimeout("timeoutMs", opts.timeoutMs) ?? this.#taskTimeoutMs;
    } catch (error) {
      return Promise.reject(error);
    }
    const refusal = this.#refusal(kind, opts.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    return new Promise<TaskInfo<T>>((resolve, reject) => {
      this.#queue.push(this.#task(kind, payload, opts, timeoutMs, resolve, reject));
      this.#dispatch();
    });
  }

  /**
   * Runs one task on every Worker that has loaded, at once, and resolves with one result per
   * Worker (in slot order). For per-Worker housekeeping, such as dropping what the Workers cached
   * for a job that has ended.
   *
   * The tasks skip the queue and the `maxInFlightPerWorker` bound, so a busy Worker receives its
   * task now, after the tasks already sent to it (a Worker handles its messages in order). Workers
   * still loading are skipped: they have run nothing yet, and neither has a Worker that replaces a
   * crashed one. Rejects like {@linkcode WorkerPool.run}, with the first failure.
   *
   * @example Usage
   * ```ts
   * import { WorkerPool } from "./worker_pool.ts";
   * import assert from "node:assert/strict";
   *
   * // A Worker module written inline: its `name` task answers with the Worker's name.
   * const protocol = new URL("./mod.ts", import.meta.url).href;
   * const source = `import { serveWorker } from "${protocol}";
   * serveWorker({ name: (_: null, ctx: { workerName: string }) => ctx.workerName });`;
   * const moduleUrl = `data:application/typescript,${encodeURIComponent(source)}`;
   * await using pool = new WorkerPool({ moduleUrl, size: 2, name: "echoes" });
   * while (pool.stats().ready < 2) await new Promise((resolve) => setTimeout(resolve, 5));
   * const names = await pool.broadcast<string>("name", null);
   * assert.deepEqual(names.map((info) => info.result), ["echoes#0", "echoes#1"]);
   * ```
   *
   * @param kind The handler name in the Worker module.
   * @param payload Anything structured clone accepts (cloned once per Worker).
   * @param options Timeout and abort signal, applied to every task.
   * @returns One result per ready Worker, with its slot and duration.
   */
  broadcast<T = unknown>(
    kind: string,
    payload?: unknown,
    options: Omit<RunOptions, "transfer"> = {},
  ): Promise<TaskInfo<T>[]> {
    let timeoutMs: number | undefined;
    try {
      timeoutMs = checkTimeout("timeoutMs", options.timeoutMs) ?? this.#taskTimeoutMs;
    } catch (error) {
      return Promise.reject(error);
    }
    const refusal = this.#refusal(kind, options.signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    const runs: Promise<TaskInfo<T>>[] = [];
    for (const slot of this.#slots) {
      if (slot === undefined || !slot.ready) continue;
      runs.push(
        new Promise<TaskInfo<T>>((resolve, reject) =>
          this.#send(slot, this.#task(kind, payload, options, timeoutMs, resolve, reject))
        ),
      );
    }
    return Promise.all(runs);
  }

  /**
   * Runs one task per payload and resolves with the results in input order, whatever order the
   * Workers finish in. Rejects with the first failure; the other tasks still run to the end.
   *
   * @example Usage
   * ```ts ignore
   * const squares = await pool.map<number>("square", [1, 2, 3]); // [1, 4, 9]
   * ```
   *
   * @param kind The handler name in the Worker module.
   * @param payloads One payload per task.
   * @param options Timeout and abort signal, applied to every task.
   * @returns The results, in the order of `payloads`.
   */
  map<T = unknown>(
    kind: string,
    payloads: Iterable<unknown>,
    options: Omit<RunOptions, "transfer"> = {},
  ): Promise<T[]> {
    return Promise.all(Array.from(payloads, (payload) => this.run<T>(kind, payload, options)));
  }

  /**
   * A snapshot of the pool's counters.
   *
   * @example Usage
   * ```ts ignore
   * const { live, pending } = pool.stats();
   * ```
   *
   * @returns See {@linkcode WorkerPoolStats}.
   */
  stats(): WorkerPoolStats {
    let live = 0;
    let ready = 0;
    let busy = 0;
    let inFlight = 0;
    for (const slot of this.#slots) {
      if (slot === undefined) continue;
      live++;
      if (slot.ready) ready++;
      if (slot.inFlight.size > 0) busy++;
      inFlight += slot.inFlight.size;
    }
    const queued = this.#queue.length - this.#queueHead;
    return {
      size: this.#size,
      live,
      ready,
      busy,
      pending: queued + inFlight,
      queued,
      inFlight,
      completed: this.#completed,
      failed: this.#failed,
      replaced: this.#replaced,
      completedPerWorker: [...this.#completedPerWorker],
    };
  }

  /**
   * Terminates every Worker and rejects every queued and in-flight task with
   * {@linkcode PoolClosedError}; later `run()` calls reject at once. Calling it again does nothing.
   *
   * @example Usage
   * ```ts ignore
   * await pool.close();
   * console.log(pool.stats().live); // 0
   * ```
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (let index = 0; index < this.#size; index++) {
      const slot = this.#slots[index];
      if (slot === undefined) continue;
      this.#slots[index] = undefined;
      clearTimeout(slot.readyTimer);
      slot.worker.terminate();
      for (const task of slot.inFlight.values()) {
        this.#settleError(task, new PoolClosedError(this.#name, task.kind));
      }
      slot.inFlight.clear();
    }
    this.#rejectQueued((task) => new PoolClosedError(this.#name, task.kind));
    return Promise.resolve();
  }

  /**
   * Closes the pool, so that `await using pool = new WorkerPool(…)` terminates its Workers when the
   * scope ends, even on a throw.
   *
   * @example Usage
   * ```ts ignore
   * {
   *   await using pool = new WorkerPool({ moduleUrl, size: 2 });
   *   await pool.run("square", 2);
   * } // closed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Why a new task cannot be accepted now, or undefined. */
  #refusal(kind: string, signal: AbortSignal | undefined): unknown {
    if (this.#closed) return new PoolClosedError(this.#name, kind);
    if (this.#loadError !== undefined) return this.#loadError;
    if (signal?.aborted) return signal.reason;
    return undefined;
  }

  /** A new task, listening to its signal. */
  #task<T>(
    kind: string,
    payload: unknown,
    opts: RunOptions,
    timeoutMs: number | undefined,
    resolve: (info: TaskInfo<T>) => void,
    reject: (error: unknown) => void,
  ): Task {
    const task: Task = {
      id: this.#nextId++,
      kind,
      payload,
      transfer: [...(opts.transfer ?? [])],
      timeoutMs,
      signal: opts.signal,
      resolve: resolve as (info: TaskInfo<unknown>) => void,
      reject,
      startedAt: 0,
      settled: false,
    };
    if (task.signal !== undefined) {
      const signal = task.signal;
      task.onAbort = () => this.#abort(task, signal.reason);
      signal.addEventListener("abort", task.onAbort, { once: true });
    }
    return task;
  }

  #spawn(index: number): void {
    const worker = new Worker(this.#moduleUrl, {
      ...this.#workerOptions,
      type: "module",
      name: `${this.#name}#${index}`,
    });
    const slot: Slot = { index, worker, ready: false, inFlight: new Map() };
    this.#slots[index] = slot;
    worker.onmessage = (event: MessageEvent) => this.#onMessage(slot, event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Without preventDefault an uncaught error in a Worker is re-thrown in the main thread and
      // kills the whole process, pool and caller included.
      event.preventDefault();
      this.#crash(slot, event.message || "unknown error");
    };
    // A message that cannot be deserialized belongs to a task we can no longer identify; retiring
    // the Worker fails its in-flight tasks instead of leaving one of them waiting forever.
    worker.onmessageerror = () => this.#crash(slot, "a message from the worker could not be deserialized");
    // A module that loads but never calls serveWorker() never posts "ready"; without this timer its
    // slot would hold queued tasks forever.
    slot.readyTimer = setTimeout(
      () => this.#crash(slot, `the module did not call serveWorker() within ${this.#readyTimeoutMs} ms`),
      this.#readyTimeoutMs,
    );
  }

  #onMessage(slot: Slot, data: unknown): void {
    // A retired Worker may still have messages in flight; they must not settle tasks twice.
    if (this.#slots[slot.index] !== slot) return;
    // Stray messages (a module posting progress on its own) are not ours to interpret.
    if (!isWorkerMessage(data)) return;
    const message: WorkerMessage = data;
    if ("ready" in message) {
      clearTimeout(slot.readyTimer);
      slot.ready = true;
      this.#dispatch();
      return;
    }
    if ("closing" in message) {
      this.#crash(slot, message.reason);
      return;
    }
    const task = slot.inFlight.get(message.id);
    if (task === undefined) return;
    slot.inFlight.delete(message.id);
    if (message.ok) {
      this.#completed++;
      this.#completedPerWorker[slot.index]++;
      this.#cleanup(task);
      task.resolve({
        result: message.result,
        workerIndex: slot.index,
        durationMs: performance.now() - task.startedAt,
      });
    } else {
      this.#settleError(task, new WorkerTaskError(this.#name, slot.index, task.kind, message.error));
    }
    this.#dispatch();
  }

  #dispatch(): void {
    while (this.#queueHead < this.#queue.length) {
      const slot = this.#pickSlot();
      if (slot === undefined) break;
      const task = this.#queue[this.#queueHead];
      this.#queue[this.#queueHead++] = undefined as unknown as Task;
      // Compact now and then: an ever-growing array of holes would keep memory for every task.
      if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#queueHead);
        this.#queueHead = 0;
      }
      this.#send(slot, task);
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    }
  }

  /** Puts `task` in flight on `slot`: starts its timeout and posts it. */
  #send(slot: Slot, task: Task): void {
    task.slot = slot;
    task.startedAt = performance.now();
    slot.inFlight.set(task.id, task);
    if (task.timeoutMs !== undefined) {
      const timeoutMs = task.timeoutMs;
      task.timer = setTimeout(
        () => this.#abort(task, new TaskTimeoutError(this.#name, slot.index, task.kind, timeoutMs)),
        timeoutMs,
      );
    }
    try {
      slot.worker.postMessage({ id: task.id, kind: task.kind, payload: task.payload }, task.transfer);
    } catch (error) {
      // An uncloneable payload throws here; fail only this task, or it would sit in flight
      // forever on a Worker that never saw it.
      slot.inFlight.delete(task.id);
      this.#settleError(task, error);
    }
  }

  /** The least busy ready Worker with a free slot, round-robin among ties so work spreads. */
  #pickSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (let k = 0; k < this.#size; k++) {
      const slot = this.#slots[(this.#nextSlot + k) % this.#size];
      if (slot === undefined || !slot.ready || slot.inFlight.size >= this.#maxInFlight) continue;
      if (best === undefined || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    if (best !== undefined) this.#nextSlot = (best.index + 1) % this.#size;
    return best;
  }

  /** Rejects a task whose signal fired or whose timeout ran out. */
  #abort(task: Task, reason: unknown): void {
    // A timer or an abort event that races the task's answer must not settle it twice.
    if (task.settled) return;
    const slot = task.slot;
    if (slot === undefined) {
      // Still queued: drop it without touching any Worker.
      this.#queue.splice(this.#queue.indexOf(task, this.#queueHead), 1);
      this.#settleError(task, reason);
      return;
    }
    // A Worker cannot be interrupted mid-task except by terminating it; its other in-flight tasks
    // are lost with it and fail as crashed.
    slot.inFlight.delete(task.id);
    this.#settleError(task, reason);
    this.#crash(slot, `terminated by the pool: task "${task.kind}" (id ${task.id}) was aborted or timed out`);
  }

  /**
   * Retires a Worker: fails its in-flight tasks, terminates it, and respawns it if it had loaded.
   * Idempotent: an `error` event and a `closing` message for the same death retire it once.
   */
  #crash(slot: Slot, reason: string): void {
    if (this.#slots[slot.index] !== slot) return;
    this.#slots[slot.index] = undefined;
    clearTimeout(slot.readyTimer);
    slot.worker.terminate();
    for (const task of slot.inFlight.values()) {
      this.#settleError(task, new WorkerCrashedError(this.#name, slot.index, reason, task.kind));
    }
    slot.inFlight.clear();
    if (slot.ready) {
      this.#replaced++;
      this.#spawn(slot.index);
    } else {
      // A module that failed to load would fail again: respawning it would loop forever. Leave the
      // slot empty, and once no Worker is left, reject what is queued rather than wait for a
      // Worker that will never come.
      const error = new WorkerLoadError(this.#name, this.#moduleUrl, slot.index, reason);
      if (this.#slots.every((other) => other === undefined)) {
        this.#loadError = error;
        this.#rejectQueued(() => error);
      }
    }
    this.#dispatch();
  }

  #rejectQueued(makeError: (task: Task) => unknown): void {
    const queued = this.#queue.splice(this.#queueHead);
    this.#queue.length = 0;
    this.#queueHead = 0;
    for (const task of queued) this.#settleError(task, makeError(task));
  }

  #settleError(task: Task, error: unknown): void {
    this.#failed++;
    this.#cleanup(task);
    task.reject(error);
  }

  #cleanup(task: Task): void {
    task.settled = true;
    clearTimeout(task.timer);
    if (task.onAbort !== undefined) task.signal?.removeEventListener("abort", task.onAbort);
  }
}

function isTransferList(options: readonly Transferable[] | RunOptions): options is readonly Transferable[] {
  return Array.isArray(options);
}
