/**
 * One recorded closed-loop run of a study (the nominal run and each disturbance scenario): the whole
 * trajectory, for the metrics and the pictures (docs/study.md#what-it-runs).
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import { createController } from "../factory/mod.ts";
import { createPlant, type DisturbanceSpec, runSettings, type RunStatus, simulate } from "../plant/mod.ts";

/** Payload of a recorded run; plain data, so it can be posted to a Worker. */
export interface RecordTask {
  readonly config: Config;
  readonly controllerType: string;
  readonly gains: readonly number[];
  readonly x0: readonly number[];
  readonly disturbance?: DisturbanceSpec;
}

/** A recorded run: the trajectory with its status. */
export interface RecordedRun {
  readonly dt: number;
  readonly status: RunStatus;
  readonly failTime: number | null;
  /** Sample times, N + 1 (or fewer when the run ended early). */
  readonly t: Float64Array;
  /** States, row-major samples × 6. */
  readonly x: Float64Array;
  /** Applied (clipped) controls, one per step. */
  readonly u: Float64Array;
  /** The disturbance force on the cart per step, when a force was applied. */
  readonly disturbance?: Float64Array;
}

/**
 * Simulates one run on the nominal physics and returns its trajectory.
 *
 * @example The nominal run of the classical SMC
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { getDefaultGains } from "../factory/mod.ts";
 * import { recordRun } from "./record.ts";
 * const config = loadConfig("config.yaml");
 * const run = recordRun({ config, controllerType: "classical_smc", gains: getDefaultGains("classical_smc"), x0: config.simulation.initial_state });
 * assert.equal(run.status, "ok");
 * assert.equal(run.t.length, 1001);
 * ```
 *
 * @param task What to run.
 * @returns The trajectory.
 */
export function recordRun(task: RecordTask): RecordedRun {
  const { config } = task;
  const sim = config.simulation;
  const plant = createPlant(config.physics, { model: sim.plant_model });
  const controller = createController(task.controllerType, { config, gains: task.gains });
  const run = simulate({
    ...runSettings(sim),
    plant,
    controller,
    x0: task.x0,
    ...(task.disturbance ? { disturbance: task.disturbance } : {}),
  });
  return {
    dt: sim.dt,
    status: run.status,
    failTime: run.failTime,
    t: run.t,
    x: run.x,
    u: run.u,
    ...(run.disturbance ? { disturbance: run.disturbance } : {}),
  };
}
