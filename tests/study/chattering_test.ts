/**
 * Tests of the chattering metrics (study/chattering.ts, docs/metrics.md): each against a signal
 * whose value is known in closed form (a sine, a step, a square wave).
 */
import assert from "assert";
import {
  CHATTERING_FREQUENCY,
  chatteringMetrics,
  powerShareAbove,
  powerSpectrum,
  signChangeRate,
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

Deno.test("powerShareAbove() of a sine is 0 below the cutoff and 1 above it", () => {
  // n = 1024 = 2^10 samples holding whole periods: each sine sits on one bin, no leakage at all.
  const n = 1024, dt = 1 / 1024;
  assert.ok(powerShareAbove(sine(2, 3, dt, n), dt, 5) < 1e-25);
  assert.ok(1 - powerShareAbove(sine(2, 40, dt, n), dt, 5) < 1e-12);
  // A sine exactly at the cutoff is not above it.
  assert.ok(powerShareAbove(sine(2, 5, dt, n), dt, 5) < 1e-25);
  // Two sines of powers A²/2: the share is the fast one's part of the total.
  const mix = sine(1, 2, dt, n).map((v, k) => v + 2 * Math.sin(2 * Math.PI * 30 * k * dt));
  assert.ok(Math.abs(powerShareAbove(mix, dt, 5) - 4 / 5) < 1e-12);
});

Deno.test("powerShareAbove() of a square wave is 1 − 8/π²·Σ 1/k² over the odd harmonics below the cutoff", () => {
  // 8 Hz square wave, 128 samples per period, 1024 samples (no padding). The cutoff at 44 Hz keeps
  // harmonics 1, 3 and 5 (8, 24, 40 Hz) below it.
  const n = 1024, perPeriod = 128, dt = 1 / 1024, cutoff = 44;
  const u = square(1, perPeriod, n);
  const below = 1 - powerShareAbove(u, dt, cutoff);
  // The sampled wave's odd harmonic k has power 8/(N·sin(πk/N))² exactly (its DFT in closed form);
  // these add up to 1 over k < N/2.
  const discrete = (k: number) => 8 / (perPeriod * Math.sin((Math.PI * k) / perPeriod)) ** 2;
  let all = 0;
  for (let k = 1; k < perPeriod / 2; k += 2) all += discrete(k);
  assert.ok(Math.abs(all - 1) < 1e-12, `Σ = ${all}`);
  assert.ok(Math.abs(below - (discrete(1) + discrete(3) + discrete(5))) < 1e-12, `${below}`);
  // The continuous square wave's 8/π²·(1 + 1/9 + 1/25) = 0.9331: 1/sin²(πk/N) exceeds 1/(πk/N)² by
  // a relative (πk/N)²/3, at most 0.5 % (k = 5, a term of 0.03), which moves the sum by < 1e-3.
  const continuous = (8 / Math.PI ** 2) * (1 + 1 / 9 + 1 / 25);
  assert.ok(Math.abs(below - continuous) < 1e-3, `${below} vs ${continuous}`);
  // A cutoff below the fundamental leaves all the power above it.
  assert.ok(Math.abs(powerShareAbove(u, dt, 4) - 1) < 1e-12);
});

Deno.test("powerShareAbove() zero-pads a length that is not a power of two, leaking little across the cutoff", () => {
  // 1000 samples of 0.01 s, padded to 1024: 20 whole periods of a 2 Hz sine end where they began,
  // so the padded signal has no jump and its leakage above 5 Hz is tiny; at 20 Hz nearly all is above.
  const dt = 0.01, n = 1000;
  const spectrum = powerSpectrum(sine(1, 2, dt, n), dt);
  assert.equal(spectrum.fftLength, 1024);
  assert.equal(spectrum.frequency.length, 513);
  assert.ok(Math.abs(spectrum.frequency[1] - 1 / (1024 * dt)) < 1e-15);
  // Parseval: the bins hold Σ (u − ū)², padding adds nothing.
  const u = sine(1, 2, dt, n);
  const mean = u.reduce((a, v) => a + v, 0) / n;
  const energy = u.reduce((a, v) => a + (v - mean) ** 2, 0);
  assert.ok(Math.abs(spectrum.power.reduce((a, v) => a + v, 0) - energy) < 1e-9 * energy);
  assert.ok(powerShareAbove(u, dt, 5) < 1e-3);
  assert.ok(powerShareAbove(sine(1, 20, dt, n), dt, 5) > 0.999);
  // The mean is not chattering: a constant offset changes nothing, a constant has share 0.
  const offset = u.map((v) => v + 50);
  assert.ok(Math.abs(powerShareAbove(offset, dt, 1) - powerShareAbove(u, dt, 1)) < 1e-9);
  assert.equal(powerShareAbove(new Float64Array(n).fill(3), dt, 1), 0);
  assert.equal(powerSpectrum([], dt).fftLength, 2);
});

Deno.test("chatteringMetrics() bundles the three metrics and rejects bad input", () => {
  const dt = 0.01, u = sine(3, 2.5, dt, 1000);
  const c = chatteringMetrics(u, dt);
  assert.equal(c.frequency, CHATTERING_FREQUENCY);
  assert.equal(c.totalVariation, totalVariationRate(u, dt));
  assert.equal(c.signChanges, signChangeRate(u, dt));
  assert.equal(c.highFrequencyShare, powerShareAbove(u, dt, CHATTERING_FREQUENCY));
  assert.equal(c.fftLength, 1024);
  assert.equal(chatteringMetrics(u, dt, 1).frequency, 1);
  assert.ok(chatteringMetrics(u, dt, 1).highFrequencyShare > 0.99);
  assert.throws(() => totalVariationRate(u, 0), /dt: must be a finite number > 0, got 0/);
  assert.throws(() => signChangeRate([1, NaN], dt), /u\[1\]: must be a finite number, got NaN/);
  assert.throws(() => powerShareAbove(u, dt, -1), /frequency: must be a finite number ≥ 0, got -1/);
  assert.throws(() => chatteringMetrics(u, dt, NaN), /frequency/);
});
