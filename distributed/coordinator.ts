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
import type { EvaluationBackend, EvaluationRun } from "../optimizer/mod.ts";
import {
  connectNats,
  ensureInfrastructure,
  INFRASTRUCTURE_DEFAULTS,
  type NatsOptions,
  redactUrl,
} from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { checkRunId, newRunId } from "./protocol.ts";
import { prepareRun } from "./run_prepare.ts";
import { CoordinatorRun } from "./coordinator_run.ts";

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
      const backend = new CoordinatorRun(nc, infra, runId, options, run, prepared);
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
