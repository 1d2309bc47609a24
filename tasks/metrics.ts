/**
 * Closed-loop metrics of one recorded run, shared by the simulate and tune tasks: status, settling
 * time in an absolute angle band, peak angles, cart excursion and force, and control energy.
 *
 * @module
 */
import type { RunStatus, Trajectory } from "../plant/mod.ts";

/** The settling band of SPEC 7: |θ1| and |θ2| below this, held to the end of the run [rad]. */
export const SETTLING_BAND = 0.02;

/** What {@linkcode closedLoopMetrics} reads from a trajectory. */
export type MetricsInput = Pick<Trajectory, "t" | "x" | "u" | "dt" | "status" | "failTime">;

/** Metrics of one closed-loop run. */
export interface ClosedLoopMetrics {
  readonly status: RunStatus;
  /** Time of the failing sample, or null when the run completed. */
  readonly failTime: number | null;
  /** True when the run completed and its last stretch, to the final sample, lies inside the band. */
  readonly settled: boolean;
  /**
   * Time of the first sample from which |θ1| and |θ2| stay below the band to the end; null when
   * the run did not settle.
   */
  readonly settlingTime: number | null;
  /** The band used [rad]. */
  readonly band: number;
  /** Peak |θ1| over the recorded samples [rad]. */
  readonly maxTheta1: number;
  /** Peak |θ2| over the recorded samples [rad]. */
  readonly maxTheta2: number;
  /** Peak |x| over the recorded samples [m]. */
  readonly maxX: number;
  /** Peak |u| over the applied (clipped) controls [N]. */
  readonly maxU: number;
  /** ∫u² dt [N²·s]: exact for the zero-order-hold control, Σ u_k²·dt. */
  readonly controlEnergy: number;
  /** Number of recorded state samples (steps + 1). */
  readonly samples: number;
  /** Simulated time: (samples − 1)·dt [s]. */
  readonly simulatedTime: number;
}

/**
 * Computes the closed-loop metrics of a run.
 *
 * Settling uses an absolute band: the settling time is the time of the sample right after the last
 * one with |θ1| or |θ2| ≥ `band` (0 when the run starts and stays inside it). A run that did not
 * complete (`fell`, `diverged`, `off_track`) or whose final sample is outside the band has not
 * settled. Peaks are taken over every recorded sample, so on a diverged run they can be non-finite
 * (that is the honest value; JSON prints it as null).
 *
 * @example Usage
 * ```ts
 * import { closedLoopMetrics } from "./metrics.ts";
 * const m = closedLoopMetrics({
 *   t: Float64Array.of(0, 0.1, 0.2),
 *   x: Float64Array.of(0, 0.05, 0, 0, 0, 0, 0.01, 0.01, 0, 0, 0, 0, 0.02, 0.001, 0, 0, 0, 0),
 *   u: Float64Array.of(2, -1),
 *   dt: 0.1,
 *   status: "ok",
 *   failTime: null,
 * });
 * console.log(m.settlingTime, m.maxU, m.controlEnergy); // 0.1 2 0.5
 * ```
 *
 * @param run The trajectory (from `simulate()`, or any object with the same fields).
 * @param band Settling band [rad], default {@linkcode SETTLING_BAND}.
 * @returns The metrics.
 */
export function closedLoopMetrics(run: MetricsInput, band: number = SETTLING_BAND): ClosedLoopMetrics {
  if (!(band > 0) || !Number.isFinite(band)) {
    throw new RangeError(`band: must be a finite number > 0, got ${band}`);
  }
  const { x, u, t, dt } = run;
  const samples = Math.floor(x.length / 6);
  if (samples < 1 || x.length !== samples * 6) {
    throw new RangeError(`trajectory x: must hold a positive multiple of 6 values, got ${x.length}`);
  }
  if (t.length !== samples) {
    throw new RangeError(`trajectory t: must hold one time per state sample (${samples}), got ${t.length}`);
  }
  let maxTheta1 = 0, maxTheta2 = 0, maxX = 0, lastOut = -1;
  for (let k = 0; k < samples; k++) {
    const a = Math.abs(x[6 * k]), b = Math.abs(x[6 * k + 1]), c = Math.abs(x[6 * k + 2]);
    // Math.max propagates NaN, which is what a diverged sample should report.
    maxX = Math.max(maxX, a);
    maxTheta1 = Math.max(maxTheta1, b);
    maxTheta2 = Math.max(maxTheta2, c);
    // Written as "not inside" so that a NaN angle counts as outside the band.
    if (!(b < band && c < band)) lastOut = k;
  }
  let maxU = 0, energy = 0;
  for (let k = 0; k < u.length; k++) {
    maxU = Math.max(maxU, Math.abs(u[k]));
    energy += u[k] * u[k];
  }
  const settled = run.status === "ok" && lastOut < samples - 1;
  return {
    status: run.status,
    failTime: run.failTime,
    settled,
    settlingTime: settled ? (lastOut < 0 ? t[0] : t[lastOut + 1]) : null,
    band,
    maxTheta1,
    maxTheta2,
    maxX,
    maxU,
    controlEnergy: energy * dt,
    samples,
    simulatedTime: (samples - 1) * dt,
  };
}
