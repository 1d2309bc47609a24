/**
 * A running remote worker: its heartbeats, its slots pulling chunks from the work queue one at a
 * time each, and its orderly stop.
 *
 * @module
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { type Consumer, jetstream, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { TUNER_WORKER_URL, WorkerPool } from "../optimizer/mod.ts";
import { ensureInfrastructure, INFRASTRUCTURE_DEFAULTS, redactUrl } from "./connection.ts";
import {
  CHUNK_STREAM,
  type Heartbeat,
  HEARTBEAT_SUBJECT,
  PING_SUBJECT,
  PROTOCOL_VERSION,
  WORKER_CONSUMER,
} from "./protocol.ts";
import type {
  RemoteWorker,
  RemoteWorkerOptions,
  RemoteWorkerStats,
  ResolvedWorkerOptions,
} from "./remote_worker_types.ts";
import { SetupCache } from "./setup_cache.ts";
import { ChunkJobs } from "./chunk_job.ts";

/**
 * The {@linkcode RemoteWorker} `startRemoteWorker()` returns, on a connection whose JetStream
 * objects exist; {@linkcode RemoteWorkerLoop.start} starts its heartbeats and slots.
 *
 * @example Usage
 * ```ts ignore
 * import { RemoteWorkerLoop } from "./worker_loop.ts";
 * import { resolveWorkerOptions, workerIdentity } from "./worker_options.ts";
 * const options = { nats: { url: "nats://127.0.0.1:4222" }, concurrency: 2 };
 * const { host, id } = workerIdentity();
 * const worker = new RemoteWorkerLoop(id, host, nc, kv, consumer, await resolveWorkerOptions(options), options);
 * worker.start();
 * await worker.stop();
 * ```
 */
export class RemoteWorkerLoop implements RemoteWorker {
  readonly id: string;
  readonly configHashes: readonly string[];
  readonly #host: string;
  readonly #nc: NatsConnection;
  #consumer: Consumer;
  readonly #concurrency: number;
  readonly #moduleNames: readonly string[];
  readonly #o: RemoteWorkerOptions;
  readonly #pool: WorkerPool;
  readonly #setups: SetupCache;
  readonly #jobs: ChunkJobs;
  readonly #handling = new Set<Promise<void>>();
  readonly #log: (line: string) => void;
  #slots: Promise<void>[] = [];
  #ping: Subscription | undefined;
  #pingLoop: Promise<void> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #pullTrouble = false;

  /**
   * @param id Its id.
   * @param host Its host, in heartbeats.
   * @param nc Its connection (closed by {@linkcode RemoteWorkerLoop.stop}).
   * @param kv The result bucket.
   * @param consumer The workers' consumer of the chunk queue.
   * @param resolved The options made ready by `resolveWorkerOptions()`.
   * @param options The options as given.
   */
  constructor(
    id: string,
    host: string,
    nc: NatsConnection,
    kv: KV,
    consumer: Consumer,
    resolved: ResolvedWorkerOptions,
    options: RemoteWorkerOptions,
  ) {
    this.id = id;
    this.#host = host;
    this.#nc = nc;
    this.#consumer = consumer;
    this.#concurrency = resolved.concurrency;
    this.configHashes = [...resolved.configs.keys()];
    this.#moduleNames = [...resolved.modules.values()].map((m) => m.name);
    this.#o = options;
    const log = this.#log = options.log ?? ((line) => console.log(line));
    const pool = this.#pool = new WorkerPool({
      moduleUrl: TUNER_WORKER_URL,
      size: resolved.concurrency,
      name: `remote-worker:${id}`,
    });
    this.#setups = new SetupCache({
      pool,
      configs: resolved.configs,
      modules: resolved.modules,
      setupsKept: resolved.setupsKept,
      log,
      workerId: id,
    });
    this.#jobs = new ChunkJobs({
      workerId: id,
      nc,
      kv,
      pool,
      setups: this.#setups,
      log,
      verbose: options.verbose,
    });
  }

  /** Answers pings, starts the heartbeat and the `concurrency` slots, and logs that it is ready. */
  start(): void {
    const beat = this.#o.heartbeatMs ?? 2000;
    this.#ping = this.#nc.subscribe(PING_SUBJECT);
    const ping = this.#ping;
    this.#pingLoop = (async () => {
      for await (const _ of ping) this.#sendHeartbeat();
    })();
    this.#sendHeartbeat();
    this.#heartbeat = setInterval(() => this.#sendHeartbeat(), beat);
    for (let i = 0; i < this.#concurrency; i++) this.#slots.push(this.#slot());
    const modules = this.#moduleNames;
    this.#log(
      `worker ${this.id} ready on ${redactUrl(this.#o.nats.url)}: ${this.#concurrency} Workers, configs ${
        this.configHashes.map((h) => h.slice(0, 12)).join(", ")
      }, modules ${modules.length > 0 ? modules.join(", ") : "none (built-in controllers only)"}`,
    );
  }

  /** Its counters now. */
  stats(): RemoteWorkerStats {
    return {
      completed: this.#jobs.completed,
      refused: this.#jobs.refused,
      failed: this.#jobs.failed,
      busy: this.#jobs.busy.size,
      setups: this.#setups.size,
    };
  }

  /** Finishes the chunks in hand (they are stored and acked), then disconnects and stops its Workers. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      clearInterval(this.#heartbeat);
      await Promise.allSettled([...this.#handling]);
      this.#sendHeartbeat(true);
      this.#ping?.unsubscribe();
      // Closing ends the slots' pending pulls at once instead of at their expiry.
      await this.#nc.close();
      await Promise.allSettled([...this.#slots, this.#pingLoop, ...this.#setups.releasing]);
      await this.#pool.close();
      const jobs = this.#jobs;
      this.#log(
        `worker ${this.id} stopped: ${jobs.completed} chunks done, ${jobs.refused} refused, ${jobs.failed} failed`,
      );
    })();
    return this.#stopped;
  }

  #sendHeartbeat(stopping = false): void {
    if (this.#nc.isClosed()) return;
    const h: Heartbeat = {
      v: PROTOCOL_VERSION,
      worker: this.id,
      host: this.#host,
      pid: Deno.pid,
      concurrency: this.#concurrency,
      busy: [...this.#jobs.busy],
      intervalMs: this.#o.heartbeatMs ?? 2000,
      stopping: stopping || undefined,
    };
    this.#nc.publish(HEARTBEAT_SUBJECT, JSON.stringify(h));
  }

  async #slot(): Promise<void> {
    const expires = this.#o.pullExpiresMs ?? 2000;
    while (!this.#stopping) {
      let m: JsMsg | null;
      try {
        m = await this.#consumer.next({ expires });
        if (this.#pullTrouble) this.#log(`worker ${this.id}: pulling chunks again`);
        this.#pullTrouble = false;
      } catch (error) {
        if (this.#stopping) break;
        if (!this.#pullTrouble) {
          this.#log(`worker ${this.id}: cannot pull chunks (${(error as Error).message}); retrying`);
        }
        this.#pullTrouble = true;
        await new Promise((resolve) => setTimeout(resolve, 500));
        await this.#rebind();
        continue;
      }
      if (!m) continue;
      if (this.#stopping) {
        m.nak(); // taken while stopping: straight back to the queue for another worker
        break;
      }
      // The slot pulls its next chunk as soon as this one is computed, while its result is being
      // stored and acked: the pull's round trip overlaps the store's instead of following it.
      const computed = Promise.withResolvers<void>();
      const work = this.#jobs.handle(m, computed.resolve).finally(() => {
        computed.resolve();
        this.#handling.delete(work);
      });
      this.#handling.add(work);
      await computed.promise;
    }
  }

  async #rebind(): Promise<void> {
    if (this.#stopping || this.#nc.isClosed()) return;
    try {
      await ensureInfrastructure(this.#nc, INFRASTRUCTURE_DEFAULTS, false);
      this.#consumer = await jetstream(this.#nc).consumers.get(CHUNK_STREAM, WORKER_CONSUMER);
    } catch { /* still unreachable: the slot's next pull reports and retries */ }
  }
}
