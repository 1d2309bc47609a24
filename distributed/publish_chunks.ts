/**
 * Publishing a batch's chunks to the JetStream work queue, retrying while the server is away, up
 * to the coordinator's server timeout.
 *
 * @module
 */
import { redactUrl } from "./connection.ts";
import { DistributedError } from "./errors.ts";
import type { ChunkState } from "./chunks.ts";

/** The one call of a JetStream client {@linkcode publishChunks} needs. */
export interface ChunkPublisher {
  /** Publishes `data` on `subject` under a message id; resolves with the stream sequence. */
  publish(
    subject: string,
    data: Uint8Array,
    options: { msgID: string; timeout: number },
  ): Promise<{ readonly seq: number }>;
}

/** Options of {@linkcode publishChunks}. */
export interface PublishChunksOptions {
  /** The JetStream client. */
  readonly js: ChunkPublisher;
  /** The run id, for the messages. */
  readonly runId: string;
  /** The server's URL, for the messages (redacted there). */
  readonly url: string;
  /** The iteration the chunks belong to. */
  readonly iteration: number;
  /** The server's `max_payload`, when known. */
  readonly maxPayload: number | undefined;
  /** How long publishing may keep failing, ms. */
  readonly serverTimeoutMs: number;
  /**
   * `false`: under the chunk's message id (a chunk already queued under it, by this coordinator or
   * by the one it resumes, is not stored twice); `true`: as a new copy (the original is stuck where
   * no worker can get it, e.g. delivered to a connection that died).
   */
  readonly copy: boolean;
  /** Whether the batch is still the one waited for; once it is not, publishing stops. */
  readonly current: () => boolean;
  /** Told each chunk's stream sequence (max-delivery advisories name chunks by it). */
  readonly onPublished: (seq: number, chunk: ChunkState) => void;
}

/**
 * Publishes chunks, each retried every 200 ms until the server takes it or `serverTimeoutMs` has
 * passed.
 *
 * @example Usage
 * ```ts
 * import { publishChunks } from "./publish_chunks.ts";
 * import { cutChunks } from "./chunks.ts";
 * import assert from "node:assert/strict";
 * const template = {
 *   v: 1 as const, run: "r1", maxDeliver: 5, ackWaitMs: 30000, configHash: "a".repeat(64),
 *   setupHash: "b".repeat(64), controllerType: "sta_smc", seed: 1, scenarioCount: 1,
 * };
 * const chunks = cutChunks(template, 0, Float64Array.of(1, 2, 3), 3, 1, 2);
 * const ids: string[] = [];
 * const js = { publish: (_s: string, _d: Uint8Array, o: { msgID: string }) => (ids.push(o.msgID), Promise.resolve({ seq: ids.length })) };
 * const seqs: number[] = [];
 * const options = {
 *   js, runId: "r1", url: "nats://127.0.0.1:4222", iteration: 0, maxPayload: 1 << 20,
 *   serverTimeoutMs: 1000, copy: false, current: () => true, onPublished: (seq: number) => seqs.push(seq),
 * };
 * await publishChunks(chunks, options);
 * assert.deepStrictEqual(ids, ["r1:0:0", "r1:0:1"]);
 * assert.deepStrictEqual(seqs.sort(), [1, 2]);
 * await assert.rejects(publishChunks(chunks, { ...options, maxPayload: 10 }), /more than the server's max_payload/);
 * ```
 *
 * @param chunks The chunks to publish.
 * @param options See {@linkcode PublishChunksOptions}.
 * @throws {DistributedError} (`code` "config") when a chunk is larger than `max_payload`,
 * ("server_lost") when a chunk cannot be published for `serverTimeoutMs`.
 */
export async function publishChunks(
  chunks: readonly ChunkState[],
  options: PublishChunksOptions,
): Promise<void> {
  const { js, runId, iteration, maxPayload, copy } = options;
  const limit = options.serverTimeoutMs;
  const big = chunks.find((c) => maxPayload !== undefined && c.data.length > maxPayload);
  if (big) {
    throw new DistributedError(
      "config",
      `run ${runId}: chunk ${big.index} is ${big.data.length} bytes, more than the server's max_payload ` +
        `(${maxPayload}); use a smaller chunkSize (--chunk-size), got ${big.count} particles per chunk`,
    );
  }
  await Promise.all(chunks.map(async (chunk) => {
    const started = performance.now();
    for (;;) {
      if (!options.current()) return;
      try {
        const ack = await js.publish(chunk.subject, chunk.data, {
          msgID: copy ? `${chunk.msgId}:r${chunk.republishes}` : chunk.msgId,
          timeout: Math.min(5000, limit),
        });
        options.onPublished(ack.seq, chunk);
        return;
      } catch (error) {
        if (performance.now() - started >= limit) {
          throw new DistributedError(
            "server_lost",
            `run ${runId}: cannot publish chunk ${chunk.index} of iteration ${iteration} to ${
              redactUrl(options.url)
            } for ${(limit / 1000).toFixed(1)} s: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }));
}
