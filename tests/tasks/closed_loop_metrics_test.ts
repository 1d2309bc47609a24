/**
 * Tests of the closed-loop metrics the simulate task prints (study/metrics.ts): settling at the last
 * re-entry into the band, peaks, control energy, failed runs, malformed input, and agreement with a
 * direct reading of a simulated run.
 */
import assert from "assert";
import { closedLoopMetrics, type MetricsInput, SETTLING_BAND } from "../../study/mod.ts";
import { createPlant, simulate } from "../../plant/mod.ts";
import { createController, DEFAULT_PHYSICS } from "../../factory/mod.ts";

/** A hand-made trajectory: rows [x, θ1, θ2] (velocities 0), controls u, step dt. */
function handMade(
  rows: number[][],
  u: number[],
  dt = 0.1,
  status: MetricsInput["status"] = "ok",
): MetricsInput {
  const x = new Float64Array(rows.length * 6);
  rows.forEach((r, k) => x.set(r, 6 * k));
  return {
    t: Float64Array.from(rows, (_, k) => k * dt),
    x,
    u: Float64Array.from(u),
    dt,
    status,
    failTime: status === "ok" ? null : (rows.length - 1) * dt,
  };
}

Deno.test("closedLoopMetrics() settles at the re-entry after the last exit from the band", () => {
  // θ1: in (0.01), out (0.03, it leaves once), back in for good from index 3.
  const m = closedLoopMetrics(handMade(
    [[0, 0.05, 0], [0.1, 0.01, 0], [-0.4, 0.03, -0.01], [0.2, 0.015, 0.005], [0, 0.001, 0], [0, 0, 0]],
    [1, -2, 3, 0, 0.5],
  ));
  assert.equal(m.status, "ok");
  assert.equal(m.settled, true);
  assert.equal(m.settlingTime, 0.30000000000000004); // t[3] = 3·0.1, exactly as the trajectory stores it
  assert.equal(m.maxTheta1, 0.05);
  assert.equal(m.maxTheta2, 0.01);
  assert.equal(m.maxX, 0.4);
  assert.equal(m.maxU, 3);
  // ∫u² dt under a zero-order hold: (1 + 4 + 9 + 0 + 0.25)·0.1.
  assert.ok(Math.abs(m.controlEnergy - 1.425) < 1e-15);
  assert.equal(m.samples, 6);
  assert.equal(m.band, SETTLING_BAND);
});

Deno.test("closedLoopMetrics() watches θ2 too, and the band edge counts as outside", () => {
  const rows = [[0, 0, 0], [0, 0, 0.025], [0, 0, 0], [0, 0, -0.02], [0, 0.019, 0.0199]];
  const m = closedLoopMetrics(handMade(rows, [0, 0, 0, 0]));
  // |θ2| = 0.02 at index 3 is not "< 0.02": settling starts at index 4.
  assert.equal(m.settlingTime, 0.4);
  assert.equal(m.maxTheta2, 0.025);
  // Inside from the start: settled at t = 0.
  assert.equal(closedLoopMetrics(handMade([[0, 0.01, 0], [0, 0, 0]], [5])).settlingTime, 0);
  // Outside at the last sample: not settled, whatever came before.
  const late = closedLoopMetrics(handMade([[0, 0, 0], [0, 0, 0], [0, 0.021, 0]], [0, 0]));
  assert.equal(late.settled, false);
  assert.equal(late.settlingTime, null);
});

Deno.test("closedLoopMetrics() never calls a failed run settled, and reports non-finite peaks", () => {
  // A run that fell early while its angles were small still did not settle.
  const fell = closedLoopMetrics(handMade([[0, 0.001, 0], [0, 0.001, 0]], [1], 0.1, "fell"));
  assert.equal(fell.settled, false);
  assert.equal(fell.settlingTime, null);
  assert.equal(fell.failTime, 0.1);
  const diverged = closedLoopMetrics(handMade([[0, 0.001, 0], [0, NaN, 0]], [1], 0.1, "diverged"));
  assert.ok(Number.isNaN(diverged.maxTheta1));
  assert.equal(diverged.status, "diverged");
  // A band given explicitly is used.
  assert.equal(closedLoopMetrics(handMade([[0, 0.05, 0], [0, 0.04, 0]], [0]), 0.045).settlingTime, 0.1);
});

Deno.test("closedLoopMetrics() rejects malformed trajectories and bands", () => {
  const good = handMade([[0, 0, 0], [0, 0, 0]], [0]);
  assert.throws(
    () => closedLoopMetrics({ ...good, x: new Float64Array(7) }),
    /trajectory x: must hold a positive multiple of 6/,
  );
  assert.throws(() => closedLoopMetrics({ ...good, x: new Float64Array(0) }), /trajectory x/);
  assert.throws(
    () => closedLoopMetrics({ ...good, t: new Float64Array(3) }),
    /trajectory t: must hold one time per state sample \(2\), got 3/,
  );
  for (const band of [0, -1, NaN, Infinity]) {
    assert.throws(() => closedLoopMetrics(good, band), /band: must be a finite number > 0/);
  }
});

Deno.test("closedLoopMetrics() agrees with a direct reading of a simulated run", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const r = simulate({
    plant,
    controller: createController("classical_smc"),
    x0: [0, 0.05, -0.03, 0, 0, 0],
    dt: 0.01,
    duration: 10,
  });
  const m = closedLoopMetrics(r);
  const th = (k: number) => Math.max(Math.abs(r.x[6 * k + 1]), Math.abs(r.x[6 * k + 2]));
  const k = Math.round(m.settlingTime! / 0.01);
  assert.ok(th(k - 1) >= SETTLING_BAND);
  for (let j = k; j <= r.steps; j++) assert.ok(th(j) < SETTLING_BAND);
  assert.equal(m.maxU, Math.max(...r.u.map(Math.abs)));
  assert.equal(m.simulatedTime, 10);
});
