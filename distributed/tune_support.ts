/**
 * What `deno task tune --nats` adds to the tune task: its flags, the NATS back end of one
 * controller's run, and the checkpoint file written after every completed iteration (the swarm's
 * JSON state plus the run id), from which `--resume` continues the run with the same result.
 *
 * @module
 */
import type { PSOState } from "../optimizer/mod.ts";
import { resolveNatsOptions } from "./connection.ts";
import { createNatsBackend, type NatsBackend, type NatsBackendStatus } from "./coordinator.ts";
import { DistributedError } from "./errors.ts";

/** The tune task's NATS flags, in `node:util` `parseArgs` form. */
export const NATS_TUNE_FLAGS = {
  nats: { type: "string" },
  "nats-creds": { type: "string" },
  "nats-tls-ca": { type: "string" },
  "nats-tls-cert": { type: "string" },
  "nats-tls-key": { type: "string" },
  checkpoint: { type: "string" },
  resume: { type: "boolean" },
  "chunk-size": { type: "string" },
  "ack-wait-ms": { type: "string" },
  "max-deliver": { type: "string" },
  "server-timeout-ms": { type: "string" },
  "no-worker-timeout-ms": { type: "string" },
} as const;

/** The values of {@linkcode NATS_TUNE_FLAGS} as `parseArgs` returns them. */
export interface NatsTuneFlagValues {
  readonly nats?: string;
  readonly "nats-creds"?: string;
  readonly "nats-tls-ca"?: string;
  readonly "nats-tls-cert"?: string;
  readonly "nats-tls-key"?: string;
  readonly checkpoint?: string;
  readonly resume?: boolean;
  readonly "chunk-size"?: string;
  readonly "ack-wait-ms"?: string;
  readonly "max-deliver"?: string;
  readonly "server-timeout-ms"?: string;
  readonly "no-worker-timeout-ms"?: string;
}

/** Usage lines of the NATS flags. */
export const NATS_TUNE_USAGE = `
NATS scale-out (docs/distributed.md); remote workers: deno task worker --nats <url>
  --nats <url>                 evaluate on remote workers through this NATS server
  --nats-creds <file>          credentials file (or DIP_NATS_CREDS)
  --nats-tls-ca <file>         TLS CA (or DIP_NATS_TLS_CA); --nats-tls-cert/--nats-tls-key likewise
  --checkpoint <dir>           swarm state after every iteration (default out/checkpoints)
  --resume                     continue each controller from its checkpoint
  --chunk-size <int>           particles per chunk (default: 2 chunks per connected Worker)
  --ack-wait-ms <int>          redeliver a chunk whose worker shows no life for this long (30000)
  --max-deliver <int>          deliveries before a chunk fails the run (5)
  --server-timeout-ms <int>    how long the server may be unreachable (10000)
  --no-worker-timeout-ms <int> how long chunks may wait with no worker connected (30000)`;

/** A checkpoint file's content. */
export interface Checkpoint {
  readonly version: 1;
  readonly runId: string;
  readonly controllerType: string;
  readonly setupHash: string;
  readonly configHash: string;
  /** The run's chunk size: a resumed run cuts the same chunks. */
  readonly chunkSize: number;
  readonly savedAt: string;
  readonly state: PSOState;
}

/** One controller's NATS run, from {@linkcode openNatsTuning}. */
export interface NatsTuning {
  readonly backend: NatsBackend;
  /** The swarm state to resume from (with `--resume` and a checkpoint). */
  readonly resumeFrom?: PSOState;
  /** Writes the checkpoint file. */
  onCheckpoint(state: PSOState): Promise<void>;
  /** Where the checkpoint is. */
  readonly checkpointPath: string;
  /** A short progress suffix: workers connected. */
  describe(): string;
  close(): Promise<void>;
}

function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new DistributedError("config", `--${name}: must be an integer ≥ ${min}, got "${value}"`);
  }
  return n;
}

/**
 * Checks the NATS flags before any work starts; `false` when `--nats` is absent (then the other
 * NATS flags are refused, since they would be silently ignored).
 *
 * @example Usage
 * ```ts
 * import { checkNatsTuneFlags } from "./tune_support.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkNatsTuneFlags({}), false);
 * assert.throws(() => checkNatsTuneFlags({ resume: true }), /--resume: needs --nats/);
 * ```
 *
 * @param values The parsed flags.
 * @returns Whether the run uses NATS.
 * @throws {DistributedError} (`code` "config") naming the bad flag.
 */
export function checkNatsTuneFlags(values: NatsTuneFlagValues): boolean {
  if (values.nats === undefined) {
    const stray = Object.keys(NATS_TUNE_FLAGS).find((k) =>
      values[k as keyof NatsTuneFlagValues] !== undefined
    );
    if (stray) throw new DistributedError("config", `--${stray}: needs --nats <url>, got no --nats`);
    return false;
  }
  resolveFlags(values);
  return true;
}

function resolveFlags(values: NatsTuneFlagValues) {
  return {
    nats: resolveNatsOptions({
      url: values.nats,
      credsFile: values["nats-creds"],
      tlsCaFile: values["nats-tls-ca"],
      tlsCertFile: values["nats-tls-cert"],
      tlsKeyFile: values["nats-tls-key"],
    }),
    chunkSize: intFlag("chunk-size", values["chunk-size"], 1),
    ackWaitMs: intFlag("ack-wait-ms", values["ack-wait-ms"], 100),
    maxDeliver: intFlag("max-deliver", values["max-deliver"], 1),
    serverTimeoutMs: intFlag("server-timeout-ms", values["server-timeout-ms"], 100),
    noWorkerTimeoutMs: intFlag("no-worker-timeout-ms", values["no-worker-timeout-ms"], 100),
  };
}

/**
 * Reads a checkpoint file; `undefined` when there is none.
 *
 * @example Usage
 * ```ts
 * import { readCheckpoint } from "./tune_support.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await readCheckpoint("/nonexistent/sta_smc.json"), undefined);
 * ```
 *
 * @param path The file.
 * @returns The checkpoint.
 * @throws {DistributedError} (`code` "config") when the file is not a checkpoint.
 */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new DistributedError("config", `--resume: cannot read ${path}: ${(error as Error).message}`);
  }
  let c: Checkpoint;
  try {
    c = JSON.parse(text);
  } catch (error) {
    throw new DistributedError("config", `--resume: ${path} must be JSON, got ${(error as Error).message}`);
  }
  if (
    c?.version !== 1 || typeof c.runId !== "string" || typeof c.setupHash !== "string" ||
    !Number.isSafeInteger(c.chunkSize) || c.chunkSize < 1 || typeof c.state !== "object" || c.state === null
  ) {
    throw new DistributedError(
      "config",
      `--resume: ${path} must be a checkpoint (version 1, runId, setupHash, chunkSize, state)`,
    );
  }
  return c;
}

/**
 * Opens the NATS run of one controller: the back end (reusing the checkpoint's run id with
 * `--resume`, so republished chunks are deduplicated) and the checkpoint writer.
 *
 * @example Usage
 * ```ts ignore
 * const run = await openNatsTuning({ nats: "nats://127.0.0.1:4222" }, "sta_smc", (t) => console.error(t));
 * ```
 *
 * @param values The parsed flags (`--nats` given).
 * @param controllerType The canonical controller type.
 * @param log Receives status lines (waiting chunks, resume notes).
 * @returns The run's parts.
 */
export async function openNatsTuning(
  values: NatsTuneFlagValues,
  controllerType: string,
  log: (text: string) => void,
): Promise<NatsTuning> {
  const flags = resolveFlags(values);
  const dir = values.checkpoint ?? "out/checkpoints";
  const checkpointPath = `${dir.replace(/\/$/, "")}/${controllerType}.json`;
  const previous = values.resume ? await readCheckpoint(checkpointPath) : undefined;
  if (values.resume) {
    log(
      previous
        ? `${controllerType}: resuming run ${previous.runId} after iteration ${previous.state.iteration} (${checkpointPath})\n`
        : `${controllerType}: no checkpoint at ${checkpointPath}: starting a new run\n`,
    );
  }
  if (previous && flags.chunkSize !== undefined && flags.chunkSize !== previous.chunkSize) {
    throw new DistributedError(
      "config",
      `--chunk-size: must match the checkpoint's (${previous.chunkSize}) to resume run ${previous.runId}, got ${flags.chunkSize}`,
    );
  }
  const backend = await createNatsBackend({
    ...flags,
    chunkSize: flags.chunkSize ?? previous?.chunkSize,
    runId: previous?.runId,
    expectedSetupHash: previous?.setupHash,
    onWaiting: (s: NatsBackendStatus) =>
      log(
        `${controllerType} waiting: iteration ${s.iteration}, ${s.inFlight} chunks in flight, ${s.workers} workers connected\n`,
      ),
    onWarning: (message) => log(`${message}\n`),
  });
  await Deno.mkdir(dir, { recursive: true });
  return {
    backend,
    resumeFrom: previous?.state,
    checkpointPath,
    async onCheckpoint(state) {
      const checkpoint: Checkpoint = {
        version: 1,
        runId: backend.runId,
        controllerType,
        setupHash: backend.setupHash!,
        configHash: backend.configHash!,
        chunkSize: backend.chunkSize!,
        savedAt: new Date().toISOString(),
        state,
      };
      // Write then rename: a crash mid-write leaves the previous checkpoint whole.
      const temp = `${checkpointPath}.tmp`;
      await Deno.writeTextFile(temp, JSON.stringify(checkpoint));
      await Deno.rename(temp, checkpointPath);
    },
    describe() {
      const n = backend.status().workers;
      return ` · ${n} worker${n === 1 ? "" : "s"}`;
    },
    close: () => backend.close(),
  };
}
