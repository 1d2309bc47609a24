/**
 * Helpers of the distributed tests: the local cluster of distributed/ (a real nats-server on
 * 127.0.0.1 and `deno task worker` subprocesses), and the skip rule when nats-server is missing.
 *
 * @module
 */
import { NATS_SERVER } from "../../distributed/mod.ts";

export { startNatsServer, startWorkerProcess, type WorkerProcess } from "../../distributed/mod.ts";

/** Why the NATS tests are skipped, or `undefined` when they run. */
export const SKIP_REASON: string | undefined = NATS_SERVER === undefined
  ? "nats-server is not on PATH (apt-get install -y nats-server): the NATS tests are skipped"
  : undefined;

if (SKIP_REASON) console.log(`distributed tests: ${SKIP_REASON}`);
