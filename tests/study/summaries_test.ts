/**
 * Tests of the study's per-run records (study/summaries.ts, docs/study.md "study.json"): the
 * disturbance peaks are the response to the disturbance, read from the trajectory by hand, and the
 * chattering share tells a chattering controller from a smooth one in closed loop.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../config/mod.ts";
import { getDefaultGains } from "../../factory/mod.ts";
import {
  disturbanceMetrics,
  nominalMetrics,
  powerShareAbove,
  type RecordedRun,
  recordRun,
} from "../../study/mod.ts";

const CONFIG_PATH = new URL("../../config.yaml", import.meta.url);
const config = loadConfig(CONFIG_PATH, { env: {} });
const x0 = config.simulation.initial_state;

/** max |x[6k + column]| over k = from … samples − 1, and the k where it is reached. */
function peakByHand(run: RecordedRun, column: number, from: number): { value: number; at: number } {
  let value = 0, at = -1;
  for (let k = from; k < run.t.length; k++) {
    const v = Math.abs(run.x[6 * k + column]);
    if (v > value) [value, at] = [v, k];
  }
  return { value, at };
}

Deno.test("disturbanceMetrics() measures the peaks of an impulse at 2 s from 2 s on, not the larger nominal transient", () => {
  const type = "classical_smc", gains = getDefaultGains(type);
  const impulse = config.disturbances.impulse;
  assert.equal(impulse.force?.kind, "impulse");
  assert.equal(impulse.force?.start, 2);
  const run = recordRun({ config, controllerType: type, gains, x0, disturbance: impulse });
  const nominal = recordRun({ config, controllerType: type, gains, x0 });
  const m = disturbanceMetrics(run, impulse, config);
  assert.equal(m.status, "ok");
  assert.equal(m.disturbanceStart, 2);
  // By hand: sample k is at t = k·dt, so 2 s is sample 200.
  const start = Math.round(2 / config.simulation.dt);
  assert.ok(Math.abs(run.t[start] - 2) < 1e-9 && run.t[start - 1] < 2 - 1e-9);
  const whole1 = peakByHand(run, 1, 0), whole2 = peakByHand(run, 2, 0), wholeX = peakByHand(run, 0, 0);
  const from1 = peakByHand(run, 1, start),
    from2 = peakByHand(run, 2, start),
    fromX = peakByHand(run, 0, start);
  assert.deepEqual(m.peakTheta, [from1.value, from2.value]);
  assert.equal(m.peakX, fromX.value);
  assert.deepEqual(m.maxAbsTheta, [whole1.value, whole2.value]);
  assert.equal(m.maxAbsX, wholeX.value);
  // The nominal transient swings wider than the push: the whole-run peak is before 2 s and is the
  // undisturbed run's own (the two runs are the same up to 2 s) ...
  assert.ok(whole1.at < start && whole2.at < start, `whole-run peaks at samples ${whole1.at}, ${whole2.at}`);
  assert.deepEqual(m.maxAbsTheta, nominalMetrics(nominal, config).maxAbsTheta);
  // ... while from 2 s on the peak is the response to the push: later than 2 s, larger than where
  // the angle was when the push came, and about half the transient's (0.073 vs 0.139 rad).
  assert.ok(from1.at > start, `θ1 peaks at sample ${from1.at}`);
  assert.ok(
    from1.value > Math.abs(run.x[6 * start + 1]) && from1.value > peakByHand(nominal, 1, start).value,
  );
  assert.ok(m.peakTheta![0] < 0.6 * m.maxAbsTheta[0], `${m.peakTheta![0]} vs ${m.maxAbsTheta[0]}`);
});

Deno.test("disturbanceMetrics() of noise alone takes the peaks from 0, and has none for a run that ended before the force", () => {
  const type = "sta_smc", gains = getDefaultGains(type);
  const noise = config.disturbances.noise;
  assert.equal(noise.force, undefined);
  const m = disturbanceMetrics(
    recordRun({ config, controllerType: type, gains, x0, disturbance: noise }),
    noise,
    config,
  );
  assert.equal(m.disturbanceStart, 0);
  assert.deepEqual(m.peakTheta, m.maxAbsTheta);
  assert.equal(m.peakX, m.maxAbsX);
  // A run that fell at 1 s never met the impulse at 2 s: no peak of its response, no recovery.
  const dt = 0.01, samples = 101;
  const x = new Float64Array(6 * samples);
  for (let k = 0; k < samples; k++) x[6 * k + 1] = 0.05 + 0.015 * k;
  const fell: RecordedRun = {
    dt,
    status: "fell",
    failTime: 1,
    t: Float64Array.from({ length: samples }, (_, k) => k * dt),
    x,
    u: new Float64Array(samples - 1),
  };
  const early = disturbanceMetrics(fell, config.disturbances.impulse, config);
  assert.equal(early.peakTheta, null);
  assert.equal(early.peakX, null);
  assert.equal(early.recoveryTime, null);
  assert.ok(Math.abs(early.maxAbsTheta[0] - 1.55) < 1e-12);
  assert.equal(JSON.parse(JSON.stringify(early)).peakTheta, null);
});

Deno.test("nominalMetrics() tells a chattering classical SMC from the shipped smooth one", () => {
  const type = "classical_smc", gains = getDefaultGains(type);
  const smooth = recordRun({ config, controllerType: type, gains, x0 });
  // A boundary layer of 0.002 instead of 0.3: tanh(s/0.002) is a sign function in all but name,
  // and u switches at the sample rate once the state reaches the surface.
  const sharp = loadConfig(CONFIG_PATH, {
    env: { DIP__CONTROLLERS__CLASSICAL_SMC__BOUNDARY_LAYER: "0.002" },
  });
  const chattering = recordRun({ config: sharp, controllerType: type, gains, x0 });
  const a = nominalMetrics(smooth, config), b = nominalMetrics(chattering, sharp);
  assert.equal(b.status, "ok");
  assert.ok(a.highFrequencyShare < 1e-4, `shipped: ${a.highFrequencyShare}`);
  assert.ok(b.highFrequencyShare > 0.99, `boundary layer 0.002: ${b.highFrequencyShare}`);
  assert.ok(b.signChangesPerSecond > 50 * a.signChangesPerSecond);
  // The unwindowed share called a third of the smooth run's power chattering: the initial 25 N
  // of u_0, wrapped around against the settled end of the record.
  assert.ok(powerShareAbove(smooth.u, smooth.dt, 5, { window: "rectangular", detrend: "mean" }) > 0.2);
});
