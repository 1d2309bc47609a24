/**
 * The study's per-run records for study.json, built from the metrics module (docs/metrics.md): the
 * nominal run's and each disturbance run's numbers, with `null` wherever a value does not exist so the
 * JSON never holds NaN (docs/study.md#studyjson).
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { DisturbanceSpec, RunStatus } from "../plant/mod.ts";
import { type PowerSpectrum, powerSpectrum } from "./chattering.ts";
import { peaksFrom, runMetrics } from "./metrics.ts";
import type { RecordedRun } from "./record.ts";

/** The nominal run's numbers. */
export interface NominalMetrics {
  readonly status: RunStatus;
  /** First time from which |θ1|, |θ2| < band hold to the end [s]; null when the run did not settle. */
  readonly settlingTime: number | null;
  /** max |θi| / |θi(0)| per link; null for a link that starts at 0. */
  readonly overshoot: readonly [number | null, number | null];
  /** max |θ1|, max |θ2| [rad]. */
  readonly maxAbsTheta: readonly [number, number];
  readonly maxAbsX: number;
  readonly maxAbsU: number;
  /** ∫u² dt [N²·s]. */
  readonly controlEnergy: number;
  /** Total variation of u per second [N/s]. */
  readonly totalVariation: number;
  /** Sign changes of Δu per second [1/s]. */
  readonly signChangesPerSecond: number;
  /** Share of the power of u's detrended, Hann-windowed fluctuation above metrics.chattering_frequency. */
  readonly highFrequencyShare: number;
}

/** One disturbance run's numbers. */
export interface DisturbanceMetrics {
  readonly status: RunStatus;
  /**
   * When the disturbance starts [s]: its force's start (the recovery time is measured from it
   * too), or 0 for a noise-only scenario, whose noise acts from the first step.
   */
  readonly disturbanceStart: number;
  /**
   * max |θ1|, max |θ2| over the samples from {@linkcode DisturbanceMetrics.disturbanceStart} on
   * [rad]: the response to the disturbance, not the nominal transient before it; null when the
   * run ended before the disturbance started.
   */
  readonly peakTheta: readonly [number, number] | null;
  /** max |x| from {@linkcode DisturbanceMetrics.disturbanceStart} on [m]; null as peakTheta. */
  readonly peakX: number | null;
  /** max |θ1|, max |θ2| over the whole run, the nominal transient included [rad]. */
  readonly maxAbsTheta: readonly [number, number];
  /** max |x| over the whole run [m]. */
  readonly maxAbsX: number;
  /**
   * Time from the disturbance's start until |θ1|, |θ2| are back inside the band for good [s]; 0 when
   * they never left it; null when they did not come back (or for a noise-only scenario, the time the
   * run needs to settle from its start).
   */
  readonly recoveryTime: number | null;
  /** max |u| over the whole run [N]. */
  readonly maxAbsU: number;
  /** ∫u² dt over the whole run [N²·s]. */
  readonly controlEnergy: number;
  /** Total variation of u per second over the whole run [N/s]. */
  readonly totalVariation: number;
  /** Share of u's power above metrics.chattering_frequency over the whole run. */
  readonly highFrequencyShare: number;
}

const finiteOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

/**
 * The nominal run's numbers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { getDefaultGains } from "../factory/mod.ts";
 * import { recordRun } from "./record.ts";
 * import { nominalMetrics } from "./summaries.ts";
 * const config = loadConfig("config.yaml");
 * const run = recordRun({ config, controllerType: "classical_smc", gains: getDefaultGains("classical_smc"), x0: config.simulation.initial_state });
 * const m = nominalMetrics(run, config);
 * assert.equal(m.status, "ok");
 * assert.ok(m.settlingTime! < 3 && m.maxAbsX < 0.5);
 * ```
 *
 * @param run The recorded run.
 * @param config The configuration (metrics section).
 * @returns The numbers.
 */
export function nominalMetrics(run: RecordedRun, config: Config): NominalMetrics {
  const m = runMetrics(run, {
    band: config.metrics.settling_band,
    chatteringFrequency: config.metrics.chattering_frequency,
  });
  return {
    status: m.status,
    settlingTime: m.settlingTime,
    overshoot: [finiteOrNull(m.overshootTheta1), finiteOrNull(m.overshootTheta2)],
    maxAbsTheta: [m.maxTheta1, m.maxTheta2],
    maxAbsX: m.maxX,
    maxAbsU: m.maxU,
    controlEnergy: m.controlEnergy,
    totalVariation: m.chattering.totalVariation,
    signChangesPerSecond: m.chattering.signChanges,
    highFrequencyShare: m.chattering.highFrequencyShare,
  };
}

/**
 * One disturbance run's numbers: the peaks from the disturbance's start on (and over the whole
 * run), the recovery time from its start, and control effort and chattering over the whole run
 * (docs/study.md, "study.json").
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { getDefaultGains } from "../factory/mod.ts";
 * import { recordRun } from "./record.ts";
 * import { disturbanceMetrics } from "./summaries.ts";
 * const config = loadConfig("config.yaml");
 * const disturbance = config.disturbances.impulse;
 * const run = recordRun({ config, controllerType: "sta_smc", gains: getDefaultGains("sta_smc"), x0: config.simulation.initial_state, disturbance });
 * const m = disturbanceMetrics(run, disturbance, config);
 * assert.equal(m.status, "ok");
 * assert.ok(m.recoveryTime !== null);
 * assert.equal(m.disturbanceStart, 2); // the impulse's start: the peaks are its response's
 * assert.ok(m.peakTheta![0] < m.maxAbsTheta[0]); // the initial transient swings wider
 * ```
 *
 * @param run The recorded run.
 * @param disturbance The scenario it ran with.
 * @param config The configuration (metrics section).
 * @returns The numbers.
 */
export function disturbanceMetrics(
  run: RecordedRun,
  disturbance: DisturbanceSpec,
  config: Config,
): DisturbanceMetrics {
  const m = runMetrics(run, {
    band: config.metrics.settling_band,
    chatteringFrequency: config.metrics.chattering_frequency,
    disturbance,
  });
  // A noise-only scenario has no force window: its "recovery" is settling from the start.
  const recoveryTime = m.recovery === null ? m.settlingTime : m.recovery.fromStart;
  const disturbanceStart = m.recovery === null ? 0 : m.recovery.start;
  const peaks = peaksFrom(run, disturbanceStart);
  return {
    status: m.status,
    disturbanceStart,
    peakTheta: peaks === null ? null : [peaks.maxTheta1, peaks.maxTheta2],
    peakX: peaks === null ? null : peaks.maxX,
    maxAbsTheta: [m.maxTheta1, m.maxTheta2],
    maxAbsX: m.maxX,
    recoveryTime: finiteOrNull(recoveryTime),
    maxAbsU: m.maxU,
    controlEnergy: m.controlEnergy,
    totalVariation: m.chattering.totalVariation,
    highFrequencyShare: m.chattering.highFrequencyShare,
  };
}

/**
 * The one-sided power spectrum of a run's control signal (for the chattering picture): the same
 * detrended, Hann-windowed spectrum the chattering share is taken from (docs/metrics.md).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlSpectrum } from "./summaries.ts";
 * const s = controlSpectrum(Float64Array.from({ length: 100 }, (_, k) => Math.sin(k)), 0.01);
 * assert.equal(s.frequency.length, s.power.length);
 * ```
 *
 * @param u Controls [N].
 * @param dt Step [s].
 * @returns Frequencies [Hz] and powers.
 */
export function controlSpectrum(u: Float64Array, dt: number): PowerSpectrum {
  return powerSpectrum(u, dt);
}
