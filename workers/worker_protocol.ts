/**
 * The message protocol between a {@linkcode WorkerPool} and its module Workers, and
 * {@linkcode serveWorker}, the helper a Worker module calls to answer the pool.
 *
 * Pool → Worker: {@linkcode TaskRequest} `{ id, kind, payload }`.
 * Worker → pool: {@linkcode ReadyMessage} `{ ready: true, kinds }` once the module has loaded,
 * then one {@linkcode TaskResponse} per request, `{ id, ok: true, result }` or
 * `{ id, ok: false, error: { name, message, stack } }`, and {@linkcode ClosingMessage}
 * `{ closing: true, reason }` if the Worker is about to die on its own.
 *
 * This module has no dependencies and touches no Worker global until `serveWorker()` is called,
 * so the pool (main thread) imports it for the types and guards only.
 *
 * @module
 */

/**
 * A task sent from the pool to a Worker.
 *
 * @example Shape
 * ```ts
 * import type { TaskRequest } from "./worker_protocol.ts";
 * const request: TaskRequest = { id: 1, kind: "square", payload: 3 };
 * ```
 */
export interface TaskRequest {
  /** Pool-unique task id, echoed back in the response. */
  readonly id: number;
  /** The handler name, a key of the object given to {@linkcode serveWorker}. */
  readonly kind: string;
  /** Anything the structured-clone algorithm accepts. */
  readonly payload: unknown;
}

/**
 * An error thrown inside a Worker, flattened so it survives `postMessage`.
 *
 * @example Shape
 * ```ts
 * import type { SerializedError } from "./worker_protocol.ts";
 * const error: SerializedError = { name: "TypeError", message: "x is not a number", stack: "TypeError: …" };
 * ```
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  /** Absent when the thrown value was not an `Error`. */
  readonly stack?: string;
}

/**
 * A successful task result.
 *
 * @example Shape
 * ```ts
 * import type { TaskSuccess } from "./worker_protocol.ts";
 * const response: TaskSuccess = { id: 1, ok: true, result: 9 };
 * ```
 */
export interface TaskSuccess {
  readonly id: number;
  readonly ok: true;
  readonly result: unknown;
}

/**
 * A failed task: the handler threw (or rejected), the kind is unknown, or the result could not be
 * cloned back to the pool.
 *
 * @example Shape
 * ```ts
 * import type { TaskFailure } from "./worker_protocol.ts";
 * const response: TaskFailure = { id: 1, ok: false, error: { name: "RangeError", message: "n < 0" } };
 * ```
 */
export interface TaskFailure {
  readonly id: number;
  readonly ok: false;
  readonly error: SerializedError;
}

/**
 * The answer to one {@linkcode TaskRequest}.
 *
 * @example Narrowing on `ok`
 * ```ts
 * import type { TaskResponse } from "./worker_protocol.ts";
 * const response = { id: 1, ok: true, result: 9 } as TaskResponse;
 * const value = response.ok ? response.result : undefined;
 * ```
 */
export type TaskResponse = TaskSuccess | TaskFailure;

/**
 * Posted once by {@linkcode serveWorker}: the module loaded and these kinds are served.
 *
 * @example Shape
 * ```ts
 * import type { ReadyMessage } from "./worker_protocol.ts";
 * const ready: ReadyMessage = { ready: true, kinds: ["square"] };
 * ```
 */
export interface ReadyMessage {
  readonly ready: true;
  readonly kinds: readonly string[];
}

/**
 * Posted by {@linkcode serveWorker} when the Worker is about to die on its own (`self.close()` or
 * `Deno.exit()`). Deno gives the main thread no event for either, so without this message the
 * pool would wait forever for the tasks that Worker was running.
 *
 * @example Shape
 * ```ts
 * import type { ClosingMessage } from "./worker_protocol.ts";
 * const closing: ClosingMessage = { closing: true, reason: "the worker called self.close()" };
 * ```
 */
export interface ClosingMessage {
  readonly closing: true;
  readonly reason: string;
}

/**
 * Any message a Worker served by {@linkcode serveWorker} posts to the pool.
 *
 * @example Narrowing
 * ```ts
 * import { isWorkerMessage } from "./worker_protocol.ts";
 * const data: unknown = { ready: true, kinds: [] };
 * if (isWorkerMessage(data) && "ready" in data) console.log(data.kinds);
 * ```
 */
export type WorkerMessage = ReadyMessage | TaskResponse | ClosingMessage;

/** Context handed to every handler along with its payload. */
export interface TaskContext {
  /** The task id the pool assigned. */
  readonly id: number;
  /** The kind the task was sent with. */
  readonly kind: string;
  /** The Worker's name: the pool names its Workers `"<pool name>#<index>"`. */
  readonly workerName: string;
}

/**
 * A task handler. Typed with a `never` payload so that a handler declaring any payload type,
 * `(p: { xs: number[] }) => …`, is accepted; the pool cannot check payload types across the
 * thread boundary, so each handler should validate what it is sent.
 *
 * @example A typed handler
 * ```ts
 * import type { TaskHandler } from "./worker_protocol.ts";
 * const square: TaskHandler = (n: number) => n * n;
 * ```
 */
export type TaskHandler = (payload: never, ctx: TaskContext) => unknown;

/**
 * The handlers a Worker serves, by kind.
 *
 * @example Shape
 * ```ts
 * import type { TaskHandlers } from "./worker_protocol.ts";
 * const handlers: TaskHandlers = { square: (n: number) => n * n };
 * ```
 */
export type TaskHandlers = Readonly<Record<string, TaskHandler>>;

const TRANSFER = Symbol("worker_protocol.transfer");

/**
 * A handler result wrapped with the objects to transfer (not copy) back to the pool. Build it with
 * {@linkcode transfer}.
 *
 * @example Shape
 * ```ts
 * import { transfer, type Transfer } from "./worker_protocol.ts";
 * const buffer = new ArrayBuffer(8);
 * const wrapped: Transfer<ArrayBuffer> = transfer(buffer, [buffer]);
 * ```
 */
export interface Transfer<T> {
  readonly [TRANSFER]: true;
  readonly value: T;
  readonly transfer: readonly Transferable[];
}

/**
 * Marks a handler's result so that `list` is transferred rather than copied when it is posted to
 * the pool; the pool's task resolves with `value` itself.
 *
 * After the transfer the Worker's buffers are detached (length 0), so do not reuse them in the
 * Worker.
 *
 * @example Returning a Float64Array without copying it
 * ```ts
 * import { transfer } from "./worker_protocol.ts";
 * const costs = new Float64Array(40);
 * const result = transfer(costs, [costs.buffer]);
 * ```
 *
 * @param value The result the pool's task resolves with.
 * @param list The objects inside `value` to transfer.
 * @returns A wrapper that {@linkcode serveWorker} unwraps.
 */
export function transfer<T>(value: T, list: readonly Transferable[]): Transfer<T> {
  return { [TRANSFER]: true, value, transfer: list };
}

function isTransfer(value: unknown): value is Transfer<unknown> {
  return typeof value === "object" && value !== null && TRANSFER in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * Whether `data` is a well-formed {@linkcode TaskRequest}.
 *
 * @example Usage
 * ```ts
 * import { isTaskRequest } from "./worker_protocol.ts";
 * console.log(isTaskRequest({ id: 1, kind: "square", payload: 2 })); // true
 * console.log(isTaskRequest({ id: "1" })); // false
 * ```
 *
 * @param data A received message.
 * @returns `true` when `data` has a numeric `id` and a string `kind`.
 */
export function isTaskRequest(data: unknown): data is TaskRequest {
  return isRecord(data) && typeof data.id === "number" && typeof data.kind === "string";
}

/**
 * Whether `data` is a well-formed {@linkcode WorkerMessage}; the pool uses it to ignore stray
 * messages a Worker module posts on its own.
 *
 * @example Usage
 * ```ts
 * import { isWorkerMessage } from "./worker_protocol.ts";
 * console.log(isWorkerMessage({ id: 1, ok: true, result: 4 })); // true
 * console.log(isWorkerMessage("progress 50%")); // false
 * ```
 *
 * @param data A received message.
 * @returns `true` for a ready, closing, success or failure message.
 */
export function isWorkerMessage(data: unknown): data is WorkerMessage {
  if (!isRecord(data)) return false;
  if (data.ready === true) return Array.isArray(data.kinds);
  if (data.closing === true) return typeof data.reason === "string";
  if (typeof data.id !== "number") return false;
  if (data.ok === true) return "result" in data;
  return data.ok === false && isRecord(data.error) && typeof data.error.name === "string" &&
    typeof data.error.message === "string";
}

/**
 * Flattens any thrown value into a {@linkcode SerializedError}.
 *
 * @example Usage
 * ```ts
 * import { serializeError } from "./worker_protocol.ts";
 * console.log(serializeError(new RangeError("n < 0")).name); // "RangeError"
 * console.log(serializeError("plain string").message); // "plain string"
 * ```
 *
 * @param error What was thrown.
 * @returns Its name, message and, for an `Error`, its stack.
 */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return error.stack === undefined
      ? { name: error.name, message: error.message }
      : { name: error.name, message: error.message, stack: error.stack };
  }
  // A thrown non-Error (a string, a number) has no name or stack; keep what it says.
  return { name: "NonErrorThrown", message: String(error) };
}

/** The parts of a Worker's global scope that serveWorker uses; kept minimal so this module
 * type-checks under the main-thread lib too. */
interface WorkerScope {
  name?: string;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  close(): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  addEventListener(type: "unload", listener: () => void): void;
}

let served = false;

/**
 * Serves task requests from a {@linkcode WorkerPool} inside a module Worker: call it once, at the
 * top level of the Worker module, with one handler per task kind.
 *
 * Each request runs its handler with `(payload, ctx)`; the returned value (or the value of the
 * returned promise) is posted back. A handler that throws or rejects fails only its own task, as a
 * `WorkerTaskError` in the pool, and the Worker stays alive. An unknown kind, or a result that
 * cannot be cloned, fails the task the same way. Handlers run concurrently when the pool allows
 * more than one task in flight per Worker. Posts {@linkcode ReadyMessage} once called, which is how
 * the pool knows the module loaded; and wraps `self.close()` and listens for `unload` (fired by
 * `Deno.exit()`) so that a Worker dying on its own tells the pool first.
 *
 * @example A Worker module
 * ```ts ignore
 * // square_worker.ts, started by new WorkerPool({ moduleUrl: new URL("./square_worker.ts", import.meta.url) })
 * import { serveWorker, transfer } from "../workers/mod.ts";
 *
 * serveWorker({
 *   square: (n: number) => n * n,
 *   costs: async (xs: Float64Array) => {
 *     const out = xs.map((x) => x * x);
 *     return transfer(out, [out.buffer]);
 *   },
 * });
 * ```
 *
 * @param handlers The handlers, by task kind.
 * @throws {Error} Outside a Worker, or when called a second time in the same Worker.
 */
export function serveWorker(handlers: TaskHandlers): void {
  if (!("WorkerGlobalScope" in globalThis)) {
    throw new Error("serveWorker() must be called inside a Worker, got the main thread");
  }
  // Two listeners would answer every request twice, and the pool would count the second answer
  // against a task it has already settled (or a later task with a reused slot).
  if (served) throw new Error("serveWorker() was already called in this Worker: call it once");
  served = true;
  const scope = globalThis as unknown as WorkerScope;
  const workerName = scope.name ?? "";
  const kinds = Object.keys(handlers);
  const post = (message: WorkerMessage, list?: Transferable[]) => scope.postMessage(message, list);

  // Deno gives the main thread no event when a Worker closes itself: tell the pool first, or the
  // tasks this Worker was running would wait forever.
  const close = scope.close.bind(scope);
  scope.close = () => {
    post({ closing: true, reason: "the worker called self.close()" });
    close();
  };
  // `unload` fires on Deno.exit() inside a Worker (not on self.close(), nor on an uncaught error,
  // which the pool sees as an `error` event).
  scope.addEventListener("unload", () => post({ closing: true, reason: "the worker exited (Deno.exit())" }));

  scope.addEventListener("message", async (event: MessageEvent) => {
    const request: unknown = event.data;
    // A message without an id cannot be answered; replying to it would confuse the pool.
    if (!isTaskRequest(request)) return;
    const { id, kind, payload } = request;
    const handler = Object.hasOwn(handlers, kind) ? handlers[kind] : undefined;
    if (handler === undefined) {
      const available = kinds.length === 0 ? "none" : kinds.join(", ");
      post({
        id,
        ok: false,
        error: {
          name: "UnknownTaskKindError",
          message: `Unknown task kind "${kind}": available are ${available}`,
        },
      });
      return;
    }
    let result: unknown;
    try {
      result = await (handler as (payload: unknown, ctx: TaskContext) => unknown)(payload, {
        id,
        kind,
        workerName,
      });
    } catch (error) {
      post({ id, ok: false, error: serializeError(error) });
      return;
    }
    const [value, list] = isTransfer(result) ? [result.value, [...result.transfer]] : [result, []];
    try {
      post({ id, ok: true, result: value }, list);
    } catch (error) {
      // A result that cannot be cloned (a function, a class instance with private state) throws
      // here, in the Worker; reporting it keeps the pool's task from waiting forever.
      const reason = error instanceof Error ? error.message : String(error);
      post({
        id,
        ok: false,
        error: {
          name: "DataCloneError",
          message: `Task "${kind}" returned a value that cannot be posted to the pool: ${reason}`,
        },
      });
    }
  });

  post({ ready: true, kinds });
}
