/**
 * Tests of the run metrics (study/metrics.ts, docs/metrics.md): overshoot, recovery after a
 * disturbance and runMetrics(), on synthetic trajectories whose values are known by construction,
 * and on a simulated disturbed run read directly.
 */
import assert from "assert";
import {
  chatteringMetrics,
  closedLoopMetrics,
  type MetricsInput,
  overshoot,
  peaksFrom,
  recoveryTime,
  runMetrics,
  SETTLING_BAND,
} from "../../study/mod.ts";
import { createPlant, type DisturbanceSpec, simulate } from "../../plant/mod.ts";
import { createController, DEFAULT_PHYSICS } from "../../factory/mod.ts";

/** A synthetic trajectory: θ1 = th1(t), θ2 = th2(t), x = pos(t) at t = k·dt, u = ctrl(t). */
function synthetic(
  n: number,
  dt: number,
  th1: (t: number) => number,
  th2: (t: number) => number = () => 0,
  pos: (t: number) => number = () => 0,
  ctrl: (t: number) => number = () => 0,
  status: MetricsInput["status"] = "ok",
): MetricsInput {
  const t = Float64Array.from({ length: n + 1 }, (_, k) => k * dt);
  const x = new Float64Array((n + 1) * 6);
  for (let k = 0; k <= n; k++) {
    x[6 * k] = pos(t[k]);
    x[6 * k + 1] = th1(t[k]);
    x[6 * k + 2] = th2(t[k]);
  }
  return {
    t,
    x,
    u: Float64Array.from({ length: n }, (_, k) => ctrl(t[k])),
    dt,
    status,
    failTime: status === "ok" ? null : n * dt,
  };
}

/** θ that decays as 0.1·e^(−t) and, kicked at 2 s, swings to 0.06 and decays again from 2.1 s. */
const kicked = (t: number) => (t < 2 ? 0.1 * Math.exp(-t) : t < 2.1 ? 0.06 : 0.06 * Math.exp(-2 * (t - 2.1)));

Deno.test("overshoot() divides each link's peak by its initial deflection", () => {
  // θ1 = 0.05·(1 + 0.5·sin(πt/2)) peaks at 0.075 (t = 1 s, a sample): overshoot 1.5. θ2 starts
  // at −0.03 and never exceeds it: 1.
  const run = synthetic(
    1000,
    0.01,
    (t) => 0.05 * (1 + 0.5 * Math.sin((Math.PI * t) / 2)),
    (t) => -0.03 * Math.exp(-t),
    (t) => 0.3 * Math.sin(t),
  );
  const o = overshoot(run);
  assert.ok(Math.abs(o.theta1! - 1.5) < 1e-12, `${o.theta1}`);
  assert.equal(o.theta2, 1);
  assert.ok(Math.abs(o.maxX - 0.3) < 1e-4);
  // A link that starts upright has no ratio.
  assert.equal(overshoot(synthetic(10, 0.1, (t) => 0.01 * t)).theta1, null);
  assert.equal(overshoot(synthetic(10, 0.1, (t) => 0.01 * t)).theta2, null);
  assert.throws(() => overshoot({ t: new Float64Array(1), x: new Float64Array(5) }), /trajectory x/);
});

Deno.test("recoveryTime() measures from the disturbance's start and end to back inside the band for good", () => {
  const dt = 0.01, run = synthetic(1000, dt, kicked);
  // Back inside for good at the first sample with 0.06·e^(−2(t − 2.1)) < 0.02: t > 2.1 + ln(3)/2.
  const expected = Math.ceil((2.1 + Math.log(3) / 2) / dt) * dt;
  const r = recoveryTime(run, { start: 2, end: 2.1 });
  assert.equal(r.leftBand, true);
  assert.equal(r.recovered, true);
  assert.ok(Math.abs(r.recoveredAt! - expected) < 1e-12, `${r.recoveredAt} vs ${expected}`);
  assert.ok(Math.abs(r.fromStart! - (expected - 2)) < 1e-12);
  assert.ok(Math.abs(r.fromEnd! - (expected - 2.1)) < 1e-12);
  assert.equal(r.band, SETTLING_BAND);
  // The settling time of the same run is the same instant: the kick was the last exit.
  assert.equal(closedLoopMetrics(run).settlingTime, r.recoveredAt);
  // Before the kick the run had settled (0.1·e^(−t) < 0.02 after ln 5 = 1.61 s): a disturbance that
  // keeps the angles inside the band costs no recovery time.
  const calm = recoveryTime(synthetic(1000, dt, (t) => 0.1 * Math.exp(-t)), { start: 2, end: 2.1 });
  assert.deepEqual([calm.leftBand, calm.recoveredAt, calm.fromStart, calm.fromEnd], [false, 2, 0, 0]);
  // A lasting disturbance (a sine) has no end to measure from.
  assert.equal(recoveryTime(run, { start: 2, end: Infinity }).fromEnd, null);
  // A wider band recovers earlier.
  assert.ok(recoveryTime(run, { start: 2, end: 2.1 }, 0.05).recoveredAt! < r.recoveredAt!);
});

Deno.test("recoveryTime() reports no recovery for a run that fails or ends outside the band", () => {
  const dt = 0.01;
  const outside = recoveryTime(synthetic(500, dt, (t) => (t < 2 ? 0 : 0.03)), { start: 2, end: 2.1 });
  assert.deepEqual(
    [outside.recovered, outside.recoveredAt, outside.fromStart, outside.fromEnd, outside.leftBand],
    [false, null, null, null, true],
  );
  const fell = recoveryTime(synthetic(300, dt, () => 0, () => 0, () => 0, () => 0, "fell"), {
    start: 1,
    end: 1,
  });
  assert.equal(fell.recovered, false);
  assert.equal(fell.recoveredAt, null);
  // A step disturbance has start = end.
  const step = recoveryTime(synthetic(1000, dt, kicked), { start: 2, end: 2 });
  assert.equal(step.fromEnd, step.fromStart);
  assert.throws(() => recoveryTime(synthetic(10, dt, () => 0), { start: -1, end: 0 }), /window\.start/);
  assert.throws(
    () => recoveryTime(synthetic(10, dt, () => 0), { start: 1, end: 0.5 }),
    /window\.end: must be ≥ window\.start \(1\), got 0\.5/,
  );
  assert.throws(() => recoveryTime(synthetic(10, dt, () => 0), { start: 0, end: 1 }, 0), /band/);
});

Deno.test("peaksFrom() takes the peaks over the samples from a time on, not the transient before it", () => {
  // kicked: 0.1 at t = 0, decaying to 0.0135 at 2 s, then 0.06 from 2 s to 2.1 s. The whole run's
  // peak is the initial 0.1; from 2 s on it is the kick's 0.06.
  const dt = 0.01, n = 1000;
  const run = synthetic(n, dt, kicked, (t) => -0.5 * kicked(t), (t) => (t < 2 ? 0.3 : -0.1));
  const whole = closedLoopMetrics(run);
  const from = peaksFrom(run, 2)!;
  assert.equal(whole.maxTheta1, 0.1);
  assert.equal(from.maxTheta1, 0.06);
  assert.equal(from.maxTheta2, 0.03);
  assert.equal(from.maxX, 0.1);
  assert.equal(from.from, 2);
  assert.equal(from.samples, 801); // 2 s … 10 s
  // A sample within rounding of the start (a time summed step by step) counts as at it; one a
  // step earlier does not.
  const early = { ...run, t: run.t.map((t, k) => (k === 200 ? 2 - 1e-13 : t)) };
  assert.equal(peaksFrom(early, 2)!.samples, 801);
  assert.equal(peaksFrom(run, 2 - dt)!.samples, 802);
  assert.ok(Object.is(peaksFrom(run, 0)!.maxTheta1, whole.maxTheta1));
  assert.equal(peaksFrom(run, 0)!.maxX, whole.maxX);
  // After the last sample there is nothing to take a peak of.
  assert.equal(peaksFrom(run, 10.5), null);
  assert.equal(peaksFrom(run, 10)!.samples, 1);
  assert.throws(() => peaksFrom(run, -1), /from: must be a finite number ≥ 0, got -1/);
  assert.throws(() => peaksFrom(run, NaN), /from: must be a finite number ≥ 0, got NaN/);
});

Deno.test("runMetrics() adds overshoot, control effort, chattering and recovery to the closed-loop metrics", () => {
  const dt = 0.01, n = 1000;
  const ctrl = (t: number) => 4 * Math.sin(2 * Math.PI * 2.5 * t);
  const run = synthetic(n, dt, kicked, (t) => -0.05 * Math.exp(-t), (t) => 0.2 * Math.sin(t), ctrl);
  const impulse: DisturbanceSpec = { force: { kind: "impulse", amplitude: 20, start: 2, duration: 0.1 } };
  const m = runMetrics(run, { disturbance: impulse });
  const base = closedLoopMetrics(run);
  for (const key of Object.keys(base) as (keyof typeof base)[]) assert.deepEqual(m[key], base[key], key);
  assert.equal(m.overshootTheta1, 1);
  assert.equal(m.overshootTheta2, 1);
  // ∫u² dt of 4·sin over 25 whole periods is 8 N²·s per second: 80 over 10 s (Σ u_k²·dt is exact
  // for a sampled sine over whole periods).
  assert.ok(Math.abs(m.controlEnergy - 80) < 1e-9, `${m.controlEnergy}`);
  assert.ok(Math.abs(m.maxU - 4) < 1e-12);
  assert.deepEqual(m.chattering, chatteringMetrics(run.u, dt));
  assert.ok(Math.abs(m.chattering.totalVariation - 4 * 4 * 2.5) < 0.1);
  assert.deepEqual(m.recovery, recoveryTime(run, { start: 2, end: 2.1 }));
  // Without a force there is nothing to recover from; noise alone has no window either.
  assert.equal(runMetrics(run).recovery, null);
  assert.equal(
    runMetrics(run, { disturbance: { noise: { std: [0, 0, 0, 0, 0, 0], seed: 1 } } }).recovery,
    null,
  );
  // The options reach the metrics they configure.
  const custom = runMetrics(run, { band: 0.05, chatteringFrequency: 1, disturbance: impulse });
  assert.equal(custom.band, 0.05);
  assert.equal(custom.recovery!.band, 0.05);
  assert.equal(custom.chattering.frequency, 1);
  assert.ok(custom.chattering.highFrequencyShare > 0.99);
  // A sine force lasts to the end: recovery from its start only.
  const sine = runMetrics(run, {
    disturbance: { force: { kind: "sine", amplitude: 1, frequency: 1, start: 2 } },
  });
  assert.equal(sine.recovery!.end, Infinity);
  assert.equal(sine.recovery!.fromEnd, null);
});

Deno.test("runMetrics() of a simulated impulse agrees with a direct reading of the run", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const disturbance: DisturbanceSpec = { force: { kind: "impulse", amplitude: 20, start: 2, duration: 0.1 } };
  const run = simulate({
    plant,
    controller: createController("classical_smc"),
    x0: [0, 0.05, -0.03, 0, 0, 0],
    dt: 0.01,
    duration: 10,
    disturbance,
  });
  const m = runMetrics(run, { disturbance });
  const r = m.recovery!;
  assert.equal(run.status, "ok");
  assert.equal(r.leftBand, true, "a 2 N·s push knocks the pendulum out of the band");
  const th = (k: number) => Math.max(Math.abs(run.x[6 * k + 1]), Math.abs(run.x[6 * k + 2]));
  const k = Math.round(r.recoveredAt! / 0.01);
  assert.ok(k > 200 && th(k - 1) >= SETTLING_BAND);
  for (let j = k; j <= run.steps; j++) assert.ok(th(j) < SETTLING_BAND);
  let tv = 0;
  for (let j = 1; j < run.steps; j++) tv += Math.abs(run.u[j] - run.u[j - 1]);
  assert.ok(Math.abs(m.chattering.totalVariation - tv / 10) < 1e-9);
  // The undisturbed run settles earlier and varies its force less.
  const calm = runMetrics(simulate({
    plant,
    controller: createController("classical_smc"),
    x0: [0, 0.05, -0.03, 0, 0, 0],
    dt: 0.01,
    duration: 10,
  }));
  assert.ok(calm.settlingTime! < m.settlingTime!);
  assert.ok(calm.chattering.totalVariation < m.chattering.totalVariation);
});
