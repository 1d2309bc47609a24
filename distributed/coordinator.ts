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
import type { EvaluationRun } from "../optimizer/mod.ts";
import { connectNats, ensureInfrastructure, INFRASTRUCTURE_DEFAULTS, redactUrl } from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { checkRunId, newRunId } from "./protocol.ts";
import { prepareRun } from "./run_prepare.ts";
import { CoordinatorRun } from "./coordinator_run.ts";
import type { NatsBackend, NatsBackendOptions } from "./coordinator_types.ts";

export type { NatsBackend, NatsBackendOptions, NatsBackendStatus } from "./coordinator_types.ts";

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
