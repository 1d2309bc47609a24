/**
 * Tests of the chattering metrics (study/chattering.ts, docs/metrics.md): each against a signal
 * whose value is known in closed form (a sine, a step, a square wave, a decay, bang-bang), the
 * spectral share with the tolerance its window and detrending allow.
 */
import assert from "assert";
import {
  CHATTERING_DETREND,
  CHATTERING_FREQUENCY,
  CHATTERING_WINDOW,
  chatteringMetrics,
  powerShareAbove,
  powerSpectrum,
  signChangeRate,
  type SpectrumOptions,
  totalVariationRate,
} from "../../study/mod.ts";

/** `A·sin(2π·f·k·dt)`, k = 0 … n − 1. */
const sine = (a: number, f: number, dt: number, n: number) =>
  Float64Array.from({ length: n }, (_, k) => a * Math.sin(2 * Math.PI * f * k * dt));

/** ±A square wave with `perPeriod` samples per period (first half +A), n samples. */
const square = (a: number, perPeriod: number, n: number) =>
  Float64Array.from({ length: n }, (_, k) => (k % perPeriod < perPeriod / 2 ? a : -a));

Deno.test("totalVariationRate() of a sine over whole periods is 4·A·f", () => {
  // 40 samples per period put samples on the peaks, so u climbs and falls monotonically between
  // them and the variation per period is exactly 4A. The sum stops at u_(n−1): the last step back
  // to 0 (A·sin(2π/40)) is not in the record, so the exact value is (4·A·P − A·sin(2π/N)) / T.
  const a = 3, f = 2.5, dt = 0.01, perPeriod = 40, periods = 25, n = perPeriod * periods;
  const u = sine(a, f, dt, n);
  const exact = (4 * a * periods - a * Math.sin((2 * Math.PI) / perPeriod)) / (n * dt);
  assert.ok(Math.abs(totalVariationRate(u, dt) - exact) < 1e-12, `${totalVariationRate(u, dt)} vs ${exact}`);
  assert.ok(
    Math.abs(totalVariationRate(u, dt) - 4 * a * f) <=
      a * Math.sin((2 * Math.PI) / perPeriod) / (n * dt) + 1e-12,
  );
  // A different amplitude or frequency changes it in proportion: the metric is not constant.
  assert.ok(Math.abs(totalVariationRate(sine(2 * a, f, dt, n), dt) - 2 * exact) < 1e-12);
});

Deno.test("totalVariationRate() of a step is its height over the horizon, of a square wave 4·A·f", () => {
  const dt = 0.01, n = 500;
  const step = Float64Array.from({ length: n }, (_, k) => (k < 200 ? 0 : -7));
  assert.equal(totalVariationRate(step, dt), 7 / (n * dt));
  assert.equal(totalVariationRate(new Float64Array(n).fill(4), dt), 0);
  // 2P − 1 jumps of 2A are recorded (the one closing the last period is at u_n, outside).
  const a = 1.5, perPeriod = 20, periods = 25;
  const u = square(a, perPeriod, perPeriod * periods);
  const f = 1 / (perPeriod * dt);
  assert.ok(
    Math.abs(totalVariationRate(u, dt) - (2 * periods - 1) * 2 * a / (perPeriod * periods * dt)) < 1e-12,
  );
  assert.ok(Math.abs(totalVariationRate(u, dt) - 4 * a * f) <= 2 * a / (perPeriod * periods * dt) + 1e-12);
  assert.equal(totalVariationRate([5], dt), 0);
});

Deno.test("signChangeRate() of a sine is 2·f, of a step 0, of a square wave 2·f − 2/T", () => {
  const dt = 0.01;
  for (const [f, perPeriod] of [[2.5, 40], [1, 100], [10, 10]]) {
    const periods = 20, n = perPeriod * periods;
    // Two extrema per period, all inside the record.
    assert.ok(Math.abs(signChangeRate(sine(1, f, dt, n), dt) - 2 * f) < 1e-9, `f = ${f}`);
  }
  assert.equal(signChangeRate(Float64Array.from({ length: 100 }, (_, k) => (k < 50 ? 0 : 1)), dt), 0);
  // A square wave's increments are ±2A at its jumps and 0 between: 2P − 1 jumps, 2P − 2 changes.
  const periods = 10, perPeriod = 20, n = periods * perPeriod;
  assert.ok(Math.abs(signChangeRate(square(1, perPeriod, n), dt) - (2 * periods - 2) / (n * dt)) < 1e-12);
  // Bang-bang at the sample rate: every increment flips.
  const bang = Float64Array.from({ length: 100 }, (_, k) => (k % 2 ? 1 : -1));
  assert.ok(Math.abs(signChangeRate(bang, dt) - 98 / (100 * dt)) < 1e-12);
});

/** The chattering share as first shipped: no window, only the mean removed. */
const UNWINDOWED = { window: "rectangular", detrend: "mean" } as const;

/** `A·cos(2π·f·k·dt)`, k = 0 … n − 1. */
const cosine = (a: number, f: number, dt: number, n: number) =>
  Float64Array.from({ length: n }, (_, k) => a * Math.cos(2 * Math.PI * f * k * dt));

/**
 * The Hann window's leakage beyond D bins (of 1/(n·dt)) on one side of a sinusoid, as a fraction
 * of its windowed power, bounded from above: the kernel |W(D)|²/|W(0)|² stays under
 * 1/(π²D²(D² − 1)²) ≈ 1/(π²D⁶), whose integral beyond D is 1/(5π²D⁵); the kernel's total over all
 * bins is n·Σw²/(Σw)² = 1.5 of its peak. (The side lobes' sin² averages 1/2, so the leakage itself is
 * about half of this.)
 */
const hannLeakage = (bins: number) => 2 / (15 * Math.PI ** 2 * bins ** 5);

Deno.test("powerShareAbove() of a sine on a bin is 0 below the cutoff, 1 above it and 1/6 at it", () => {
  // n = 1024 = 2^10 samples holding whole periods of a cosine: no padding, the fitted mean and line
  // are 0 (the cosine and the Hann weights are both symmetric about n/2), and the periodic Hann
  // window spreads the cosine over its bin and the two neighbours exactly, as 1/6, 2/3, 1/6 of its
  // power. So the share is exact wherever no bin of the three is on the other side of the cutoff.
  const n = 1024, dt = 1 / 1024;
  assert.ok(powerShareAbove(cosine(2, 3, dt, n), dt, 5) < 1e-25);
  assert.ok(1 - powerShareAbove(cosine(2, 40, dt, n), dt, 5) < 1e-12);
  // At the cutoff the upper neighbour (6 Hz) is above it: 1/6. Without a window it would be 0,
  // which shows the value is the window's: the share cannot resolve a frequency to better than the
  // main lobe, ±2 bins.
  assert.ok(Math.abs(powerShareAbove(cosine(2, 5, dt, n), dt, 5) - 1 / 6) < 1e-12);
  assert.ok(powerShareAbove(cosine(2, 5, dt, n), dt, 5, UNWINDOWED) < 1e-25);
  // Two cosines of powers A²/2: the share is the fast one's part of the total. (Both at least 3 bins
  // up: within 2 bins of 0 Hz the weighted fit would take part of a cosine as mean or trend, since
  // the weights w² hold record harmonics 0, 1 and 2.)
  const mix = cosine(1, 3, dt, n).map((v, k) => v + 2 * Math.cos(2 * Math.PI * 30 * k * dt));
  assert.ok(Math.abs(powerShareAbove(mix, dt, 5) - 4 / 5) < 1e-12);
  // The normalisation by the window's mean square 3/8 keeps a whole-period sinusoid's total: the
  // bins sum to Σ u² (= n·A²/2) as without the window.
  const spectrum = powerSpectrum(cosine(2, 40, dt, n), dt);
  assert.ok(Math.abs(spectrum.windowPower - 3 / 8) < 1e-15);
  assert.ok(Math.abs(spectrum.power.reduce((a, v) => a + v, 0) - n * 2) < 1e-9);
});

Deno.test("powerShareAbove() of a sine between bins, padded to a power of two, leaks only through the Hann side lobes", () => {
  // 10 s at dt = 0.01 (1000 samples, padded to 1024): the shape of a shipped run. A sine D bins of
  // 0.1 Hz away from the 5 Hz cutoff puts at most hannLeakage(D) of its power across it.
  const dt = 0.01, n = 1000, cutoff = 5;
  for (const f of [2, 3, 4]) {
    const share = powerShareAbove(sine(1, f, dt, n), dt, cutoff);
    const bins = (cutoff - f) * n * dt;
    assert.ok(share <= hannLeakage(bins), `${f} Hz: ${share} vs ${hannLeakage(bins)}`);
  }
  for (const f of [6, 7, 20]) {
    const share = powerShareAbove(sine(1, f, dt, n), dt, cutoff);
    const bins = (f - cutoff) * n * dt;
    assert.ok(1 - share <= hannLeakage(bins), `${f} Hz: ${1 - share} vs ${hannLeakage(bins)}`);
  }
  // The old definition (no window) leaks across the cutoff as the rectangular window's 1/D² side
  // lobes do: a 2 Hz sine put 3·10⁻⁴ of its power above 5 Hz, a million times the bound.
  assert.ok(powerShareAbove(sine(1, 2, dt, n), dt, cutoff, UNWINDOWED) > 1e3 * hannLeakage(30));
  // Parseval without a window: the bins hold Σ (u − ū)², padding adds nothing.
  const u = sine(1, 2, dt, n);
  const plain = powerSpectrum(u, dt, UNWINDOWED);
  assert.equal(plain.fftLength, 1024);
  assert.equal(plain.frequency.length, 513);
  assert.ok(Math.abs(plain.frequency[1] - 1 / (1024 * dt)) < 1e-15);
  const mean = u.reduce((a, v) => a + v, 0) / n;
  const energy = u.reduce((a, v) => a + (v - mean) ** 2, 0);
  assert.ok(Math.abs(plain.power.reduce((a, v) => a + v, 0) - energy) < 1e-9 * energy);
  // The mean is not chattering: a constant offset changes nothing, a constant has share 0.
  const offset = u.map((v) => v + 50);
  assert.ok(Math.abs(powerShareAbove(offset, dt, 1) - powerShareAbove(u, dt, 1)) < 1e-9);
  assert.equal(powerShareAbove(new Float64Array(n).fill(3), dt, 1), 0);
  assert.equal(powerShareAbove(new Float64Array(n).fill(0.1), dt, 1), 0);
  assert.equal(powerSpectrum([], dt).fftLength, 2);
  assert.equal(powerShareAbove([7], dt, 1), 0);
});

/** The sampled ±A square wave's odd harmonic k carries 8/(N·sin(πk/N))² of its power (its DFT in closed form). */
const harmonicPower = (k: number, perPeriod: number) =>
  8 / (perPeriod * Math.sin((Math.PI * k) / perPeriod)) ** 2;

Deno.test("powerShareAbove() of a square wave is 1 − 8/π²·Σ 1/k² over the odd harmonics below the cutoff", () => {
  // 8 Hz square wave, 128 samples per period, 1024 samples (no padding). The cutoff at 44 Hz keeps
  // harmonics 1, 3 and 5 (8, 24, 40 Hz) below it; each harmonic sits on a bin 16 bins from the next.
  const n = 1024, perPeriod = 128, dt = 1 / 1024, cutoff = 44;
  const u = square(1, perPeriod, n);
  let all = 0;
  for (let k = 1; k < perPeriod / 2; k += 2) all += harmonicPower(k, perPeriod);
  assert.ok(Math.abs(all - 1) < 1e-12, `Σ = ${all}`);
  const closedAbove = 1 -
    (harmonicPower(1, perPeriod) + harmonicPower(3, perPeriod) + harmonicPower(5, perPeriod));
  // With the mean removed only, the window's effect alone: every harmonic keeps 3/8 of its power, in
  // its own bin and the two neighbours, none of which crosses the cutoff (40 ± 1 < 44 < 56 − 1), and
  // the weighted mean is 0 (the weights w² hold record harmonics 0, 1, 2 only). Exact.
  assert.ok(Math.abs(powerShareAbove(u, dt, cutoff, { detrend: "mean" }) - closedAbove) < 1e-12);
  // The fitted line takes out the windowed record's component along w·(k − c): a fraction R of its
  // power, R the squared weighted correlation of u with k (computed here directly). That component
  // is smooth and low in frequency, so it comes out of the power below the cutoff, and the share
  // above becomes closedAbove / (1 − R): the linear detrending moves it by less than R.
  const w2 = Float64Array.from({ length: n }, (_, k) => Math.sin((Math.PI * k) / n) ** 4);
  const sum = (f: (k: number) => number) => w2.reduce((a, q, k) => a + q * f(k), 0);
  const centre = sum((k) => k) / sum(() => 1);
  const r = sum((k) => (k - centre) * u[k]) ** 2 / (sum((k) => (k - centre) ** 2) * sum((k) => u[k] ** 2));
  assert.ok(r > 1e-9 && r < 1e-6, `R = ${r}`); // small: w²·(k − c) is smooth, it barely meets bin 8
  const share = powerShareAbove(u, dt, cutoff);
  assert.ok(Math.abs(share - closedAbove / (1 - r)) < 1e-12, `${share} vs ${closedAbove / (1 - r)}`);
  assert.ok(Math.abs(share - closedAbove) <= r);
  // The continuous square wave's 8/π²·(1 + 1/9 + 1/25) = 0.9331: 1/sin²(πk/N) exceeds 1/(πk/N)² by
  // a relative (πk/N)²/3, at most 0.5 % (k = 5, a term of 0.03), which moves the sum by < 1e-3.
  const continuous = (8 / Math.PI ** 2) * (1 + 1 / 9 + 1 / 25);
  assert.ok(Math.abs(1 - share - continuous) < 1e-3, `${1 - share} vs ${continuous}`);
  // A cutoff below the fundamental leaves all the power above it, but for the removed component:
  // the wave has nothing below 4 Hz, so what the line took out (R of the power) was above, and the
  // smooth line it leaves in its place (−b·w·(k − c)) is the share below: R, to its own small tail
  // above 4 Hz (2e-4 of it; 1e-3 allowed).
  assert.ok(Math.abs(powerShareAbove(u, dt, 4, { detrend: "mean" }) - 1) < 1e-12);
  const below = 1 - powerShareAbove(u, dt, 4);
  assert.ok(below <= r && below > r * (1 - 1e-3), `${below} vs R = ${r}`);
});

Deno.test("powerShareAbove() of a square wave between bins matches its closed form within the Hann leakage", () => {
  // A 2 Hz square wave over 10 s at dt = 0.01 (20 periods, padded to 1024): harmonic 1 (2 Hz) is
  // below 5 Hz, harmonic 3 (6 Hz) above. The nearest to the cutoff is harmonic 3, D = 10 bins of
  // 0.1 Hz away, with 9 % of the power; harmonic 1 is 30 bins away with 81 %. Their leakage across
  // the cutoff is at most 0.09·hannLeakage(10) + 0.81·hannLeakage(30) ≈ 1.3e-8.
  const dt = 0.01, n = 1000, perPeriod = 50, cutoff = 5;
  const u = square(1, perPeriod, n);
  const closedAbove = 1 - harmonicPower(1, perPeriod);
  const tolerance = harmonicPower(3, perPeriod) * hannLeakage(10) +
    harmonicPower(1, perPeriod) * hannLeakage(30);
  const share = powerShareAbove(u, dt, cutoff);
  assert.ok(Math.abs(share - closedAbove) <= tolerance, `${share - closedAbove} vs ${tolerance}`);
  // Without a window the record's ends (+1 then the padded zeros) leak 2e-3 across: this fails.
  assert.ok(Math.abs(powerShareAbove(u, dt, cutoff, UNWINDOWED) - closedAbove) > 1e4 * tolerance);
});

Deno.test("powerShareAbove() of a step at t = 0 followed by a smooth decay is near 0: it does not chatter", () => {
  // u = 25·e^(−t/τ), τ = 0.2 s, over 10 s: what a controller does when the initial error sets u_0
  // and the loop then settles smoothly. The Hann window starts at 0, so the windowed record is
  // ≈ 25·(πt/T)²·e^(−t/τ) near the start, whose spectrum is ∝ (1 + (2πfτ)²)^(−3); its share above
  // f_c is 1 − F(x_c)/F(∞) with F(x) = ∫₀ˣ (1 + s²)^(−3) ds and x_c = 2π·f_c·τ (F(∞) = 3π/16).
  // Left out: sin² ≈ (πt/T)² (relative (πt/T)²/3 < 0.5 % where the windowed decay lives, t < 3τ)
  // and the sampling (dt = τ/20); 2 % covers both.
  const dt = 0.01, n = 1000, tau = 0.2, cutoff = 5;
  const u = Float64Array.from({ length: n }, (_, k) => 25 * Math.exp((-k * dt) / tau));
  const F = (x: number) => x / (4 * (1 + x * x) ** 2) + (3 * x) / (8 * (1 + x * x)) + (3 / 8) * Math.atan(x);
  const expected = 1 - F(2 * Math.PI * cutoff * tau) / ((3 * Math.PI) / 16);
  const share = powerShareAbove(u, dt, cutoff);
  assert.ok(share < 1e-4, `${share}`);
  assert.ok(Math.abs(share / expected - 1) < 0.02, `${share} vs ${expected}`);
  // The old, unwindowed definition sees the jump from the record's end back to u_0 = 25 N (the
  // transform takes the record as periodic) and calls a tenth of the power chattering: it fails.
  assert.ok(powerShareAbove(u, dt, cutoff, UNWINDOWED) > 0.05);
  // Total variation counts the decay once, (u_0 − u_(n−1))/T (2.5 N/s here: not chattering, but
  // how far the force travelled), and a monotone decay reverses nothing.
  assert.ok(Math.abs(totalVariationRate(u, dt) - (u[0] - u[n - 1]) / (n * dt)) < 1e-12);
  assert.equal(signChangeRate(u, dt), 0);
});

Deno.test("powerShareAbove() of bang-bang switching at 50 Hz is 1, with or without a trend", () => {
  // ±1 every step: the Nyquist frequency. Windowed, it stays within a bin of Nyquist; the cutoff is
  // 460 bins below, so the leakage (hannLeakage(460) ≈ 7e-16) is below rounding.
  const dt = 0.01, n = 1000;
  const bang = Float64Array.from({ length: n }, (_, k) => (k % 2 ? 1 : -1));
  assert.ok(1 - powerShareAbove(bang, dt, 5) < 1e-12);
  // ±0.5 N of it riding on a ramp (the force drifting from −2 N to 2 N over the run) is still all
  // chattering: the fitted line takes the drift out. With the mean removed only, the windowed ramp
  // is low-frequency power and the share drops to 0.44 (without a window, to 0.16): the variants
  // that fail.
  const ramp = Float64Array.from({ length: n }, (_, k) => (4 * k) / n - 2);
  const riding = ramp.map((v, k) => v + 0.5 * bang[k]);
  assert.ok(1 - powerShareAbove(riding, dt, 5) < 1e-12);
  assert.ok(powerShareAbove(riding, dt, 5, { detrend: "mean" }) < 0.5);
  assert.ok(powerShareAbove(riding, dt, 5, UNWINDOWED) < 0.5);
  // A straight line has nothing left once its line is removed: share 0 (not rounding noise).
  assert.equal(powerShareAbove(ramp, dt, 5), 0);
});

Deno.test("chatteringMetrics() bundles the three metrics and rejects bad input", () => {
  const dt = 0.01, u = sine(3, 2.5, dt, 1000);
  const c = chatteringMetrics(u, dt);
  assert.equal(c.frequency, CHATTERING_FREQUENCY);
  assert.equal(c.totalVariation, totalVariationRate(u, dt));
  assert.equal(c.signChanges, signChangeRate(u, dt));
  assert.equal(c.highFrequencyShare, powerShareAbove(u, dt, CHATTERING_FREQUENCY));
  assert.equal(c.fftLength, 1024);
  assert.equal(c.window, CHATTERING_WINDOW);
  assert.equal(c.detrend, CHATTERING_DETREND);
  assert.deepEqual([CHATTERING_WINDOW, CHATTERING_DETREND], ["hann", "linear"]);
  assert.equal(chatteringMetrics(u, dt, 1).frequency, 1);
  assert.ok(chatteringMetrics(u, dt, 1).highFrequencyShare > 0.99);
  const plain = chatteringMetrics(u, dt, 5, UNWINDOWED);
  assert.equal(plain.window, "rectangular");
  assert.equal(plain.highFrequencyShare, powerShareAbove(u, dt, 5, UNWINDOWED));
  assert.notEqual(plain.highFrequencyShare, c.highFrequencyShare);
  assert.throws(() => totalVariationRate(u, 0), /dt: must be a finite number > 0, got 0/);
  assert.throws(() => signChangeRate([1, NaN], dt), /u\[1\]: must be a finite number, got NaN/);
  assert.throws(() => powerShareAbove(u, dt, -1), /frequency: must be a finite number ≥ 0, got -1/);
  assert.throws(() => chatteringMetrics(u, dt, NaN), /frequency/);
  const bad = { window: "hamming" } as unknown as SpectrumOptions;
  assert.throws(
    () => powerSpectrum(u, dt, bad),
    /options.window: must be "hann" or "rectangular", got "hamming"/,
  );
  const badTrend = { detrend: "quadratic" } as unknown as SpectrumOptions;
  assert.throws(
    () => chatteringMetrics(u, dt, 5, badTrend),
    /options.detrend: must be "linear" or "mean", got "quadratic"/,
  );
});
