/**
 * One run's coordinator: follows heartbeats, worker reports, advisories and results, sends each
 * batch as chunks, and ends it with the costs in chunk order or with the error that stops the run.
 *
 * @module
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { KvWatchEntry } from "@nats-io/kv";
import type { EvaluationRun } from "../optimizer/mod.ts";
import {
  type Infrastructure,
  INFRASTRUCTURE_DEFAULTS,
  MAX_DELIVERIES_ADVISORY,
  redactUrl,
} from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { Fleet } from "./fleet.ts";
import { type ChunkState, type ChunkTemplate, cutChunks, defaultChunkSize } from "./chunks.ts";
import {
  CHUNK_STREAM,
  CHUNK_SUBJECT_PREFIX,
  eventSubject,
  HEARTBEAT_SUBJECT,
  PING_SUBJECT,
  PROTOCOL_VERSION,
  RESULT_BUCKET,
  resultKey,
  WORKER_CONSUMER,
} from "./protocol.ts";
import type { NatsBackend, NatsBackendOptions, NatsBackendStatus } from "./coordinator_types.ts";
import type { PreparedRun } from "./run_prepare.ts";
import { publishChunks } from "./publish_chunks.ts";
import { maxDeliveriesError, noWorkerError, planRepublish, serverLostError } from "./deadlines.ts";
import { checkResult, resultKeyParts } from "./result_intake.ts";

/** How long close() waits for chunks still being computed before it purges the run's results [ms]. */
const CLOSE_DRAIN_MS = 5_000;

interface Batch {
  readonly iteration: number;
  readonly chunks: ChunkState[];
  readonly pending: Set<number>;
  readonly out: Float64Array;
  readonly started: number;
  lastStatus: number;
  resolve(): void;
  reject(error: DistributedError): void;
}

/**
 * The {@linkcode NatsBackend} of one run, on a connection whose JetStream objects exist; made by
 * `natsBackend()`, which calls {@linkcode CoordinatorRun.start} before handing it to the tuner.
 *
 * @example Usage
 * ```ts ignore
 * import { CoordinatorRun } from "./coordinator_run.ts";
 * import { connectNats, ensureInfrastructure, INFRASTRUCTURE_DEFAULTS } from "./connection.ts";
 * import { prepareRun } from "./run_prepare.ts";
 * const options = { nats: { url: "nats://127.0.0.1:4222" } };
 * const nc = await connectNats(options.nats, { name: "dip-coordinator:r1" });
 * const infra = await ensureInfrastructure(nc, INFRASTRUCTURE_DEFAULTS, true);
 * const backend = new CoordinatorRun(nc, infra, "r1", options, run, await prepareRun(run, "r1", undefined));
 * await backend.start();
 * const costs = await backend.evaluate(positions, count, dims, 0);
 * await backend.close();
 * ```
 */
export class CoordinatorRun implements NatsBackend {
  readonly runId: string;
  readonly configHash: string;
  readonly setupHash: string;
  readonly #nc: NatsConnection;
  readonly #infra: Infrastructure;
  readonly #js: JetStreamClient;
  readonly #o: NatsBackendOptions;
  readonly #maxDeliver: number;
  readonly #ackWaitMs: number;
  readonly #publishing = new Set<Promise<void>>();
  readonly #fleet: Fleet;
  readonly #early = new Map<string, Uint8Array>();
  readonly #seqToChunk = new Map<number, { iteration: number; chunk: number }>();
  readonly #chunksPerWorker: Record<string, number> = {};
  readonly #subs: Subscription[] = [];
  readonly #loops: Promise<void>[] = [];
  #watch: { stop(): void } | undefined;
  readonly #run: EvaluationRun;
  readonly #template: ChunkTemplate;
  #batch: Batch | undefined;
  #lastIteration = -1;
  #fatal: DistributedError | undefined;
  #closed = false;
  #disconnectedSince: number | undefined;
  #noWorkerSince = performance.now();
  #republished = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #chunkSize: number | undefined;

  /**
   * @param nc The run's connection (closed by {@linkcode CoordinatorRun.close}).
   * @param infra The JetStream objects, whose consumer settings the chunks carry.
   * @param runId The run id.
   * @param options The factory's options.
   * @param run The run the tuner starts.
   * @param prepared Its hashes and module references.
   */
  constructor(
    nc: NatsConnection,
    infra: Infrastructure,
    runId: string,
    options: NatsBackendOptions,
    run: EvaluationRun,
    prepared: PreparedRun,
  ) {
    this.#nc = nc;
    this.#infra = infra;
    this.#js = jetstream(nc);
    this.runId = runId;
    this.#fleet = new Fleet(runId);
    this.#o = options;
    this.#chunkSize = options.chunkSize;
    this.#maxDeliver = infra.consumer.config.max_deliver ?? INFRASTRUCTURE_DEFAULTS.maxDeliver;
    this.#ackWaitMs = Math.max(1, Math.round((infra.consumer.config.ack_wait ?? 0) / 1e6)) ||
      INFRASTRUCTURE_DEFAULTS.ackWaitMs;
    this.#run = run;
    this.configHash = prepared.configHash;
    this.setupHash = prepared.setupHash;
    this.#template = {
      v: PROTOCOL_VERSION,
      run: runId,
      maxDeliver: this.#maxDeliver,
      ackWaitMs: this.#ackWaitMs,
      configHash: prepared.configHash,
      setupHash: prepared.setupHash,
      controllerType: run.setup.controllerType,
      seed: run.seed,
      scenarioCount: run.setup.scenarios.length,
      fitness: prepared.fitness,
      controller: prepared.controller,
    };
  }

  /**
   * Follows heartbeats, worker reports, max-delivery advisories, the run's results and the
   * connection's status, then pings the workers and waits up to half a second for the first.
   */
  async start(): Promise<void> {
    const nc = this.#nc;
    const follow = (subject: string, handle: (data: Uint8Array) => void) => {
      const sub = nc.subscribe(subject);
      this.#subs.push(sub);
      this.#loops.push((async () => {
        for await (const m of sub) handle(m.data);
      })());
    };
    follow(HEARTBEAT_SUBJECT, (data) => this.#fleet.onHeartbeat(data));
    follow(eventSubject(this.runId), (data) => this.#fleet.onEvent(data));
    follow(MAX_DELIVERIES_ADVISORY, (data) => this.#onMaxDeliveries(data));
    const watch = await this.#infra.results.watch({ key: `${this.runId}.>`, ignoreDeletes: true });
    this.#watch = watch;
    this.#loops.push((async () => {
      for await (const entry of watch) this.#onResult(entry);
    })());
    this.#loops.push((async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") this.#disconnectedSince ??= performance.now();
        else if (s.type === "reconnect") this.#disconnectedSince = undefined;
      }
    })());
    // Workers answer with a heartbeat at once, so the first batch need not wait for their timers
    // (the default chunk size counts the Workers connected when the run starts).
    await nc.flush();
    nc.publish(PING_SUBJECT, "");
    const until = performance.now() + 500;
    while (this.#fleet.size === 0 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Particles per chunk: the option, or the default fixed at the first batch. */
  get chunkSize(): number | undefined {
    return this.#chunkSize;
  }

  /** Evaluates one iteration's batch on the remote workers (see `EvaluationBackend.evaluate`). */
  evaluate(positions: Float64Array, count: number, dims: number, iteration?: number): Promise<Float64Array> {
    return typeof iteration === "number" && Number.isSafeInteger(iteration) && iteration >= 0
      ? this.#evaluate(positions, count, dims, iteration)
      : Promise.reject(
        // Chunks and results are named by iteration: without it a resumed run could not find the
        // interrupted run's chunks, and would mistake their results for its own.
        new TypeError(`evaluate(): iteration must be an integer ≥ 0 (the tuner passes it), got ${iteration}`),
      );
  }

  #evaluate(positions: Float64Array, count: number, dims: number, iteration: number): Promise<Float64Array> {
    if (this.#closed) {
      return Promise.reject(new DistributedError("closed", `run ${this.runId}: the back end is closed`));
    }
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#batch) {
      return Promise.reject(
        new Error(`evaluate(): iteration ${this.#batch.iteration} is still being evaluated`),
      );
    }
    // Fixed for the whole run at its first batch: a resumed run must cut the same chunks, or its
    // message ids would name other particles than the chunks already queued under them.
    const size = this.#chunkSize ??= defaultChunkSize(count, this.#fleet.live());
    const chunks = cutChunks(this.#template, iteration, positions, count, dims, size);
    return new Promise<Float64Array>((resolve, reject) => {
      const now = performance.now();
      const batch: Batch = {
        iteration,
        chunks,
        pending: new Set(chunks.map((c) => c.index)),
        out: new Float64Array(count),
        started: now,
        lastStatus: now,
        resolve: () => {
          this.#endBatch();
          resolve(batch.out);
        },
        reject: (error) => {
          this.#endBatch();
          reject(error);
        },
      };
      this.#batch = batch;
      // Results already in the bucket (a resumed run): used as they are, after the same checks.
      for (const chunk of chunks) {
        const data = this.#early.get(resultKey(this.runId, iteration, chunk.index));
        if (data) this.#accept(batch, chunk.index, data);
      }
      if (this.#batch !== batch) return;
      this.#timer = setInterval(() => this.#tick(), 100);
      this.#startPublish(batch, chunks.filter((c) => batch.pending.has(c.index)), false);
    });
  }

  /** The coordinator's view now. */
  status(): NatsBackendStatus {
    const live = this.#fleet.live();
    return {
      runId: this.runId,
      iteration: this.#batch?.iteration ?? this.#lastIteration,
      workers: live.length,
      workerIds: live.map((w) => w.id),
      inFlight: this.#batch?.pending.size ?? 0,
      chunksPerWorker: { ...this.#chunksPerWorker },
      republished: this.#republished,
    };
  }

  /** Ends a batch in progress, purges the run's chunks and results (unless `keepResults`), disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch?.reject(
      new DistributedError("closed", `run ${this.runId}: the back end was closed during a batch`),
    );
    this.#watch?.stop();
    for (const sub of this.#subs) sub.unsubscribe();
    const reachable = !this.#nc.isClosed() && this.#disconnectedSince === undefined;
    if (reachable && !this.#o.keepResults) {
      // Nothing of the run stays behind: chunks no worker took (a failed run) and all results.
      try {
        await this.#infra.jsm.streams.purge(CHUNK_STREAM, {
          filter: `${CHUNK_SUBJECT_PREFIX}.${this.runId}.>`,
        });
        // A worker still computing one of the run's chunks stores its record before it acks, so
        // once nothing is ack-pending every late record is in the bucket and the purge below takes
        // it too (CI once saw a failure record land after an immediate purge).
        await this.#drainInFlight();
        await this.#infra.jsm.streams.purge(`KV_${RESULT_BUCKET}`, {
          filter: `$KV.${RESULT_BUCKET}.${this.runId}.>`,
        });
      } catch (error) {
        this.#warn(`run ${this.runId}: could not purge its chunks and results: ${(error as Error).message}`);
      }
    } else if (!reachable) {
      this.#warn(`run ${this.runId}: server unreachable at close; its chunks and results expire in 24 h`);
    }
    await this.#nc.close();
    await Promise.allSettled([...this.#loops, ...this.#publishing]);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Waits until the shared worker consumer has no chunk ack-pending, at most
   * {@linkcode CLOSE_DRAIN_MS} (another run's chunks share the consumer: close never waits longer).
   */
  async #drainInFlight(): Promise<void> {
    const end = performance.now() + CLOSE_DRAIN_MS;
    while (performance.now() < end) {
      const info = await this.#infra.jsm.consumers.info(CHUNK_STREAM, WORKER_CONSUMER);
      if (info.num_ack_pending === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #warn(message: string): void {
    (this.#o.onWarning ?? console.warn)(message);
  }

  #endBatch(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    if (!batch) return;
    this.#lastIteration = batch.iteration;
    this.#batch = undefined;
    for (const key of [...this.#early.keys()]) {
      if (Number(key.split(".")[1]) <= batch.iteration) this.#early.delete(key);
    }
    for (const chunk of batch.chunks) {
      this.#fleet.forget(chunk.msgId);
    }
  }

  #fail(error: DistributedError): void {
    if (!(error instanceof DistributedError)) {
      error = new DistributedError(
        "server_lost",
        `run ${this.runId}: ${String((error as Error)?.message ?? error)}`,
        {
          cause: error,
        },
      );
    }
    this.#fatal ??= error;
    this.#batch?.reject(error);
  }

  #startPublish(batch: Batch, chunks: readonly ChunkState[], copy: boolean): void {
    const work = this.#publish(batch, chunks, copy).catch((error) => this.#fail(error as DistributedError));
    this.#publishing.add(work);
    work.finally(() => this.#publishing.delete(work));
  }

  /** Publishes under the message id (`copy` false) or as new copies (see {@linkcode publishChunks}). */
  #publish(batch: Batch, chunks: readonly ChunkState[], copy: boolean): Promise<void> {
    return publishChunks(chunks, {
      js: this.#js,
      runId: this.runId,
      url: this.#o.nats.url,
      iteration: batch.iteration,
      maxPayload: this.#nc.info?.max_payload,
      serverTimeoutMs: this.#o.serverTimeoutMs ?? 10_000,
      copy,
      current: () => this.#batch === batch,
      onPublished: (seq, chunk) =>
        this.#seqToChunk.set(seq, { iteration: batch.iteration, chunk: chunk.index }),
    });
  }

  #tick(): void {
    const batch = this.#batch;
    if (!batch) return;
    const now = performance.now();
    const url = redactUrl(this.#o.nats.url);
    const lost = serverLostError(
      this.runId,
      url,
      batch,
      now,
      this.#disconnectedSince,
      this.#o.serverTimeoutMs ?? 10_000,
    );
    if (lost) return this.#fail(lost);
    const live = this.#fleet.live();
    if (live.length > 0 || this.#disconnectedSince !== undefined) this.#noWorkerSince = now;
    const alone = noWorkerError(
      this.runId,
      url,
      batch,
      now,
      this.#noWorkerSince,
      this.#o.noWorkerTimeoutMs ?? 30_000,
    );
    if (alone) return this.#fail(alone);
    const decision = planRepublish(this.runId, batch, live, now, {
      deadlineMs: this.#o.chunkTimeoutMs ?? 60_000,
      maxRepublish: this.#o.maxRepublish ?? 3,
    }, (chunks) => this.#fleet.describe(chunks));
    if (decision.failure) return this.#fail(decision.failure);
    const { copies, again } = decision;
    this.#republished += copies.length + again.length;
    if (copies.length > 0) this.#startPublish(batch, copies, true);
    if (again.length > 0) this.#startPublish(batch, again, false);
    if (this.#fatal) return;
    if (this.#o.onWaiting && now - batch.lastStatus >= (this.#o.statusIntervalMs ?? 5000)) {
      batch.lastStatus = now;
      this.#o.onWaiting(this.status());
    }
  }

  #onMaxDeliveries(data: Uint8Array): void {
    const error = maxDeliveriesError(
      this.runId,
      data,
      this.#seqToChunk,
      this.#batch,
      (chunks) => this.#fleet.describe(chunks),
    );
    if (error) this.#fail(error);
  }

  #onResult(entry: KvWatchEntry): void {
    if (entry.operation !== "PUT") return;
    const where = resultKeyParts(entry.key, this.runId);
    if (!where) return;
    const batch = this.#batch;
    if (batch && where.iteration === batch.iteration) this.#accept(batch, where.chunk, entry.value);
    else if (where.iteration > this.#lastIteration) this.#early.set(entry.key, entry.value);
  }

  #accept(batch: Batch, index: number, data: Uint8Array): void {
    if (!batch.pending.has(index)) return; // a redelivered chunk's second, identical result
    const chunk = batch.chunks[index];
    const parsed = checkResult(data, {
      runId: this.runId,
      configHash: this.configHash,
      iteration: batch.iteration,
      chunk,
      describe: (chunks) => this.#fleet.describe(chunks),
    });
    if (!parsed.ok) return this.#fail(parsed.error);
    batch.out.set(parsed.costs, chunk.start);
    if (parsed.failures > 0 || parsed.firstFailure !== undefined) {
      this.#run.reportFailures(parsed.failures, parsed.firstFailure);
    }
    this.#chunksPerWorker[parsed.worker] = (this.#chunksPerWorker[parsed.worker] ?? 0) + 1;
    batch.pending.delete(index);
    if (batch.pending.size === 0) batch.resolve();
  }
}
