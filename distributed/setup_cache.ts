/**
 * A remote worker's run setups: what a chunk needs to be computed with the worker's own code (or
 * why it is refused), kept least recently used first, and released from the local Workers beyond
 * the number kept.
 *
 * @module
 */
import { type Config, CONTROLLER_TYPES } from "../config/mod.ts";
import { canonicalControllerType, controllerRegistry, registerController } from "../factory/mod.ts";
import {
  type EvaluateTask,
  type EvaluationSetup,
  PoolClosedError,
  PSOTuner,
  type ReleaseTask,
  WorkerCrashedError,
  type WorkerPool,
} from "../optimizer/mod.ts";
import { DistributedError } from "./errors.ts";
import { setupHash } from "./hash.ts";
import type { ChunkMessage, ModuleRef } from "./protocol.ts";
import type { AllowedModule } from "./remote_worker_types.ts";

/** A run setup the worker holds, with the key its local Workers know its evaluator by. */
export interface HeldSetup {
  /** The evaluation setup, rebuilt by this worker. */
  readonly setup: EvaluationSetup;
  /** The `evaluate` tasks' key: fresh each time the setup is built, since a released key stays refused. */
  readonly key: string;
  /** Chunks being computed with it: a setup in use is never released. */
  inUse: number;
}

/** Everything to compute a chunk; the caller gives its setup back with {@linkcode SetupCache.done}. */
export interface PreparedChunk {
  /** The setup, counted as in use. */
  readonly held: HeldSetup;
  /** The allowed fitness module, when the chunk names one. */
  readonly fitness?: { module: string; export: string };
  /** The allowed controller module, when the chunk names one. */
  readonly controllerSource?: EvaluateTask["controllerSource"];
}

/** What a {@linkcode SetupCache} works with. */
export interface SetupCacheOptions {
  /** The local Workers, told to release the setups dropped. */
  readonly pool: WorkerPool;
  /** The configs the worker accepts, by config hash. */
  readonly configs: ReadonlyMap<string, Config>;
  /** The modules it may run, by SHA-256. */
  readonly modules: ReadonlyMap<string, AllowedModule>;
  /** Run setups kept at once. */
  readonly setupsKept: number;
  /** Logs a release that failed. */
  readonly log: (line: string) => void;
  /** The worker's id, for the log. */
  readonly workerId: string;
}

/**
 * A remote worker's run setups, by config, controller, seed and scenario count.
 *
 * @example Usage
 * ```ts ignore
 * import { SetupCache } from "./setup_cache.ts";
 * const setups = new SetupCache({ pool, configs, modules: new Map(), setupsKept: 8, log: console.log, workerId: "w1" });
 * const prepared = await setups.prepare(chunk); // throws a DistributedError "refused" for a chunk it cannot run
 * try {
 *   await pool.run("evaluate", { key: prepared.held.key, setup: prepared.held.setup, positions, count, dims });
 * } finally {
 *   setups.done(prepared.held);
 * }
 * ```
 */
export class SetupCache {
  readonly #o: SetupCacheOptions;
  readonly #configHashes: readonly string[];
  /** Least recently used first (a Map keeps insertion order; a use moves the entry to the end). */
  readonly #setups = new Map<string, HeldSetup>();
  readonly #releasing = new Set<Promise<void>>();
  readonly #registering = new Map<string, Promise<unknown>>();
  #generation = 0;

  /** @param options See {@linkcode SetupCacheOptions}. */
  constructor(options: SetupCacheOptions) {
    this.#o = options;
    this.#configHashes = [...options.configs.keys()];
  }

  /** Setups held now. */
  get size(): number {
    return this.#setups.size;
  }

  /** Releases still being sent to the local Workers. */
  get releasing(): readonly Promise<void>[] {
    return [...this.#releasing];
  }

  /**
   * Everything to compute a chunk with this worker's own code, its setup counted as in use.
   *
   * @throws {DistributedError} (`code` "refused") saying why the worker will not run the chunk.
   */
  async prepare(chunk: ChunkMessage): Promise<PreparedChunk> {
    const refuse = (message: string) => new DistributedError("refused", message);
    const config = this.#o.configs.get(chunk.configHash);
    if (!config) {
      throw refuse(
        `config hash ${chunk.configHash.slice(0, 12)} is not one this worker was started with (${
          this.#configHashes.map((h) => h.slice(0, 12)).join(", ")
        }); start it with --config <the run's config file>`,
      );
    }
    const allowed = (ref: ModuleRef, what: string) => {
      const local = this.#o.modules.get(ref.sha256);
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
    let controllerSource: PreparedChunk["controllerSource"];
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

  /** Gives back a setup {@linkcode SetupCache.prepare} counted as in use, releasing what is beyond the number kept. */
  done(held: HeldSetup): void {
    held.inUse--;
    this.#releaseUnused();
  }

  /**
   * Drops the least recently used setups beyond `setupsKept` that no chunk is using, and tells the
   * local Workers to free their evaluators (which also makes them refuse that key from then on).
   */
  #releaseUnused(): void {
    const kept = this.#o.setupsKept;
    for (const [key, held] of this.#setups) {
      if (this.#setups.size <= kept) break;
      if (held.inUse > 0) continue;
      this.#setups.delete(key);
      const release: ReleaseTask = { key: held.key };
      const work = this.#o.pool.broadcast("release", release).then(
        () => {},
        (error) => {
          // A closed pool or a crashed Worker has nothing left to free.
          if (!(error instanceof PoolClosedError || error instanceof WorkerCrashedError)) {
            this.#o.log(
              `worker ${this.#o.workerId}: could not release setup ${held.key}: ${describe(error)}`,
            );
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
