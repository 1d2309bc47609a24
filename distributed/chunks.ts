/**
 * A coordinator's chunk bookkeeping, without the network: cutting a batch into chunk messages,
 * the default chunk size, and the rules that decide when a missing chunk is published again.
 *
 * @module
 */
import { canonicalJson, sha256Hex } from "./hash.ts";
import type { SeenWorker } from "./fleet.ts";
import { type ChunkMessage, chunkMsgId, chunkSubject, encodeNumbers } from "./protocol.ts";

/** The fields every chunk of a run shares. */
export type ChunkTemplate = Omit<
  ChunkMessage,
  "iteration" | "chunk" | "chunks" | "count" | "dims" | "positions" | "positionsHash"
>;

/** One chunk of the batch being evaluated. */
export interface ChunkState {
  readonly index: number;
  /** Its first particle's row in the batch. */
  readonly start: number;
  readonly count: number;
  readonly subject: string;
  /** `run:iteration:chunk`, also how workers name it in heartbeats and reports. */
  readonly msgId: string;
  /** The encoded message. */
  readonly data: Uint8Array;
  readonly positionsHash: string;
  /** Copies published under a new message id (see {@linkcode dueForRepublish}). */
  republishes: number;
  /** When the chunk was last published. */
  publishedAt: number;
  /** Since when it has looked orphaned: in no worker's hands while a worker sat idle. */
  orphanSince: number | undefined;
}

const encoder = new TextEncoder();

/**
 * Cuts a batch (row-major `count × dims`) into chunks of `size` particles, in order.
 *
 * @example Usage
 * ```ts
 * import { cutChunks } from "./chunks.ts";
 * import assert from "node:assert/strict";
 * const template = {
 *   v: 1 as const, run: "r1", maxDeliver: 5, ackWaitMs: 30000, configHash: "a".repeat(64),
 *   setupHash: "b".repeat(64), controllerType: "sta_smc", seed: 1, scenarioCount: 1,
 * };
 * const chunks = cutChunks(template, 4, Float64Array.of(1, 2, 3, 4, 5), 5, 1, 2);
 * assert.deepStrictEqual(chunks.map((c) => [c.msgId, c.start, c.count]), [["r1:4:0", 0, 2], ["r1:4:1", 2, 2], ["r1:4:2", 4, 1]]);
 * ```
 *
 * @param template The run's shared fields.
 * @param iteration The iteration.
 * @param positions The batch.
 * @param count Rows.
 * @param dims Columns.
 * @param size Particles per chunk.
 * @returns The chunks.
 */
export function cutChunks(
  template: ChunkTemplate,
  iteration: number,
  positions: Float64Array,
  count: number,
  dims: number,
  size: number,
): ChunkState[] {
  const chunks: ChunkState[] = [];
  const n = Math.ceil(count / size);
  for (let c = 0, start = 0; c < n; c++, start += size) {
    const m = Math.min(size, count - start);
    const wire = encodeNumbers(positions.subarray(start * dims, (start + m) * dims));
    const positionsHash = sha256Hex(canonicalJson(wire));
    const message: ChunkMessage = {
      ...template,
      iteration,
      chunk: c,
      chunks: n,
      dims,
      count: m,
      positions: wire,
      positionsHash,
    };
    chunks.push({
      index: c,
      start,
      count: m,
      subject: chunkSubject(template.run, iteration, c),
      msgId: chunkMsgId(template.run, iteration, c),
      data: encoder.encode(JSON.stringify(message)),
      positionsHash,
      republishes: 0,
      publishedAt: performance.now(),
      orphanSince: undefined,
    });
  }
  return chunks;
}

/**
 * Two chunks per connected Worker (eight when no worker is known): few enough that the message
 * round trips stay small next to the simulations, enough that a fast Worker takes a slow one's
 * share. Chunking never changes the costs, only where they are computed.
 *
 * @example Usage
 * ```ts
 * import { defaultChunkSize } from "./chunks.ts";
 * import assert from "node:assert/strict";
 * assert.equal(defaultChunkSize(40, []), 5);
 * ```
 *
 * @param count Particles in the batch.
 * @param live The connected workers.
 * @returns Particles per chunk.
 */
export function defaultChunkSize(count: number, live: readonly SeenWorker[]): number {
  const slots = live.reduce((sum, w) => sum + Math.max(1, w.concurrency), 0);
  const chunks = Math.min(count, slots > 0 ? 2 * slots : 8);
  return Math.max(1, Math.ceil(count / chunks));
}

/** What {@linkcode dueForRepublish} decided. */
export interface RepublishPlan {
  /** Orphaned chunks to publish as a new copy (new message id). */
  readonly copies: ChunkState[];
  /** Chunks past the deadline to publish again under their own message id. */
  readonly again: ChunkState[];
  /** Orphaned chunks that already had `maxRepublish` copies: the run fails. */
  readonly exhausted: ChunkState[];
}

/**
 * Decides which missing chunks go out again. Two rules, for chunks without a result that no live
 * worker holds:
 * - orphaned: a worker has sat idle (heartbeats after the chunk was published, with free Workers)
 *   for a few heartbeats, so the chunk is not in the queue where it could be pulled (it was
 *   delivered to a connection that died with the server, or lost): a copy goes out under a new
 *   message id; after `maxRepublish` copies the run fails.
 * - past the deadline: published again under the same message id, which stores nothing while the
 *   server still has it and restores it if the server lost it. A chunk merely queued behind busy
 *   workers never fails the run.
 *
 * Updates each chunk's `orphanSince`; the caller updates `publishedAt` and `republishes` when it
 * publishes.
 *
 * @example Usage
 * ```ts
 * import { dueForRepublish } from "./chunks.ts";
 * import assert from "node:assert/strict";
 * const plan = dueForRepublish([], new Set(), [], 0, { deadlineMs: 60000, maxRepublish: 3 });
 * assert.deepStrictEqual(plan, { copies: [], again: [], exhausted: [] });
 * ```
 *
 * @param chunks The batch's chunks.
 * @param pending Indices still without a result.
 * @param live The connected workers.
 * @param now `performance.now()`.
 * @param limits The deadline and the copy limit.
 * @returns The plan.
 */
export function dueForRepublish(
  chunks: readonly ChunkState[],
  pending: ReadonlySet<number>,
  live: readonly SeenWorker[],
  now: number,
  limits: { readonly deadlineMs: number; readonly maxRepublish: number },
): RepublishPlan {
  const held = new Set(live.flatMap((w) => w.busy));
  const maxInterval = live.reduce((m, w) => Math.max(m, w.intervalMs), 0);
  const orphanMs = Math.max(1500, 2 * maxInterval + 1000);
  const copies: ChunkState[] = [], again: ChunkState[] = [];
  for (const c of chunks) {
    if (!pending.has(c.index) || held.has(c.msgId)) {
      c.orphanSince = undefined;
      continue;
    }
    // 250 ms: the heartbeat must have been sent after the chunk could have reached the queue.
    const idleWitness = live.some((w) => w.busy.length < w.concurrency && w.lastSeen > c.publishedAt + 250);
    c.orphanSince = idleWitness ? c.orphanSince ?? now : undefined;
    if (c.orphanSince !== undefined && now - c.orphanSince > orphanMs) copies.push(c);
    else if (now - c.publishedAt > limits.deadlineMs) again.push(c);
  }
  return { copies, again, exhausted: copies.filter((c) => c.republishes >= limits.maxRepublish) };
}
