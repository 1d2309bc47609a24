/**
 * Where {@linkcode PSOTuner} sends its batches of particles: the {@linkcode EvaluationBackend}
 * interface, and its default, {@linkcode workerPoolBackend}, which fans each batch out to a pool of
 * local Workers running `tuner_worker.ts`.
 *
 * A backend is made per `optimize()` call, from an {@linkcode EvaluationRun} (what to evaluate and
 * the run's key), by the factory in `PSOTunerOptions.backend`. Another transport (a message bus to
 * Workers on other machines) is another factory: it must return the costs in input order and compute
 * each particle as the `evaluate` task of `tuner_tasks.ts` does, and the run stays bit-identical.
 *
 * @module
 */
import type { EvaluationSetup } from "./evaluate.ts";
import type { FitnessReference } from "./fitness.ts";
import type { ControllerSourceTask, EvaluateResult, EvaluateTask, ReleaseTask } from "./tuner_tasks.ts";
import {
  PoolClosedError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerLoadError,
  WorkerPool,
  WorkerTaskError,
} from "../workers/mod.ts";

/**
 * Evaluates the batches of one `optimize()` call.
 *
 * The tuner calls `evaluate` once per iteration (one call at a time) and `close` exactly once when
 * the run ends, whether it finished, was aborted (an abandoned `evaluate` may still be pending) or
 * failed.
 */
export interface EvaluationBackend {
  /**
   * Resolves with the costs of the `count` particles stored row-major in `positions`
   * (`count × dims`), in the same order. `positions` is the caller's to give away. A rejection is an
   * infrastructure failure and rejects the run; a particle's own failure is a NaN cost (the engine
   * gives it the penalty) counted through {@linkcode EvaluationRun.reportFailures}.
   *
   * `iteration` counts the swarm's completed iterations before this batch (0 for the initial swarm;
   * a resumed run goes on from its checkpoint's count). The tuner always passes it; a backend whose
   * batches outlive the process (a message queue) names them by it, so a resumed run finds the
   * results of the interrupted one. The Worker pool ignores it.
   */
  evaluate(positions: Float64Array, count: number, dims: number, iteration?: number): Promise<Float64Array>;
  /**
   * Frees what the run holds: Workers it started, what shared Workers built for the run. Should not
   * reject for resources that are already gone (a closed pool, a crashed Worker).
   */
  close(): Promise<void>;
}

/** What a backend factory is told about the run it serves. */
export interface EvaluationRun {
  /** Unique per `optimize()` call; Workers key their per-run state (the evaluator) on it. */
  readonly key: string;
  /** The evaluation setup (config, canonical controller type, scenarios, infeasible penalty). */
  readonly setup: EvaluationSetup;
  /** Where to import the controller from, when it is a custom (non-built-in) type. */
  readonly controllerSource?: ControllerSourceTask;
  /** A custom fitness to evaluate instead of the control cost. */
  readonly fitness?: FitnessReference;
  /** The swarm size (the largest batch). */
  readonly numParticles: number;
  /** The PSO seed, which the scenarios in `setup` were drawn from (a remote worker redraws them). */
  readonly seed: number;
  /** Adds `count` particles whose custom fitness threw, and the first failure's description. */
  reportFailures(count: number, first?: string): void;
}

/** Makes the backend of one run; `PSOTunerOptions.backend` takes one. */
export type EvaluationBackendFactory = (
  run: EvaluationRun,
) => EvaluationBackend | Promise<EvaluationBackend>;

/** Options of {@linkcode workerPoolBackend}. */
export interface WorkerPoolBackendOptions {
  /**
   * A pool running `tuner_worker.ts` (or a module serving its tasks) to reuse; it is left open, and
   * each run sends `release` to its Workers at the end. Without it each run starts its own pool and
   * closes it at the end.
   */
  readonly pool?: WorkerPool;
  /** Workers of the run's own pool (without `pool`), an integer ≥ 1. */
  readonly size?: number;
  /** Particles per task; default spreads each batch over about 4 tasks per Worker. */
  readonly chunkSize?: number;
  /** Names the run's own pool in errors. */
  readonly name?: string;
}

/** URL of the Worker module the tuner's pool runs. */
export const TUNER_WORKER_URL: string = new URL("./tuner_worker.ts", import.meta.url).href;

/**
 * Whether a failed `release` left nothing behind to free: the pool or the Worker is gone (its
 * state with it), or the Worker module serves no `release` task (so it keeps no per-run state the
 * tuner knows how to free). Anything else is a real failure.
 */
function releaseWasMoot(error: unknown): boolean {
  return error instanceof PoolClosedError || error instanceof WorkerCrashedError ||
    error instanceof WorkerLoadError || error instanceof TaskTimeoutError ||
    (error instanceof WorkerTaskError && error.remote.name === "UnknownTaskKindError");
}

/**
 * The default backend: splits each batch into chunks of `chunkSize` particles, runs them as
 * `evaluate` tasks on a {@linkcode WorkerPool}, and joins the costs in order.
 *
 * `close()` closes the run's own pool, or, on a shared pool, broadcasts `release { key }` so every
 * Worker drops the run's evaluator (≈ 0.6 MB at 10 scenarios of 1000 steps) and refuses the run's
 * tasks still queued after an abort or an error.
 *
 * @example A tuning on one Worker, five particles per task, as on the main thread
 * ```ts
 * import { loadConfig } from "../config/mod.ts";
 * import { PSOTuner, workerPoolBackend } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const config = loadConfig(new URL("../config.yaml", import.meta.url), { env: {} });
 * const run = { controllerType: "classical_smc", config, numParticles: 10, numIterations: 2, scenarios: 1, seed: 3 };
 * const remote = await new PSOTuner({ ...run, backend: workerPoolBackend({ size: 1, chunkSize: 5 }) }).optimize();
 * const local = await new PSOTuner({ ...run, numWorkers: 0 }).optimize();
 * assert.deepStrictEqual(remote.bestGains, local.bestGains);
 * ```
 *
 * @param options The pool to reuse (or the size of one to start) and the chunk size.
 * @returns A factory for `PSOTunerOptions.backend`.
 */
export function workerPoolBackend(options: WorkerPoolBackendOptions = {}): EvaluationBackendFactory {
  return (run) => {
    const owned = options.pool === undefined;
    const pool = options.pool ?? new WorkerPool({
      moduleUrl: TUNER_WORKER_URL,
      size: options.size ?? navigator.hardwareConcurrency,
      name: options.name ?? `pso-tuner:${run.setup.controllerType}`,
    });
    const chunk = options.chunkSize ??
      Math.max(1, Math.ceil(run.numParticles / (4 * Math.max(1, pool.stats().size))));
    return {
      async evaluate(positions, count, dims) {
        const tasks: Promise<EvaluateResult>[] = [];
        for (let start = 0; start < count; start += chunk) {
          const n = Math.min(chunk, count - start);
          const payload: EvaluateTask = {
            key: run.key,
            setup: run.setup,
            controllerSource: run.controllerSource,
            fitness: run.fitness,
            positions: positions.slice(start * dims, (start + n) * dims),
            count: n,
            dims,
          };
          tasks.push(pool.run<EvaluateResult>("evaluate", payload));
        }
        const parts = await Promise.all(tasks);
        const out = new Float64Array(count);
        let offset = 0;
        for (const part of parts) {
          out.set(part.costs, offset);
          offset += part.costs.length;
          if (part.failures > 0 || part.firstFailure !== undefined) {
            run.reportFailures(part.failures, part.firstFailure);
          }
        }
        return out;
      },
      async close() {
        if (owned) return await pool.close();
        // Terminated Workers forget everything; only a pool that lives on needs telling.
        if (pool.closed) return;
        const release: ReleaseTask = { key: run.key };
        try {
          await pool.broadcast("release", release);
        } catch (error) {
          if (!releaseWasMoot(error)) throw error;
        }
      },
    };
  };
}
