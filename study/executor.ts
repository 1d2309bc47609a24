/**
 * Where a study's runs execute: on a pool of study Workers, or on the calling thread when no Worker
 * is asked for. Both run the same functions ({@linkcode runChunk}, {@linkcode recordRun}) and place
 * results by chunk index, never by arrival order (docs/study.md#determinism).
 *
 * @module
 */
import { maxRunsPerBatch, simulationSamples } from "../config/mod.ts";
import { WorkerPool } from "../workers/mod.ts";
import { type RecordedRun, recordRun, type RecordTask } from "./record.ts";
import { runChunk, type RunSetup, type RunSpec, SUMMARY_SIZE } from "./runs.ts";

/** Runs chunks of study runs; `close()` ends its Workers. */
export interface StudyExecutor extends AsyncDisposable {
  /**
   * Simulates `specs` in chunks and returns their packed summaries in spec order; `onChunk` hears
   * the number of runs of each chunk as it lands.
   */
  runs(setup: RunSetup, specs: readonly RunSpec[], onChunk?: (runs: number) => void): Promise<Float64Array>;
  /** One recorded run. */
  record(task: RecordTask): Promise<RecordedRun>;
  close(): Promise<void>;
}

/** Options of {@linkcode createStudyExecutor}. */
export interface StudyExecutorOptions {
  /** Workers; 0 runs everything on the calling thread. */
  readonly workers: number;
  /**
   * Runs per task (default 64: large enough to amortise a message, small enough to balance); fewer
   * when 64 runs of the configured length would exceed the batch limit (`CONFIG_LIMITS.maxBatchSamples`).
   */
  readonly chunkSize?: number;
  /** Aborting stops scheduling and rejects pending chunks with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Creates an executor for a study.
 *
 * @example On the calling thread
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { getDefaultGains } from "../factory/mod.ts";
 * import { createStudyExecutor } from "./executor.ts";
 * const config = loadConfig("config.yaml");
 * await using executor = createStudyExecutor({ workers: 0 });
 * const setup = { config, controllerType: "sta_smc", gains: getDefaultGains("sta_smc"), band: 0.02, finalWindow: 2 };
 * const packed = await executor.runs(setup, [{ x0: config.simulation.initial_state }]);
 * assert.equal(packed.length, 6);
 * ```
 *
 * @param options Worker count, chunk size, abort signal.
 * @returns The executor.
 */
export function createStudyExecutor(options: StudyExecutorOptions): StudyExecutor {
  const { workers, signal } = options;
  const requestedChunk = options.chunkSize ?? 64;
  if (!Number.isSafeInteger(workers) || workers < 0) {
    throw new RangeError(`workers: must be an integer >= 0, got ${workers}`);
  }
  if (!Number.isSafeInteger(requestedChunk) || requestedChunk < 1) {
    throw new RangeError(`chunkSize: must be an integer >= 1, got ${requestedChunk}`);
  }
  const pool = workers > 0
    ? new WorkerPool({ moduleUrl: new URL("./worker.ts", import.meta.url), size: workers, name: "study" })
    : undefined;

  async function runs(setup: RunSetup, specs: readonly RunSpec[], onChunk?: (runs: number) => void) {
    const out = new Float64Array(specs.length * SUMMARY_SIZE);
    // A chunk is one batch simulation: long runs get smaller chunks so that a chunk never holds more
    // than the batch limit (64 runs of 62 501 samples would not fit, and every chunk would fail).
    const { duration, dt } = setup.config.simulation;
    const chunkSize = Math.min(requestedChunk, maxRunsPerBatch(simulationSamples(duration, dt)));
    const starts: number[] = [];
    for (let s = 0; s < specs.length; s += chunkSize) starts.push(s);
    const place = (start: number, packed: Float64Array) => {
      out.set(packed, start * SUMMARY_SIZE);
      onChunk?.(packed.length / SUMMARY_SIZE);
    };
    if (!pool) {
      for (const start of starts) {
        signal?.throwIfAborted();
        place(start, runChunk(setup, specs.slice(start, start + chunkSize)));
        // Yield between chunks so a Ctrl-C handler (and progress output) can run.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      return out;
    }
    await Promise.all(starts.map(async (start) => {
      const task = { setup, specs: specs.slice(start, start + chunkSize) };
      place(start, await pool.run<Float64Array>("runs", task, { signal }));
    }));
    return out;
  }

  function record(task: RecordTask): Promise<RecordedRun> {
    signal?.throwIfAborted();
    return pool ? pool.run<RecordedRun>("record", task, { signal }) : Promise.resolve(recordRun(task));
  }

  const close = async () => {
    await pool?.close();
  };
  return { runs, record, close, [Symbol.asyncDispose]: close };
}
