/**
 * The batch simulation kernel: B independent closed loops (each with its own plant physics, control
 * kernel and initial state) over preallocated typed arrays, with no allocation per step. This is the
 * PSO hot path; {@linkcode simulate} in simulate.ts wraps it for one friendly run.
 *
 * @module
 */
import type { Integrator } from "../config/mod.ts";
import { createRk4Scratch, eulerAt, rk4At } from "./integrators.ts";
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
}

/**
 * Trajectories of a batch, row-major. Particle `p` has `length[p]` state samples at
 * `x[(p·(steps+1) + k)·6 + j]` and `length[p] − 1` controls at `u[p·steps + k]`.
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
}

/**
 * Allocates (or grows) the buffers for `count` runs of `steps` steps.
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
 * @returns The workspace.
 */
export function createBatchWorkspace(count: number, steps: number, reuse?: BatchWorkspace): BatchWorkspace {
  const nx = count * (steps + 1) * STATE_SIZE, nu = count * steps;
  const fits = (a: { length: number } | undefined, n: number) => a !== undefined && a.length >= n;
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
  };
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
 * @example Usage
 * ```ts ignore
 * import { simulateBatch } from "./batch.ts";
 * const ws = simulateBatch({ particles: [{ plant, kernel, x0: [0, 0.05, -0.03, 0, 0, 0] }], dt: 0.01, steps: 1000 });
 * console.log(ws.status[0], ws.length[0]);
 * ```
 *
 * @param options Particles, step, horizon, integrator, failure limits, optional workspace.
 * @returns The workspace holding the trajectories.
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
  for (let p = 0; p < count; p++) checkState(particles[p].x0, `particles[${p}].x0`);
  const ws = createBatchWorkspace(count, steps, options.workspace);
  const advance = integrator === "rk4" ? rk4At : eulerAt;
  const scratch = createRk4Scratch();
  const out = new Float64Array(3);
  const { x, u, sigma, status, length, lowControllability } = ws;
  for (let p = 0; p < count; p++) {
    const { plant, kernel, x0 } = particles[p];
    if (ws.internal.length < kernel.internalSize) ws.internal = new Float64Array(kernel.internalSize);
    const internal = ws.internal;
    kernel.init(internal, 0);
    const maxForce = kernel.maxForce;
    const xBase = p * (steps + 1) * STATE_SIZE, uBase = p * steps;
    for (let j = 0; j < STATE_SIZE; j++) x[xBase + j] = x0[j];
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
      kernel.step(x, so, internal, 0, dt, out);
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
      advance(plant, x, so, force, dt, x, so + STATE_SIZE, scratch);
    }
    status[p] = code;
    length[p] = k + 1;
    lowControllability[p] = low;
  }
  return ws;
}
