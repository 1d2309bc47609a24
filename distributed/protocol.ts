/**
 * The wire protocol between a coordinator and remote workers: names (stream, consumer, bucket,
 * subjects, keys, message ids, all namespaced per run), the JSON messages, and the checks that
 * every message passes before it is used. Nothing here touches the network.
 *
 * Numbers travel as JSON numbers, which hold every finite double exactly (the shortest text that
 * reads back as the same double); `-0`, which JSON writes as `0`, travels as the string `"-0"`.
 *
 * @module
 */
import { DistributedError } from "./errors.ts";

/** Version of the chunk and result messages. */
export const PROTOCOL_VERSION = 1;
/** The work-queue stream that holds the chunks of every run. */
export const CHUNK_STREAM = "DIP_CHUNKS";
/** Subject prefix of the chunks: `dip.chunks.<run>.<iteration>.<chunk>`. */
export const CHUNK_SUBJECT_PREFIX = "dip.chunks";
/** The durable pull consumer every remote worker pulls from. */
export const WORKER_CONSUMER = "dip-workers";
/** The key-value bucket of results: key `<run>.<iteration>.<chunk>`. */
export const RESULT_BUCKET = "dip-results";
/** Where workers announce themselves. */
export const HEARTBEAT_SUBJECT = "dip.workers.heartbeat";
/** A coordinator asks every worker for an immediate heartbeat here. */
export const PING_SUBJECT = "dip.workers.ping";

/** A finite double on the wire. */
export type WireNumber = number | "-0";
/** A cost on the wire: a finite double, or `null` for a particle whose evaluation failed. */
export type WireCost = WireNumber | null;

/** A module a chunk needs, named by the SHA-256 of its bytes (never by path). */
export interface ModuleRef {
  readonly sha256: string;
  readonly export: string;
  /** The module's file name on the coordinator, for messages only. */
  readonly name: string;
}

/** A custom controller type a chunk needs. */
export interface ControllerRef extends ModuleRef {
  readonly gainNames: readonly string[];
  readonly defaultGains: readonly number[];
}

/** One chunk of an iteration: a few particles' gains, to be costed over the run's scenarios. */
export interface ChunkMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly run: string;
  readonly iteration: number;
  readonly chunk: number;
  /** Chunks in this iteration. */
  readonly chunks: number;
  /** Deliveries after which the chunk has failed (the consumer's max_deliver). */
  readonly maxDeliver: number;
  /** The consumer's ack wait: a worker reports progress well within it. */
  readonly ackWaitMs: number;
  readonly configHash: string;
  readonly setupHash: string;
  readonly controllerType: string;
  /** The run's seed: the worker derives the scenarios from it, as the coordinator did. */
  readonly seed: number;
  /** Scenario indices 0 … scenarioCount − 1 of the run's fixed scenario list. */
  readonly scenarioCount: number;
  readonly fitness?: ModuleRef;
  readonly controller?: ControllerRef;
  readonly dims: number;
  readonly count: number;
  /** Row-major `count × dims`. */
  readonly positions: readonly WireNumber[];
  /** Hash of `positions`; the result echoes it, tying a result to the gains it was computed for. */
  readonly positionsHash: string;
}

/** What a worker writes to the result bucket for a chunk. */
export interface ResultMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly run: string;
  readonly iteration: number;
  readonly chunk: number;
  readonly configHash: string;
  readonly positionsHash: string;
  readonly worker: string;
  /** One cost per particle; absent when `error` is set. */
  readonly costs?: readonly WireCost[];
  /** Particles whose custom fitness threw (their cost is `null`). */
  readonly failures: number;
  readonly firstFailure?: string;
  /** Set when the chunk failed on its last delivery: the run must end with this error. */
  readonly error?: string;
  /** Whether the worker refused the chunk or failed computing it (with `error`). */
  readonly errorKind?: "refused" | "failed";
  readonly elapsedMs: number;
}

/** A worker's report on a chunk it could not compute (sent to `dip.events.<run>`). */
export interface WorkerEvent {
  readonly v: typeof PROTOCOL_VERSION;
  readonly kind: "refused" | "failed";
  readonly worker: string;
  readonly run: string;
  readonly iteration: number;
  readonly chunk: number;
  readonly delivery: number;
  readonly message: string;
}

/** A worker's heartbeat. */
export interface Heartbeat {
  readonly v: typeof PROTOCOL_VERSION;
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  /** Message ids of the chunks it is computing. */
  readonly busy: readonly string[];
  readonly intervalMs: number;
  /** True in the last heartbeat of a worker that is shutting down. */
  readonly stopping?: boolean;
}

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks a run id: 1–64 letters, digits, `_` or `-` (it becomes a subject token and a key token).
 *
 * @example Usage
 * ```ts
 * import { checkRunId } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkRunId("r-1"), "r-1");
 * assert.throws(() => checkRunId("a.b"), /run id/);
 * ```
 *
 * @param run The id.
 * @returns The id.
 * @throws {RangeError} Naming what was given.
 */
export function checkRunId(run: string): string {
  if (typeof run !== "string" || !RUN_ID.test(run)) {
    throw new RangeError(`run id: must be 1-64 letters, digits, "_" or "-", got ${JSON.stringify(run)}`);
  }
  return run;
}

/**
 * A fresh random run id.
 *
 * @example Usage
 * ```ts
 * import { checkRunId, newRunId } from "./protocol.ts";
 * checkRunId(newRunId());
 * ```
 *
 * @returns The id.
 */
export function newRunId(): string {
  return `r${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

/**
 * The subject of a chunk.
 *
 * @example Usage
 * ```ts
 * import { chunkSubject } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(chunkSubject("r1", 3, 0), "dip.chunks.r1.3.0");
 * ```
 *
 * @param run Run id.
 * @param iteration Iteration.
 * @param chunk Chunk index.
 * @returns The subject.
 */
export function chunkSubject(run: string, iteration: number, chunk: number): string {
  return `${CHUNK_SUBJECT_PREFIX}.${run}.${iteration}.${chunk}`;
}

/**
 * The JetStream message id of a chunk: publishing it again (a restarted coordinator, a
 * republish) within the stream's duplicate window stores nothing new.
 *
 * @example Usage
 * ```ts
 * import { chunkMsgId } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(chunkMsgId("r1", 3, 0), "r1:3:0");
 * ```
 *
 * @param run Run id.
 * @param iteration Iteration.
 * @param chunk Chunk index.
 * @returns The id.
 */
export function chunkMsgId(run: string, iteration: number, chunk: number): string {
  return `${run}:${iteration}:${chunk}`;
}

/**
 * The result key of a chunk in {@linkcode RESULT_BUCKET}.
 *
 * @example Usage
 * ```ts
 * import { resultKey } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resultKey("r1", 3, 0), "r1.3.0");
 * ```
 *
 * @param run Run id.
 * @param iteration Iteration.
 * @param chunk Chunk index.
 * @returns The key.
 */
export function resultKey(run: string, iteration: number, chunk: number): string {
  return `${run}.${iteration}.${chunk}`;
}

/**
 * The subject where workers report chunks of a run they refused or failed.
 *
 * @example Usage
 * ```ts
 * import { eventSubject } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(eventSubject("r1"), "dip.events.r1");
 * ```
 *
 * @param run Run id.
 * @returns The subject.
 */
export function eventSubject(run: string): string {
  return `dip.events.${run}`;
}

/**
 * Encodes finite doubles for the wire (`-0` as `"-0"`).
 *
 * @example Usage
 * ```ts
 * import { decodeNumbers, encodeNumbers } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * const x = Float64Array.of(0.1 + 0.2, -0, 5e-324, 1.7976931348623157e308);
 * assert.deepStrictEqual(decodeNumbers(JSON.parse(JSON.stringify(encodeNumbers(x))), x.length, "x"), x);
 * ```
 *
 * @param values Finite numbers.
 * @returns Wire numbers.
 * @throws {RangeError} For a non-finite value, naming its index.
 */
export function encodeNumbers(values: ArrayLike<number>): WireNumber[] {
  const out: WireNumber[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new RangeError(`value ${i}: must be finite to travel, got ${v}`);
    out[i] = Object.is(v, -0) ? "-0" : v;
  }
  return out;
}

/**
 * Decodes wire numbers into a new `Float64Array`, checking each one.
 *
 * @example Usage
 * ```ts
 * import { decodeNumbers } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => decodeNumbers([1, "x"], 2, "positions"), /positions\[1\]/);
 * ```
 *
 * @param values The parsed JSON value.
 * @param length The expected length.
 * @param name Names the field in errors.
 * @returns The numbers.
 * @throws {RangeError} For a wrong length or an entry that is not a finite number or `"-0"`.
 */
export function decodeNumbers(values: unknown, length: number, name: string): Float64Array {
  if (!Array.isArray(values) || values.length !== length) {
    throw new RangeError(`${name}: must be an array of ${length} numbers, got ${describe(values)}`);
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v === "-0") out[i] = -0;
    else if (typeof v === "number" && Number.isFinite(v)) out[i] = v;
    else throw new RangeError(`${name}[${i}]: must be a finite number, got ${describe(v)}`);
  }
  return out;
}

/**
 * Checks a chunk message as parsed from JSON: every field present, of the right type and range,
 * the positions of the announced size. A worker refuses a chunk that fails this.
 *
 * @example Usage
 * ```ts
 * import { parseChunk } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => parseChunk(new TextEncoder().encode("{}")), /chunk\.v/);
 * ```
 *
 * @param data The message bytes.
 * @returns The chunk and its decoded positions.
 * @throws {DistributedError} (`code` "malformed") naming the bad field.
 */
export function parseChunk(data: Uint8Array): { chunk: ChunkMessage; positions: Float64Array } {
  const c = parseJson(data, "chunk") as Record<string, unknown>;
  const bad = (field: string, allowed: string) =>
    new DistributedError("malformed", `chunk.${field}: must be ${allowed}, got ${describe(c[field])}`);
  if (c.v !== PROTOCOL_VERSION) throw bad("v", String(PROTOCOL_VERSION));
  if (typeof c.run !== "string" || !RUN_ID.test(c.run)) throw bad("run", "a run id");
  for (
    const field of [
      "iteration",
      "chunk",
      "chunks",
      "maxDeliver",
      "ackWaitMs",
      "seed",
      "scenarioCount",
      "dims",
      "count",
    ]
  ) {
    if (!Number.isSafeInteger(c[field]) || (c[field] as number) < 0) throw bad(field, "an integer ≥ 0");
  }
  for (const field of ["chunks", "maxDeliver", "ackWaitMs", "scenarioCount", "dims", "count"]) {
    if ((c[field] as number) < 1) throw bad(field, "an integer ≥ 1");
  }
  if ((c.chunk as number) >= (c.chunks as number)) throw bad("chunk", `below chunks (${c.chunks})`);
  for (const field of ["configHash", "setupHash", "positionsHash"]) {
    if (typeof c[field] !== "string" || !HEX64.test(c[field] as string)) throw bad(field, "64 hex digits");
  }
  if (typeof c.controllerType !== "string" || c.controllerType === "") {
    throw bad("controllerType", "a controller type");
  }
  if (c.fitness !== undefined) checkModuleRef(c.fitness, "chunk.fitness");
  if (c.controller !== undefined) {
    checkModuleRef(c.controller, "chunk.controller");
    const ctl = c.controller as Record<string, unknown>;
    if (!Array.isArray(ctl.gainNames) || !ctl.gainNames.every((n) => typeof n === "string")) {
      throw new DistributedError(
        "malformed",
        `chunk.controller.gainNames: must be strings, got ${describe(ctl.gainNames)}`,
      );
    }
    decodeNumbers(ctl.defaultGains, (ctl.gainNames as string[]).length, "chunk.controller.defaultGains");
  }
  let positions: Float64Array;
  try {
    positions = decodeNumbers(c.positions, (c.count as number) * (c.dims as number), "chunk.positions");
  } catch (error) {
    throw new DistributedError("malformed", (error as Error).message);
  }
  return { chunk: c as unknown as ChunkMessage, positions };
}

function checkModuleRef(value: unknown, name: string): void {
  const m = value as Record<string, unknown>;
  if (typeof m !== "object" || m === null) {
    throw new DistributedError("malformed", `${name}: must be an object, got ${describe(value)}`);
  }
  if (typeof m.sha256 !== "string" || !HEX64.test(m.sha256)) {
    throw new DistributedError(
      "malformed",
      `${name}.sha256: must be 64 hex digits, got ${describe(m.sha256)}`,
    );
  }
  if (typeof m.export !== "string" || m.export === "") {
    throw new DistributedError(
      "malformed",
      `${name}.export: must be an export name, got ${describe(m.export)}`,
    );
  }
  if (typeof m.name !== "string") {
    throw new DistributedError("malformed", `${name}.name: must be a string, got ${describe(m.name)}`);
  }
}

/** What the coordinator expects of the result of one chunk. */
export interface ExpectedResult {
  readonly run: string;
  readonly iteration: number;
  readonly chunk: number;
  readonly count: number;
  readonly configHash: string;
  readonly positionsHash: string;
}

/** A result that passed {@linkcode parseResult}. */
export type ParsedResult =
  | {
    readonly ok: true;
    readonly worker: string;
    /** `NaN` where the wire said `null` (the engine turns it into its penalty). */
    readonly costs: Float64Array;
    readonly failures: number;
    readonly firstFailure?: string;
  }
  | {
    readonly ok: false;
    readonly worker: string;
    readonly error: string;
    readonly errorKind: "refused" | "failed";
  };

/**
 * Validates a result read from the bucket against the chunk it must answer: version, identity
 * (run, iteration, chunk, config hash, positions hash), one cost per particle, each a finite
 * number or `null`, a failure count that matches the `null`s. A result that fails any check is
 * never used: the coordinator ends the run with the reason.
 *
 * @example Usage
 * ```ts
 * import { parseResult } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * const expected = { run: "r1", iteration: 0, chunk: 0, count: 1, configHash: "a".repeat(64), positionsHash: "b".repeat(64) };
 * const result = { v: 1, ...expected, worker: "w", costs: [1e999], failures: 0, elapsedMs: 1 };
 * assert.throws(() => parseResult(new TextEncoder().encode(JSON.stringify(result).replace("null", "1e999")), expected), /costs\[0\]/);
 * ```
 *
 * @param data The value bytes.
 * @param expected What the result must answer.
 * @returns The decoded result, or the error a worker recorded for the chunk.
 * @throws {DistributedError} (`code` "invalid_result") naming the bad field.
 */
export function parseResult(data: Uint8Array, expected: ExpectedResult): ParsedResult {
  let r: Record<string, unknown>;
  try {
    r = parseJson(data, "result") as Record<string, unknown>;
  } catch (error) {
    throw new DistributedError("invalid_result", (error as Error).message);
  }
  const worker = typeof r.worker === "string" ? r.worker : "an unnamed worker";
  const bad = (field: string, allowed: string) =>
    new DistributedError(
      "invalid_result",
      `result of chunk ${expected.chunk} of iteration ${expected.iteration} from ${worker}: ${field} must be ${allowed}, got ${
        describe(r[field])
      }`,
    );
  if (r.v !== PROTOCOL_VERSION) throw bad("v", String(PROTOCOL_VERSION));
  for (const field of ["run", "iteration", "chunk", "configHash", "positionsHash"] as const) {
    if (r[field] !== expected[field]) throw bad(field, JSON.stringify(expected[field]));
  }
  if (typeof r.worker !== "string") throw bad("worker", "a worker id");
  if (r.error !== undefined) {
    if (typeof r.error !== "string") throw bad("error", "a message");
    return { ok: false, worker, error: r.error, errorKind: r.errorKind === "refused" ? "refused" : "failed" };
  }
  if (!Array.isArray(r.costs) || r.costs.length !== expected.count) {
    throw bad("costs", `an array of ${expected.count} costs`);
  }
  const costs = new Float64Array(expected.count);
  let nulls = 0;
  for (let i = 0; i < expected.count; i++) {
    const v = r.costs[i];
    if (v === null) {
      costs[i] = NaN;
      nulls++;
    } else if (v === "-0") costs[i] = -0;
    else if (typeof v === "number" && Number.isFinite(v)) costs[i] = v;
    else {
      throw new DistributedError(
        "invalid_result",
        `result of chunk ${expected.chunk} of iteration ${expected.iteration} from ${worker}: costs[${i}] must be a finite number or null, got ${
          describe(v)
        }`,
      );
    }
  }
  if (!Number.isSafeInteger(r.failures) || (r.failures as number) < 0 || (r.failures as number) > nulls) {
    throw bad("failures", `an integer in [0, ${nulls}] (the failed particles)`);
  }
  if (r.firstFailure !== undefined && typeof r.firstFailure !== "string") {
    throw bad("firstFailure", "a message");
  }
  return {
    ok: true,
    worker,
    costs,
    failures: r.failures as number,
    firstFailure: r.firstFailure as string | undefined,
  };
}

/**
 * Encodes a chunk's costs for the wire: finite doubles as they are, `-0` as `"-0"`, and any
 * non-finite cost (a fitness that threw or returned NaN/Infinity) as `null`, which the coordinator
 * turns back into NaN, so the engine penalises it exactly as on the local Worker pool.
 *
 * @example Usage
 * ```ts
 * import { encodeCosts } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.deepStrictEqual(encodeCosts(Float64Array.of(1.5, NaN, -0, Infinity)), [1.5, null, "-0", null]);
 * ```
 *
 * @param costs The costs.
 * @returns Wire costs.
 */
export function encodeCosts(costs: ArrayLike<number>): WireCost[] {
  const out: WireCost[] = new Array(costs.length);
  for (let i = 0; i < costs.length; i++) {
    const v = costs[i];
    out[i] = !Number.isFinite(v) ? null : Object.is(v, -0) ? "-0" : v;
  }
  return out;
}

/**
 * Parses a heartbeat; `undefined` for anything that is not one (a heartbeat is advisory).
 *
 * @example Usage
 * ```ts
 * import { parseHeartbeat } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseHeartbeat(new TextEncoder().encode("nope")), undefined);
 * ```
 *
 * @param data The message bytes.
 * @returns The heartbeat.
 */
export function parseHeartbeat(data: Uint8Array): Heartbeat | undefined {
  try {
    const h = JSON.parse(new TextDecoder().decode(data));
    if (
      h?.v === PROTOCOL_VERSION && typeof h.worker === "string" && Number.isFinite(h.intervalMs) &&
      h.intervalMs > 0 && Array.isArray(h.busy)
    ) return h as Heartbeat;
  } catch { /* not JSON: not a heartbeat, ignored like any stranger on the subject */ }
  return undefined;
}

/**
 * Parses a worker event; `undefined` for anything that is not one.
 *
 * @example Usage
 * ```ts
 * import { parseEvent } from "./protocol.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseEvent(new TextEncoder().encode("{}")), undefined);
 * ```
 *
 * @param data The message bytes.
 * @returns The event.
 */
export function parseEvent(data: Uint8Array): WorkerEvent | undefined {
  try {
    const e = JSON.parse(new TextDecoder().decode(data));
    if (
      e?.v === PROTOCOL_VERSION && (e.kind === "refused" || e.kind === "failed") &&
      typeof e.worker === "string" && Number.isSafeInteger(e.iteration) && Number.isSafeInteger(e.chunk) &&
      typeof e.message === "string"
    ) return e as WorkerEvent;
  } catch { /* not JSON: ignored */ }
  return undefined;
}

function parseJson(data: Uint8Array, name: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch (error) {
    throw new DistributedError("malformed", `${name}: must be JSON, got ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DistributedError("malformed", `${name}: must be a JSON object, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number") return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
