/**
 * The types of the coordinator's NATS back end: its options, its status snapshot and the back end
 * itself. It imports none of the coordinator's own modules, so the factory and the run it makes
 * can both import it without importing each other.
 *
 * @module
 */
import type { EvaluationBackend } from "../optimizer/mod.ts";
import type { NatsOptions } from "./connection.ts";

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
