/**
 * What a request may ask of the optimiser: the largest swarm, iteration count, Worker count and
 * buffer it accepts, and {@linkcode RequestTooLargeError}, the typed error for a request whose
 * buffers would not fit (refused up front, before anything is allocated, instead of an uncaught
 * `RangeError: Array buffer allocation failed` deep in a simulation).
 *
 * @module
 */

/** The most bytes one request may ask for in the optimiser's preallocated buffers: 1 GiB. */
export const BUFFER_LIMIT_BYTES = 1024 * 1024 * 1024;
/** The largest swarm {@linkcode optimize} and `PSOTuner` accept. */
export const MAX_SWARM_SIZE = 1_000_000;
/** The most iterations `PSOTuner` accepts (the engine itself also takes `Infinity`). */
export const MAX_TUNER_ITERATIONS = 1_000_000;
/** The most Workers `PSOTuner` starts. */
export const MAX_WORKERS = 1024;

const MB = 1024 * 1024;

/**
 * A request whose buffers would exceed {@linkcode BUFFER_LIMIT_BYTES}. The message names the
 * buffers, the formula and the size asked for, e.g.
 * `evaluation buffers: scenarios × ((steps + 1) × 6 + 2 × steps) doubles = 10 × 60000006 doubles = 4577.6 MB exceeds the 1024 MB limit (…)`.
 *
 * @example Matching on the class
 * ```ts
 * import { checkBufferSize, RequestTooLargeError } from "./limits.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkBufferSize("swarm buffers", "swarmSize × 8 doubles", 1e12), RequestTooLargeError);
 * ```
 */
export class RequestTooLargeError extends RangeError {
  /** What would have been allocated (e.g. `"evaluation buffers"`). */
  readonly field: string;
  /** Bytes asked for. */
  readonly requestedBytes: number;
  /** The limit, {@linkcode BUFFER_LIMIT_BYTES}. */
  readonly limitBytes: number;
  /**
   * @param field What would have been allocated.
   * @param formula How its size is counted, with the numbers, e.g. `"scenarios × 8008 doubles = 10 × 8008 doubles"`.
   * @param requestedBytes Bytes asked for.
   * @param limitBytes The limit.
   * @param detail Where the numbers come from and what to change, appended in parentheses.
   */
  constructor(field: string, formula: string, requestedBytes: number, limitBytes: number, detail?: string) {
    super(
      `${field}: ${formula} = ${(requestedBytes / MB).toFixed(1)} MB exceeds the ${
        limitBytes / MB
      } MB limit` +
        (detail === undefined ? "" : ` (${detail})`),
    );
    this.name = "RequestTooLargeError";
    this.field = field;
    this.requestedBytes = requestedBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * Throws {@linkcode RequestTooLargeError} when `doubles` doubles exceed the buffer limit.
 *
 * @example Usage
 * ```ts
 * import { checkBufferSize } from "./limits.ts";
 * import assert from "node:assert/strict";
 *
 * checkBufferSize("swarm buffers", "40 × 33 doubles", 40 * 33); // fits
 * assert.throws(() => checkBufferSize("swarm buffers", "1e8 × 33 doubles", 1e8 * 33), /25177\.0 MB exceeds the 1024 MB limit/);
 * ```
 *
 * @param field What would be allocated.
 * @param formula How the doubles are counted, with the numbers.
 * @param doubles The number of doubles.
 * @param detail Where the numbers come from and what to change.
 * @throws {RequestTooLargeError} When the buffers would not fit (also for a non-finite count).
 */
export function checkBufferSize(field: string, formula: string, doubles: number, detail?: string): void {
  const bytes = doubles * 8;
  if (!(bytes <= BUFFER_LIMIT_BYTES)) {
    throw new RequestTooLargeError(field, formula, bytes, BUFFER_LIMIT_BYTES, detail);
  }
}
