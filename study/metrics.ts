/**
 * Closed-loop metrics of one recorded run, shared by the simulate, tune and study tasks: status,
 * settling time in an absolute angle band, peak angles and overshoot, cart excursion and force,
 * control energy, recovery after a disturbance and chattering (docs/metrics.md).
 *
 * @module
 */
import { createForce, type DisturbanceSpec, type RunStatus, type Trajectory } from "../plant/mod.ts";
import { CHATTERING_FREQUENCY, type ChatteringMetrics, chatteringMetrics } from "./chattering.ts";

/** The default settling band: |θ1| and |θ2| below this, held to the end of the run [rad]. */
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

function checkBand(band: number): void {
  if (!(band > 0) || !Number.isFinite(band)) {
    throw new RangeError(`band: must be a finite number > 0, got ${band}`);
  }
}

/** Checks that x holds whole samples and t one time per sample; returns the sample count. */
function checkShape(run: Pick<MetricsInput, "t" | "x">): number {
  const { x, t } = run;
  const samples = Math.floor(x.length / 6);
  if (samples < 1 || x.length !== samples * 6) {
    throw new RangeError(`trajectory x: must hold a positive multiple of 6 values, got ${x.length}`);
  }
  if (t.length !== samples) {
    throw new RangeError(`trajectory t: must hold one time per state sample (${samples}), got ${t.length}`);
  }
  return samples;
}

/** Index of the first sample at or after `start` (samples when there is none). */
function firstSampleFrom(t: ArrayLike<number>, samples: number, start: number, dt: number): number {
  let first = 0;
  // A sample within rounding of the start (200 · 0.01 vs 2) counts as at the start.
  while (first < samples && t[first] < start - 1e-9 * dt) first++;
  return first;
}

/** Index of the last sample from `from` on with |θ1| or |θ2| not below `band`, or −1. */
function lastOutside(x: ArrayLike<number>, samples: number, band: number, from = 0): number {
  for (let k = samples - 1; k >= from; k--) {
    const b = Math.abs(x[6 * k + 1]), c = Math.abs(x[6 * k + 2]);
    // Written as "not inside" so that a NaN angle counts as outside the band.
    if (!(b < band && c < band)) return k;
  }
  return -1;
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
  checkBand(band);
  const samples = checkShape(run);
  const { x, u, t, dt } = run;
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

/** Overshoot of each link and the cart's excursion; see {@linkcode overshoot}. */
export interface Overshoot {
  /** max |θ1| / |θ1(0)|, or null when θ1(0) = 0 (no initial deflection to compare with). */
  readonly theta1: number | null;
  /** max |θ2| / |θ2(0)|, or null when θ2(0) = 0. */
  readonly theta2: number | null;
  /** max |x| [m]. */
  readonly maxX: number;
}

/**
 * Overshoot of a run: the peak |θi| over all recorded samples divided by the initial |θi(0)|, per
 * link (1 when the link never swings wider than it started, more when it does), and the peak cart
 * excursion max |x|. A link that starts at exactly 0 has no ratio (null).
 *
 * @example Usage
 * ```ts
 * import { overshoot } from "./metrics.ts";
 * const o = overshoot({
 *   t: Float64Array.of(0, 0.1),
 *   x: Float64Array.of(0, 0.05, 0, 0, 0, 0, -0.2, -0.08, 0.01, 0, 0, 0),
 * });
 * console.log(o.theta1, o.theta2, o.maxX); // 1.6 null 0.2
 * ```
 *
 * @param run The trajectory's times and states.
 * @returns The ratios and max |x|.
 */
export function overshoot(run: Pick<MetricsInput, "t" | "x">): Overshoot {
  const samples = checkShape(run);
  const { x } = run;
  let p1 = 0, p2 = 0, px = 0;
  for (let k = 0; k < samples; k++) {
    px = Math.max(px, Math.abs(x[6 * k]));
    p1 = Math.max(p1, Math.abs(x[6 * k + 1]));
    p2 = Math.max(p2, Math.abs(x[6 * k + 2]));
  }
  const a1 = Math.abs(x[1]), a2 = Math.abs(x[2]);
  return { theta1: a1 > 0 ? p1 / a1 : null, theta2: a2 > 0 ? p2 / a2 : null, maxX: px };
}

/** Peaks over the samples from a time on; see {@linkcode peaksFrom}. */
export interface Peaks {
  /** The time the peaks are taken from [s]. */
  readonly from: number;
  /** Peak |θ1| over the samples with t ≥ from [rad]. */
  readonly maxTheta1: number;
  /** Peak |θ2| over the samples with t ≥ from [rad]. */
  readonly maxTheta2: number;
  /** Peak |x| over the samples with t ≥ from [m]. */
  readonly maxX: number;
  /** How many samples the peaks are taken over. */
  readonly samples: number;
}

/**
 * The peak |θ1|, |θ2| and |x| over the samples at or after `from` (a sample within rounding of
 * `from`, 1e-9·dt, counts as at it), or null when the run ended before `from`. The peaks of the
 * response to a disturbance starting at `from`: taken over the whole run they would be the
 * nominal transient's whenever that is larger (docs/metrics.md, "Overshoot and peaks"). As with
 * {@linkcode closedLoopMetrics}, a diverged sample makes a peak non-finite.
 *
 * @example Usage
 * ```ts
 * import { peaksFrom } from "./metrics.ts";
 * // θ1 = 0.08 at t = 0 (the initial transient), 0.03 after a push at t = 1.
 * const x = new Float64Array(18);
 * x[1] = 0.08;
 * x[6 + 1] = 0.03;
 * x[12] = -0.2;
 * const p = peaksFrom({ t: Float64Array.of(0, 1, 2), x, dt: 1 }, 1);
 * console.log(p?.maxTheta1, p?.maxX, p?.samples); // 0.03 0.2 2
 * ```
 *
 * @param run The trajectory's times, states and step.
 * @param from The time to start from [s], finite and ≥ 0.
 * @returns The peaks, or null when no sample lies at or after `from`.
 * @throws {RangeError} On a bad `from` or a malformed trajectory.
 */
export function peaksFrom(run: Pick<MetricsInput, "t" | "x" | "dt">, from: number): Peaks | null {
  if (!(from >= 0) || !Number.isFinite(from)) {
    throw new RangeError(`from: must be a finite number ≥ 0, got ${from}`);
  }
  const samples = checkShape(run);
  const first = firstSampleFrom(run.t, samples, from, run.dt);
  if (first === samples) return null;
  const { x } = run;
  let p1 = 0, p2 = 0, px = 0;
  for (let k = first; k < samples; k++) {
    // Math.max propagates NaN, which is what a diverged sample should report.
    px = Math.max(px, Math.abs(x[6 * k]));
    p1 = Math.max(p1, Math.abs(x[6 * k + 1]));
    p2 = Math.max(p2, Math.abs(x[6 * k + 2]));
  }
  return { from, maxTheta1: p1, maxTheta2: p2, maxX: px, samples: samples - first };
}

/** The interval a disturbance acts over [s]; `end` is Infinity for one that lasts to the end. */
export interface DisturbanceWindow {
  readonly start: number;
  readonly end: number;
}

/** Recovery after a disturbance; see {@linkcode recoveryTime}. */
export interface Recovery {
  /** The disturbance's start and end [s]. */
  readonly start: number;
  readonly end: number;
  /** False when |θ1| and |θ2| stayed inside the band from the start on. */
  readonly leftBand: boolean;
  /** True when the run completed and ends inside the band. */
  readonly recovered: boolean;
  /** Time from which the angles stay inside the band to the end [s]; null when not recovered. */
  readonly recoveredAt: number | null;
  /** recoveredAt − start [s]; 0 when the band was never left; null when not recovered. */
  readonly fromStart: number | null;
  /**
   * max(0, recoveredAt − end) [s]; null when not recovered or when the disturbance lasts to the
   * end of the run (end = Infinity).
   */
  readonly fromEnd: number | null;
  /** The band used [rad]. */
  readonly band: number;
}

/**
 * Recovery time after a disturbance acting over `window`: the time from which |θ1| and |θ2| are
 * back inside the band for good (to the end of the run), measured from the disturbance's start and
 * from its end.
 *
 * Only samples at or after `start` count: `recoveredAt` is the time of the sample right after the
 * last one outside the band, or `start` itself when no sample from `start` on is outside. A run that
 * did not complete, or ends outside the band, has not recovered (all times null).
 *
 * @example Usage
 * ```ts
 * import { recoveryTime } from "./metrics.ts";
 * const rows = [0.001, 0.001, 0.05, 0.03, 0.001, 0.001]; // θ1 per 0.5 s sample
 * const x = new Float64Array(36);
 * rows.forEach((th, k) => (x[6 * k + 1] = th));
 * const r = recoveryTime({
 *   t: Float64Array.from(rows, (_, k) => 0.5 * k),
 *   x,
 *   u: new Float64Array(5),
 *   dt: 0.5,
 *   status: "ok",
 *   failTime: null,
 * }, { start: 0.75, end: 1 });
 * console.log(r.recoveredAt, r.fromStart, r.fromEnd); // 2 1.25 1
 * ```
 *
 * @param run The trajectory.
 * @param window The disturbance's start and end [s] (end ≥ start; Infinity for a lasting one).
 * @param band Band [rad], default {@linkcode SETTLING_BAND}.
 * @returns The recovery.
 */
export function recoveryTime(
  run: MetricsInput,
  window: DisturbanceWindow,
  band: number = SETTLING_BAND,
): Recovery {
  checkBand(band);
  const samples = checkShape(run);
  const { start, end } = window;
  if (!(start >= 0) || !Number.isFinite(start)) {
    throw new RangeError(`window.start: must be a finite number ≥ 0, got ${start}`);
  }
  if (!(end >= start)) throw new RangeError(`window.end: must be ≥ window.start (${start}), got ${end}`);
  const first = firstSampleFrom(run.t, samples, start, run.dt);
  const last = lastOutside(run.x, samples, band, first);
  const recovered = run.status === "ok" && last < samples - 1;
  const recoveredAt = recovered ? (last < 0 ? start : run.t[last + 1]) : null;
  return {
    start,
    end,
    leftBand: last >= 0,
    recovered,
    recoveredAt,
    fromStart: recoveredAt === null ? null : recoveredAt - start,
    fromEnd: recoveredAt === null || !Number.isFinite(end) ? null : Math.max(0, recoveredAt - end),
    band,
  };
}

/** Options of {@linkcode runMetrics}. */
export interface RunMetricsOptions {
  /** Settling and recovery band [rad], default {@linkcode SETTLING_BAND} (config `metrics.settling_band`). */
  readonly band?: number;
  /** Chattering cutoff [Hz], default {@linkcode CHATTERING_FREQUENCY} (config `metrics.chattering_frequency`). */
  readonly chatteringFrequency?: number;
  /** The disturbance the run had; its force's window gives the recovery time. */
  readonly disturbance?: DisturbanceSpec;
}

/** Every metric of a run; see {@linkcode runMetrics}. */
export interface RunMetrics extends ClosedLoopMetrics {
  /** max |θ1| / |θ1(0)|, null when θ1(0) = 0. */
  readonly overshootTheta1: number | null;
  /** max |θ2| / |θ2(0)|, null when θ2(0) = 0. */
  readonly overshootTheta2: number | null;
  /** Recovery after the disturbance force; null without one. */
  readonly recovery: Recovery | null;
  readonly chattering: ChatteringMetrics;
}

/**
 * All the metrics of a run: {@linkcode closedLoopMetrics}, the overshoot ratios, the chattering of
 * its controls and, when `options.disturbance` has a force, the recovery after it (from the force's
 * start, and from its end for an impulse or a step).
 *
 * @example Usage
 * ```ts
 * import { runMetrics } from "./metrics.ts";
 * const m = runMetrics({
 *   t: Float64Array.of(0, 0.1, 0.2),
 *   x: Float64Array.of(0, 0.05, 0, 0, 0, 0, 0.01, 0.01, 0, 0, 0, 0, 0.02, 0.001, 0, 0, 0, 0),
 *   u: Float64Array.of(2, -1),
 *   dt: 0.1,
 *   status: "ok",
 *   failTime: null,
 * }, { disturbance: { force: { kind: "impulse", amplitude: 5, start: 0.1, duration: 0.05 } } });
 * console.log(m.settlingTime, m.overshootTheta1, m.chattering.totalVariation, m.recovery?.fromStart); // 0.1 1 15 0
 * ```
 *
 * @param run The trajectory.
 * @param options Band, chattering cutoff and the disturbance.
 * @returns The metrics.
 */
export function runMetrics(run: MetricsInput, options: RunMetricsOptions = {}): RunMetrics {
  const band = options.band ?? SETTLING_BAND;
  const base = closedLoopMetrics(run, band);
  const o = overshoot(run);
  const force = options.disturbance?.force;
  let recovery: Recovery | null = null;
  if (force !== undefined) {
    const { start, end } = createForce(force);
    recovery = recoveryTime(run, { start, end }, band);
  }
  return {
    ...base,
    overshootTheta1: o.theta1,
    overshootTheta2: o.theta2,
    recovery,
    chattering: chatteringMetrics(run.u, run.dt, options.chatteringFrequency ?? CHATTERING_FREQUENCY),
  };
}
