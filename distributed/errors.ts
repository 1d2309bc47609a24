/**
 * The one error type of distributed evaluation, with a `code` that callers (and tests) match on.
 *
 * @module
 */

/** What went wrong. */
export type DistributedErrorCode =
  /** A message that does not follow the protocol. */
  | "malformed"
  /** A worker refused a chunk (unknown config hash, module not allowed, other setup). */
  | "refused"
  /** A chunk exceeded its deliveries, or a worker recorded that it failed on its last one. */
  | "chunk_failed"
  /** A worker published a result that does not answer its chunk. */
  | "invalid_result"
  /** Chunks were still missing after the deadline and every republish. */
  | "chunk_timeout"
  /** No worker was connected for longer than the limit while chunks waited. */
  | "no_worker"
  /** The NATS server was unreachable for longer than the limit. */
  | "server_lost"
  /** Bad options or flags (a URL, a creds file, a module). */
  | "config"
  /** The back end was closed while a batch was waiting. */
  | "closed";

/**
 * An error of distributed evaluation; `code` says which kind, the message says which run, chunks
 * and workers.
 *
 * @example Usage
 * ```ts
 * import { DistributedError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const error = new DistributedError("no_worker", "no worker connected for 30 s");
 * assert.equal(error.code, "no_worker");
 * assert.ok(error instanceof Error);
 * ```
 */
export class DistributedError extends Error {
  /** The kind of failure. */
  readonly code: DistributedErrorCode;

  /**
   * @param code The kind of failure.
   * @param message What happened, naming the run, chunks and workers involved.
   * @param options The cause, when there is one.
   */
  constructor(code: DistributedErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DistributedError";
    this.code = code;
  }
}
