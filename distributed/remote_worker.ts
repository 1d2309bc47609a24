/**
 * The remote worker: pulls chunks from the JetStream work queue, computes them on a local pool of
 * Workers running the tuner's own Worker module (so a cost is computed by the same code as on the
 * coordinator's machine), writes each result to the result bucket under `run.iteration.chunk`, and
 * only then acks. A worker that dies before the ack gets its chunk redelivered to another; writing
 * the same result twice is harmless.
 *
 * It runs only code it already has: the built-in controllers, and the custom controller and fitness
 * modules it was started with, matched by the SHA-256 of their bytes. A chunk that names another
 * module, or a config it was not started with, or a setup its own code would not rebuild bit for
 * bit, is refused and reported, never imported (docs/distributed.md, "Security model").
 *
 * @module
 */
import { hostname } from "node:os";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { type Consumer, jetstream, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { type Config, CONTROLLER_TYPES, loadConfig } from "../config/mod.ts";
import { canonicalControllerType, controllerRegistry, registerController } from "../factory/mod.ts";
import {
  type EvaluateResult,
  type EvaluateTask,
  type EvaluationSetup,
  PoolClosedError,
  PSOTuner,
  type ReleaseTask,
  TUNER_WORKER_URL,
  WorkerCrashedError,
  WorkerPool,
} from "../optimizer/mod.ts";
import {
  connectNats,
  ensureInfrastructure,
  INFRASTRUCTURE_DEFAULTS,
  type NatsOptions,
  redactUrl,
} from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { configHash, moduleDigest, setupHash, toPath } from "./hash.ts";
import {
  CHUNK_STREAM,
  type ChunkMessage,
  chunkMsgId,
  encodeCosts,
  eventSubject,
  type Heartbeat,
  HEARTBEAT_SUBJECT,
  type ModuleRef,
  parseChunk,
  PING_SUBJECT,
  PROTOCOL_VERSION,
  resultKey,
  type ResultMessage,
  WORKER_CONSUMER,
  type WorkerEvent,
} from "./protocol.ts";

/** Options of {@linkcode startRemoteWorker}. */
export interface RemoteWorkerOptions {
  /** Where the server is. */
  readonly nats: NatsOptions;
  /** Local Workers, i.e. chunks computed at once. Default `navigator.hardwareConcurrency`. */
  readonly concurrency?: number;
  /** Custom controller and fitness module files this worker may run (matched by content). */
  readonly allowModules?: readonly string[];
  /** The configs it accepts chunks for: files (loaded as `deno task tune` loads them) or configs. Default `["config.yaml"]`. */
  readonly configs?: readonly (string | Config)[];
  /** Heartbeat period, ms. Default 2000. */
  readonly heartbeatMs?: number;
  /** How long one pull waits for a chunk, ms. Default 2000. */
  readonly pullExpiresMs?: number;
  /** Receives log lines. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Log every chunk taken and done. */
  readonly verbose?: boolean;
  /**
   * Run setups kept at once, each with an evaluator in every local Worker; beyond that the least
   * recently used one not in use is released. Default {@linkcode REMOTE_SETUPS_KEPT}.
   */
  readonly setupsKept?: number;
}

/**
 * How many run setups a remote worker keeps by default. Each holds an evaluator (≈ 0.6 MB at 10
 * scenarios of 1000 steps) in every local Worker; a long-lived worker serving runs of many seeds,
 * controllers or configs would otherwise grow without end. A run's chunks arrive together, so a
 * small number covers every run going on at once.
 */
export const REMOTE_SETUPS_KEPT = 8;

/** Counters of a remote worker. */
export interface RemoteWorkerStats {
  /** Chunks computed, stored and acked. */
  readonly completed: number;
  /** Chunks refused (malformed, unknown config, module not allowed, other setup). */
  readonly refused: number;
  /** Chunks whose computation failed. */
  readonly failed: number;
  /** Chunks being computed now. */
  readonly busy: number;
  /** Run setups held now (at most `setupsKept`, unless more are in use at once). */
  readonly setups: number;
}

/** A running remote worker. */
export interface RemoteWorker {
  /** Its id in heartbeats, results and reports: `host:pid:suffix`. */
  readonly id: string;
  /** Config hashes it accepts. */
  readonly configHashes: readonly string[];
  stats(): RemoteWorkerStats;
  /** Finishes the chunks in hand (they are stored and acked), then disconnects and stops its Workers. */
  stop(): Promise<void>;
}

/** A run setup the worker holds, with the key its local Workers know its evaluator by. */
interface HeldSetup {
  readonly setup: EvaluationSetup;
  /** The `evaluate` tasks' key: fresh each time the setup is built, since a released key stays refused. */
  readonly key: string;
  /** Chunks being computed with it: a setup in use is never released. */
  inUse: number;
}

interface Prepared {
  readonly held: HeldSetup;
  readonly fitness?: { module: string; export: string };
  readonly controllerSource?: EvaluateTask["controllerSource"];
}

/**
 * Connects, makes sure the shared JetStream objects exist (without changing their settings) and
 * starts pulling chunks, `concurrency` at a time.
 *
 * @example Usage
 * ```ts ignore
 * import { startRemoteWorker } from "./remote_worker.ts";
 * const worker = await startRemoteWorker({ nats: { url: "nats://127.0.0.1:4222" }, concurrency: 2 });
 * Deno.addSignalListener("SIGINT", () => worker.stop());
 * ```
 *
 * @param options See {@linkcode RemoteWorkerOptions}.
 * @returns The worker.
 * @throws {DistributedError} When the server cannot be reached, a config cannot be loaded or an
 * allowed module cannot be read.
 */
export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const concurrency = options.concurrency ?? navigator.hardwareConcurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DistributedError("config", `--concurrency: must be an integer ≥ 1, got ${concurrency}`);
  }
  const kept = options.setupsKept ?? REMOTE_SETUPS_KEPT;
  if (!Number.isInteger(kept) || kept < 1) {
    throw new DistributedError("config", `setupsKept: must be an integer ≥ 1, got ${kept}`);
  }
  const configs = new Map<string, Config>();
  for (const source of options.configs ?? ["config.yaml"]) {
    const config = typeof source === "string" ? loadConfig(source) : source;
    configs.set(configHash(config), config);
  }
  const modules = new Map<string, { url: string; name: string }>();
  for (const file of options.allowModules ?? []) {
    let path: string, sha: string;
    try {
      path = resolve(toPath(file));
      sha = await moduleDigest(path);
    } catch (error) {
      throw new DistributedError(
        "config",
        `--allow-module ${file}: cannot read it: ${(error as Error).message}`,
      );
    }
    modules.set(sha, { url: pathToFileURL(path).href, name: path.slice(path.lastIndexOf("/") + 1) });
  }
  let host = "host";
  try {
    host = hostname();
  } catch { /* no --allow-sys: the pid and suffix still make the id unique */ }
  const id = `${host}:${Deno.pid}:${crypto.randomUUID().slice(0, 4)}`;
  const nc = await connectNats(options.nats, { name: `dip-worker:${id}`, reconnectTimeWaitMs: 1000 });
  let worker: Worker_;
  try {
    const infra = await ensureInfrastructure(nc, INFRASTRUCTURE_DEFAULTS, false);
    const consumer = await jetstream(nc).consumers.get(CHUNK_STREAM, WORKER_CONSUMER);
    worker = new Worker_(id, host, nc, infra.results, consumer, concurrency, configs, modules, options);
  } catch (error) {
    await nc.close();
    throw new DistributedError(
      "server_lost",
      `cannot set up JetStream on ${redactUrl(options.nats.url)} (is it started with -js?): ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  worker.start();
  return worker;
}

// Named with an underscore: `Worker` is the Web Worker global.
class Worker_ implements RemoteWorker {
  readonly id: string;
  readonly configHashes: readonly string[];
  readonly #host: string;
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  #consumer: Consumer;
  readonly #concurrency: number;
  readonly #configs: Map<string, Config>;
  readonly #modules: Map<string, { url: string; name: string }>;
  readonly #o: RemoteWorkerOptions;
  readonly #pool: WorkerPool;
  readonly #busy = new Set<string>();
  readonly #handling = new Set<Promise<void>>();
  /** Least recently used first (a Map keeps insertion order; a use moves the entry to the end). */
  readonly #setups = new Map<string, HeldSetup>();
  readonly #releasing = new Set<Promise<void>>();
  #generation = 0;
  readonly #registering = new Map<string, Promise<unknown>>();
  readonly #log: (line: string) => void;
  #slots: Promise<void>[] = [];
  #ping: Subscription | undefined;
  #pingLoop: Promise<void> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #completed = 0;
  #refused = 0;
  #failed = 0;
  #pullTrouble = false;

  constructor(
    id: string,
    host: string,
    nc: NatsConnection,
    kv: KV,
    consumer: Consumer,
    concurrency: number,
    configs: Map<string, Config>,
    modules: Map<string, { url: string; name: string }>,
    options: RemoteWorkerOptions,
  ) {
    this.id = id;
    this.#host = host;
    this.#nc = nc;
    this.#kv = kv;
    this.#consumer = consumer;
    this.#concurrency = concurrency;
    this.#configs = configs;
    this.configHashes = [...configs.keys()];
    this.#modules = modules;
    this.#o = options;
    this.#log = options.log ?? ((line) => console.log(line));
    this.#pool = new WorkerPool({
      moduleUrl: TUNER_WORKER_URL,
      size: concurrency,
      name: `remote-worker:${id}`,
    });
  }

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
    const modules = [...this.#modules.values()].map((m) => m.name);
    this.#log(
      `worker ${this.id} ready on ${redactUrl(this.#o.nats.url)}: ${this.#concurrency} Workers, configs ${
        this.configHashes.map((h) => h.slice(0, 12)).join(", ")
      }, modules ${modules.length > 0 ? modules.join(", ") : "none (built-in controllers only)"}`,
    );
  }

  stats(): RemoteWorkerStats {
    return {
      completed: this.#completed,
      refused: this.#refused,
      failed: this.#failed,
      busy: this.#busy.size,
      setups: this.#setups.size,
    };
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      clearInterval(this.#heartbeat);
      await Promise.allSettled([...this.#handling]);
      this.#sendHeartbeat(true);
      this.#ping?.unsubscribe();
      // Closing ends the slots' pending pulls at once instead of at their expiry.
      await this.#nc.close();
      await Promise.allSettled([...this.#slots, this.#pingLoop, ...this.#releasing]);
      await this.#pool.close();
      this.#log(
        `worker ${this.id} stopped: ${this.#completed} chunks done, ${this.#refused} refused, ${this.#failed} failed`,
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
      busy: [...this.#busy],
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
      const work = this.#handle(m, computed.resolve).finally(() => {
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

  async #handle(m: JsMsg, computed: () => void): Promise<void> {
    const delivery = m.info.deliveryCount;
    let chunk: ChunkMessage, positions: Float64Array;
    try {
      ({ chunk, positions } = parseChunk(m.data));
    } catch (error) {
      this.#refused++;
      this.#log(
        `worker ${this.id}: refused a malformed message on ${m.subject}: ${(error as Error).message}`,
      );
      m.term(); // redelivering a malformed message cannot help
      return;
    }
    const id = chunkMsgId(chunk.run, chunk.iteration, chunk.chunk);
    const last = delivery >= chunk.maxDeliver;
    this.#busy.add(id);
    if (this.#o.verbose) this.#log(`worker ${this.id}: taking chunk ${id} (delivery ${delivery})`);
    // Tell the server the chunk is alive well before its ack wait ends, however long it takes.
    const keepAlive = setInterval(() => m.working(), Math.max(50, Math.floor(chunk.ackWaitMs / 3)));
    const started = performance.now();
    try {
      let prepared: Prepared;
      try {
        prepared = await this.#prepare(chunk);
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
        evaluated = await this.#pool.run<EvaluateResult>("evaluate", task, {
          transfer: [positions.buffer as ArrayBuffer],
        });
      } catch (error) {
        return await this.#reject(m, chunk, "failed", describe(error), last);
      } finally {
        prepared.held.inUse--;
        computed();
        this.#releaseUnused();
      }
      const result: ResultMessage = {
        v: PROTOCOL_VERSION,
        run: chunk.run,
        iteration: chunk.iteration,
        chunk: chunk.chunk,
        configHash: chunk.configHash,
        positionsHash: chunk.positionsHash,
        worker: this.id,
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
      this.#completed++;
      if (this.#o.verbose) {
        this.#log(`worker ${this.id}: done chunk ${id} in ${result.elapsedMs.toFixed(0)} ms`);
      }
    } finally {
      clearInterval(keepAlive);
      this.#busy.delete(id);
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
        await this.#kv.put(key, value);
        if (attempt > 0) {
          this.#log(`worker ${this.id}: stored the result of chunk ${id} after ${attempt} retries`);
        }
        return true;
      } catch (error) {
        if (this.#nc.isClosed() || performance.now() > until) {
          this.#log(
            `worker ${this.id}: could not store the result of chunk ${id} (${
              (error as Error).message
            }); it will be redelivered`,
          );
          return false;
        }
        if (attempt === 0) {
          this.#log(
            `worker ${this.id}: cannot store the result of chunk ${id} yet (${
              (error as Error).message
            }); retrying`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  async #reject(m: JsMsg, chunk: ChunkMessage, kind: "refused" | "failed", message: string, last: boolean) {
    if (kind === "refused") this.#refused++;
    else this.#failed++;
    const id = chunkMsgId(chunk.run, chunk.iteration, chunk.chunk);
    const delivery = m.info.deliveryCount;
    this.#log(
      `worker ${this.id}: ${kind} chunk ${id} (delivery ${delivery} of ${chunk.maxDeliver}): ${message}`,
    );
    const event: WorkerEvent = {
      v: PROTOCOL_VERSION,
      kind,
      worker: this.id,
      run: chunk.run,
      iteration: chunk.iteration,
      chunk: chunk.chunk,
      delivery,
      message,
    };
    this.#nc.publish(eventSubject(chunk.run), JSON.stringify(event));
    if (!last) {
      // Another worker (with the right config or modules) may take it; the delay spares a busy loop.
      m.nak(kind === "refused" ? 100 : 250);
      return;
    }
    const record: ResultMessage = {
      v: PROTOCOL_VERSION,
      run: chunk.run,
      iteration: chunk.iteration,
      chunk: chunk.chunk,
      configHash: chunk.configHash,
      positionsHash: chunk.positionsHash,
      worker: this.id,
      failures: 0,
      error: message,
      errorKind: kind,
      elapsedMs: 0,
    };
    try {
      await this.#kv.put(resultKey(chunk.run, chunk.iteration, chunk.chunk), JSON.stringify(record));
      m.term(); // the record tells the coordinator; the chunk leaves the queue
    } catch (error) {
      this.#log(
        `worker ${this.id}: could not record the failure of chunk ${id}: ${(error as Error).message}`,
      );
      m.nak();
    }
  }

  /** Everything to compute a chunk with this worker's own code, or a refusal saying why not. */
  async #prepare(chunk: ChunkMessage): Promise<Prepared> {
    const refuse = (message: string) => new DistributedError("refused", message);
    const config = this.#configs.get(chunk.configHash);
    if (!config) {
      throw refuse(
        `config hash ${chunk.configHash.slice(0, 12)} is not one this worker was started with (${
          this.configHashes.map((h) => h.slice(0, 12)).join(", ")
        }); start it with --config <the run's config file>`,
      );
    }
    const allowed = (ref: ModuleRef, what: string) => {
      const local = this.#modules.get(ref.sha256);
      if (!local) {
        throw refuse(
          `${what} module ${ref.name} (sha256 ${ref.sha256.slice(0, 12)}) is not allowed on this worker; ` +
            `start it with --allow-module <path to ${ref.name}>`,
        );
      }
      return local.url;
    };
    const fitness = chunk.fitness
      ? { module: allowed(chunk.fitness, "fitness"), export: chunk.fitness.export }
      : undefined;
    let controllerSource: Prepared["controllerSource"];
    if (chunk.controller) {
      const module = allowed(chunk.controller, "controller");
      controllerSource = {
        module,
        export: chunk.controller.export,
        gainNames: chunk.controller.gainNames,
        defaultGains: chunk.controller.defaultGains,
      };
      // One registration per type, even when several slots meet the type at once.
      let registering = this.#registering.get(chunk.controllerType);
      if (!registering && !controllerRegistry.snapshot().get(chunk.controllerType)) {
        registering = registerController({ type: chunk.controllerType, ...controllerSource });
        this.#registering.set(chunk.controllerType, registering);
      }
      try {
        await registering;
      } catch (error) {
        this.#registering.delete(chunk.controllerType);
        throw error;
      }
      const known = controllerRegistry.snapshot().get(chunk.controllerType)!;
      if (known.source.module !== module || known.source.export !== controllerSource.export) {
        throw refuse(
          `controller type ${chunk.controllerType} is already registered here from another module`,
        );
      }
    } else {
      let type: string;
      try {
        type = canonicalControllerType(chunk.controllerType);
      } catch (error) {
        throw refuse((error as Error).message);
      }
      if (!(CONTROLLER_TYPES as readonly string[]).includes(type)) {
        throw refuse(
          `controller type ${chunk.controllerType} is not built in and the chunk names no module for it`,
        );
      }
    }
    const key = `${chunk.configHash}|${chunk.controllerType}|${chunk.seed}|${chunk.scenarioCount}`;
    let held = this.#setups.get(key);
    if (held) {
      this.#setups.delete(key); // moved to the end: the most recently used
    } else {
      const setup = new PSOTuner({
        controllerType: chunk.controllerType,
        config,
        seed: chunk.seed,
        scenarios: chunk.scenarioCount,
        numWorkers: 0,
      }).setup;
      const hash = setupHash(setup);
      if (hash !== chunk.setupHash) {
        throw refuse(
          `this worker builds setup ${hash.slice(0, 12)} for this config and seed, the chunk wants ${
            chunk.setupHash.slice(0, 12)
          } (another version of the code?)`,
        );
      }
      held = { setup, key: `${chunk.setupHash}:${++this.#generation}`, inUse: 0 };
    }
    held.inUse++;
    this.#setups.set(key, held);
    this.#releaseUnused();
    return { held, fitness, controllerSource };
  }

  /**
   * Drops the least recently used setups beyond `setupsKept` that no chunk is using, and tells the
   * local Workers to free their evaluators (which also makes them refuse that key from then on).
   */
  #releaseUnused(): void {
    const kept = this.#o.setupsKept ?? REMOTE_SETUPS_KEPT;
    for (const [key, held] of this.#setups) {
      if (this.#setups.size <= kept) break;
      if (held.inUse > 0) continue;
      this.#setups.delete(key);
      const release: ReleaseTask = { key: held.key };
      const work = this.#pool.broadcast("release", release).then(
        () => {},
        (error) => {
          // A closed pool or a crashed Worker has nothing left to free.
          if (!(error instanceof PoolClosedError || error instanceof WorkerCrashedError)) {
            this.#log(`worker ${this.id}: could not release setup ${held.key}: ${describe(error)}`);
          }
        },
      );
      this.#releasing.add(work);
      work.finally(() => this.#releasing.delete(work));
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
