/**
 * What `deno task tune --nats` adds to a controller's tuning (docs/distributed.md): the NATS back
 * end of its run, and the checkpoint file written after every completed iteration (the swarm's
 * JSON state plus the run id, the setup hash and the chunk size), from which `--resume` continues
 * the run with the same result. The flags themselves are the tune task's (tasks/tune.ts).
 *
 * @module
 */
import type { EvaluationBackendFactory, PSOState } from "../optimizer/mod.ts";
import type { NatsOptions } from "./connection.ts";
import { type NatsBackend, natsBackend, type NatsBackendStatus } from "./coordinator.ts";
import { DistributedError } from "./errors.ts";

/** Options of {@linkcode openNatsTuning}: what the tune task's NATS flags say. */
export interface NatsTuningOptions {
  /** Where the server is (`--nats`, `--nats-creds`, `--nats-tls-*`). */
  readonly nats: NatsOptions;
  /** The folder of the checkpoint files, one per controller (`--checkpoint`). */
  readonly checkpointDir: string;
  /** Continue each controller from its checkpoint when there is one (`--resume`). */
  readonly resume: boolean;
  /** Particles per chunk (`--chunk-size`); a resume must use the checkpoint's. */
  readonly chunkSize?: number;
  /** `--ack-wait-ms`. */
  readonly ackWaitMs?: number;
  /** `--max-deliver`. */
  readonly maxDeliver?: number;
  /** `--server-timeout-ms`. */
  readonly serverTimeoutMs?: number;
  /** `--no-worker-timeout-ms`. */
  readonly noWorkerTimeoutMs?: number;
}

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
  /** For `PSOTunerOptions.backend`: makes the run's back end (the tuner closes it). */
  readonly backend: EvaluationBackendFactory;
  /** The swarm state to resume from (with `--resume` and a checkpoint). */
  readonly resumeFrom?: PSOState;
  /** For `PSOTunerOptions.onCheckpoint`: writes the checkpoint file. */
  onCheckpoint(state: PSOState): Promise<void>;
  /** Where the checkpoint is. */
  readonly checkpointPath: string;
  /** Whether the file at `checkpointPath` belongs to this run: resumed from it, or written since. */
  hasCheckpoint(): boolean;
  /** A short progress suffix: the workers connected. */
  describe(): string;
  /** The workers whose results the run used, by id (empty before the back end opens). */
  workerIds(): readonly string[];
}

/**
 * The checkpoint file of one controller in a checkpoint folder.
 *
 * @example Usage
 * ```ts
 * import { checkpointPath } from "./tune_support.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkpointPath("out/checkpoints/", "sta_smc"), "out/checkpoints/sta_smc.json");
 * ```
 *
 * @param dir The folder (`--checkpoint`).
 * @param controllerType The canonical controller type.
 * @returns The file's path.
 */
export function checkpointPath(dir: string, controllerType: string): string {
  return `${dir.replace(/\/+$/, "")}/${controllerType}.json`;
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
 * Prepares the NATS run of one controller: reads its checkpoint with `resume` (the back end then
 * reuses the checkpoint's run id, so chunks already queued are deduplicated and results already
 * stored are used, and refuses another setup), and makes the back-end factory and the checkpoint
 * writer. Nothing connects yet: the tuner calls the factory when its run starts.
 *
 * @example Usage
 * ```ts
 * import { openNatsTuning } from "./tune_support.ts";
 * import assert from "node:assert/strict";
 * const run = await openNatsTuning(
 *   { nats: { url: "nats://127.0.0.1:4222" }, checkpointDir: "/nonexistent", resume: false },
 *   "sta_smc",
 *   () => {},
 * );
 * assert.equal(run.checkpointPath, "/nonexistent/sta_smc.json");
 * assert.equal(run.resumeFrom, undefined);
 * assert.deepEqual(run.workerIds(), []);
 * ```
 *
 * @param options The NATS flags' values.
 * @param controllerType The canonical controller type.
 * @param log Receives status lines (waiting chunks, resume notes, warnings).
 * @returns The run's parts.
 * @throws {DistributedError} (`code` "config") for a checkpoint that cannot be read or whose chunk
 * size is not `options.chunkSize`.
 */
export async function openNatsTuning(
  options: NatsTuningOptions,
  controllerType: string,
  log: (text: string) => void,
): Promise<NatsTuning> {
  const path = checkpointPath(options.checkpointDir, controllerType);
  const previous = options.resume ? await readCheckpoint(path) : undefined;
  if (options.resume) {
    log(
      previous
        ? `${controllerType}: resuming run ${previous.runId} after iteration ${previous.state.iteration} (${path})\n`
        : `${controllerType}: no checkpoint at ${path}: starting a new run\n`,
    );
  }
  if (previous && options.chunkSize !== undefined && options.chunkSize !== previous.chunkSize) {
    throw new DistributedError(
      "config",
      `--chunk-size: must match the checkpoint's (${previous.chunkSize}) to resume run ${previous.runId}, got ${options.chunkSize}`,
    );
  }
  let opened: NatsBackend | undefined;
  let written = false;
  const backend = natsBackend({
    nats: options.nats,
    ackWaitMs: options.ackWaitMs,
    maxDeliver: options.maxDeliver,
    serverTimeoutMs: options.serverTimeoutMs,
    noWorkerTimeoutMs: options.noWorkerTimeoutMs,
    chunkSize: options.chunkSize ?? previous?.chunkSize,
    runId: previous?.runId,
    expectedSetupHash: previous?.setupHash,
    onWaiting: (s: NatsBackendStatus) =>
      log(
        `${controllerType} waiting: iteration ${s.iteration}, ${s.inFlight} chunks in flight, ${s.workers} workers connected\n`,
      ),
    onWarning: (message: string) => log(`${message}\n`),
    onOpen: (b) => void (opened = b),
  });
  return {
    backend,
    resumeFrom: previous?.state,
    checkpointPath: path,
    async onCheckpoint(state) {
      // The tuner opens the back end before its first batch, and checkpoints follow batches.
      if (!opened) throw new Error("onCheckpoint(): the NATS back end has not been opened yet");
      const checkpoint: Checkpoint = {
        version: 1,
        runId: opened.runId,
        controllerType,
        setupHash: opened.setupHash,
        configHash: opened.configHash,
        chunkSize: opened.chunkSize!,
        savedAt: new Date().toISOString(),
        state,
      };
      await Deno.mkdir(options.checkpointDir, { recursive: true });
      // Write then rename: a crash mid-write leaves the previous checkpoint whole.
      const temp = `${path}.tmp`;
      await Deno.writeTextFile(temp, JSON.stringify(checkpoint));
      await Deno.rename(temp, path);
      written = true;
    },
    hasCheckpoint: () => written || previous !== undefined,
    describe() {
      const n = opened?.status().workers ?? 0;
      return ` · ${n} worker${n === 1 ? "" : "s"}`;
    },
    workerIds: () => Object.keys(opened?.status().chunksPerWorker ?? {}),
  };
}
