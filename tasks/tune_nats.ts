/**
 * The tune task's NATS flags (docs/distributed.md, "Flags and environment"): their options-table
 * entries, which `TUNE_OPTIONS` includes, and how they are read into the options of one
 * controller's NATS run.
 *
 * @module
 */
import { DistributedError, type NatsTuningOptions, resolveNatsOptions } from "../distributed/mod.ts";
import { type CliOptions, type CliValues, intOption, UsageError } from "./cli.ts";

/** The NATS entries of the tune task's options table. */
export const NATS_TUNE_OPTIONS = {
  nats: {
    type: "string",
    arg: "<url>",
    description:
      "evaluate on remote workers (deno task worker) through this NATS server (docs/distributed.md)",
  },
  "nats-creds": { type: "string", arg: "<file>", description: "NATS credentials file (or DIP_NATS_CREDS)" },
  "nats-tls-ca": { type: "string", arg: "<file>", description: "TLS CA certificate (or DIP_NATS_TLS_CA)" },
  "nats-tls-cert": {
    type: "string",
    arg: "<file>",
    description: "TLS client certificate, with --nats-tls-key (or DIP_NATS_TLS_CERT)",
  },
  "nats-tls-key": { type: "string", arg: "<file>", description: "TLS client key (or DIP_NATS_TLS_KEY)" },
  checkpoint: {
    type: "string",
    arg: "<dir>",
    description: "with --nats: <controller>.json after every iteration (default out/checkpoints)",
  },
  resume: { type: "boolean", description: "with --nats: continue each controller from its checkpoint" },
  "chunk-size": {
    type: "string",
    arg: "<int>",
    description: "with --nats: particles per chunk (default: 2 chunks per connected Worker)",
  },
  "ack-wait-ms": {
    type: "string",
    arg: "<int>",
    description: "with --nats: redeliver a chunk whose worker shows no life for this long (default 30000)",
  },
  "max-deliver": {
    type: "string",
    arg: "<int>",
    description: "with --nats: deliveries before a chunk fails the run (default 5)",
  },
  "server-timeout-ms": {
    type: "string",
    arg: "<int>",
    description: "with --nats: how long the server may be unreachable (default 10000)",
  },
  "no-worker-timeout-ms": {
    type: "string",
    arg: "<int>",
    description: "with --nats: how long chunks may wait with no worker connected (default 30000)",
  },
} as const satisfies CliOptions;

/** Where checkpoints go without `--checkpoint`. */
export const DEFAULT_CHECKPOINT_DIR = "out/checkpoints";

/**
 * Reads the NATS flags: `undefined` without `--nats` (then any other NATS flag is refused, since it
 * would be silently ignored), else the options of each controller's NATS run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readNatsTuneOptions } from "./tune_nats.ts";
 * assert.equal(readNatsTuneOptions({}, {}), undefined);
 * assert.throws(() => readNatsTuneOptions({ resume: true }, {}), /--resume: needs --nats <url>/);
 * const options = readNatsTuneOptions({ nats: "nats://127.0.0.1:4222", "chunk-size": "4" }, {});
 * assert.equal(options?.chunkSize, 4);
 * assert.equal(options?.checkpointDir, "out/checkpoints");
 * ```
 *
 * @param values The parsed flags.
 * @param env The environment the creds and TLS files may come from (default `Deno.env`).
 * @returns The options, or `undefined` without `--nats`.
 * @throws {UsageError} Naming the flag: a NATS flag without `--nats`, a bad URL, one of
 * `--nats-tls-cert`/`--nats-tls-key` without the other, a bad integer.
 */
export function readNatsTuneOptions(
  values: CliValues<typeof NATS_TUNE_OPTIONS>,
  env?: Record<string, string | undefined>,
): NatsTuningOptions | undefined {
  if (values.nats === undefined) {
    const stray = Object.keys(NATS_TUNE_OPTIONS).find((flag) =>
      values[flag as keyof typeof NATS_TUNE_OPTIONS] !== undefined
    );
    if (stray !== undefined) throw new UsageError(`--${stray}: needs --nats <url>, got no --nats`);
    return undefined;
  }
  let nats;
  try {
    nats = resolveNatsOptions({
      url: values.nats,
      credsFile: values["nats-creds"],
      tlsCaFile: values["nats-tls-ca"],
      tlsCertFile: values["nats-tls-cert"],
      tlsKeyFile: values["nats-tls-key"],
    }, env);
  } catch (error) {
    if (error instanceof DistributedError) throw new UsageError(error.message);
    throw error;
  }
  return {
    nats,
    checkpointDir: values.checkpoint ?? DEFAULT_CHECKPOINT_DIR,
    resume: values.resume ?? false,
    chunkSize: intOption("chunk-size", values["chunk-size"], 1),
    ackWaitMs: intOption("ack-wait-ms", values["ack-wait-ms"], 100),
    maxDeliver: intOption("max-deliver", values["max-deliver"], 1),
    serverTimeoutMs: intOption("server-timeout-ms", values["server-timeout-ms"], 100),
    noWorkerTimeoutMs: intOption("no-worker-timeout-ms", values["no-worker-timeout-ms"], 100),
  };
}
