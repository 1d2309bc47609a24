/**
 * The task handlers behind {@linkcode PSOTuner}'s Workers, apart from the Worker entry point
 * (`tuner_worker.ts`, which only serves them) so that another Worker module can serve them next to
 * handlers of its own.
 *
 * Task kinds:
 * - `evaluate`: {@linkcode EvaluateTask} → {@linkcode EvaluateResult}, the costs of a chunk of
 *   particles (transferred back);
 * - `release`: {@linkcode ReleaseTask} → {@linkcode ReleaseResult}, sent to every Worker when an
 *   `optimize()` call ends (also after an abort or an error): drops what the Worker built for that
 *   run, and refuses the run's `evaluate` tasks that arrive later (an aborted run's abandoned tasks);
 * - `stats`: → {@linkcode TunerWorkerStats}, what the Worker holds (diagnostics).
 *
 * @module
 */
import { createEvaluator, type EvaluationSetup, type Evaluator } from "./evaluate.ts";
import { type FitnessFunction, type FitnessReference, importFitness } from "./fitness.ts";
import { type Transfer, transfer } from "../workers/mod.ts";
import { controllerRegistry, type ControllerSource, registerController } from "../factory/mod.ts";

/** Where a Worker imports a custom (non-built-in) controller type from. */
export type ControllerSourceTask = ControllerSource & {
  readonly gainNames: readonly string[];
  readonly defaultGains: readonly number[];
};

/** Payload of an `evaluate` task. */
export interface EvaluateTask {
  /** Identifies the run (one `optimize()` call); a Worker builds its evaluator once per key. */
  readonly key: string;
  readonly setup: EvaluationSetup;
  /** Where to import a custom (non-built-in) controller type from. */
  readonly controllerSource?: ControllerSourceTask;
  /** A custom fitness to evaluate instead of the control cost. */
  readonly fitness?: FitnessReference;
  /** Row-major `count × dims` positions. */
  readonly positions: Float64Array;
  readonly count: number;
  readonly dims: number;
}

/** Result of an `evaluate` task. */
export interface EvaluateResult {
  readonly costs: Float64Array;
  /** Particles whose custom fitness threw (their cost is NaN, which the engine penalises). */
  readonly failures: number;
  readonly firstFailure?: string;
}

/** Payload of a `release` task. */
export interface ReleaseTask {
  /** The run whose evaluator is dropped. */
  readonly key: string;
}

/** Result of a `release` task. */
export interface ReleaseResult {
  /** Whether this Worker held an evaluator for the run. */
  readonly dropped: boolean;
  /** Evaluators this Worker still holds (for other runs still going). */
  readonly remaining: number;
}

/** Result of a `stats` task: what one tuner Worker holds. */
export interface TunerWorkerStats {
  /** Evaluators held (built or being built), one per run that has not been released. */
  readonly evaluators: number;
  /** Released run keys remembered, at most {@linkcode RELEASED_KEYS_KEPT}. */
  readonly releasedKeys: number;
}

/** The handlers {@linkcode createTunerHandlers} returns, by task kind. */
export interface TunerHandlers {
  evaluate(task: EvaluateTask): Promise<Transfer<EvaluateResult>>;
  release(task: ReleaseTask): ReleaseResult;
  stats(): TunerWorkerStats;
}

/**
 * How many released run keys a Worker remembers, to refuse their late `evaluate` tasks. A task
 * arrives late only when its run was aborted or failed while the task was queued, so it is at most
 * a few runs behind; the cap keeps the memory of a pool serving endless runs bounded.
 */
export const RELEASED_KEYS_KEPT = 1024;

/**
 * An `evaluate` task of a run that has already been released (its result would be ignored), as the
 * tuner Worker refuses it; it reaches the pool as a `WorkerTaskError` whose `remote.name` is
 * `"RunReleasedError"`.
 *
 * @example Usage
 * ```ts
 * import { createTunerHandlers, RunReleasedError } from "./tuner_tasks.ts";
 * import assert from "node:assert/strict";
 *
 * const handlers = createTunerHandlers();
 * assert.deepEqual(handlers.release({ key: "run-1" }), { dropped: false, remaining: 0 });
 * await assert.rejects(
 *   handlers.evaluate({ key: "run-1" } as Parameters<typeof handlers.evaluate>[0]),
 *   RunReleasedError,
 * );
 * ```
 */
export class RunReleasedError extends Error {
  /**
   * @param key The run's key.
   */
  constructor(key: string) {
    super(`evaluate: run "${key}" has ended and was released; its late task is not evaluated`);
    this.name = "RunReleasedError";
  }
}

/**
 * Builds the tuner Worker's task handlers, with their own caches: evaluators by run key, custom
 * controller registrations by type, custom fitness functions by module and export.
 *
 * Each cache holds the promise of its entry, not the entry: tasks of one run run concurrently in a
 * Worker (`maxInFlightPerWorker` > 1), and two first tasks that both saw an empty cache would both
 * register the custom controller (the second registration throws `DuplicateEntryError`) or both
 * build an evaluator.
 *
 * @example A Worker module serving the tuner's tasks and one of its own
 * ```ts ignore
 * // my_tuner_worker.ts, run by a WorkerPool handed to PSOTuner as `pool`
 * import { createTunerHandlers, serveWorker } from "../optimizer/mod.ts";
 * serveWorker({ ...createTunerHandlers(), ping: () => "pong" });
 * ```
 *
 * @example Its state, seen from the handlers
 * ```ts
 * import { createTunerHandlers } from "./tuner_tasks.ts";
 * import assert from "node:assert/strict";
 *
 * const handlers = createTunerHandlers();
 * handlers.release({ key: "a finished run" });
 * assert.deepEqual(handlers.stats(), { evaluators: 0, releasedKeys: 1 });
 * ```
 *
 * @returns The `evaluate`, `release` and `stats` handlers.
 */
export function createTunerHandlers(): TunerHandlers {
  const evaluators = new Map<string, Promise<Evaluator>>();
  const registrations = new Map<string, Promise<unknown>>();
  const fitnesses = new Map<string, Promise<FitnessFunction>>();
  const released = new Set<string>();

  /** Resolves once `type` is in this Worker's registry, registering it at most once at a time. */
  function ensureRegistered(type: string, source: ControllerSourceTask | undefined): Promise<unknown> {
    if (source === undefined || controllerRegistry.snapshot().has(type)) return Promise.resolve();
    let pending = registrations.get(type);
    if (pending === undefined) {
      pending = registerController({ type, ...source });
      registrations.set(type, pending);
      // A failed import may succeed later (a module being written): do not keep the failure.
      pending.catch(() => registrations.delete(type));
    }
    return pending;
  }

  function evaluatorFor(task: EvaluateTask): Promise<Evaluator> {
    let pending = evaluators.get(task.key);
    if (pending === undefined) {
      pending = ensureRegistered(task.setup.controllerType, task.controllerSource)
        .then(() => createEvaluator(task.setup));
      const mine = pending;
      evaluators.set(task.key, mine);
      mine.catch(() => {
        if (evaluators.get(task.key) === mine) evaluators.delete(task.key);
      });
    }
    return pending;
  }

  function fitnessFor(ref: FitnessReference): Promise<FitnessFunction> {
    const id = `${ref.module}#${ref.export}`;
    let pending = fitnesses.get(id);
    if (pending === undefined) {
      pending = importFitness(ref);
      fitnesses.set(id, pending);
      pending.catch(() => fitnesses.delete(id));
    }
    return pending;
  }

  return {
    async evaluate(task) {
      if (released.has(task.key)) throw new RunReleasedError(task.key);
      const costs = new Float64Array(task.count);
      let failures = 0, firstFailure: string | undefined;
      if (task.fitness) {
        const fn = await fitnessFor(task.fitness);
        for (let p = 0; p < task.count; p++) {
          try {
            costs[p] = await fn(Array.from(task.positions.subarray(p * task.dims, (p + 1) * task.dims)));
          } catch (error) {
            // The engine turns NaN into its penalty; the failure is counted and reported, not lost.
            costs[p] = NaN;
            failures++;
            firstFailure ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          }
        }
      } else {
        (await evaluatorFor(task)).evaluate(task.positions, task.count, task.dims, costs);
      }
      const result: EvaluateResult = { costs, failures, firstFailure };
      return transfer(result, [costs.buffer]);
    },

    release(task) {
      const dropped = evaluators.delete(task.key);
      released.add(task.key);
      if (released.size > RELEASED_KEYS_KEPT) released.delete(released.values().next().value!);
      return { dropped, remaining: evaluators.size };
    },

    stats() {
      return { evaluators: evaluators.size, releasedKeys: released.size };
    },
  };
}
