/**
 * `PSOTuner`: tunes a controller's gains with the PSO engine on the robust control cost, fanning
 * particles out to a pool of Workers (SPEC 5).
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
  ensureConfig,
  getControllerInfo,
  validateGains,
} from "../factory/mod.ts";
import { createEvaluator, type EvaluationSetup, type Scenario } from "./evaluate.ts";
import { Prng } from "./prng.ts";
import { optimize, type PSOOptions, type PSOResult, type PSOState } from "./pso.ts";
import { type EvaluationBackend, type EvaluationContext, optimizeOnBackend } from "./backend.ts";
import { createScenarios } from "./scenarios.ts";
import type { EvaluateResult, EvaluateTask } from "./tuner_worker.ts";
import { type FitnessFunction, type FitnessReference, importFitness } from "./fitness.ts";
import { WorkerPool } from "./worker_pool.ts";

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
  /** Swarm size; default `pso.n_particles`. */
  readonly numParticles?: number;
  /** Iterations; default `pso.iters`. */
  readonly numIterations?: number;
  /** Workers; 0 evaluates on the main thread. Default `navigator.hardwareConcurrency`. */
  readonly numWorkers?: number;
  /** PSO seed; default `pso.seed`. The scenarios are drawn from a stream derived from it. */
  readonly seed?: number;
  /** Scenarios per particle; default `physics_uncertainty.n_evals` (1 = nominal only). */
  readonly scenarios?: number;
  /** Particles per Worker task; default spreads each iteration over about 4 tasks per Worker. */
  readonly chunkSize?: number;
  /** Put the configured gains in the initial swarm (default true), so tuning never ends worse. */
  readonly includeConfiguredGains?: boolean;
  /** Stops the run; the result then carries the best so far and exit reason "aborted". */
  readonly signal?: AbortSignal;
  /** Called after every iteration. */
  readonly onIteration?: (progress: TunerProgress) => void;
  /** Wall-time limit in ms. */
  readonly maxTimeMs?: number;
  /** Extra engine options (topology, bound handling, stall, …) over those from `pso`. */
  readonly pso?: Partial<PSOOptions>;
  /** Reuse a pool running `tuner_worker.ts`; the tuner then leaves it open. */
  readonly pool?: WorkerPool;
  /**
   * Evaluate on this back end instead of a Worker pool (e.g. NATS, docs/distributed.md). The tuner
   * calls its `prepare()` once and leaves it open. A function fitness cannot travel: give a
   * `{ module, export }` reference.
   */
  readonly backend?: EvaluationBackend;
  /** With `backend`: continue from this swarm snapshot (the last `onCheckpoint` state). */
  readonly resumeFrom?: PSOState;
  /** With `backend`: receives the swarm snapshot after every completed iteration. */
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

/** URL of the Worker module the tuner's pool runs. */
export const TUNER_WORKER_URL: string = new URL("./tuner_worker.ts", import.meta.url).href;

/**
 * Tunes one controller type.
 *
 * Bounds come from `pso.bounds.<type>` (validated to lie inside the gains' domain). Gains the
 * validator rejects (super-twisting with K1 ≤ K2) are infeasible: the engine gives them
 * {@linkcode PSOTuner.infeasiblePenalty} without simulating, which is more than any simulated run
 * can cost, so the swarm is pushed back into the feasible region (penalty method, documented here
 * rather than a silent repair).
 *
 * @example Usage
 * ```ts ignore
 * import { PSOTuner } from "./tuner.ts";
 * const tuner = new PSOTuner({ controllerType: "classical_smc", numParticles: 20, numIterations: 30, numWorkers: 2, seed: 1 });
 * const { bestGains, bestFitness } = await tuner.optimize();
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
    this.numParticles = positiveInt("numParticles", options.numParticles ?? pso.n_particles);
    this.numIterations = positiveInt("numIterations", options.numIterations ?? pso.iters);
    this.numWorkers = options.numWorkers ?? navigator.hardwareConcurrency;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new RangeError(`numWorkers: must be an integer ≥ 0, got ${this.numWorkers}`);
    }
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
   * Without `fitness`, minimises the robust control cost on the Worker pool. With a function, runs
   * it per particle on the main thread; with `{ module, export }`, Workers import and run it (with
   * `numWorkers: 0` and no `pool`, the main thread does). A throwing or non-finite fitness costs the
   * engine's penalty.
   *
   * @param fitness Optional custom fitness.
   * @returns The best gains and the run's record.
   */
  async optimize(fitness?: Fitness): Promise<TunerResult> {
    const started = performance.now();
    const opts = this.#options;
    if (opts.backend && typeof fitness === "function") {
      throw new TypeError(
        "fitness: a function cannot run on an evaluation backend, got a function; pass a { module, export } reference",
      );
    }
    if (
      fitness !== undefined && typeof fitness !== "function" && this.numWorkers === 0 && !opts.pool &&
      !opts.backend
    ) {
      // numWorkers 0 means "evaluate on this thread": a module fitness used to start a Worker anyway.
      fitness = await importFitness(fitness);
    }
    const type = this.controllerType;
    const pso = this.config.pso;
    const initial: number[][] = [];
    if (opts.includeConfiguredGains !== false && !fitness) {
      const configured = this.config.controllers[type as keyof Config["controllers"]]?.gains ??
        this.config.controller_defaults[type as keyof Config["controller_defaults"]]?.gains;
      if (configured && configured.every((g, i) => g >= this.lower[i] && g <= this.upper[i])) {
        initial.push([...configured]);
      }
    }
    const engineOptions: PSOOptions = {
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

    let failures = 0;
    let firstFailure: string | undefined;
    let result: PSOResult;
    if (opts.backend) {
      const context: EvaluationContext = {
        setup: this.setup,
        seed: this.seed,
        fitness: fitness as FitnessReference | undefined,
        controllerSource: customControllerSource(type),
      };
      await opts.backend.prepare?.(context);
      result = await optimizeOnBackend(opts.backend, engineOptions, {
        resumeFrom: opts.resumeFrom,
        onCheckpoint: opts.onCheckpoint,
      });
      const counted = opts.backend.failures?.();
      failures = counted?.count ?? 0;
      firstFailure = counted?.first;
    } else if (typeof fitness === "function") {
      // The engine turns a throw into the penalty by itself; count it on the way, as the Workers do
      // for a module fitness, so a fitness that fails everywhere is reported, not silently flat.
      const noteFailure = (error: unknown): never => {
        failures++;
        firstFailure ??= describeError(error);
        throw error;
      };
      result = await optimize((x: Float64Array) => {
        let value: number | Promise<number>;
        try {
          value = fitness(Array.from(x));
        } catch (error) {
          return noteFailure(error);
        }
        return typeof (value as PromiseLike<number>)?.then === "function"
          ? Promise.resolve(value).catch(noteFailure)
          : value;
      }, engineOptions);
    } else if (this.numWorkers === 0 && fitness === undefined) {
      const evaluator = createEvaluator(this.setup);
      result = await optimize({
        batch: (positions: Float64Array, count: number, dims: number) => {
          const out = new Float64Array(count);
          evaluator.evaluate(positions, count, dims, out);
          return out;
        },
      }, engineOptions);
    } else {
      const pool = opts.pool ?? new WorkerPool({
        moduleUrl: TUNER_WORKER_URL,
        size: Math.max(1, this.numWorkers),
        name: `pso-tuner:${type}`,
      });
      const key = `${type}:${this.seed}:${crypto.randomUUID()}`;
      const setup = this.setup;
      const controllerSource = customControllerSource(type);
      const chunk = opts.chunkSize ??
        Math.max(1, Math.ceil(this.numParticles / (4 * Math.max(1, pool.stats().size))));
      try {
        result = await optimize({
          batch: async (positions: Float64Array, count: number, dims: number) => {
            const tasks: Promise<EvaluateResult>[] = [];
            for (let start = 0; start < count; start += chunk) {
              const n = Math.min(chunk, count - start);
              const payload: EvaluateTask = {
                key,
                setup,
                controllerSource,
                fitness: fitness as FitnessReference | undefined,
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
              failures += part.failures;
              firstFailure ??= part.firstFailure;
            }
            return out;
          },
        }, engineOptions);
      } finally {
        if (!opts.pool) await pool.close();
      }
    }
    return {
      controllerType: type,
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
}

/** Built-in types are in every Worker's registry already; only custom ones travel by source. */
function customControllerSource(type: string): EvaluateTask["controllerSource"] {
  const info = controllerRegistry.snapshot().get(type);
  return info && !(CONTROLLER_TYPES as readonly string[]).includes(type)
    ? { ...info.source, gainNames: info.gainNames, defaultGains: info.defaultGains }
    : undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name}: must be an integer ≥ 1, got ${value}`);
  }
  return value;
}
