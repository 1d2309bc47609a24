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

/** Window applied to the record before the transform; see {@linkcode powerSpectrum}. */
export type SpectralWindow = "hann" | "rectangular";
/** What is fitted to the windowed record and removed from it; see {@linkcode powerSpectrum}. */
export type Detrend = "linear" | "mean";

/** How {@linkcode powerSpectrum} prepares the record; every field has the chattering default. */
export interface SpectrumOptions {
  /** Default {@linkcode CHATTERING_WINDOW} ("hann"). */
  readonly window?: SpectralWindow;
  /** Default {@linkcode CHATTERING_DETREND} ("linear"). */
  readonly detrend?: Detrend;
}

/** The window of the chattering share: a periodic Hann window over the record. */
export const CHATTERING_WINDOW: SpectralWindow = "hann";
/** The detrending of the chattering share: the line fitted to the windowed record is removed. */
export const CHATTERING_DETREND: Detrend = "linear";

const WINDOWS: readonly SpectralWindow[] = ["hann", "rectangular"];
const DETRENDS: readonly Detrend[] = ["linear", "mean"];

/**
 * A fluctuation whose largest value is below this fraction of max |u| is rounding left by the
 * detrending (of a constant or a straight line), not signal: its share is 0.
 */
const NEGLIGIBLE_FLUCTUATION = 1e-12;

/** A one-sided power spectrum; see {@linkcode powerSpectrum}. */
export interface PowerSpectrum {
  /** Bin frequencies `m / (fftLength·dt)`, m = 0 … fftLength/2 [Hz]. */
  readonly frequency: Float64Array;
  /**
   * Power per bin (one-sided: bins 1 … fftLength/2 − 1 carry both signs), normalised by
   * {@linkcode PowerSpectrum.windowPower} so that the bins sum to Σ (w_k·v_k)² / windowPower.
   */
  readonly power: Float64Array;
  /** The transform length: the number of controls rounded up to a power of two (at least 2). */
  readonly fftLength: number;
  readonly window: SpectralWindow;
  readonly detrend: Detrend;
  /** The window's mean square Σ w_k² / n: 3/8 for Hann (n ≥ 3), 1 for rectangular. */
  readonly windowPower: number;
}

/** The transform length for n samples: the next power of two, at least 2. */
function transformLength(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

function checkOptions(options: SpectrumOptions): { window: SpectralWindow; detrend: Detrend } {
  const window = options.window ?? CHATTERING_WINDOW, detrend = options.detrend ?? CHATTERING_DETREND;
  if (!WINDOWS.includes(window)) {
    throw new RangeError(`options.window: must be "hann" or "rectangular", got ${JSON.stringify(window)}`);
  }
  if (!DETRENDS.includes(detrend)) {
    throw new RangeError(`options.detrend: must be "linear" or "mean", got ${JSON.stringify(detrend)}`);
  }
  return { window, detrend };
}

/** The spectrum and whether the fluctuation it was taken of is only rounding. */
function spectrumOf(
  u: ArrayLike<number>,
  dt: number,
  options: SpectrumOptions,
): { spectrum: PowerSpectrum; negligible: boolean } {
  checkSignal(u, dt);
  const { window, detrend } = checkOptions(options);
  const n = u.length, size = transformLength(n);
  // Periodic Hann, sin²(πk/n): 0 at the first sample, and it would be 0 again at k = n, where the
  // record (or its zero padding) continues, so the windowed record has no jump at either end.
  const w = new Float64Array(n);
  let largest = 0, windowPower = 0;
  for (let k = 0; k < n; k++) {
    w[k] = window === "hann" ? Math.sin((Math.PI * k) / n) ** 2 : 1;
    windowPower += w[k] * w[k];
    largest = Math.max(largest, Math.abs(u[k]));
  }
  // The mean and the line are fitted to the windowed record: least squares with weights w_k², so
  // that what is left, w_k·v_k, has the least power any a + b·k can leave. An unweighted fit would
  // leave part of the window's own shape (w_k times the error of the fit) in the record, a slow bump
  // whose power dilutes the share; with the rectangular window both fits are the same.
  let q = 0, qk = 0, qu = 0;
  for (let k = 0; k < n; k++) {
    const weight = w[k] * w[k];
    q += weight;
    qk += weight * k;
    qu += weight * u[k];
  }
  const mean = q > 0 ? qu / q : 0, centre = q > 0 ? qk / q : 0;
  let slope = 0;
  if (detrend === "linear") {
    let qxy = 0, qxx = 0;
    for (let k = 0; k < n; k++) {
      const weight = w[k] * w[k];
      qxy += weight * (k - centre) * (u[k] - mean);
      qxx += weight * (k - centre) ** 2;
    }
    slope = qxx > 0 ? qxy / qxx : 0;
  }
  const data = new Float64Array(size);
  let residual = 0;
  for (let k = 0; k < n; k++) {
    data[k] = w[k] * (u[k] - mean - slope * (k - centre));
    residual = Math.max(residual, Math.abs(data[k]));
  }
  windowPower = n > 0 ? windowPower / n : 1;
  const fft = createFft(size);
  const out = fft.createComplexArray();
  fft.realTransform(out, data);
  const bins = size / 2 + 1;
  const frequency = new Float64Array(bins), power = new Float64Array(bins);
  // A one-sample Hann record is all zero (windowPower 0): nothing to normalise, the power stays 0.
  const scale = windowPower > 0 ? 1 / (size * windowPower) : 0;
  for (let m = 0; m < bins; m++) {
    frequency[m] = m / (size * dt);
    const weight = m === 0 || m === size / 2 ? 1 : 2;
    power[m] = weight * (out[2 * m] ** 2 + out[2 * m + 1] ** 2) * scale;
  }
  return {
    spectrum: { frequency, power, fftLength: size, window, detrend, windowPower },
    negligible: residual <= NEGLIGIBLE_FLUCTUATION * largest,
  };
}

/**
 * The one-sided power spectrum of u's fluctuation, estimated the standard way for a finite record
 * (docs/metrics.md, "Spectral share above the chattering frequency"):
 *
 * 1. window: the periodic Hann window `w_k = sin²(πk/n)` (the default) or 1 (`"rectangular"`); the
 *    Hann window falls to 0 at both ends of the record, so the jump between its first and last
 *    value (the transform sees the record as one period of a periodic signal) does not leak power
 *    over the whole spectrum;
 * 2. detrend: remove the line `a + b·k` (`detrend: "linear"`, the default) or the constant `a`
 *    (`"mean"`) fitted by least squares with weights `w_k²`, i.e. fitted to the windowed record, so
 *    `v_k = u_k − a − b·k` and the record transformed is `w_k·v_k` (with the rectangular window,
 *    the plain mean and line);
 * 3. transform: zero-pad to the next power of two M (as fft.js requires) and take
 *    `power[m] = c_m·|V_m|² / (M·U)`, c = 1 at 0 and at Nyquist, 2 in between, with U = Σ w_k²/n
 *    the window's mean square (3/8 for Hann, 1 rectangular).
 *
 * With the rectangular window the bins sum to Σ v_k² exactly (Parseval; the padded zeros add
 * nothing). With Hann they sum to Σ (w_k·v_k)² / U, which is Σ v_k² for a signal whose power is
 * spread evenly over the record (exactly so for a sinusoid of whole periods away from 0 and
 * Nyquist) and gives the middle of the record more weight than its ends otherwise.
 *
 * @example Usage
 * ```ts
 * import { powerSpectrum } from "./chattering.ts";
 * import assert from "node:assert/strict";
 * // 16 samples, 4 whole periods: the cosine sits on bin 4 (a quarter of the sample rate), and its
 * // fitted mean and line are 0.
 * const u = Array.from({ length: 16 }, (_, k) => Math.cos(Math.PI * k / 2));
 * const s = powerSpectrum(u, 1 / 16);
 * assert.equal(s.fftLength, 16);
 * assert.ok(Math.abs(s.windowPower - 3 / 8) < 1e-15);
 * // Hann spreads it over bins 3, 4 and 5 as 1/6, 2/3, 1/6 of Σ u² = 8; nothing elsewhere.
 * assert.ok(Math.abs(s.power[4] - 8 * 2 / 3) < 1e-12 && Math.abs(s.power[3] - 8 / 6) < 1e-12);
 * assert.ok(s.power[2] < 1e-24);
 * const plain = powerSpectrum(u, 1 / 16, { window: "rectangular", detrend: "mean" });
 * assert.ok(Math.abs(plain.power[4] - 8) < 1e-12); // all of it in one bin
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @param options Window and detrending (default Hann and linear).
 * @returns Frequencies, powers, the transform length and the settings used.
 * @throws {RangeError} On a bad dt, a non-finite control or an unknown option.
 */
export function powerSpectrum(
  u: ArrayLike<number>,
  dt: number,
  options: SpectrumOptions = {},
): PowerSpectrum {
  return spectrumOf(u, dt, options).spectrum;
}

/**
 * Share of the power of u's fluctuation at frequencies strictly above `frequency`:
 * `Σ_(f_m > frequency) power[m] / Σ_m power[m]` from {@linkcode powerSpectrum} (detrended and Hann
 * windowed by default), a number in [0, 1]. A u that is constant or a straight line (to rounding:
 * its windowed, detrended values below 1e-12 of max |u|) has no fluctuation and a share of 0. The mean and
 * the trend are left out on purpose: a steady force (holding the cart against a step disturbance),
 * or one that drifts slowly, is not chattering and should not dilute the share; the window keeps
 * the jump at the start of the record (u_0 is set by the initial error, with nothing before it) from
 * posing as high-frequency power.
 *
 * @example Usage
 * ```ts
 * import { powerShareAbove } from "./chattering.ts";
 * const dt = 0.01;
 * // A 25 N kick that decays smoothly (τ = 0.2 s) is not chattering; without the window it looks like it.
 * const kick = Array.from({ length: 1000 }, (_, k) => 25 * Math.exp(-k * dt / 0.2));
 * console.log(powerShareAbove(kick, dt, 5) < 1e-4); // true
 * console.log(powerShareAbove(kick, dt, 5, { window: "rectangular", detrend: "mean" }) > 0.1); // true
 * ```
 *
 * @param u Controls [N], one per step.
 * @param dt Step [s].
 * @param frequency Cutoff [Hz], finite and ≥ 0.
 * @param options Window and detrending (default Hann and linear).
 * @returns The share.
 * @throws {RangeError} On a bad dt, cutoff, control or option.
 */
export function powerShareAbove(
  u: ArrayLike<number>,
  dt: number,
  frequency: number,
  options: SpectrumOptions = {},
): number {
  if (!(frequency >= 0) || !Number.isFinite(frequency)) {
    throw new RangeError(`frequency: must be a finite number ≥ 0, got ${frequency}`);
  }
  const { spectrum: s, negligible } = spectrumOf(u, dt, options);
  if (negligible) return 0;
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
  /**
   * Share of the power of u's detrended, windowed fluctuation above
   * {@linkcode ChatteringMetrics.frequency}, in [0, 1].
   */
  readonly highFrequencyShare: number;
  /** The cutoff used [Hz]. */
  readonly frequency: number;
  /** Length of the zero-padded transform behind the share. */
  readonly fftLength: number;
  /** The window behind the share. */
  readonly window: SpectralWindow;
  /** The detrending behind the share. */
  readonly detrend: Detrend;
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
 * @param options Window and detrending of the share (default Hann and linear).
 * @returns The metrics.
 * @throws {RangeError} On a bad dt, cutoff, control or option.
 */
export function chatteringMetrics(
  u: ArrayLike<number>,
  dt: number,
  frequency: number = CHATTERING_FREQUENCY,
  options: SpectrumOptions = {},
): ChatteringMetrics {
  const { window, detrend } = checkOptions(options);
  return {
    totalVariation: totalVariationRate(u, dt),
    signChanges: signChangeRate(u, dt),
    highFrequencyShare: powerShareAbove(u, dt, frequency, { window, detrend }),
    frequency,
    fftLength: transformLength(u.length),
    window,
    detrend,
  };
}
