/**
 * The coordinator's verdicts on a batch it waits for: the server gone too long, no worker too
 * long, chunks due to be published again (or out of copies), and a chunk out of deliveries.
 *
 * @module
 */
import { DistributedError } from "./errors.ts";
import { type ChunkState, dueForRepublish } from "./chunks.ts";
import type { SeenWorker } from "./fleet.ts";

/** The batch being waited for, as the verdicts see it. */
export interface WaitingBatch {
  /** Its iteration. */
  readonly iteration: number;
  /** Its chunks, by index. */
  readonly chunks: readonly ChunkState[];
  /** Indices of the chunks without a result yet. */
  readonly pending: ReadonlySet<number>;
}

/** Names chunks and the workers involved (a {@linkcode Fleet}'s `describe`). */
export type DescribeChunks = (
  chunks: readonly { readonly index: number; readonly msgId: string }[],
) => string;

/**
 * The error that ends a batch whose server has been unreachable for more than `limitMs`, if it has.
 *
 * @example Usage
 * ```ts
 * import { serverLostError } from "./deadlines.ts";
 * import assert from "node:assert/strict";
 * const batch = { iteration: 2, chunks: [], pending: new Set([0]) };
 * assert.equal(serverLostError("r1", "nats://h:4222", batch, 5000, 1000, 10000), undefined);
 * assert.match(serverLostError("r1", "nats://h:4222", batch, 20000, 1000, 10000)!.message, /lost the NATS server/);
 * ```
 *
 * @param runId The run id.
 * @param url The server's (redacted) URL.
 * @param batch The batch waited for.
 * @param now `performance.now()`.
 * @param disconnectedSince When the connection was lost, or `undefined` while connected.
 * @param limitMs How long the server may stay unreachable.
 * @returns A {@linkcode DistributedError} with `code` "server_lost", or `undefined`.
 */
export function serverLostError(
  runId: string,
  url: string,
  batch: WaitingBatch,
  now: number,
  disconnectedSince: number | undefined,
  limitMs: number,
): DistributedError | undefined {
  if (disconnectedSince === undefined || now - disconnectedSince <= limitMs) return undefined;
  return new DistributedError(
    "server_lost",
    `run ${runId}: lost the NATS server ${url} for more than ${(limitMs / 1000).toFixed(1)} s ` +
      `during iteration ${batch.iteration} (${batch.pending.size} of ${batch.chunks.length} chunks missing)`,
  );
}

/**
 * The error that ends a batch that has had no worker for more than `limitMs`, if it has.
 *
 * @example Usage
 * ```ts
 * import { noWorkerError } from "./deadlines.ts";
 * import assert from "node:assert/strict";
 * const batch = { iteration: 0, chunks: [], pending: new Set([1, 2]) };
 * assert.equal(noWorkerError("r1", "nats://h:4222", batch, 1000, 0, 30000), undefined);
 * assert.match(noWorkerError("r1", "nats://h:4222", batch, 40000, 0, 30000)!.message, /waits for chunks 1, 2/);
 * ```
 *
 * @param runId The run id.
 * @param url The server's (redacted) URL.
 * @param batch The batch waited for.
 * @param now `performance.now()`.
 * @param noWorkerSince Since when no worker has been live (while the server was reachable).
 * @param limitMs How long chunks may wait with no worker.
 * @returns A {@linkcode DistributedError} with `code` "no_worker", or `undefined`.
 */
export function noWorkerError(
  runId: string,
  url: string,
  batch: WaitingBatch,
  now: number,
  noWorkerSince: number,
  limitMs: number,
): DistributedError | undefined {
  if (now - noWorkerSince <= limitMs) return undefined;
  return new DistributedError(
    "no_worker",
    `run ${runId}: no worker connected to ${url} for ${(limitMs / 1000).toFixed(1)} s; ` +
      `iteration ${batch.iteration} waits for chunks ${[...batch.pending].join(", ")}. ` +
      `Start one with: deno task worker --nats ${url}`,
  );
}

/** What {@linkcode planRepublish} decided. */
export type RepublishDecision =
  | {
    /** The run fails: chunks got no result after every copy. */
    readonly failure: DistributedError;
  }
  | {
    readonly failure?: undefined;
    /** Chunks to publish as new copies (their `republishes` already counted). */
    readonly copies: readonly ChunkState[];
    /** Chunks to publish again under their own message id. */
    readonly again: readonly ChunkState[];
  };

/**
 * Applies {@linkcode dueForRepublish}: marks the chunks due as published now (a copy also counts
 * one more republish), or gives the error that ends the run when chunks are out of copies.
 *
 * @example Usage
 * ```ts
 * import { planRepublish } from "./deadlines.ts";
 * import { cutChunks } from "./chunks.ts";
 * import assert from "node:assert/strict";
 * const template = {
 *   v: 1 as const, run: "r1", maxDeliver: 5, ackWaitMs: 30000, configHash: "a".repeat(64),
 *   setupHash: "b".repeat(64), controllerType: "sta_smc", seed: 1, scenarioCount: 1,
 * };
 * const chunks = cutChunks(template, 0, Float64Array.of(1, 2), 2, 1, 1);
 * for (const c of chunks) c.publishedAt = 0;
 * const batch = { iteration: 0, chunks, pending: new Set([1]) };
 * const decision = planRepublish("r1", batch, [], 70000, { deadlineMs: 60000, maxRepublish: 3 }, () => "");
 * assert.equal(decision.failure, undefined);
 * assert.deepStrictEqual([...decision.copies ?? [], ...decision.again ?? []].map((c) => c.index), [1]);
 * assert.equal(chunks[1].publishedAt, 70000);
 * ```
 *
 * @param runId The run id.
 * @param batch The batch waited for.
 * @param live The workers live now.
 * @param now `performance.now()`.
 * @param limits The chunk deadline and the copies allowed.
 * @param describe Names chunks and the workers involved, for the error.
 * @returns The chunks to publish, or the failure (`code` "chunk_timeout").
 */
export function planRepublish(
  runId: string,
  batch: WaitingBatch,
  live: readonly SeenWorker[],
  now: number,
  limits: { readonly deadlineMs: number; readonly maxRepublish: number },
  describe: DescribeChunks,
): RepublishDecision {
  const { copies, again, exhausted } = dueForRepublish(batch.chunks, batch.pending, live, now, limits);
  if (exhausted.length > 0) {
    return {
      failure: new DistributedError(
        "chunk_timeout",
        `run ${runId}: chunks ${exhausted.map((c) => c.index).join(", ")} of iteration ${batch.iteration} ` +
          `got no result after ${limits.maxRepublish} copies while workers sat idle; ${describe(exhausted)}`,
      ),
    };
  }
  for (const c of [...copies, ...again]) {
    c.publishedAt = now;
    c.orphanSince = undefined;
  }
  for (const c of copies) c.republishes++;
  return { copies, again };
}

/**
 * Reads a JetStream max-deliveries advisory: the error that ends the batch when it names one of
 * its chunks still without a result, else `undefined` (another run's chunk, a chunk already done,
 * or not an advisory).
 *
 * @example Usage
 * ```ts
 * import { maxDeliveriesError } from "./deadlines.ts";
 * import assert from "node:assert/strict";
 * const batch = { iteration: 3, chunks: [{ index: 0, msgId: "r1:3:0" }], pending: new Set([0]) };
 * const where = new Map([[42, { iteration: 3, chunk: 0 }]]);
 * const advisory = new TextEncoder().encode(JSON.stringify({ stream_seq: 42, deliveries: 5 }));
 * assert.match(maxDeliveriesError("r1", advisory, where, batch, () => "")!.message, /delivered 5 times/);
 * assert.equal(maxDeliveriesError("r1", advisory, new Map(), batch, () => ""), undefined);
 * ```
 *
 * @param runId The run id.
 * @param data The advisory's payload.
 * @param seqToChunk Which chunk each stream sequence published.
 * @param batch The batch waited for, if any.
 * @param describe Names chunks and the workers involved, for the error.
 * @returns A {@linkcode DistributedError} with `code` "chunk_failed", or `undefined`.
 */
export function maxDeliveriesError(
  runId: string,
  data: Uint8Array,
  seqToChunk: ReadonlyMap<number, { readonly iteration: number; readonly chunk: number }>,
  batch:
    | (Omit<WaitingBatch, "chunks"> & { readonly chunks: readonly { index: number; msgId: string }[] })
    | undefined,
  describe: DescribeChunks,
): DistributedError | undefined {
  let seq: unknown, deliveries: unknown;
  try {
    ({ stream_seq: seq, deliveries } = JSON.parse(new TextDecoder().decode(data)));
  } catch {
    return undefined;
  }
  const where = seqToChunk.get(seq as number);
  if (!where || !batch || where.iteration !== batch.iteration || !batch.pending.has(where.chunk)) {
    return undefined;
  }
  const chunk = batch.chunks[where.chunk];
  return new DistributedError(
    "chunk_failed",
    `run ${runId}: chunk ${where.chunk} of iteration ${where.iteration} was delivered ${deliveries} times ` +
      `(max deliveries) without a result; ${describe([chunk])}`,
  );
}
