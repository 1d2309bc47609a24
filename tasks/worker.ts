/**
 * `deno task worker`: a remote worker for `deno task tune --nats` (docs/distributed.md). Pulls
 * chunks of particles from NATS JetStream, computes their costs on N local Workers with the
 * tuner's own code, writes the results back, and runs until Ctrl-C or SIGTERM (it finishes the
 * chunks in hand first).
 *
 * ```
 * deno task worker --nats nats://host:4222 [--concurrency N] [--config config.yaml]...
 *                  [--allow-module path]... [--nats-creds file] [--nats-tls-ca file]
 *                  [--nats-tls-cert file --nats-tls-key file] [--heartbeat-ms N] [--verbose]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../config/mod.ts";
import {
  DistributedError,
  type RemoteWorker,
  resolveNatsOptions,
  startRemoteWorker,
} from "../distributed/mod.ts";

/** Usage text printed on bad arguments. */
export const WORKER_USAGE = `Usage: deno task worker --nats <url> [options]

  --nats <url>            NATS server, e.g. nats://127.0.0.1:4222 (or DIP_NATS_URL)
  --concurrency <int>     local Workers, chunks computed at once (default: number of cores)
  --config <path>         accept chunks of runs with this config (repeatable; default config.yaml)
  --allow-module <path>   a custom controller or fitness module this worker may run (repeatable)
  --nats-creds <file>     NATS credentials file (or DIP_NATS_CREDS)
  --nats-tls-ca <file>    TLS CA certificate (or DIP_NATS_TLS_CA)
  --nats-tls-cert <file>  TLS client certificate (or DIP_NATS_TLS_CERT)
  --nats-tls-key <file>   TLS client key (or DIP_NATS_TLS_KEY)
  --heartbeat-ms <int>    heartbeat period (default 2000)
  --verbose               log every chunk
  -h, --help              this text`;

/** Where output goes and what stops the worker; tests replace it. */
export interface WorkerIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Aborting it stops the worker as SIGINT does. */
  readonly signal?: AbortSignal;
}

const defaultIO: WorkerIO = {
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
};

function intArg(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new DistributedError("config", `--${name}: must be an integer ≥ ${min}, got "${value}"`);
  }
  return n;
}

/**
 * Runs the worker task until a signal (or `io.signal`) stops it.
 *
 * @example Usage
 * ```ts ignore
 * const code = await main(["--nats", "nats://127.0.0.1:4222", "--concurrency", "2"]);
 * ```
 *
 * @param args Command-line arguments.
 * @param io Output sinks and a stop signal.
 * @returns The exit code: 0 stopped, 1 server unreachable, 2 bad arguments or config.
 */
export async function main(args: string[], io: WorkerIO = defaultIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        nats: { type: "string" },
        concurrency: { type: "string" },
        config: { type: "string", multiple: true },
        "allow-module": { type: "string", multiple: true },
        "nats-creds": { type: "string" },
        "nats-tls-ca": { type: "string" },
        "nats-tls-cert": { type: "string" },
        "nats-tls-key": { type: "string" },
        "heartbeat-ms": { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${WORKER_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(WORKER_USAGE);
    return 0;
  }
  let worker: RemoteWorker;
  try {
    const nats = resolveNatsOptions({
      url: values.nats,
      credsFile: values["nats-creds"],
      tlsCaFile: values["nats-tls-ca"],
      tlsCertFile: values["nats-tls-cert"],
      tlsKeyFile: values["nats-tls-key"],
    });
    worker = await startRemoteWorker({
      nats,
      concurrency: intArg("concurrency", values.concurrency, 1),
      configs: values.config,
      allowModules: values["allow-module"],
      heartbeatMs: intArg("heartbeat-ms", values["heartbeat-ms"], 10),
      verbose: values.verbose,
      log: io.stdout,
    });
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof DistributedError && error.code === "config")) {
      io.stderr(`${error.message}\n\n${WORKER_USAGE}`);
      return 2;
    }
    if (error instanceof DistributedError) {
      io.stderr(error.message);
      return 1;
    }
    throw error;
  }
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  const signals: Deno.Signal[] = [];
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(name, stop);
      signals.push(name);
    } catch { /* no such signal here (Windows has no SIGTERM): the other one still works */ }
  }
  io.signal?.addEventListener("abort", stop, { once: true });
  if (io.signal?.aborted) stop();
  try {
    await stopped.promise;
    await worker.stop();
  } finally {
    for (const name of signals) Deno.removeSignalListener(name, stop);
    io.signal?.removeEventListener("abort", stop);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
