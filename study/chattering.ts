/**
 * Chattering of a control signal: how much, how often and how fast u moves (docs/metrics.md,
 * "Chattering"). The signal is the sequence of zero-order-hold controls u_0 … u_(n−1), one per step
 * of length dt, so the horizon it covers is T = n·dt.
 *
 * @module
 */
import FFT from "fft.js";

/** The default chattering frequency [Hz]: power of u above it counts as chattering. */
export const CHATTERING_FREQUENCY = 5.0;

/** The part of fft.js this module uses (its own typings are all `any`). */
interface RealFft {
  createComplexArray(): number[];
  realTransform(out: number[], data: ArrayLike<number>): void;
}
const createFft = (size: number): RealFft => new FFT(size) as unknown as RealFft;

function checkSignal(u: ArrayLike<number>, dt: number): void {
  if (!(dt > 0) || !Number.isFinite(dt)) throw new RangeError(`dt: must be a finite number > 0, got ${dt}`);
  for (let k = 0; k < u.length; k++) {
    if (!Number.isFinite(u[k])) throw new RangeError(`u[${k}]: must be a finite number, got ${u[k]}`);
  }
}

/**
 * Total variation of u per second: `Σ_(k=1…n−1) |u_k − u_(k−1)| / (n·dt)` [N/s]. A sine of amplitude A
 * and frequency f gives 4·A·f over whole periods; a constant gives 0.
 *
 * @example Usage
 * ```ts
 * import { totalVariationRate } from "./chattering.ts";
 * console.log(totalVariationRate([0, 1, -1, 1], 0.5)); // (1 + 2 + 2) / 2 = 2.5
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @returns The total variation per second, 0 for fewer than two controls.
 * @throws {RangeError} On a bad dt or a non-finite control.
 */
export function totalVariationRate(u: ArrayLike<number>, dt: number): number {
  checkSignal(u, dt);
  if (u.length < 2) return 0;
  let tv = 0;
  for (let k = 1; k < u.length; k++) tv += Math.abs(u[k] - u[k - 1]);
  return tv / (u.length * dt);
}

/**
 * Sign changes of Δu per second: the number of times the increment `Δu_k = u_k − u_(k−1)` changes
 * sign (zero increments are skipped, so a plateau between a rise and a fall is one change), divided
 * by `n·dt` [1/s]. Every extremum of u counts once: a sine of frequency f gives 2·f.
 *
 * @example Usage
 * ```ts
 * import { signChangeRate } from "./chattering.ts";
 * console.log(signChangeRate([0, 1, 1, 0, 1], 1)); // up, flat, down, up: 2 changes over 5 s = 0.4
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @returns The rate, 0 for fewer than three controls.
 * @throws {RangeError} On a bad dt or a non-finite control.
 */
export function signChangeRate(u: ArrayLike<number>, dt: number): number {
  checkSignal(u, dt);
  let changes = 0, last = 0;
  for (let k = 1; k < u.length; k++) {
    const d = u[k] - u[k - 1];
    if (d === 0) continue;
    const sign = d > 0 ? 1 : -1;
    if (last !== 0 && sign !== last) changes++;
    last = sign;
  }
  return u.length === 0 ? 0 : changes / (u.length * dt);
}

/** A one-sided power spectrum; see {@linkcode powerSpectrum}. */
export interface PowerSpectrum {
  /** Bin frequencies `m / (fftLength·dt)`, m = 0 … fftLength/2 [Hz]. */
  readonly frequency: Float64Array;
  /** Power per bin (one-sided: bins 1 … fftLength/2 − 1 carry both signs), summing to Σ (u − ū)². */
  readonly power: Float64Array;
  /** The transform length: the number of controls rounded up to a power of two (at least 2). */
  readonly fftLength: number;
}

/**
 * The one-sided power spectrum of u's fluctuation `u − ū` (the mean removed, then zero-padded to the
 * next power of two, as fft.js requires).
 *
 * Scaling: `power[m] = c_m·|U_m|² / fftLength` with c = 1 at 0 and at Nyquist and 2 in between, so the
 * bins sum to Σ (u_k − ū)² (Parseval; the padded zeros add nothing). Zero-padding makes the bins
 * finer (1/(fftLength·dt) instead of 1/(n·dt)) and shows the spectrum of u seen through the
 * rectangular window of its n samples: a component between bins, or a signal whose ends do not
 * meet, leaks some power into neighbouring bins (docs/metrics.md, "Spectral share").
 *
 * @example Usage
 * ```ts
 * import { powerSpectrum } from "./chattering.ts";
 * import assert from "node:assert/strict";
 * const u = Array.from({ length: 8 }, (_, k) => Math.cos(Math.PI * k / 2)); // a quarter of the sample rate
 * const s = powerSpectrum(u, 0.125);
 * assert.equal(s.fftLength, 8);
 * assert.equal(s.frequency[2], 2);
 * assert.ok(Math.abs(s.power[2] - 4) < 1e-12); // all of Σ u² = 4 in one bin
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @returns Frequencies, powers and the transform length.
 * @throws {RangeError} On a bad dt or a non-finite control.
 */
export function powerSpectrum(u: ArrayLike<number>, dt: number): PowerSpectrum {
  checkSignal(u, dt);
  const n = u.length;
  let size = 2;
  while (size < n) size *= 2;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += u[k];
  mean = n > 0 ? mean / n : 0;
  const data = new Float64Array(size);
  for (let k = 0; k < n; k++) data[k] = u[k] - mean;
  const fft = createFft(size);
  const out = fft.createComplexArray();
  fft.realTransform(out, data);
  const bins = size / 2 + 1;
  const frequency = new Float64Array(bins), power = new Float64Array(bins);
  for (let m = 0; m < bins; m++) {
    frequency[m] = m / (size * dt);
    const weight = m === 0 || m === size / 2 ? 1 : 2;
    power[m] = (weight * (out[2 * m] ** 2 + out[2 * m + 1] ** 2)) / size;
  }
  return { frequency, power, fftLength: size };
}

/**
 * Share of the power of u's fluctuation at frequencies strictly above `frequency`:
 * `Σ_(f_m > frequency) power[m] / Σ_m power[m]` from {@linkcode powerSpectrum}, a number in [0, 1]
 * (0 for a constant u, which has no fluctuation). The mean is left out on purpose: a steady force
 * (holding the cart against a step disturbance) is not chattering and should not dilute the share.
 *
 * @example Usage
 * ```ts
 * import { powerShareAbove } from "./chattering.ts";
 * const dt = 1 / 64;
 * const slow = Array.from({ length: 64 }, (_, k) => Math.sin(2 * Math.PI * 2 * k * dt)); // 2 Hz
 * console.log(powerShareAbove(slow, dt, 5) < 1e-20); // true
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @param frequency Cutoff [Hz], finite and ≥ 0.
 * @returns The share.
 * @throws {RangeError} On a bad dt, cutoff or control.
 */
export function powerShareAbove(u: ArrayLike<number>, dt: number, frequency: number): number {
  if (!(frequency >= 0) || !Number.isFinite(frequency)) {
    throw new RangeError(`frequency: must be a finite number ≥ 0, got ${frequency}`);
  }
  const s = powerSpectrum(u, dt);
  let total = 0, above = 0;
  for (let m = 0; m < s.power.length; m++) {
    total += s.power[m];
    if (s.frequency[m] > frequency) above += s.power[m];
  }
  return total > 0 ? above / total : 0;
}

/** The chattering metrics of one control signal; see {@linkcode chatteringMetrics}. */
export interface ChatteringMetrics {
  /** Total variation of u per second [N/s]. */
  readonly totalVariation: number;
  /** Sign changes of Δu per second [1/s]. */
  readonly signChanges: number;
  /** Share of the power of u − ū above {@linkcode ChatteringMetrics.frequency}, in [0, 1]. */
  readonly highFrequencyShare: number;
  /** The cutoff used [Hz]. */
  readonly frequency: number;
  /** Length of the zero-padded transform behind the share. */
  readonly fftLength: number;
}

/**
 * The three chattering metrics of a control signal: {@linkcode totalVariationRate},
 * {@linkcode signChangeRate} and {@linkcode powerShareAbove} at `frequency`.
 *
 * @example Usage
 * ```ts
 * import { chatteringMetrics } from "./chattering.ts";
 * const dt = 0.01;
 * const u = Array.from({ length: 1000 }, (_, k) => (k % 2 === 0 ? 1 : -1)); // bang-bang at 50 Hz
 * const c = chatteringMetrics(u, dt, 5);
 * console.log(c.totalVariation, c.signChanges, c.highFrequencyShare > 0.99); // ≈ 200, ≈ 100, true
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @param frequency Cutoff [Hz] (default {@linkcode CHATTERING_FREQUENCY}).
 * @returns The metrics.
 * @throws {RangeError} On a bad dt, cutoff or control.
 */
export function chatteringMetrics(
  u: ArrayLike<number>,
  dt: number,
  frequency: number = CHATTERING_FREQUENCY,
): ChatteringMetrics {
  let size = 2;
  while (size < u.length) size *= 2;
  return {
    totalVariation: totalVariationRate(u, dt),
    signChanges: signChangeRate(u, dt),
    highFrequencyShare: powerShareAbove(u, dt, frequency),
    frequency,
    fftLength: size,
  };
}
