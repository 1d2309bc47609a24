/**
 * The tuner's fitness core: the robust control cost of a chunk of gain vectors over a fixed list of
 * scenarios. The same code runs in-process and inside Workers, so the cost of a particle does not
 * depend on where it was computed.
 *
 * @module
 */
import type { Config, PhysicsConfig } from "../config/mod.ts";
import type { Controller } from "../controllers/mod.ts";
import { createController, ensureConfig, validateGains } from "../factory/mod.ts";
import {
  type BatchParticle,
  type BatchWorkspace,
  checkRunSize,
  createPlant,
  type Plant,
  runSettings,
  simulateBatch,
  stepCount,
} from "../plant/mod.ts";
import { BATCH_DOUBLES_FORMULA, batchDoubles, stateOffset } from "./batch_layout.ts";
import { constraintPenaltyAt, costOfBatchRun, type CostSettings, costSettings } from "./cost.ts";
import { checkBufferSize } from "./limits.ts";

/** One evaluation scenario: the physics the plant runs with and its initial state. */
export interface Scenario {
  readonly physics: PhysicsConfig;
  readonly x0: readonly number[];
}

/** Everything a Worker needs to evaluate particles; plain, structured-cloneable data. */
export interface EvaluationSetup {
  /** The validated config (plain data once cloned). */
  readonly config: Config;
  /** Canonical controller type. */
  readonly controllerType: string;
  /** Scenario 0 is the nominal one; the others are fixed for the whole run. */
  readonly scenarios: readonly Scenario[];
  /** Cost returned for a gain vector that the validator rejects. */
  readonly penalty: number;
}

/** Evaluates chunks of particles. */
export interface Evaluator {
  /**
   * Writes the robust cost of each of the `count` gain vectors in `positions` (row-major,
   * `count × dims`) to `out[0..count-1]`.
   */
  evaluate(positions: Float64Array, count: number, dims: number, out: Float64Array): void;
  /** The robust cost of one gain vector. */
  cost(gains: ArrayLike<number>): number;
  /** Per-scenario costs of one gain vector (scenario order). */
  scenarioCosts(gains: ArrayLike<number>): Float64Array;
}

/**
 * Refuses an evaluation too large to simulate: the scenarios of one particle run as one batch, so
 * `scenarios × (steps + 1)` state samples must fit the batch limit (`CONFIG_LIMITS.maxBatchSamples`,
 * the rule `physics_uncertainty.n_evals` is checked against when a config loads), and the buffers
 * each evaluator keeps for the whole tuning must fit the buffer limit.
 *
 * @example Usage
 * ```ts
 * import { checkEvaluationSize } from "./evaluate.ts";
 * import assert from "node:assert/strict";
 *
 * checkEvaluationSize(3996, { duration: 10, dt: 0.01 }); // 3 999 996 samples: fine
 * assert.throws(
 *   () => checkEvaluationSize(5000, { duration: 10, dt: 0.01 }),
 *   /^SimulationSizeError: scenarios: 5000 scenarios × 1001 samples needs 5005000 state samples .*, more than the limit of 4000000 samples per batch$/,
 * );
 * ```
 *
 * @param scenarios Scenarios per particle.
 * @param sim The simulation step and horizon.
 * @throws {SimulationSizeError} When the scenarios do not fit one batch (field `scenarios`).
 * @throws {RequestTooLargeError} When the buffers would not fit.
 */
export function checkEvaluationSize(
  scenarios: number,
  sim: { readonly duration: number; readonly dt: number },
): void {
  const steps = stepCount(sim.duration, sim.dt);
  checkRunSize(
    scenarios,
    steps,
    "simulation.duration / simulation.dt",
    `${sim.duration} s / ${sim.dt} s = ${steps} steps`,
    "scenarios",
  );
  const perRun = batchDoubles(1, steps);
  checkBufferSize(
    "evaluation buffers",
    `scenarios × ${BATCH_DOUBLES_FORMULA} = ${scenarios} × ${perRun} doubles`,
    scenarios * perRun,
    `steps = simulation.duration / simulation.dt = ${sim.duration} / ${sim.dt} = ${steps}; ` +
      "lower the scenario count or simulation.duration, or raise simulation.dt",
  );
}

/**
 * Builds an evaluator for a setup: one plant per scenario, one reusable batch workspace.
 *
 * The robust cost is `mean·J̄ + max·J_max` over the scenarios with `cost_function.combine_weights`
 * (0.7 and 0.3 shipped). Gains the validator rejects cost `setup.penalty` without a simulation.
 *
 * @example Usage
 * ```ts ignore
 * const ev = createEvaluator({ config, controllerType: "sta_smc", scenarios, penalty: 1e6 });
 * console.log(ev.cost(config.controller_defaults.sta_smc.gains));
 * ```
 *
 * @param setup The evaluation setup.
 * @returns The evaluator.
 * @throws {SimulationSizeError} When the scenarios do not fit one batch ({@linkcode checkEvaluationSize}).
 * @throws {RequestTooLargeError} When its buffers would exceed the buffer limit.
 */
export function createEvaluator(setup: EvaluationSetup): Evaluator {
  const config = ensureConfig(setup.config);
  const sim = config.simulation;
  const type = setup.controllerType;
  const steps = stepCount(sim.duration, sim.dt);
  const limits = runSettings(sim);
  const settings: CostSettings = costSettings(config.cost_function, sim.dt, sim.duration);
  const plants: Plant[] = setup.scenarios.map((s) => createPlant(s.physics, { model: sim.plant_model }));
  const nS = setup.scenarios.length;
  if (nS === 0) throw new RangeError("scenarios: must hold at least one scenario, got 0");
  checkEvaluationSize(nS, sim);
  const { mean: wMean, max: wMax } = config.cost_function.combine_weights;
  let ws: BatchWorkspace | undefined;
  const costs = new Float64Array(nS);
  const particles: BatchParticle[] = new Array(nS);

  function run(ctrl: Controller): void {
    for (let s = 0; s < nS; s++) {
      particles[s] = { plant: plants[s], kernel: ctrl.kernel, x0: setup.scenarios[s].x0 };
    }
    ws = simulateBatch({ ...limits, particles, steps, workspace: ws, particlesName: "scenarios" });
    for (let s = 0; s < nS; s++) {
      costs[s] = costOfBatchRun(ws, s, settings) +
        constraintPenaltyAt(ws.x, stateOffset(s, steps), ws.length[s] - 1, ws.status[s], settings, s === 0);
    }
  }

  /** Simulates every scenario for valid gains (filling `costs`); false, without simulating, otherwise. */
  function simulateGains(gains: ArrayLike<number>): boolean {
    const list = Array.from(gains);
    if (!validateGains(type, list).ok) return false;
    run(createController(type, { config, gains: list }));
    return true;
  }

  function cost(gains: ArrayLike<number>): number {
    if (!simulateGains(gains)) return setup.penalty;
    let sum = 0, max = -Infinity;
    for (let s = 0; s < nS; s++) {
      sum += costs[s];
      if (costs[s] > max) max = costs[s];
    }
    return wMean * (sum / nS) + wMax * max;
  }

  return {
    evaluate(positions, count, dims, out) {
      for (let p = 0; p < count; p++) out[p] = cost(positions.subarray(p * dims, (p + 1) * dims));
    },
    cost,
    scenarioCosts(gains) {
      return simulateGains(gains) ? costs.slice() : new Float64Array(nS).fill(setup.penalty);
    },
  };
}
