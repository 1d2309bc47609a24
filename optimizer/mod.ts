/**
 * The optimiser: a seeded PRNG we own and a generic particle swarm engine (ask/tell and the
 * {@linkcode optimize} driver), usable on any objective.
 *
 * @example Usage
 * ```ts
 * import { optimize } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await optimize((x) => (x[0] - 2) ** 2, { lower: [-10], upper: [10], swarmSize: 10, maxIterations: 80 });
 * assert.ok(Math.abs(result.bestPosition[0] - 2) < 1e-4);
 * ```
 *
 * @module
 */

export { Prng, PRNG_ALGORITHM, type PrngState } from "./prng.ts";
export {
  type BatchObjective,
  type BoundHandling,
  DEFAULT_PENALTY,
  type InertiaSchedule,
  isPoliStable,
  type Objective,
  optimize,
  type ParticleObjective,
  ParticleSwarm,
  poliLimit,
  PSO_DEFAULTS,
  type PSOExitReason,
  type PSOHistory,
  type PSOIterationInfo,
  type PSOOptions,
  type PSOResult,
  type PSOState,
  type StateNumber,
  type Topology,
} from "./pso.ts";
export { WorkerPool } from "./worker_pool.ts";
export type { RunOptions, TaskInfo, WorkerPoolOptions, WorkerPoolStats } from "./worker_pool.ts";
export {
  PoolClosedError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerLoadError,
  WorkerTaskError,
} from "./worker_pool.ts";
export { serveWorker, transfer } from "./worker_protocol.ts";
export {
  constraintPenaltyAt,
  controlCost,
  costAt,
  type CostBreakdown,
  costOfBatchRun,
  type CostSettings,
  costSettings,
} from "./cost.ts";
export type { EvaluateResult, EvaluateTask } from "./tuner_worker.ts";
export { createEvaluator, type EvaluationSetup, type Evaluator, type Scenario } from "./evaluate.ts";
export { createScenarios, type ScenarioOptions, type UniformSource } from "./scenarios.ts";
export { type FitnessFunction, type FitnessReference, importFitness } from "./fitness.ts";
export {
  type BackendRunOptions,
  type EvaluationBackend,
  type EvaluationContext,
  optimizeOnBackend,
} from "./backend.ts";
export {
  type Fitness,
  PSOTuner,
  type PSOTunerOptions,
  TUNER_WORKER_URL,
  type TunerProgress,
  type TunerResult,
} from "./tuner.ts";
export {
  robustnessCheck,
  type RobustnessOptions,
  type RobustnessPart,
  type RobustnessResult,
} from "./robustness.ts";
