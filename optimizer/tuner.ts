/**
 * `PSOTuner`: tunes a controller's gains with the PSO engine on the robust control cost, fanning
 * particles out to a pool of Workers (docs/tuning.md#the-tuner).
 *
 * Reproducibility: the engine draws every random number on the main thread and the cost of a
 * particle is a pure function of its gains (the scenarios are fixed for the run), so a seed gives
 * bit-identical results whatever the number of Workers.
 *
 * @module
 */
import { type Config, CONTROLLER_TYPES, loadConfig } from "../config/mod.ts";
import {
  canonicalControllerType,
  controllerRegistry,
  createController,
  ensureConfig,
  getControllerInfo,
  validateGains,
} from "../factory/mod.ts";
import {
  type EvaluationBackend,
  type EvaluationBackendFactory,
  type EvaluationRun,
  workerPoolBackend,
} from "./evaluation_backend.ts";
import { checkEvaluationSize, createEvaluator, type EvaluationSetup, type Scenario } from "./evaluate.ts";
import { type FitnessFunction, type FitnessReference, importFitness } from "./fitness.ts";
import { MAX_SWARM_SIZE, MAX_TUNER_ITERATIONS, MAX_WORKERS } from "./limits.ts";
import { Prng } from "../random/mod.ts";
import { optimize, type OptimizeRun } from "./pso_optimize.ts";
import type { PSOOptions } from "./pso_options.ts";
import type { PSOState } from "./pso_state.ts";
import type { PSOResult } from "./pso_swarm.ts";
import { createScenarios } from "./scenarios.ts";
import type { ControllerSourceTask } from "./tuner_tasks.ts";
import { isThenable } from "../gains/mod.ts";
import type { WorkerPool } from "../workers/mod.ts";

export type { FitnessReference } from "./fitness.ts";

/**
 * A custom fitness: a function (run on the main thread) or a module export that Workers import
 * (the main thread imports it itself when `numWorkers` is 0).
 */
export type Fitness = FitnessFunction | FitnessReference;

/** Per-iteration progress. */
export interface TunerProgress {
  readonly iteration: number;
  readonly maxIterations: number;
  readonly bestCost: number;
  readonly evaluations: number;
  readonly elapsedMs: number;
}

/** Options of {@linkcode PSOTuner}. */
export interface PSOTunerOptions {
  /** Controller type or alias. */
  readonly controllerType: string;
  /** Config (validated, or a plain object); default `loadConfig()`. */
  readonly config?: Config | Record<string, unknown>;
  /** Swarm size, an integer in [1, 1000000]; default `pso.n_particles`. */
  readonly numParticles?: number;
  /** Iterations, an integer in [1, 1000000]; default `pso.iters`. */
  readonly numIterations?: number;
  /**
   * Workers, an integer in [0, 1024]; 0 evaluates on the main thread. Default
   * `navigator.hardwareConcurrency`.
   */
  readonly numWorkers?: number;
  /** PSO seed; default `pso.seed`. The scenarios are drawn from a stream derived from it. */
  readonly seed?: number;
  /**
   * Scenarios per particle; default `physics_uncertainty.n_evals` (1 = nominal only). Refused up
   * front, by the rule `n_evals` is checked against when a config loads, with a
   * `SimulationSizeError` (field `scenarios`) when scenarios × the samples of one run exceed the
   * batch limit (`CONFIG_LIMITS.maxBatchSamples`: at most 3996 scenarios of 1001 samples), and a
   * `RequestTooLargeError` when one evaluator's buffers would exceed the buffer limit.
   */
  readonly scenarios?: number;
  /**
   * Particles per Worker task, an integer in [1, 1000000]; default spreads each iteration over
   * about 4 tasks per Worker.
   */
  readonly chunkSize?: number;
  /**
   * Put the type's default gains for this config in the initial swarm (default true), so tuning
   * never ends worse than them: the gains `createController(type, { config })` runs with
   * (`controllers.<type>.gains`, `controller_defaults.<type>.gains`, gains designed from the config
   * such as lqr's K from `controllers.lqr.Q` and `R`, or the registry default), when they lie in the
   * bounds.
   */
  readonly includeConfiguredGains?: boolean;
  /** Stops the run; the result then carries the best so far and exit reason "aborted". */
  readonly signal?: AbortSignal;
  /** Called after every iteration. */
  readonly onIteration?: (progress: TunerProgress) => void;
  /** Wall-time limit in ms. */
  readonly maxTimeMs?: number;
  /** Extra engine options (topology, bound handling, stall, …) over those from `pso`. */
  readonly pso?: Partial<PSOOptions>;
  /**
   * A long-lived pool to reuse, running {@linkcode TUNER_WORKER_URL} (or a module that serves
   * `createTunerHandlers()`); its size, not `numWorkers`, sets the parallelism. The tuner leaves it
   * open, and at the end of every `optimize()` (also after an abort or an error) broadcasts
   * `release` to its Workers, which drop the run's evaluator: one pool serves any number of
   * tunings, one after another or at once, without growing.
   */
  readonly pool?: WorkerPool;
  /**
   * Where batches are evaluated instead of the local Worker pool: a factory called once per
   * `optimize()` with the run to serve (see {@linkcode EvaluationRun}); the backend it returns is
   * closed when the run ends. Used for the control cost and for a `{ module, export }` fitness,
   * whatever `numWorkers` says; a fitness function still runs on the main thread. Default
   * {@linkcode workerPoolBackend} with `pool`, `numWorkers` and `chunkSize`.
   */
  readonly backend?: EvaluationBackendFactory;
  /**
   * Continue the run from this swarm snapshot (the last `onCheckpoint` state of an interrupted run
   * with the same options) instead of a new swarm; it ends with the uninterrupted run's result, on
   * whichever backend (`fitnessFailures` then counts the resumed part only). Its seed, swarm size
   * and bounds must be this tuner's (`RangeError` naming the mismatch otherwise).
   */
  readonly resumeFrom?: PSOState;
  /**
   * Receives the swarm's JSON-safe snapshot after every completed iteration; awaited before the
   * next one (a rejection rejects `optimize()`). Write it somewhere to resume the run with
   * `resumeFrom` after a crash (`deno task tune --nats --checkpoint`, docs/distributed.md).
   */
  readonly onCheckpoint?: (state: PSOState) => void | Promise<void>;
}

/** What {@linkcode PSOTuner.optimize} returns. */
export interface TunerResult {
  readonly controllerType: string;
  readonly bestGains: number[];
  readonly bestFitness: number;
  readonly history: PSOResult["history"];
  readonly exitReason: PSOResult["exitReason"];
  readonly evaluations: number;
  readonly iterations: number;
  readonly seed: number;
  readonly elapsedMs: number;
  /** Evaluations of a custom fitness that threw (each cost the penalty). */
  readonly fitnessFailures: number;
  readonly firstFitnessFailure?: string;
  readonly result: PSOResult;
}

/**
 * Tunes one controller type.
 *
 * Bounds come from `pso.bounds.<type>` (validated to lie inside the gains' domain). Gains the
 * validator rejects (super-twisting with K1 ≤ K2) are infeasible: the engine gives them
 * {@linkcode PSOTuner.infeasiblePenalty} without simulating, which is more than any simulated run
 * can cost, so the swarm is pushed back into the feasible region (penalty method, documented here
 * rather than a silent repair).
 *
 * Where particles are evaluated: on the main thread with `numWorkers: 0`; otherwise through an
 * {@linkcode EvaluationBackend} made for each `optimize()` call, by default
 * {@linkcode workerPoolBackend} (a pool of its own, or the long-lived `pool`), or by
 * `options.backend`. Sizes are checked up front: a swarm, an iteration count or a Worker count out
 * of range is a `RangeError` naming the option and its range, scenarios that do not fit one batch
 * a `SimulationSizeError` and buffers that would not fit a `RequestTooLargeError` (all three are
 * `RangeError`s).
 *
 * @example Usage
 * ```ts ignore
 * import { PSOTuner } from "./tuner.ts";
 * const tuner = new PSOTuner({ controllerType: "classical_smc", numParticles: 20, numIterations: 30, numWorkers: 2, seed: 1 });
 * const { bestGains, bestFitness } = await tuner.optimize();
 * ```
 *
 * @example Many tunings on one long-lived pool
 * ```ts ignore
 * await using pool = new WorkerPool({ moduleUrl: TUNER_WORKER_URL, size: 4 });
 * for (const controllerType of ["classical_smc", "sta_smc"]) {
 *   await new PSOTuner({ controllerType, pool }).optimize(); // each run releases its evaluators
 * }
 * ```
 */
export class PSOTuner {
  /** Canonical controller type. */
  readonly controllerType: string;
  readonly config: Config;
  readonly numParticles: number;
  readonly numIterations: number;
  readonly numWorkers: number;
  readonly seed: number;
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** The fixed scenarios of this run, nominal first. */
  readonly scenarios: readonly Scenario[];
  /** Cost of a gain vector the validator rejects. */
  readonly infeasiblePenalty: number;
  readonly #options: PSOTunerOptions;

  /**
   * @param options See {@linkcode PSOTunerOptions}.
   */
  constructor(options: PSOTunerOptions) {
    this.#options = options;
    this.controllerType = canonicalControllerType(options.controllerType);
    this.config = options.config === undefined ? loadConfig() : ensureConfig(options.config);
    const pso = this.config.pso;
    this.numParticles = integerIn("numParticles", options.numParticles ?? pso.n_particles, 1, MAX_SWARM_SIZE);
    this.numIterations = integerIn(
      "numIterations",
      options.numIterations ?? pso.iters,
      1,
      MAX_TUNER_ITERATIONS,
    );
    this.numWorkers = integerIn(
      "numWorkers",
      options.numWorkers ?? navigator.hardwareConcurrency,
      0,
      MAX_WORKERS,
    );
    if (options.chunkSize !== undefined) integerIn("chunkSize", options.chunkSize, 1, MAX_SWARM_SIZE);
    this.seed = options.seed ?? pso.seed;
    if (!Number.isInteger(this.seed) || this.seed < 0) {
      throw new RangeError(`seed: must be an integer ≥ 0, got ${this.seed}`);
    }
    const bounds = (pso.bounds as Record<string, { lower: readonly number[]; upper: readonly number[] }>)[
      this.controllerType
    ] ?? getControllerInfo(this.controllerType).bounds;
    this.lower = bounds.lower;
    this.upper = bounds.upper;
    const count = options.scenarios ?? this.config.physics_uncertainty.n_evals;
    // Before the scenarios are drawn, and long before a Worker would fail to allocate its buffers.
    if (Number.isInteger(count) && count >= 1) checkEvaluationSize(count, this.config.simulation);
    this.scenarios = Object.freeze(
      createScenarios(this.config, Prng.derive(this.seed, "scenarios"), { count }),
    );
    this.infeasiblePenalty = 10 * this.config.cost_function.instability_penalty;
  }

  /** The evaluation setup that every Worker receives. */
  get setup(): EvaluationSetup {
    return {
      config: this.config,
      controllerType: this.controllerType,
      scenarios: this.scenarios,
      penalty: this.infeasiblePenalty,
    };
  }

  /**
   * Runs the optimisation.
   *
   * Without `fitness`, minimises the robust control cost on the Worker pool (or the backend). With
   * a function, runs it per particle on the main thread; with `{ module, export }`, Workers import
   * and run it (with `numWorkers: 0` and no `pool` or `backend`, the main thread does). A throwing
   * or non-finite fitness costs the engine's penalty. The run's backend is closed at the end
   * however the run ends; on a shared `pool` that releases the run's evaluators in every Worker.
   *
   * @param fitness Optional custom fitness.
   * @returns The best gains and the run's record.
   * @throws The backend's or the pool's error when evaluating fails (a `SuppressedError` holding
   * both when closing the backend fails too); `signal.reason` when aborted before the first
   * iteration completed; the factory's error when the type's default gains cannot be made (an lqr
   * design that fails) while `includeConfiguredGains` is on.
   */
  async optimize(fitness?: Fitness): Promise<TunerResult> {
    const started = performance.now();
    const opts = this.#options;
    if (
      fitness !== undefined && typeof fitness !== "function" && this.numWorkers === 0 && !opts.pool &&
      !opts.backend
    ) {
      // numWorkers 0 means "evaluate on this thread": a module fitness used to start a Worker anyway.
      fitness = await importFitness(fitness);
    }
    const engineOptions = this.#engineOptions(fitness, started);
    const resume: OptimizeRun = { resumeFrom: opts.resumeFrom, onCheckpoint: opts.onCheckpoint };
    let failures = 0;
    let firstFailure: string | undefined;
    const reportFailures = (count: number, first?: string) => {
      failures += count;
      firstFailure ??= first;
    };
    let result: PSOResult;
    if (typeof fitness === "function") {
      result = await optimizeFunction(fitness, engineOptions, resume, reportFailures);
    } else if (this.numWorkers === 0 && fitness === undefined && !opts.backend) {
      const evaluator = createEvaluator(this.setup);
      result = await optimize(
        {
          batch: (positions: Float64Array, count: number, dims: number) => {
            const out = new Float64Array(count);
            evaluator.evaluate(positions, count, dims, out);
            return out;
          },
        },
        engineOptions,
        resume,
      );
    } else {
      const factory = opts.backend ?? workerPoolBackend({
        pool: opts.pool,
        size: Math.max(1, this.numWorkers),
        chunkSize: opts.chunkSize,
        name: `pso-tuner:${this.controllerType}`,
      });
      const backend: EvaluationBackend = await factory(this.#run(fitness, reportFailures));
      // Closed however the run ends (finished, aborted, failed); a failing close after a failed run
      // surfaces as a SuppressedError carrying both.
      await using _closing = { [Symbol.asyncDispose]: () => backend.close() };
      result = await optimize(
        {
          batch: (positions: Float64Array, count: number, dims: number, iteration: number) =>
            backend.evaluate(positions, count, dims, iteration),
        },
        engineOptions,
        resume,
      );
    }
    return {
      controllerType: this.controllerType,
      bestGains: [...result.bestPosition],
      bestFitness: result.bestCost,
      history: result.history,
      exitReason: result.exitReason,
      evaluations: result.evaluations,
      iterations: result.iterations,
      seed: this.seed,
      elapsedMs: performance.now() - started,
      fitnessFailures: failures,
      firstFitnessFailure: firstFailure,
      result,
    };
  }

  /** What a backend is told about this run: a fresh key, the setup, a custom controller's source. */
  #run(
    fitness: FitnessReference | undefined,
    reportFailures: EvaluationRun["reportFailures"],
  ): EvaluationRun {
    const type = this.controllerType;
    const info = controllerRegistry.snapshot().get(type);
    // Built-in types are in every Worker's registry already; only custom ones travel by source.
    const controllerSource: ControllerSourceTask | undefined =
      info && !(CONTROLLER_TYPES as readonly string[]).includes(type)
        ? { ...info.source, gainNames: info.gainNames, defaultGains: info.defaultGains }
        : undefined;
    return {
      key: `${type}:${this.seed}:${crypto.randomUUID()}`,
      setup: this.setup,
      controllerSource,
      fitness,
      numParticles: this.numParticles,
      seed: this.seed,
      reportFailures,
    };
  }

  /** The engine options: the config's `pso` section, the tuner's options, then `options.pso`. */
  #engineOptions(fitness: Fitness | undefined, started: number): PSOOptions {
    const opts = this.#options, type = this.controllerType, pso = this.config.pso;
    const initial: number[][] = [];
    if (opts.includeConfiguredGains !== false && !fitness) {
      // Whatever the factory resolves by its gain precedence, not only the configured gains: a type
      // with no configured gains (lqr designs its K from Q and R; a custom type has its registry
      // default) would otherwise start from a random swarm alone and could end above the default
      // cost the tune task reports for the same gains.
      const defaults = createController(type, { config: this.config }).gains;
      if (defaults.every((g, i) => g >= this.lower[i] && g <= this.upper[i])) initial.push([...defaults]);
    }
    return {
      lower: this.lower,
      upper: this.upper,
      swarmSize: this.numParticles,
      maxIterations: this.numIterations,
      seed: this.seed,
      w: pso.w,
      c1: pso.c1,
      c2: pso.c2,
      inertia: pso.inertia,
      wFinal: pso.w_final ?? undefined,
      topology: pso.topology,
      neighbours: pso.ring_neighbours,
      velocityClamp: pso.velocity_clamp,
      boundHandling: pso.bound_handling,
      stallIterations: pso.stall_iterations,
      stallTolerance: pso.stall_tolerance,
      penalty: this.infeasiblePenalty,
      initialPositions: initial.length > 0 ? initial : undefined,
      isFeasible: (x: Float64Array) => validateGains(type, Array.from(x)).ok,
      signal: opts.signal,
      maxTimeMs: opts.maxTimeMs,
      onIteration: opts.onIteration
        ? (info) =>
          opts.onIteration!({
            iteration: info.iteration,
            maxIterations: this.numIterations,
            bestCost: info.bestCost,
            evaluations: info.evaluations,
            elapsedMs: performance.now() - started,
          })
        : undefined,
      ...opts.pso,
    };
  }
}

/**
 * Minimises a fitness function on the main thread. The engine turns a throw into the penalty by
 * itself; each one is counted on the way, as the Workers do for a module fitness, so a fitness that
 * fails everywhere is reported, not silently flat.
 */
function optimizeFunction(
  fitness: FitnessFunction,
  engineOptions: PSOOptions,
  resume: OptimizeRun,
  reportFailures: (count: number, first?: string) => void,
): Promise<PSOResult> {
  const noteFailure = (error: unknown): never => {
    reportFailures(1, describeError(error));
    throw error;
  };
  return optimize(
    (x: Float64Array) => {
      let value: number | Promise<number>;
      try {
        value = fitness(Array.from(x));
      } catch (error) {
        return noteFailure(error);
      }
      return isThenable(value) ? Promise.resolve(value).catch(noteFailure) : value;
    },
    engineOptions,
    resume,
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}
