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
import { ConfigError } from "../config/mod.ts";
import {
  DistributedError,
  type RemoteWorker,
  resolveNatsOptions,
  startRemoteWorker,
} from "../distributed/mod.ts";
import { type CliOptions, EXIT, formatOptions, intOption, parseCli, UsageError } from "./cli.ts";

/** The worker task's options: `parseArgs` reads this table and {@linkcode WORKER_USAGE} is made from it. */
export const WORKER_OPTIONS = {
  nats: {
    type: "string",
    arg: "<url>",
    description: "NATS server, e.g. nats://127.0.0.1:4222 (or DIP_NATS_URL)",
  },
  concurrency: {
    type: "string",
    arg: "<int>",
    description: "local Workers, chunks computed at once (default: number of cores)",
  },
  config: {
    type: "string",
    arg: "<path>",
    multiple: true,
    description: "accept chunks of runs with this config (repeatable; default config.yaml)",
  },
  "allow-module": {
    type: "string",
    arg: "<path>",
    multiple: true,
    description: "a custom controller or fitness module this worker may run (repeatable)",
  },
  "nats-creds": { type: "string", arg: "<file>", description: "NATS credentials file (or DIP_NATS_CREDS)" },
  "nats-tls-ca": { type: "string", arg: "<file>", description: "TLS CA certificate (or DIP_NATS_TLS_CA)" },
  "nats-tls-cert": {
    type: "string",
    arg: "<file>",
    description: "TLS client certificate (or DIP_NATS_TLS_CERT)",
  },
  "nats-tls-key": { type: "string", arg: "<file>", description: "TLS client key (or DIP_NATS_TLS_KEY)" },
  "heartbeat-ms": { type: "string", arg: "<int>", description: "heartbeat period (default 2000)" },
  verbose: { type: "boolean", description: "log every chunk" },
  help: { type: "boolean", short: "h", description: "this text" },
} as const satisfies CliOptions;

/** Usage text printed by `--help` and on bad arguments, generated from {@linkcode WORKER_OPTIONS}. */
export const WORKER_USAGE = `Usage: deno task worker --nats <url> [options]

${formatOptions(WORKER_OPTIONS)}`;

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
 * @returns The exit code ({@linkcode EXIT}): 0 stopped, 1 server unreachable, 2 bad arguments or
 * config.
 */
export async function main(args: string[], io: WorkerIO = defaultIO): Promise<number> {
  let worker: RemoteWorker;
  try {
    const values = parseCli(args, WORKER_OPTIONS);
    if (values.help) {
      io.stdout(WORKER_USAGE);
      return EXIT.ok;
    }
    const concurrency = intOption("concurrency", values.concurrency, 1);
    const heartbeatMs = intOption("heartbeat-ms", values["heartbeat-ms"], 10);
    const nats = resolveNatsOptions({
      url: values.nats,
      credsFile: values["nats-creds"],
      tlsCaFile: values["nats-tls-ca"],
      tlsCertFile: values["nats-tls-cert"],
      tlsKeyFile: values["nats-tls-key"],
    });
    worker = await startRemoteWorker({
      nats,
      concurrency,
      configs: values.config,
      allowModules: values["allow-module"],
      heartbeatMs,
      verbose: values.verbose,
      log: io.stdout,
    });
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof ConfigError ||
      (error instanceof DistributedError && error.code === "config")
    ) {
      io.stderr(`${error.message}\n\n${WORKER_USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof DistributedError) {
      io.stderr(error.message);
      return EXIT.failure;
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
  return EXIT.ok;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
