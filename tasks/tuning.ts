/**
 * The tune task's pipeline for one controller, without any command line around it: PSO on the
 * robust cost, the configured gains' cost for comparison, nominal runs of both gain sets with their
 * metrics, and the robustness check of the tuned gains.
 *
 * @module
 */
import { type Config, CONFIG_LIMITS, maxRunsPerBatch, simulationSamples } from "../config/mod.ts";
import { createController } from "../factory/mod.ts";
import {
  controlCost,
  createEvaluator,
  type EvaluationBackendFactory,
  type PSOState,
  PSOTuner,
  robustnessCheck,
  type RobustnessResult,
  type TunerProgress,
  type TunerResult,
} from "../optimizer/mod.ts";
import { createPlant, runSettings, simulate, type Trajectory } from "../plant/mod.ts";
import { type ClosedLoopMetrics, closedLoopMetrics } from "../study/mod.ts";

/** Metrics of one nominal run, with its control cost. */
export type NominalMetrics = ClosedLoopMetrics & { readonly nominalCost: number };

/** One controller's outcome, as written to the results JSON. */
export interface TuneRecord {
  readonly controller: string;
  readonly defaultGains: number[];
  readonly defaultCost: number;
  readonly bestGains: number[];
  readonly bestCost: number;
  readonly exitReason: string;
  readonly iterations: number;
  readonly evaluations: number;
  readonly elapsedMs: number;
  readonly tuned: NominalMetrics;
  readonly baseline: NominalMetrics;
  readonly robustness: RobustnessResult | null;
  readonly history: TunerResult["history"];
}

/** The settings a tuning ran with, defaults resolved. */
export interface TuneSettings {
  readonly particles: number;
  readonly iterations: number;
  readonly scenarios: number;
  readonly workers: number;
  readonly seed: number;
  readonly robustnessRuns: number;
  /**
   * With `deno task tune --nats`: the remote workers whose results were used (`workers` is then
   * not what ran the tuning, and the report says "NATS, N workers" instead).
   */
  readonly natsWorkers?: number;
}

/** Options of {@linkcode tuneController}; each absent one takes its default from the config. */
export interface TuneControllerOptions {
  /** PSO seed; default `pso.seed`. */
  readonly seed?: number;
  /** Swarm size; default `pso.n_particles`. */
  readonly particles?: number;
  /** Iterations; default `pso.iters`. */
  readonly iterations?: number;
  /** Workers; 0 evaluates on the main thread. Default: number of cores. */
  readonly workers?: number;
  /** Robust-cost scenarios per particle; default `physics_uncertainty.n_evals`. */
  readonly scenarios?: number;
  /** Runs per kind of the robustness check; 0 skips it. Default 100. */
  readonly robustnessRuns?: number;
  /** Stops the tuning; the result then holds the best so far and exit reason "aborted". */
  readonly signal?: AbortSignal;
  /** Called after every PSO iteration. */
  readonly onIteration?: (progress: TunerProgress) => void;
  /** Where the batches are evaluated instead of local Workers (`PSOTunerOptions.backend`). */
  readonly backend?: EvaluationBackendFactory;
  /** Continue the tuning from this swarm snapshot (`PSOTunerOptions.resumeFrom`). */
  readonly resumeFrom?: PSOState;
  /** Receives the swarm snapshot after every iteration (`PSOTunerOptions.onCheckpoint`). */
  readonly onCheckpoint?: (state: PSOState) => void | Promise<void>;
}

/** What {@linkcode tuneController} returns. */
export interface TunedController {
  readonly record: TuneRecord;
  readonly settings: TuneSettings;
  /** The nominal runs behind `record.tuned` and `record.baseline` (the report plots them). */
  readonly runs: { readonly tuned: Trajectory; readonly baseline: Trajectory };
}

/**
 * The nominal closed-loop run of `type` with `gains`: the configured plant from
 * `simulation.initial_state`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { nominalRun } from "./tuning.ts";
 * const config = loadConfig("config.yaml");
 * const run = nominalRun(config, "classical_smc", config.controller_defaults.classical_smc.gains);
 * assert.equal(run.status, "ok");
 * ```
 *
 * @param config The validated config.
 * @param type Controller type or alias.
 * @param gains The gains to run.
 * @returns The recorded trajectory.
 */
export function nominalRun(config: Config, type: string, gains: readonly number[]): Trajectory {
  const sim = config.simulation;
  return simulate({
    plant: createPlant(config.physics, { model: sim.plant_model }),
    controller: createController(type, { config, gains }),
    x0: sim.initial_state,
    ...runSettings(sim),
  });
}

/**
 * The tuning finished, then measuring its result failed (the configured gains' cost, the nominal
 * runs or the robustness check): the tuned gains are in {@linkcode TuneFollowUpError.result}, so the
 * caller can still save them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TuneFollowUpError } from "./tuning.ts";
 * const result = { bestGains: [1, 2], bestFitness: 3 } as ConstructorParameters<typeof TuneFollowUpError>[1];
 * const error = new TuneFollowUpError("sta_smc", result, "the robustness check", new RangeError("too big"));
 * assert.equal(error.message, "sta_smc: tuned (best cost 3), then the robustness check failed: RangeError: too big");
 * assert.deepEqual(error.result.bestGains, [1, 2]);
 * ```
 */
export class TuneFollowUpError extends Error {
  /** The canonical controller type. */
  readonly controller: string;
  /** The finished tuning: best gains, cost, history. */
  readonly result: TunerResult;
  /** What failed after the tuning. */
  readonly stage: string;
  /**
   * @param controller The canonical controller type.
   * @param result The finished tuning.
   * @param stage What failed after it, e.g. `"the robustness check"`.
   * @param cause The error it failed with.
   */
  constructor(controller: string, result: TunerResult, stage: string, cause: unknown) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${controller}: tuned (best cost ${result.bestFitness}), then ${stage} failed: ${why}`, { cause });
    this.name = "TuneFollowUpError";
    this.controller = controller;
    this.result = result;
    this.stage = stage;
  }
}

/**
 * The most runs per kind the robustness check takes for this config: one batch of that many runs of
 * `simulation` must fit `CONFIG_LIMITS.maxBatchSamples` (3996 at 1001 samples per run).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { maxRobustnessRuns } from "./tuning.ts";
 * assert.equal(maxRobustnessRuns(loadConfig("config.yaml", { env: {} })), 3996);
 * ```
 *
 * @param config The validated config.
 * @returns The largest `robustnessRuns` accepted.
 */
export function maxRobustnessRuns(config: Config): number {
  return maxRunsPerBatch(simulationSamples(config.simulation.duration, config.simulation.dt));
}

/**
 * Checks a tuning request without running it: builds the tuner {@linkcode tuneController} would
 * build (which checks the swarm, iteration, Worker and scenario counts and their buffers) and checks
 * the robustness run count, so a request that would be refused is refused before any work.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { checkTuning } from "./tuning.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * checkTuning(config, "sta", { particles: 10 });
 * assert.throws(() => checkTuning(config, "sta", { robustnessRuns: 5000 }), /robustnessRuns: must be an integer in \[0, 3996\]/);
 * assert.throws(() => checkTuning(config, "sta", { workers: 1e6 }), RangeError);
 * ```
 *
 * @param config The validated config.
 * @param type Controller type or alias.
 * @param options The options {@linkcode tuneController} would get.
 * @throws {RangeError} What the tuner's constructor throws (a `SimulationSizeError` or
 * `RequestTooLargeError` for sizes that do not fit), or a bad robustness run count.
 */
export function checkTuning(config: Config, type: string, options: TuneControllerOptions = {}): void {
  checkRobustnessRuns(config, options.robustnessRuns ?? 100);
  buildTuner(config, type, { ...options, signal: undefined, onIteration: undefined });
}

function checkRobustnessRuns(config: Config, runs: number): number {
  const most = maxRobustnessRuns(config);
  if (!Number.isInteger(runs) || runs < 0 || runs > most) {
    throw new RangeError(
      `robustnessRuns: must be an integer in [0, ${most}] (one batch of that many runs of ` +
        `${simulationSamples(config.simulation.duration, config.simulation.dt)} samples must fit the ` +
        `${CONFIG_LIMITS.maxBatchSamples} state samples of a batch), got ${runs}`,
    );
  }
  return runs;
}

function buildTuner(config: Config, type: string, options: TuneControllerOptions): PSOTuner {
  return new PSOTuner({
    controllerType: type,
    config,
    seed: options.seed,
    numParticles: options.particles,
    numIterations: options.iterations,
    numWorkers: options.workers,
    scenarios: options.scenarios,
    signal: options.signal,
    onIteration: options.onIteration,
    backend: options.backend,
    resumeFrom: options.resumeFrom,
    onCheckpoint: options.onCheckpoint,
  });
}

/**
 * Tunes one controller and measures the result: PSO on the robust cost (the configured gains are
 * seeded into the swarm, so the tuned cost is never above theirs), the configured gains' robust
 * cost, the nominal run of both gain sets with its metrics and control cost, and (unless
 * `robustnessRuns` is 0) the robustness check of the tuned gains.
 *
 * An abort after the first iteration still resolves, with the best gains so far and exit reason
 * "aborted"; an abort before it rejects, as there is nothing to return.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { tuneController } from "./tuning.ts";
 * const config = loadConfig("config.yaml");
 * const { record, settings } = await tuneController(config, "classic_smc", {
 *   particles: 4,
 *   iterations: 2,
 *   scenarios: 1,
 *   workers: 0,
 *   robustnessRuns: 0,
 * });
 * assert.equal(record.controller, "classical_smc");
 * assert.ok(record.bestCost <= record.defaultCost);
 * assert.equal(settings.particles, 4);
 * ```
 *
 * @param config The validated config.
 * @param type Controller type or alias.
 * @param options Budget, seed, Workers (or another backend), robustness runs, abort signal, progress
 * callback, and a state to resume from with a checkpoint callback.
 * @returns The record for the results JSON, the resolved settings and the two nominal runs.
 * @throws {RangeError} Before any work, for a bad budget, seed, Worker count, scenario or robustness
 * run count (naming the option; see {@linkcode checkTuning}).
 * @throws {TuneFollowUpError} When measuring the result fails after the tuning finished, carrying
 * the tuned gains.
 */
export async function tuneController(
  config: Config,
  type: string,
  options: TuneControllerOptions = {},
): Promise<TunedController> {
  // Before the tuning: a count the check cannot run used to end a finished tuning with an error.
  const robustnessRuns = checkRobustnessRuns(config, options.robustnessRuns ?? 100);
  const tuner = buildTuner(config, type, options);
  const controller = tuner.controllerType;
  const settings: TuneSettings = {
    particles: tuner.numParticles,
    iterations: tuner.numIterations,
    scenarios: tuner.scenarios.length,
    workers: tuner.numWorkers,
    seed: tuner.seed,
    robustnessRuns,
  };
  const result = await tuner.optimize();
  // From here on a failure must not lose the tuned gains: it carries them (TuneFollowUpError).
  let stage = "the configured gains' cost";
  try {
    // The gains the configured controller runs with (factory precedence: controllers.<type>.gains,
    // then controller_defaults, then the registry's defaults).
    const defaultGains = [...createController(controller, { config }).gains];
    const defaultCost = createEvaluator(tuner.setup).cost(defaultGains);
    stage = "the nominal runs";
    const tuned = nominalRun(config, controller, result.bestGains);
    const baseline = nominalRun(config, controller, defaultGains);
    const metrics = (run: Trajectory): NominalMetrics => ({
      ...closedLoopMetrics(run),
      nominalCost: controlCost(run, config.cost_function).total,
    });
    const nominal = { tuned: metrics(tuned), baseline: metrics(baseline) };
    stage = "the robustness check";
    const robustness = robustnessRuns > 0
      ? robustnessCheck({ config, controllerType: controller, gains: result.bestGains, runs: robustnessRuns })
      : null;
    const record: TuneRecord = {
      controller,
      defaultGains,
      defaultCost,
      bestGains: result.bestGains,
      bestCost: result.bestFitness,
      exitReason: result.exitReason,
      iterations: result.iterations,
      evaluations: result.evaluations,
      elapsedMs: result.elapsedMs,
      ...nominal,
      robustness,
      history: result.history,
    };
    return { record, settings, runs: { tuned, baseline } };
  } catch (error) {
    throw new TuneFollowUpError(controller, result, stage, error);
  }
}
