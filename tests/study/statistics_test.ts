import assert from "node:assert/strict";
import { percentiles, quantileSorted, wilsonInterval, Z_95 } from "../../study/mod.ts";

// Hand computation for 95 of 100 at z = 1.96 (z² = 3.8416): p̂ = 0.95,
// centre = (0.95 + 0.019208) / 1.038416 = 0.933352, half = 1.96·√(0.000475 + 0.00009604) / 1.038416
// = 0.045104, so [0.888248, 0.978457]. With z = 1.959964 the bounds move by < 2e-5.
Deno.test("wilsonInterval() matches a hand-computed case", () => {
  const r = wilsonInterval(95, 100, 1.96);
  assert.equal(r.successRate, 0.95);
  assert.ok(Math.abs(r.ci95[0] - 0.888248) < 2e-6, `lower ${r.ci95[0]}`);
  assert.ok(Math.abs(r.ci95[1] - 0.978457) < 2e-6, `upper ${r.ci95[1]}`);
  const exact = wilsonInterval(95, 100);
  assert.ok(Math.abs(exact.ci95[0] - r.ci95[0]) < 2e-5 && Math.abs(exact.ci95[1] - r.ci95[1]) < 2e-5);
});

Deno.test("wilsonInterval() gives the closed form at 0 and n successes", () => {
  // At p̂ = 1 the lower bound is n / (n + z²) and the upper bound 1 (and the mirror at p̂ = 0).
  const all = wilsonInterval(1000, 1000);
  assert.ok(Math.abs(all.ci95[0] - 1000 / (1000 + Z_95 * Z_95)) < 1e-12);
  assert.equal(all.ci95[1], 1);
  const none = wilsonInterval(0, 50);
  assert.equal(none.ci95[0], 0);
  assert.ok(Math.abs(none.ci95[1] - (Z_95 * Z_95) / (50 + Z_95 * Z_95)) < 1e-12);
});

Deno.test("wilsonInterval() covers the true rate about 95 % of the time", () => {
  // Exact binomial coverage at p = 0.9, n = 200: sum of P(k) over the k whose interval holds p.
  const n = 200, p = 0.9;
  let coverage = 0, logChoose = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log((n - k + 1) / k);
    const { ci95 } = wilsonInterval(k, n);
    if (ci95[0] <= p && p <= ci95[1]) {
      coverage += Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log(1 - p));
    }
  }
  assert.ok(coverage > 0.93 && coverage < 0.97, `coverage ${coverage}`);
});

Deno.test("wilsonInterval() rejects impossible counts with the field named", () => {
  assert.throws(() => wilsonInterval(5, 4), /successes: must not exceed runs \(4\), got 5/);
  assert.throws(() => wilsonInterval(0, 0), /runs: must be at least 1/);
  assert.throws(() => wilsonInterval(1.5, 4), /successes: must be a non-negative integer, got 1.5/);
});

Deno.test("quantileSorted() interpolates between order statistics", () => {
  const xs = Array.from({ length: 101 }, (_, i) => i / 100);
  assert.equal(quantileSorted(xs, 0.5), 0.5);
  assert.ok(Math.abs(quantileSorted(xs, 0.99) - 0.99) < 1e-15);
  assert.equal(quantileSorted([3], 0.9), 3);
  assert.throws(() => quantileSorted([], 0.5), /at least one value/);
  assert.throws(() => quantileSorted([1], 1.5), /q: must lie in \[0, 1\], got 1.5/);
});

Deno.test("percentiles() leaves out non-finite values and never returns NaN", () => {
  const s = percentiles([4, Number.POSITIVE_INFINITY, 1, 3, Number.NaN, 2]);
  assert.deepEqual({ ...s, p90: null, p99: null }, {
    count: 4,
    p50: 2.5,
    p90: null,
    p99: null,
    min: 1,
    max: 4,
  });
  // Type-7 rule: h = 3·0.9 = 2.7 → 3 + 0.7·(4 − 3); h = 3·0.99 = 2.97 → 3.97 (up to rounding).
  assert.ok(Math.abs(s.p90! - 3.7) < 1e-12 && Math.abs(s.p99! - 3.97) < 1e-12);
  assert.deepEqual(percentiles([Number.NaN]), {
    count: 0,
    p50: null,
    p90: null,
    p99: null,
    min: null,
    max: null,
  });
});
