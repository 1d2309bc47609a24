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
import { jetstream } from "@nats-io/jetstream";
import { connectNats, ensureInfrastructure, INFRASTRUCTURE_DEFAULTS, redactUrl } from "./connection.ts";
import { DistributedError } from "./errors.ts";
import { CHUNK_STREAM, WORKER_CONSUMER } from "./protocol.ts";
import { REMOTE_SETUPS_KEPT, resolveWorkerOptions, workerIdentity } from "./worker_options.ts";
import { RemoteWorkerLoop } from "./worker_loop.ts";
import type { RemoteWorker, RemoteWorkerOptions } from "./remote_worker_types.ts";

export { REMOTE_SETUPS_KEPT };
export type { RemoteWorker, RemoteWorkerOptions, RemoteWorkerStats } from "./remote_worker_types.ts";

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
  const resolved = await resolveWorkerOptions(options);
  const { host, id } = workerIdentity();
  const nc = await connectNats(options.nats, { name: `dip-worker:${id}`, reconnectTimeWaitMs: 1000 });
  let worker: RemoteWorkerLoop;
  try {
    const infra = await ensureInfrastructure(nc, INFRASTRUCTURE_DEFAULTS, false);
    const consumer = await jetstream(nc).consumers.get(CHUNK_STREAM, WORKER_CONSUMER);
    worker = new RemoteWorkerLoop(id, host, nc, infra.results, consumer, resolved, options);
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
