/**
 * The coordinator side: {@linkcode natsBackend}, a factory for `PSOTunerOptions.backend` whose
 * {@linkcode EvaluationBackend} sends each iteration's batch to
 * remote workers as chunks on a JetStream work queue and reads the results back from a key-value
 * bucket, placing each one by its chunk index (never by arrival order). The swarm and every random
 * draw stay with the tuner, so a seed gives the same result on the local Worker pool and on any
 * number of remote workers (docs/distributed.md, "How the results stay reproducible").
 *
 * It never hangs: a chunk that runs out of deliveries, a result that does not answer its chunk,
 * a chunk still missing after the deadline and every republish, no worker for too long, or the
 * server unreachable for too long each end the batch with a {@linkcode DistributedError} that names
 * the chunks and the workers involved.
 *
 * @module
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { KvWatchEntry } from "@nats-io/kv";
import type { EvaluationBackend, EvaluationRun } from "../optimizer/mod.ts";
import {
  connectNats,
  ensureInfrastructure,
  type Infrastructure,
  INFRASTRUCTURE_DEFAULTS,
  MAX_DELIVERIES_ADVISORY,
  type NatsOptions,
  redactUrl,
} from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { Fleet, type SeenWorker } from "./fleet.ts";
import {
  type ChunkState,
  type ChunkTemplate,
  cutChunks,
  defaultChunkSize,
  dueForRepublish,
} from "./chunks.ts";
import { configHash, moduleDigest, setupHash, toPath } from "./hash.ts";
import {
  checkRunId,
  CHUNK_STREAM,
  CHUNK_SUBJECT_PREFIX,
  type ControllerRef,
  eventSubject,
  HEARTBEAT_SUBJECT,
  type ModuleRef,
  newRunId,
  parseResult,
  PING_SUBJECT,
  PROTOCOL_VERSION,
  RESULT_BUCKET,
  resultKey,
} from "./protocol.ts";

/** Options of {@linkcode natsBackend}. */
export interface NatsBackendOptions {
  /** Where the server is (see `resolveNatsOptions()`). */
  readonly nats: NatsOptions;
  /**
   * The run id; default a fresh random one per run. A resumed run passes its checkpoint's (the
   * factory then serves one run only: two runs under one id would share chunk and result names).
   */
  readonly runId?: string;
  /**
   * Particles per chunk, fixed for the run; default two chunks per Worker connected when the run
   * starts (eight when none is). A resumed run must use the interrupted run's.
   */
  readonly chunkSize?: number;
  /** How long a worker may hold a chunk without a sign of life before it is redelivered, ms. Default 30 000. */
  readonly ackWaitMs?: number;
  /** Deliveries after which a chunk has failed. Default 5. */
  readonly maxDeliver?: number;
  /** The stream's dedupe window for message ids, ms. Default 600 000. */
  readonly duplicateWindowMs?: number;
  /** Publish a chunk still missing after this long again (same message id), ms. Default 60 000. */
  readonly chunkTimeoutMs?: number;
  /**
   * Copies of a chunk that stays out of every worker's hands while workers sit idle, before the
   * run fails. Default 3.
   */
  readonly maxRepublish?: number;
  /** How long chunks may wait with no worker connected, ms. Default 30 000. */
  readonly noWorkerTimeoutMs?: number;
  /** How long the server may stay unreachable, ms. Default 10 000. */
  readonly serverTimeoutMs?: number;
  /** With a resume: the setup hash the checkpoint was written for; any other setup is refused. */
  readonly expectedSetupHash?: string;
  /** Keep the run's chunks and results on the server at `close()` (default: purge them). */
  readonly keepResults?: boolean;
  /** Called every `statusIntervalMs` while an iteration waits for chunks. */
  readonly onWaiting?: (status: NatsBackendStatus) => void;
  /** Default 5000. */
  readonly statusIntervalMs?: number;
  /** Receives problems that do not end the run (a purge that failed at close). Default `console.warn`. */
  readonly onWarning?: (message: string) => void;
  /**
   * Receives each run's back end as soon as it is ready, before its first batch: its run id,
   * hashes, chunk size and {@linkcode NatsBackend.status} (which stays readable after the tuner
   * closes it), e.g. to write checkpoints or count the workers that took part.
   */
  readonly onOpen?: (backend: NatsBackend) => void;
}

/** A snapshot of the coordinator's view. */
export interface NatsBackendStatus {
  readonly runId: string;
  /** The iteration being evaluated, or the last one. */
  readonly iteration: number;
  /** Workers whose last heartbeat is recent. */
  readonly workers: number;
  readonly workerIds: readonly string[];
  /** Chunks of the current iteration without a result. */
  readonly inFlight: number;
  /** Chunks each worker computed in this run (results used). */
  readonly chunksPerWorker: Readonly<Record<string, number>>;
  /** Chunks published again after the deadline. */
  readonly republished: number;
}

/** One run's NATS back end, made by the factory of {@linkcode natsBackend}. */
export interface NatsBackend extends EvaluationBackend {
  readonly runId: string;
  /** The hash of the run's config, which workers must have been started with. */
  readonly configHash: string;
  /** The hash of the run's evaluation setup (config, controller, seed, scenarios). */
  readonly setupHash: string;
  /** Particles per chunk: the option, or the default fixed at the first batch. */
  readonly chunkSize: number | undefined;
  /** The coordinator's view now. */
  status(): NatsBackendStatus;
}

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
 * A backend factory for `PSOTunerOptions.backend` that evaluates on remote workers through NATS
 * JetStream (docs/distributed.md). For each run (each `optimize()` call) it connects, makes sure
 * the chunk queue, the workers' consumer and the result bucket exist (setting the consumer's ack
 * wait and max deliveries), starts following heartbeats, worker reports, max-delivery advisories
 * and the run's results, and checks what remote workers need: the setup's hash (against
 * `expectedSetupHash` on a resume) and the SHA-256 of a custom controller or fitness module. The
 * tuner closes the back end when the run ends, which purges the run's chunks and results from the
 * server (unless `keepResults`) and closes the connection.
 *
 * @example Usage
 * ```ts ignore
 * import { natsBackend } from "./coordinator.ts";
 * import { PSOTuner } from "../optimizer/mod.ts";
 * const backend = natsBackend({ nats: { url: "nats://127.0.0.1:4222" } });
 * const result = await new PSOTuner({ controllerType: "sta_smc", backend }).optimize();
 * ```
 *
 * @param options See {@linkcode NatsBackendOptions}.
 * @returns The factory; each call makes one run's {@linkcode NatsBackend}.
 * @throws {DistributedError} (`code` "config") at once for bad options; the factory rejects with a
 * {@linkcode DistributedError} when the server cannot be reached ("server_lost"), a module cannot
 * be hashed or the setup is not the checkpoint's ("config"), or a fixed `runId` is asked to serve
 * a second run.
 */
export function natsBackend(options: NatsBackendOptions): (run: EvaluationRun) => Promise<NatsBackend> {
  const fixedRunId = options.runId === undefined ? undefined : checkRunId(options.runId);
  checkBackendOptions(options);
  let runs = 0;
  return async (run) => {
    if (fixedRunId !== undefined && runs > 0) {
      // Results are keyed by run, iteration and chunk: a second run under the same id could pick
      // up the first run's costs for the same positions.
      throw new DistributedError(
        "config",
        `runId: a NATS backend with a fixed run id (${fixedRunId}) serves one run, got a second; make another`,
      );
    }
    runs++;
    const runId = fixedRunId ?? newRunId();
    const prepared = await prepareRun(run, runId, options.expectedSetupHash);
    const nc = await connectNats(options.nats, { name: `dip-coordinator:${runId}` });
    try {
      const infra = await ensureInfrastructure(nc, {
        ackWaitMs: options.ackWaitMs ?? INFRASTRUCTURE_DEFAULTS.ackWaitMs,
        maxDeliver: options.maxDeliver ?? INFRASTRUCTURE_DEFAULTS.maxDeliver,
        duplicateWindowMs: options.duplicateWindowMs ?? INFRASTRUCTURE_DEFAULTS.duplicateWindowMs,
      }, true);
      const backend = new Coordinator(nc, infra, runId, options, run, prepared);
      await backend.start();
      options.onOpen?.(backend);
      return backend;
    } catch (error) {
      await nc.close();
      if (error instanceof DistributedError) throw error;
      throw new DistributedError(
        "server_lost",
        `cannot set up JetStream on ${redactUrl(options.nats.url)} (is it started with -js?): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
  };
}

function checkBackendOptions(options: NatsBackendOptions): void {
  for (
    const key of [
      "chunkSize",
      "ackWaitMs",
      "maxDeliver",
      "duplicateWindowMs",
      "chunkTimeoutMs",
      "noWorkerTimeoutMs",
      "serverTimeoutMs",
      "statusIntervalMs",
    ] as const
  ) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0 && (key !== "chunkSize" || Number.isInteger(v)))) {
      throw new DistributedError(
        "config",
        `${key}: must be a positive ${key === "chunkSize" ? "integer" : "number"}, got ${v}`,
      );
    }
  }
  if (
    options.maxRepublish !== undefined &&
    !(Number.isInteger(options.maxRepublish) && options.maxRepublish >= 0)
  ) {
    throw new DistributedError("config", `maxRepublish: must be an integer ≥ 0, got ${options.maxRepublish}`);
  }
}

/** What a run's chunks carry besides their particles, and the hashes they are checked by. */
interface PreparedRun {
  readonly configHash: string;
  readonly setupHash: string;
  readonly fitness?: ModuleRef;
  readonly controller?: ControllerRef;
}

/** Hashes the run's setup and modules before anything is sent; refuses another setup on a resume. */
async function prepareRun(
  run: EvaluationRun,
  runId: string,
  expectedSetupHash: string | undefined,
): Promise<PreparedRun> {
  const setup = run.setup;
  const hash = setupHash(setup);
  if (expectedSetupHash !== undefined && expectedSetupHash !== hash) {
    throw new DistributedError(
      "config",
      `run ${runId}: the checkpoint was written for setup ${expectedSetupHash.slice(0, 12)}, ` +
        `this run's setup is ${hash.slice(0, 12)} (another config, controller, seed or scenario count)`,
    );
  }
  const fitness = run.fitness
    ? await moduleRef(run.fitness.module, run.fitness.export, "fitness")
    : undefined;
  const src = run.controllerSource;
  const controller: ControllerRef | undefined = src
    ? {
      ...(await moduleRef(src.module, src.export, "controller")),
      gainNames: [...src.gainNames],
      defaultGains: [...src.defaultGains],
    }
    : undefined;
  return { configHash: configHash(setup.config), setupHash: hash, fitness, controller };
}

class Coordinator implements NatsBackend {
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

  get chunkSize(): number | undefined {
    return this.#chunkSize;
  }

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

  /**
   * Publishes chunks under their message id (`copy` false: a chunk already queued under it, by this
   * coordinator or by the one it resumes, is not stored twice), or as a new copy (`copy` true: the
   * original is stuck where no worker can get it, e.g. delivered to a connection that died).
   */
  async #publish(batch: Batch, chunks: readonly ChunkState[], copy: boolean): Promise<void> {
    const limit = this.#o.serverTimeoutMs ?? 10_000;
    const maxPayload = this.#nc.info?.max_payload;
    const big = chunks.find((c) => maxPayload !== undefined && c.data.length > maxPayload);
    if (big) {
      throw new DistributedError(
        "config",
        `run ${this.runId}: chunk ${big.index} is ${big.data.length} bytes, more than the server's max_payload ` +
          `(${maxPayload}); use a smaller chunkSize (--chunk-size), got ${big.count} particles per chunk`,
      );
    }
    await Promise.all(chunks.map(async (chunk) => {
      const started = performance.now();
      for (;;) {
        if (this.#batch !== batch) return;
        try {
          const ack = await this.#js.publish(chunk.subject, chunk.data, {
            msgID: copy ? `${chunk.msgId}:r${chunk.republishes}` : chunk.msgId,
            timeout: Math.min(5000, limit),
          });
          this.#seqToChunk.set(ack.seq, { iteration: batch.iteration, chunk: chunk.index });
          return;
        } catch (error) {
          if (performance.now() - started >= limit) {
            throw new DistributedError(
              "server_lost",
              `run ${this.runId}: cannot publish chunk ${chunk.index} of iteration ${batch.iteration} to ${
                redactUrl(this.#o.nats.url)
              } for ${(limit / 1000).toFixed(1)} s: ${(error as Error).message}`,
              { cause: error },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    }));
  }

  #tick(): void {
    const batch = this.#batch;
    if (!batch) return;
    const now = performance.now();
    const url = redactUrl(this.#o.nats.url);
    const serverLimit = this.#o.serverTimeoutMs ?? 10_000;
    if (this.#disconnectedSince !== undefined && now - this.#disconnectedSince > serverLimit) {
      return this.#fail(
        new DistributedError(
          "server_lost",
          `run ${this.runId}: lost the NATS server ${url} for more than ${
            (serverLimit / 1000).toFixed(1)
          } s ` +
            `during iteration ${batch.iteration} (${batch.pending.size} of ${batch.chunks.length} chunks missing)`,
        ),
      );
    }
    const live = this.#fleet.live();
    if (live.length > 0 || this.#disconnectedSince !== undefined) this.#noWorkerSince = now;
    const workerLimit = this.#o.noWorkerTimeoutMs ?? 30_000;
    if (now - this.#noWorkerSince > workerLimit) {
      return this.#fail(
        new DistributedError(
          "no_worker",
          `run ${this.runId}: no worker connected to ${url} for ${(workerLimit / 1000).toFixed(1)} s; ` +
            `iteration ${batch.iteration} waits for chunks ${[...batch.pending].join(", ")}. ` +
            `Start one with: deno task worker --nats ${url}`,
        ),
      );
    }
    this.#republishMissing(batch, live, now);
    if (this.#fatal) return;
    if (this.#o.onWaiting && now - batch.lastStatus >= (this.#o.statusIntervalMs ?? 5000)) {
      batch.lastStatus = now;
      this.#o.onWaiting(this.status());
    }
  }

  /** Publishes again what {@linkcode dueForRepublish} says is due, or fails the run. */
  #republishMissing(batch: Batch, live: readonly SeenWorker[], now: number): void {
    const maxRepublish = this.#o.maxRepublish ?? 3;
    const { copies, again, exhausted } = dueForRepublish(batch.chunks, batch.pending, live, now, {
      deadlineMs: this.#o.chunkTimeoutMs ?? 60_000,
      maxRepublish,
    });
    if (exhausted.length > 0) {
      return this.#fail(
        new DistributedError(
          "chunk_timeout",
          `run ${this.runId}: chunks ${
            exhausted.map((c) => c.index).join(", ")
          } of iteration ${batch.iteration} ` +
            `got no result after ${maxRepublish} copies while workers sat idle; ${
              this.#fleet.describe(exhausted)
            }`,
        ),
      );
    }
    for (const c of [...copies, ...again]) {
      c.publishedAt = now;
      c.orphanSince = undefined;
    }
    for (const c of copies) c.republishes++;
    this.#republished += copies.length + again.length;
    if (copies.length > 0) this.#startPublish(batch, copies, true);
    if (again.length > 0) this.#startPublish(batch, again, false);
  }

  #onMaxDeliveries(data: Uint8Array): void {
    let seq: unknown, deliveries: unknown;
    try {
      ({ stream_seq: seq, deliveries } = JSON.parse(new TextDecoder().decode(data)));
    } catch {
      return;
    }
    const where = this.#seqToChunk.get(seq as number);
    const batch = this.#batch;
    if (!where || !batch || where.iteration !== batch.iteration || !batch.pending.has(where.chunk)) return;
    const chunk = batch.chunks[where.chunk];
    this.#fail(
      new DistributedError(
        "chunk_failed",
        `run ${this.runId}: chunk ${where.chunk} of iteration ${where.iteration} was delivered ${deliveries} times ` +
          `(max deliveries) without a result; ${this.#fleet.describe([chunk])}`,
      ),
    );
  }

  #onResult(entry: KvWatchEntry): void {
    if (entry.operation !== "PUT") return;
    const parts = entry.key.split(".");
    if (parts.length !== 3 || parts[0] !== this.runId) return;
    const iteration = Number(parts[1]), chunk = Number(parts[2]);
    if (!Number.isSafeInteger(iteration) || !Number.isSafeInteger(chunk)) return;
    const batch = this.#batch;
    if (batch && iteration === batch.iteration) this.#accept(batch, chunk, entry.value);
    else if (iteration > this.#lastIteration) this.#early.set(entry.key, entry.value);
  }

  #accept(batch: Batch, index: number, data: Uint8Array): void {
    if (!batch.pending.has(index)) return; // a redelivered chunk's second, identical result
    const chunk = batch.chunks[index];
    let parsed;
    try {
      parsed = parseResult(data, {
        run: this.runId,
        iteration: batch.iteration,
        chunk: index,
        count: chunk.count,
        configHash: this.configHash!,
        positionsHash: chunk.positionsHash,
      });
    } catch (error) {
      return this.#fail(
        new DistributedError(
          "invalid_result",
          `run ${this.runId}: ${(error as Error).message}; the result was not used and the run stops`,
          { cause: error },
        ),
      );
    }
    if (!parsed.ok) {
      return this.#fail(
        new DistributedError(
          parsed.errorKind === "refused" ? "refused" : "chunk_failed",
          `run ${this.runId}: chunk ${index} of iteration ${batch.iteration} ${parsed.errorKind} on its last delivery by ${parsed.worker}: ` +
            `${parsed.error}; ${this.#fleet.describe([chunk])}`,
        ),
      );
    }
    batch.out.set(parsed.costs, chunk.start);
    if (parsed.failures > 0 || parsed.firstFailure !== undefined) {
      this.#run.reportFailures(parsed.failures, parsed.firstFailure);
    }
    this.#chunksPerWorker[parsed.worker] = (this.#chunksPerWorker[parsed.worker] ?? 0) + 1;
    batch.pending.delete(index);
    if (batch.pending.size === 0) batch.resolve();
  }
}

async function moduleRef(module: string, exportName: string, what: string): Promise<ModuleRef> {
  let sha256: string;
  try {
    sha256 = await moduleDigest(module);
  } catch (error) {
    throw new DistributedError(
      "config",
      `${what} module ${module}: must be a readable local file for remote workers, got: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  const path = toPath(module);
  return { sha256, export: exportName, name: path.slice(path.lastIndexOf("/") + 1) };
}
