/**
 * The batch simulation kernel: B independent closed loops (each with its own plant physics, control
 * kernel and initial state) over preallocated typed arrays, with no allocation per step. This is the
 * PSO hot path; {@linkcode simulate} in simulate.ts wraps it for one friendly run.
 *
 * @module
 */
import type { Integrator } from "../config/mod.ts";
import { checkDisturbance, createForce, type DisturbanceSpec, hasNoise } from "./disturbance.ts";
import { GaussianSource } from "./gaussian.ts";
import { createRk4Scratch, eulerAt, rk4At } from "./integrators.ts";
import {
  checkRunSize,
  MAX_BATCH_SAMPLES,
  SimulationSizeError,
  stateOffset,
  trajectoryLength,
} from "./layout.ts";
import { checkState, type Plant, STATE_SIZE } from "./model.ts";

/**
 * The allocation-free side of a controller, as the simulation kernels drive it.
 *
 * `step` computes the control for the state at `s[so..so+5]` with the internal state at
 * `internal[io..]` (the state of step k), writes `out[0] = u` (already limited to `maxForce`),
 * `out[1] = σ` and `out[2] = 1` when the controllability floor was applied (else 0), and advances the
 * internal state in place to step k + 1 using `dt`.
 */
export interface ControlKernel {
  /** Number of doubles of internal state. */
  readonly internalSize: number;
  /** Force limit the simulation clips to. */
  readonly maxForce: number;
  /** Writes the initial internal state at `internal[io..]`. */
  init(internal: Float64Array, io: number): void;
  /** Computes one control and advances the internal state. */
  step(s: Float64Array, so: number, internal: Float64Array, io: number, dt: number, out: Float64Array): void;
}

/** How a run ended. */
export type RunStatus = "ok" | "fell" | "diverged" | "off_track";

/** Numeric status codes in {@linkcode BatchWorkspace.status}, indexed like {@linkcode RUN_STATUSES}. */
export const STATUS_OK = 0, STATUS_FELL = 1, STATUS_DIVERGED = 2, STATUS_OFF_TRACK = 3;
/** Status names by code. */
export const RUN_STATUSES: readonly RunStatus[] = Object.freeze(["ok", "fell", "diverged", "off_track"]);

/** One closed loop of a batch. */
export interface BatchParticle {
  readonly plant: Plant;
  readonly kernel: ControlKernel;
  readonly x0: ArrayLike<number>;
  /** This particle's disturbance; when absent, {@linkcode BatchOptions.disturbance} applies. */
  readonly disturbance?: DisturbanceSpec;
}

/** Options of {@linkcode simulateBatch}. */
export interface BatchOptions {
  readonly particles: readonly BatchParticle[];
  readonly dt: number;
  /** Number of steps N (N + 1 state samples). */
  readonly steps: number;
  readonly integrator?: Integrator;
  /** |θ1| or |θ2| above this ends a run with "fell" (default π/2). */
  readonly fallAngle?: number;
  /** |x| above this ends a run with "off_track" (default none). */
  readonly trackLimit?: number | null;
  /** Reuse the buffers of an earlier call (grown when too small). */
  readonly workspace?: BatchWorkspace;
  /**
   * Disturbance of every particle that has none of its own (docs/disturbances.md): the plant sees
   * `u + d_k`, the controller sees the state plus noise. Absent, or all zero, the run is
   * bit-identical to an undisturbed one.
   */
  readonly disturbance?: DisturbanceSpec;
  /**
   * What the particles are, plural, for the error of a batch too large (default `particles`): the
   * tuner's evaluator passes `scenarios`, the robustness check `robustness runs`.
   */
  readonly particlesName?: string;
}

/**
 * Trajectories of a batch, row-major. Particle `p` has `length[p]` state samples at
 * `x[stateOffset(steps, p, k) + j]` and `length[p] − 1` controls at `u[p·steps + k]`.
 */
export interface BatchWorkspace {
  count: number;
  steps: number;
  x: Float64Array;
  u: Float64Array;
  sigma: Float64Array;
  /** Status code per particle (see {@linkcode RUN_STATUSES}). */
  status: Uint8Array;
  /** Number of state samples recorded per particle (N + 1 when the run completed). */
  length: Int32Array;
  /** Steps on which the controller hit its controllability floor, per particle. */
  lowControllability: Int32Array;
  /** Internal controller state scratch. */
  internal: Float64Array;
  /**
   * Disturbance force applied on each step, `d[p·steps + k]` [N], valid for the particles with
   * `forced[p] = 1` (allocated only when some particle has a force; empty otherwise).
   */
  disturbance: Float64Array;
  /** 1 when particle p's plant saw a non-zero disturbance force, else 0. */
  forced: Uint8Array;
}

const EMPTY = new Float64Array(0);

/**
 * Allocates (or grows) the buffers for `count` runs of `steps` steps.
 *
 * A request beyond the size limits ({@linkcode MAX_TRAJECTORY_SAMPLES} samples per run,
 * {@linkcode MAX_BATCH_SAMPLES} per batch), or one the allocator refuses, throws a
 * {@linkcode SimulationSizeError} naming `steps` or `particlesName` and the bytes asked for.
 *
 * @example Usage
 * ```ts
 * import { createBatchWorkspace } from "./batch.ts";
 * const ws = createBatchWorkspace(40, 1000);
 * console.log(ws.x.length); // 40 * 1001 * 6
 * ```
 *
 * @param count Number of particles.
 * @param steps Number of steps per run.
 * @param reuse An earlier workspace whose buffers are reused when large enough.
 * @param withDisturbance Also make room for a disturbance force per step (default false).
 * @param particlesName What the particles are, plural, for a size error (default `particles`).
 * @returns The workspace.
 */
export function createBatchWorkspace(
  count: number,
  steps: number,
  reuse?: BatchWorkspace,
  withDisturbance = false,
  particlesName = "particles",
): BatchWorkspace {
  checkRunSize(count, steps, "steps", `${steps} steps`, particlesName);
  const nx = count * trajectoryLength(steps), nu = count * steps;
  const fits = (a: { length: number } | undefined, n: number) => a !== undefined && a.length >= n;
  try {
    return {
      count,
      steps,
      x: fits(reuse?.x, nx) ? reuse!.x : new Float64Array(nx),
      u: fits(reuse?.u, nu) ? reuse!.u : new Float64Array(nu),
      sigma: fits(reuse?.sigma, nu) ? reuse!.sigma : new Float64Array(nu),
      status: fits(reuse?.status, count) ? reuse!.status : new Uint8Array(count),
      length: fits(reuse?.length, count) ? reuse!.length : new Int32Array(count),
      lowControllability: fits(reuse?.lowControllability, count)
        ? reuse!.lowControllability
        : new Int32Array(count),
      internal: reuse?.internal ?? new Float64Array(16),
      disturbance: !withDisturbance || fits(reuse?.disturbance, nu)
        ? reuse?.disturbance ?? EMPTY
        : new Float64Array(nu),
      forced: fits(reuse?.forced, count) ? reuse!.forced : new Uint8Array(count),
    };
  } catch (error) {
    // Within the limits the allocator can still refuse (a small machine): report it the same way.
    if (!(error instanceof RangeError)) throw error;
    throw new SimulationSizeError(
      count > 1 ? particlesName : "steps",
      `${count} ${particlesName} × ${steps + 1} samples`,
      count * (steps + 1),
      (nx + 2 * nu) * 8,
      MAX_BATCH_SAMPLES,
      "per batch",
      error.message,
    );
  }
}

/**
 * Runs every particle's closed loop for `steps` steps and records states, controls and σ.
 *
 * A run ends early, with its status, at the first sample that is non-finite (`diverged`, also when
 * the control is non-finite), has |θ1| or |θ2| above `fallAngle` (`fell`), or |x| above
 * `trackLimit` (`off_track`); the failing sample is kept. Nothing is frozen or silently truncated:
 * `length[p]` says how many samples are valid. Results are bit-identical to running the particles
 * one at a time, since each run only touches its own rows.
 *
 * A disturbance (the particle's own, else `options.disturbance`) adds the step mean of its force to
 * the clipped control the plant integrates (recorded in `disturbance`, while `u` keeps the control
 * alone), and its noise to the state the controller is given; failure checks read the true state.
 * The noise stream restarts from its seed for each particle, so a particle's run equals a single
 * `simulate()` with the same disturbance. Nothing is allocated per step: the forces are computed
 * once per particle into the workspace, the noise is drawn into a six-double scratch.
 *
 * @example Usage
 * ```ts ignore
 * import { simulateBatch } from "./batch.ts";
 * const ws = simulateBatch({ particles: [{ plant, kernel, x0: [0, 0.05, -0.03, 0, 0, 0] }], dt: 0.01, steps: 1000 });
 * console.log(ws.status[0], ws.length[0]);
 * ```
 *
 * @param options Particles, step, horizon, integrator, failure limits, disturbance, workspace.
 * @returns The workspace holding the trajectories.
 * @throws {SimulationSizeError} When the buffers would exceed the size limits.
 * @throws {RangeError} On a bad step, step count, integrator, limit, initial state or disturbance.
 */
export function simulateBatch(options: BatchOptions): BatchWorkspace {
  const { particles, dt, steps } = options;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new RangeError(`dt: must be a finite number > 0, got ${dt}`);
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`steps: must be an integer ≥ 0, got ${steps}`);
  }
  const integrator = options.integrator ?? "rk4";
  if (integrator !== "rk4" && integrator !== "euler") {
    throw new RangeError(`integrator: must be "rk4" or "euler", got "${integrator}"`);
  }
  const fallAngle = options.fallAngle ?? Math.PI / 2;
  const trackLimit = options.trackLimit ?? Infinity;
  // A NaN limit would make every comparison false and silently switch fall detection off.
  if (!(fallAngle > 0)) throw new RangeError(`fallAngle: must be a number > 0, got ${fallAngle}`);
  if (!(trackLimit > 0)) throw new RangeError(`trackLimit: must be null or a number > 0, got ${trackLimit}`);
  const count = particles.length;
  const shared = options.disturbance;
  if (shared !== undefined) checkDisturbance(shared, "disturbance");
  let anyForce = shared?.force !== undefined;
  for (let p = 0; p < count; p++) {
    checkState(particles[p].x0, `particles[${p}].x0`);
    const own = particles[p].disturbance;
    if (own !== undefined) {
      checkDisturbance(own, `particles[${p}].disturbance`);
      anyForce ||= own.force !== undefined;
    }
  }
  const ws = createBatchWorkspace(count, steps, options.workspace, anyForce, options.particlesName);
  const advance = integrator === "rk4" ? rk4At : eulerAt;
  const scratch = createRk4Scratch();
  const out = new Float64Array(3);
  const seen = new Float64Array(STATE_SIZE);
  const noiseStd = new Float64Array(STATE_SIZE);
  let gaussian: GaussianSource | undefined;
  const { x, u, sigma, status, length, lowControllability, forced } = ws;
  let lastForce: DisturbanceSpec["force"], lastRow = -1;
  for (let p = 0; p < count; p++) {
    const { plant, kernel, x0 } = particles[p];
    const disturbance = particles[p].disturbance ?? shared;
    if (ws.internal.length < kernel.internalSize) ws.internal = new Float64Array(kernel.internalSize);
    const internal = ws.internal;
    kernel.init(internal, 0);
    const maxForce = kernel.maxForce;
    const xBase = stateOffset(steps, p), uBase = p * steps;
    for (let j = 0; j < STATE_SIZE; j++) x[xBase + j] = x0[j];

    // Disturbance force: step means, once per particle (copied when the spec is the previous one).
    const spec = disturbance?.force;
    let push = false;
    if (spec !== undefined && spec === lastForce) {
      ws.disturbance.copyWithin(uBase, lastRow * steps, (lastRow + 1) * steps);
      push = forced[lastRow] === 1;
    } else if (spec !== undefined) {
      push = createForce(spec).fill(dt, steps, ws.disturbance, uBase);
      lastForce = spec;
      lastRow = p;
    }
    // An all-zero force takes the undisturbed path, so it is bit-identical to no force at all.
    forced[p] = push ? 1 : 0;
    const d = ws.disturbance;
    const noisy = hasNoise(disturbance);
    if (noisy) {
      const noise = disturbance!.noise!;
      for (let j = 0; j < STATE_SIZE; j++) noiseStd[j] = noise.std[j];
      if (gaussian === undefined) gaussian = new GaussianSource(noise.seed);
      else gaussian.reseed(noise.seed);
    }

    let code = STATUS_OK, k = 0, low = 0;
    for (;; k++) {
      const so = xBase + k * STATE_SIZE;
      const pos = x[so], th1 = x[so + 1], th2 = x[so + 2];
      // Any NaN or infinity in the sample makes the sum non-finite: one test instead of six.
      if (!Number.isFinite(pos + th1 + th2 + x[so + 3] + x[so + 4] + x[so + 5])) {
        code = STATUS_DIVERGED;
        break;
      }
      if (Math.abs(th1) > fallAngle || Math.abs(th2) > fallAngle) {
        code = STATUS_FELL;
        break;
      }
      if (Math.abs(pos) > trackLimit) {
        code = STATUS_OFF_TRACK;
        break;
      }
      if (k === steps) break;
      if (noisy) {
        // Six draws every step, whatever the stds, so one state's noise does not depend on another's std.
        for (let j = 0; j < STATE_SIZE; j++) seen[j] = x[so + j] + noiseStd[j] * gaussian!.nextGaussian();
        kernel.step(seen, 0, internal, 0, dt, out);
      } else {
        kernel.step(x, so, internal, 0, dt, out);
      }
      let force = out[0];
      if (!Number.isFinite(force)) {
        code = STATUS_DIVERGED;
        break;
      }
      if (force > maxForce) force = maxForce;
      else if (force < -maxForce) force = -maxForce;
      u[uBase + k] = force;
      sigma[uBase + k] = out[1];
      low += out[2];
      advance(plant, x, so, push ? force + d[uBase + k] : force, dt, x, so + STATE_SIZE, scratch);
    }
    status[p] = code;
    length[p] = k + 1;
    lowControllability[p] = low;
  }
  return ws;
}
