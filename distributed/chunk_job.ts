/**
 * A remote worker's handling of one chunk message: parse it, compute it on the local Workers,
 * store the result, then ack; or refuse or fail it, report why, and leave it to another worker or
 * record the failure on its last delivery.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { EvaluateResult, EvaluateTask, WorkerPool } from "../optimizer/mod.ts";
import { DistributedError } from "./errors.ts";
import {
  type ChunkMessage,
  chunkMsgId,
  encodeCosts,
  eventSubject,
  parseChunk,
  PROTOCOL_VERSION,
  resultKey,
  type ResultMessage,
  type WorkerEvent,
} from "./protocol.ts";
import type { PreparedChunk, SetupCache } from "./setup_cache.ts";

/** What {@linkcode ChunkJobs} works with. */
export interface ChunkJobsOptions {
  /** The worker's id, in results, reports and logs. */
  readonly workerId: string;
  /** The connection reports go out on. */
  readonly nc: NatsConnection;
  /** The result bucket. */
  readonly kv: KV;
  /** The local Workers. */
  readonly pool: WorkerPool;
  /** The worker's run setups. */
  readonly setups: SetupCache;
  /** Receives log lines. */
  readonly log: (line: string) => void;
  /** Log every chunk taken and done. */
  readonly verbose?: boolean;
}

/**
 * Handles chunk messages and counts them: completed, refused, failed, and the ones in hand (by
 * message id, for heartbeats).
 *
 * @example Usage
 * ```ts ignore
 * import { ChunkJobs } from "./chunk_job.ts";
 * const jobs = new ChunkJobs({ workerId: "w1", nc, kv, pool, setups, log: console.log });
 * const m = await consumer.next({ expires: 2000 });
 * if (m) await jobs.handle(m, () => {});
 * console.log(jobs.completed, jobs.refused, jobs.failed);
 * ```
 */
export class ChunkJobs {
  /** Message ids of the chunks in hand. */
  readonly busy: Set<string> = new Set();
  /** Chunks computed, stored and acked. */
  completed = 0;
  /** Chunks refused. */
  refused = 0;
  /** Chunks whose computation failed. */
  failed = 0;
  readonly #o: ChunkJobsOptions;
  readonly #id: string;

  /** @param options See {@linkcode ChunkJobsOptions}. */
  constructor(options: ChunkJobsOptions) {
    this.#o = options;
    this.#id = options.workerId;
  }

  /**
   * Handles one message to the end (ack, nak or term); `computed` is called as soon as the costs
   * are computed (or the chunk is given up), before the result is stored.
   */
  async handle(m: JsMsg, computed: () => void): Promise<void> {
    const delivery = m.info.deliveryCount;
    let chunk: ChunkMessage, positions: Float64Array;
    try {
      ({ chunk, positions } = parseChunk(m.data));
    } catch (error) {
      this.refused++;
      this.#o.log(
        `worker ${this.#id}: refused a malformed message on ${m.subject}: ${(error as Error).message}`,
      );
      m.term(); // redelivering a malformed message cannot help
      return;
    }
    const id = chunkMsgId(chunk.run, chunk.iteration, chunk.chunk);
    const last = delivery >= chunk.maxDeliver;
    this.busy.add(id);
    if (this.#o.verbose) this.#o.log(`worker ${this.#id}: taking chunk ${id} (delivery ${delivery})`);
    // Tell the server the chunk is alive well before its ack wait ends, however long it takes.
    const keepAlive = setInterval(() => m.working(), Math.max(50, Math.floor(chunk.ackWaitMs / 3)));
    const started = performance.now();
    try {
      let prepared: PreparedChunk;
      try {
        prepared = await this.#o.setups.prepare(chunk);
      } catch (error) {
        const refused = error instanceof DistributedError && error.code === "refused";
        return await this.#reject(m, chunk, refused ? "refused" : "failed", (error as Error).message, last);
      }
      const task: EvaluateTask = {
        key: prepared.held.key,
        setup: prepared.held.setup,
        controllerSource: prepared.controllerSource,
        fitness: prepared.fitness,
        positions,
        count: chunk.count,
        dims: chunk.dims,
      };
      let evaluated: EvaluateResult;
      try {
        evaluated = await this.#o.pool.run<EvaluateResult>("evaluate", task, {
          transfer: [positions.buffer as ArrayBuffer],
        });
      } catch (error) {
        return await this.#reject(m, chunk, "failed", describe(error), last);
      } finally {
        this.#o.setups.done(prepared.held);
        computed();
      }
      const result: ResultMessage = {
        ...resultIdentity(chunk, this.#id),
        costs: encodeCosts(evaluated.costs),
        failures: evaluated.failures,
        firstFailure: evaluated.firstFailure,
        elapsedMs: performance.now() - started,
      };
      // Store, then ack: a crash in between redelivers the chunk, and the same result is rewritten.
      if (
        !await this.#store(resultKey(chunk.run, chunk.iteration, chunk.chunk), JSON.stringify(result), id)
      ) {
        return;
      }
      m.ack();
      this.completed++;
      if (this.#o.verbose) {
        this.#o.log(`worker ${this.#id}: done chunk ${id} in ${result.elapsedMs.toFixed(0)} ms`);
      }
    } finally {
      clearInterval(keepAlive);
      this.busy.delete(id);
    }
  }

  /**
   * Writes a result, retrying while the server is away (for up to a minute): a result computed
   * just before an outage is stored once the server is back, instead of the chunk waiting out its
   * ack wait to be computed again.
   */
  async #store(key: string, value: string, id: string): Promise<boolean> {
    const until = performance.now() + 60_000;
    for (let attempt = 0;; attempt++) {
      try {
        await this.#o.kv.put(key, value);
        if (attempt > 0) {
          this.#o.log(`worker ${this.#id}: stored the result of chunk ${id} after ${attempt} retries`);
        }
        return true;
      } catch (error) {
        if (this.#o.nc.isClosed() || performance.now() > until) {
          this.#o.log(
            `worker ${this.#id}: could not store the result of chunk ${id} (${
              (error as Error).message
            }); it will be redelivered`,
          );
          return false;
        }
        if (attempt === 0) {
          this.#o.log(
            `worker ${this.#id}: cannot store the result of chunk ${id} yet (${
              (error as Error).message
            }); retrying`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  async #reject(m: JsMsg, chunk: ChunkMessage, kind: "refused" | "failed", message: string, last: boolean) {
    if (kind === "refused") this.refused++;
    else this.failed++;
    const id = chunkMsgId(chunk.run, chunk.iteration, chunk.chunk);
    const delivery = m.info.deliveryCount;
    this.#o.log(
      `worker ${this.#id}: ${kind} chunk ${id} (delivery ${delivery} of ${chunk.maxDeliver}): ${message}`,
    );
    const event: WorkerEvent = {
      v: PROTOCOL_VERSION,
      kind,
      worker: this.#id,
      run: chunk.run,
      iteration: chunk.iteration,
      chunk: chunk.chunk,
      delivery,
      message,
    };
    this.#o.nc.publish(eventSubject(chunk.run), JSON.stringify(event));
    if (!last) {
      // Another worker (with the right config or modules) may take it; the delay spares a busy loop.
      m.nak(kind === "refused" ? 100 : 250);
      return;
    }
    const record: ResultMessage = {
      ...resultIdentity(chunk, this.#id),
      failures: 0,
      error: message,
      errorKind: kind,
      elapsedMs: 0,
    };
    try {
      await this.#o.kv.put(resultKey(chunk.run, chunk.iteration, chunk.chunk), JSON.stringify(record));
      m.term(); // the record tells the coordinator; the chunk leaves the queue
    } catch (error) {
      this.#o.log(
        `worker ${this.#id}: could not record the failure of chunk ${id}: ${(error as Error).message}`,
      );
      m.nak();
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The fields that tie a result to its chunk (run, iteration, index, the hashes it was computed for)
 * and to the worker: the coordinator checks every one of them, so a success and a failure record
 * carry exactly the same identity.
 *
 * @example Usage
 * ```ts ignore
 * const record: ResultMessage = { ...resultIdentity(chunk, "worker-1"), failures: 0, elapsedMs: 0 };
 * ```
 *
 * @param chunk The chunk the result answers.
 * @param worker This worker's id.
 * @returns The identity fields of a {@linkcode ResultMessage}.
 */
function resultIdentity(chunk: ChunkMessage, worker: string) {
  return {
    v: PROTOCOL_VERSION,
    run: chunk.run,
    iteration: chunk.iteration,
    chunk: chunk.chunk,
    configHash: chunk.configHash,
    positionsHash: chunk.positionsHash,
    worker,
  } as const;
}
