/**
 * The optimiser: a seeded PRNG we own and a generic particle swarm engine (ask/tell and the
 * {@linkcode optimize} driver), usable on any objective; the control cost and the robust-cost
 * evaluator; `PSOTuner`, which tunes a controller's gains on a pool of Workers (or another
 * {@linkcode EvaluationBackend}); and, re-exported from workers/, the Worker pool it runs on.
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

export { Prng, PRNG_ALGORITHM, type PrngState } from "../random/mod.ts";
export {
  type BoundHandling,
  DEFAULT_PENALTY,
  type InertiaSchedule,
  isPoliStable,
  poliLimit,
  PSO_DEFAULTS,
  type PSOExitReason,
  type PSOIterationInfo,
  type PSOOptions,
  type Topology,
} from "./pso_options.ts";
export { ParticleSwarm, type PSOResult } from "./pso_swarm.ts";
export type { PSOHistory } from "./pso_types.ts";
export { type PSOState, type StateNumber } from "./pso_state.ts";
export {
  type BatchObjective,
  type Objective,
  optimize,
  type OptimizeRun,
  type ParticleObjective,
} from "./pso_optimize.ts";
export {
  BUFFER_LIMIT_BYTES,
  MAX_SWARM_SIZE,
  MAX_TUNER_ITERATIONS,
  MAX_WORKERS,
  RequestTooLargeError,
} from "./limits.ts";
// The Worker pool the tuner runs on (workers/), re-exported so that a caller of the tuner, which
// takes a pool and rejects with the pool's errors, needs this one import.
export {
  isTaskRequest,
  isWorkerMessage,
  PoolClosedError,
  type RunOptions,
  type SerializedError,
  serializeError,
  serveWorker,
  type TaskContext,
  type TaskHandler,
  type TaskHandlers,
  type TaskInfo,
  type TaskRequest,
  type TaskResponse,
  TaskTimeoutError,
  transfer,
  WorkerCrashedError,
  WorkerLoadError,
  type WorkerMessage,
  WorkerPool,
  type WorkerPoolOptions,
  type WorkerPoolStats,
  WorkerTaskError,
} from "../workers/mod.ts";
export {
  constraintPenaltyAt,
  controlCost,
  costAt,
  type CostBreakdown,
  costOfBatchRun,
  type CostSettings,
  costSettings,
} from "./cost.ts";
export {
  checkEvaluationSize,
  createEvaluator,
  type EvaluationSetup,
  type Evaluator,
  type Scenario,
} from "./evaluate.ts";
export { createScenarios, type ScenarioOptions, type UniformSource } from "./scenarios.ts";
export { type FitnessFunction, type FitnessReference, importFitness } from "./fitness.ts";
export {
  type EvaluationBackend,
  type EvaluationBackendFactory,
  type EvaluationRun,
  TUNER_WORKER_URL,
  workerPoolBackend,
  type WorkerPoolBackendOptions,
} from "./evaluation_backend.ts";
export {
  type ControllerSourceTask,
  createTunerHandlers,
  type EvaluateResult,
  type EvaluateTask,
  RELEASED_KEYS_KEPT,
  type ReleaseResult,
  type ReleaseTask,
  RunReleasedError,
  type TunerHandlers,
  type TunerWorkerStats,
} from "./tuner_tasks.ts";
export {
  type Fitness,
  PSOTuner,
  type PSOTunerOptions,
  type TunerProgress,
  type TunerResult,
} from "./tuner.ts";
export {
  robustnessCheck,
  type RobustnessOptions,
  type RobustnessPart,
  type RobustnessResult,
} from "./robustness.ts";
