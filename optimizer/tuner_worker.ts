/**
 * The Worker module behind {@linkcode PSOTuner}: evaluates chunks of particles with the same
 * evaluation core as the main thread, so a particle's cost does not depend on where it ran.
 *
 * Task kinds:
 * - `evaluate`: {@linkcode EvaluateTask} → `Float64Array` of costs (transferred back).
 *
 * @module
 */
import { createEvaluator, type EvaluationSetup, type Evaluator } from "./evaluate.ts";
import { type FitnessFunction, type FitnessReference, importFitness } from "./fitness.ts";
import { serveWorker, transfer } from "./worker_protocol.ts";
import { controllerRegistry, type ControllerSource, registerController } from "../factory/mod.ts";

export type { FitnessReference } from "./fitness.ts";

/** Payload of an `evaluate` task. */
export interface EvaluateTask {
  /** Identifies the setup; a Worker builds its evaluator once per key. */
  readonly key: string;
  readonly setup: EvaluationSetup;
  /** Where to import a custom (non-built-in) controller type from. */
  readonly controllerSource?: ControllerSource & {
    gainNames: readonly string[];
    defaultGains: readonly number[];
  };
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

const evaluators = new Map<string, Evaluator>();
const fitnesses = new Map<string, FitnessFunction>();

async function evaluatorFor(task: EvaluateTask): Promise<Evaluator> {
  let ev = evaluators.get(task.key);
  if (ev) return ev;
  const src = task.controllerSource;
  if (src && !controllerRegistry.snapshot().has(task.setup.controllerType)) {
    await registerController({ type: task.setup.controllerType, ...src });
  }
  ev = createEvaluator(task.setup);
  evaluators.set(task.key, ev);
  return ev;
}

async function fitnessFor(ref: FitnessReference): Promise<FitnessFunction> {
  const id = `${ref.module}#${ref.export}`;
  let fn = fitnesses.get(id);
  if (!fn) {
    fn = await importFitness(ref);
    fitnesses.set(id, fn);
  }
  return fn;
}

serveWorker({
  async evaluate(task: EvaluateTask) {
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
});
