/**
 * The types a remote worker's modules share: its options as given and as made ready, its counters
 * and its handle. It imports none of the worker's own modules, so the worker, its loop, its options
 * and its setup cache can all import it without importing one another.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { NatsOptions } from "./connection.ts";

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

/** A module a worker may run, found by the SHA-256 of its bytes. */
export interface AllowedModule {
  /** Its `file:` URL. */
  readonly url: string;
  /** Its file name. */
  readonly name: string;
}

/** What {@linkcode resolveWorkerOptions} makes of {@linkcode RemoteWorkerOptions}. */
export interface ResolvedWorkerOptions {
  /** Local Workers. */
  readonly concurrency: number;
  /** Run setups kept at once. */
  readonly setupsKept: number;
  /** The configs it accepts, by config hash. */
  readonly configs: Map<string, Config>;
  /** The modules it may run, by SHA-256. */
  readonly modules: Map<string, AllowedModule>;
}
