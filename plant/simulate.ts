/**
 * One friendly closed-loop run, built on the batch kernel so that a single run and a batch give
 * bit-identical trajectories.
 *
 * @module
 */
import type { Integrator, SimulationConfig } from "../config/mod.ts";
import { type ControlKernel, RUN_STATUSES, type RunStatus, simulateBatch } from "./batch.ts";
import type { DisturbanceSpec } from "./disturbance.ts";
import { checkRunSize, trajectoryLength } from "./layout.ts";
import type { Plant } from "./model.ts";
import { checkState } from "./model.ts";

/** Anything that can drive a simulation: a built-in controller exposes its allocation-free kernel. */
export interface Simulatable {
  readonly kernel: ControlKernel;
}

/** Options of {@linkcode simulate}. */
export interface SimulateOptions {
  readonly plant: Plant;
  readonly controller: Simulatable;
  /** Initial state `[x, θ1, θ2, ẋ, θ̇1, θ̇2]`. */
  readonly x0: ArrayLike<number>;
  readonly dt: number;
  readonly duration: number;
  readonly integrator?: Integrator;
  readonly fallAngle?: number;
  readonly trackLimit?: number | null;
  /**
   * Force on the cart and measurement noise (docs/disturbances.md). Absent, or all zero, the run is
   * bit-identical to an undisturbed one.
   */
  readonly disturbance?: DisturbanceSpec;
}

/** A recorded closed-loop run. */
export interface Trajectory {
  /** Sample times, `steps + 1` of them. */
  readonly t: Float64Array;
  /** States, `(steps + 1)·6`, row-major. */
  readonly x: Float64Array;
  /** Applied (clipped) controls, `steps`. */
  readonly u: Float64Array;
  /** Sliding variable at each control step, `steps`. */
  readonly sigma: Float64Array;
  readonly status: RunStatus;
  /** Time of the failing sample, or null when the run completed. */
  readonly failTime: number | null;
  /** Number of steps taken (controls applied). */
  readonly steps: number;
  /** Steps on which the controller hit its controllability floor. */
  readonly lowControllability: number;
  readonly dt: number;
  /** The requested horizon. */
  readonly duration: number;
  /**
   * Disturbance force the plant saw on each step, `steps` values [N] (the step mean of d(t), added
   * to `u`); undefined when the run had no force or an all-zero one.
   */
  readonly disturbance?: Float64Array;
}

/**
 * Number of steps for a horizon: `round(duration / dt)`, with a clear error when that is not a
 * positive integer count.
 *
 * @example Usage
 * ```ts
 * import { stepCount } from "./simulate.ts";
 * console.log(stepCount(10, 0.01)); // 1000
 * ```
 *
 * @param duration Horizon [s].
 * @param dt Step [s].
 * @returns N.
 */
export function stepCount(duration: number, dt: number): number {
  if (!(dt > 0) || !Number.isFinite(dt)) throw new RangeError(`dt: must be a finite number > 0, got ${dt}`);
  if (!(duration >= dt) || !Number.isFinite(duration)) {
    throw new RangeError(`duration: must be a finite number ≥ dt (${dt}), got ${duration}`);
  }
  return Math.round(duration / dt);
}

/**
 * Simulates one closed loop from `x0` for `duration` seconds.
 *
 * The run ends early with status `fell`, `diverged` or `off_track` at the first failing sample; the
 * trajectory keeps the samples up to and including it and records `failTime`. A horizon whose
 * buffers would exceed {@linkcode MAX_TRAJECTORY_SAMPLES} samples is refused up front with a
 * {@linkcode SimulationSizeError} naming `duration / dt`.
 *
 * @example Usage
 * ```ts ignore
 * import { simulate } from "./simulate.ts";
 * const run = simulate({ plant, controller, x0: [0, 0.05, -0.03, 0, 0, 0], dt: 0.01, duration: 10 });
 * console.log(run.status, run.steps);
 * ```
 *
 * @param options Plant, controller, initial state, step, horizon, integrator, limits, disturbance.
 * @returns The trajectory.
 * @throws {SimulationSizeError} When the horizon needs too many samples.
 */
export function simulate(options: SimulateOptions): Trajectory {
  const { plant, controller, x0, dt, duration } = options;
  checkState(x0, "x0");
  const steps = stepCount(duration, dt);
  checkRunSize(1, steps, "duration / dt", `${duration} s / ${dt} s = ${steps} steps`);
  const ws = simulateBatch({
    particles: [{ plant, kernel: controller.kernel, x0 }],
    dt,
    steps,
    integrator: options.integrator,
    fallAngle: options.fallAngle,
    trackLimit: options.trackLimit,
    disturbance: options.disturbance,
  });
  const samples = ws.length[0];
  const status = RUN_STATUSES[ws.status[0]];
  const t = new Float64Array(samples);
  for (let k = 0; k < samples; k++) t[k] = k * dt;
  return {
    t,
    x: ws.x.slice(0, trajectoryLength(samples - 1)),
    u: ws.u.slice(0, samples - 1),
    sigma: ws.sigma.slice(0, samples - 1),
    status,
    failTime: status === "ok" ? null : (samples - 1) * dt,
    steps: samples - 1,
    lowControllability: ws.lowControllability[0],
    dt,
    duration,
    ...(ws.forced[0] === 1 ? { disturbance: ws.disturbance.slice(0, samples - 1) } : {}),
  };
}

/** The run settings of the `simulation` config section, in the shape the simulation functions take. */
export interface RunSettings {
  readonly dt: number;
  readonly duration: number;
  readonly integrator: Integrator;
  readonly fallAngle: number;
  readonly trackLimit: number | null;
}

/**
 * Maps the `simulation` config section to the options of {@linkcode simulate} and `simulateBatch`,
 * so that every caller runs the configured step, horizon, integrator and failure limits.
 *
 * @example Usage
 * ```ts ignore
 * const run = simulate({ plant, controller, x0: config.simulation.initial_state, ...runSettings(config.simulation) });
 * ```
 *
 * @param sim The `simulation` section.
 * @returns dt, duration, integrator, fallAngle and trackLimit.
 */
export function runSettings(sim: SimulationConfig): RunSettings {
  return {
    dt: sim.dt,
    duration: sim.duration,
    integrator: sim.integrator,
    fallAngle: sim.fall_angle,
    trackLimit: sim.track_limit,
  };
}
