/**
 * Tests of the closed-loop simulation: simulate() and the batch kernel simulateBatch()
 * (docs/model.md#integration).
 *
 * Hand-written kernels make the expected trajectory computable step by step with rk4Step() or
 * eulerStep(), which share their arithmetic with the kernels' integrators, so most comparisons
 * are exact (Object.is on every sample), not approximate.
 */
import assert from "assert";
import {
  type BatchParticle,
  type ControlKernel,
  createBatchWorkspace,
  createPlant,
  eulerStep,
  type Plant,
  rk4Step,
  runSettings,
  simulate,
  simulateBatch,
  stepCount,
  type Trajectory,
} from "../../plant/mod.ts";
import {
  createAdaptiveSMC,
  createClassicalSMC,
  createHybridAdaptiveSTASMC,
  createSuperTwistingSMC,
} from "../../controllers/mod.ts";
import {
  createController,
  DEFAULT_CONTROLLER_PARAMS,
  DEFAULT_GAINS,
  DEFAULT_PHYSICS,
} from "../../factory/mod.ts";
import { NOMINAL_TABLE_GAINS } from "../fixtures/robust_gains.ts";

const plant = createPlant(DEFAULT_PHYSICS);
const X0 = [0, 0.05, -0.03, 0, 0, 0];

/** A stateless kernel `u = law(state)`, with σ = −u so the recorded σ can be checked too. */
function feedbackKernel(law: (s: Float64Array, so: number) => number, maxForce = 150): ControlKernel {
  return {
    internalSize: 0,
    maxForce,
    init() {},
    step(s, so, _internal, _io, _dt, out) {
      out[0] = law(s, so);
      out[1] = -out[0];
      out[2] = 0;
    },
  };
}
const constantKernel = (u: number, maxForce = 150) => feedbackKernel(() => u, maxForce);

/** A kernel with one internal double counting steps: `u = law(k)` at step k. */
function countingKernel(law: (k: number) => number, maxForce = 150): ControlKernel {
  return {
    internalSize: 1,
    maxForce,
    init(internal, io) {
      internal[io] = 0;
    },
    step(_s, _so, internal, io, _dt, out) {
      out[0] = law(internal[io]);
      out[1] = internal[io];
      out[2] = internal[io] % 2;
      internal[io] += 1;
    },
  };
}

/** Replays a run with the public one-step integrators, for exact comparison. */
function replay(
  p: Plant,
  x0: number[],
  law: (s: Float64Array) => number,
  dt: number,
  steps: number,
  step = rk4Step,
): Float64Array[] {
  const states: Float64Array[] = [Float64Array.from(x0)];
  for (let k = 0; k < steps; k++) states.push(step(p, states[k], law(states[k]), dt));
  return states;
}

function sample(run: Trajectory, k: number): Float64Array {
  return run.x.subarray(6 * k, 6 * k + 6);
}

function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function assertShape(run: Trajectory): void {
  assert.equal(run.t.length, run.steps + 1);
  assert.equal(run.x.length, (run.steps + 1) * 6);
  assert.equal(run.u.length, run.steps);
  assert.equal(run.sigma.length, run.steps);
  for (let k = 0; k < run.t.length; k++) assert.equal(run.t[k], k * run.dt);
}

Deno.test("simulate() integrates with RK4 under a zero-order hold and keeps N + 1 samples", () => {
  // A state feedback makes u change every step: re-evaluating the control inside the RK4 stages
  // (no hold) would change every sample after the first.
  const law = (s: Float64Array, so = 0) => 40 * s[so + 1] - 25 * s[so + 2] + 3 * s[so + 4];
  const run = simulate({
    plant,
    controller: { kernel: feedbackKernel(law) },
    x0: X0,
    dt: 0.01,
    duration: 0.5,
  });
  assert.equal(run.status, "ok");
  assert.equal(run.failTime, null);
  assert.equal(run.steps, 50);
  assert.equal(run.duration, 0.5);
  assert.equal(run.lowControllability, 0);
  assertShape(run);
  const expected = replay(plant, X0, (s) => law(s), 0.01, 50);
  for (let k = 0; k <= 50; k++) assertSameBits(sample(run, k), expected[k], `x[${k}]`);
  for (let k = 0; k < 50; k++) {
    assert.equal(run.u[k], law(expected[k]));
    assert.equal(run.sigma[k], -run.u[k]);
  }
});

Deno.test("simulate() with the Euler integrator follows eulerStep()", () => {
  const law = (s: Float64Array, so = 0) => 30 * s[so + 1];
  const run = simulate({
    plant,
    controller: { kernel: feedbackKernel(law) },
    x0: X0,
    dt: 0.005,
    duration: 0.2,
    integrator: "euler",
  });
  const expected = replay(plant, X0, (s) => law(s), 0.005, 40, eulerStep);
  for (let k = 0; k <= 40; k++) assertSameBits(sample(run, k), expected[k], `x[${k}]`);
});

Deno.test("simulate() takes round(duration/dt) steps", () => {
  const kernel = constantKernel(0);
  // 0.3/0.1 = 2.9999999999999996 and 0.7/0.1 = 6.999999999999999: rounding, not truncation.
  for (const [duration, dt, n] of [[0.3, 0.1, 3], [0.7, 0.1, 7], [1, 0.003, 333], [0.1, 0.01, 10]]) {
    const run = simulate({ plant, controller: { kernel }, x0: X0, dt, duration, fallAngle: Infinity });
    assert.equal(run.steps, n, `${duration}/${dt}`);
    assertShape(run);
    assert.equal(stepCount(duration, dt), n);
  }
});

Deno.test("stepCount() rejects steps and horizons that do not give a positive count", () => {
  for (const dt of [0, -0.01, NaN, Infinity]) {
    assert.throws(() => stepCount(1, dt), /dt: must be a finite number > 0, got/);
  }
  for (const duration of [0, 0.005, NaN, Infinity, -1]) {
    assert.throws(() => stepCount(duration, 0.01), /duration: must be a finite number ≥ dt \(0.01\), got/);
  }
  assert.equal(stepCount(0.01, 0.01), 1);
});

Deno.test("simulate() stops a falling pendulum at the first sample past the fall angle", () => {
  const dt = 0.01;
  const run = simulate({
    plant,
    controller: { kernel: constantKernel(0) },
    x0: [0, 0.05, 0, 0, 0, 0],
    dt,
    duration: 10,
  });
  assert.equal(run.status, "fell");
  assertShape(run);
  const expected = replay(plant, [0, 0.05, 0, 0, 0, 0], () => 0, dt, run.steps);
  const first = expected.findIndex((s) => Math.abs(s[1]) > Math.PI / 2 || Math.abs(s[2]) > Math.PI / 2);
  assert.ok(first > 0, "the uncontrolled pendulum falls");
  assert.equal(run.steps, first);
  assert.equal(run.failTime, first * dt);
  assertSameBits(sample(run, first), expected[first], "failing sample");
  const last = sample(run, first), before = sample(run, first - 1);
  assert.ok(Math.max(Math.abs(last[1]), Math.abs(last[2])) > Math.PI / 2);
  assert.ok(Math.max(Math.abs(before[1]), Math.abs(before[2])) <= Math.PI / 2);
  // A tighter fall angle ends the same motion earlier.
  const early = simulate({
    plant,
    controller: { kernel: constantKernel(0) },
    x0: [0, 0.05, 0, 0, 0, 0],
    dt,
    duration: 10,
    fallAngle: 0.5,
  });
  assert.equal(early.status, "fell");
  assert.ok(early.steps < run.steps);
  assert.ok(Math.abs(sample(early, early.steps)[1]) > 0.5 || Math.abs(sample(early, early.steps)[2]) > 0.5);
});

Deno.test("simulate() reports divergence at the step whose control is not finite", () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const run = simulate({
      plant,
      controller: { kernel: countingKernel((k) => (k === 5 ? bad : 1)) },
      x0: X0,
      dt: 0.01,
      duration: 1,
    });
    assert.equal(run.status, "diverged");
    assert.equal(run.steps, 5);
    assert.equal(run.failTime, 0.05);
    assertShape(run);
    assertSameBits(run.u, [1, 1, 1, 1, 1], "u");
    for (const v of run.x) assert.ok(Number.isFinite(v));
  }
});

Deno.test("simulate() reports divergence at the first non-finite state", () => {
  // With no force limit, a 1e300 N push overflows the state within a few steps.
  const run = simulate({
    plant,
    controller: { kernel: constantKernel(1e300, Infinity) },
    x0: X0,
    dt: 0.01,
    duration: 1,
    fallAngle: Infinity,
  });
  assert.equal(run.status, "diverged");
  assertShape(run);
  const last = sample(run, run.steps);
  assert.ok(last.some((v) => !Number.isFinite(v)), `last sample ${last}`);
  for (let k = 0; k < run.steps; k++) {
    assert.ok(sample(run, k).every(Number.isFinite), `sample ${k} is finite`);
  }
  assert.equal(run.failTime, run.steps * 0.01);
});

Deno.test("simulate() clips the force to maxForce and records the clipped value", () => {
  const wild = countingKernel((k) => (k % 2 === 0 ? 1e6 : -1e6), 20);
  const run = simulate({
    plant,
    controller: { kernel: wild },
    x0: X0,
    dt: 0.01,
    duration: 0.3,
    fallAngle: Infinity,
  });
  assert.equal(run.status, "ok");
  for (let k = 0; k < run.steps; k++) assert.equal(run.u[k], k % 2 === 0 ? 20 : -20);
  // The plant saw the clipped force: identical to a kernel that asks for ±20 exactly.
  const tame = simulate({
    plant,
    controller: { kernel: countingKernel((k) => (k % 2 === 0 ? 20 : -20), 20) },
    x0: X0,
    dt: 0.01,
    duration: 0.3,
    fallAngle: Infinity,
  });
  assertSameBits(run.x, tame.x, "x");
  // σ and the controllability count pass through untouched.
  assertSameBits(run.sigma, Array.from({ length: 30 }, (_, k) => k), "sigma");
  assert.equal(run.lowControllability, 15);
});

Deno.test("simulate() ends with off_track when the cart leaves the track on either side", () => {
  for (const push of [5, -5]) {
    const kernel = constantKernel(push);
    const base = { plant, controller: { kernel }, x0: X0, dt: 0.01, duration: 5, fallAngle: Infinity };
    const run = simulate({ ...base, trackLimit: 0.1 });
    assert.equal(run.status, "off_track");
    assertShape(run);
    assert.ok(Math.sign(sample(run, run.steps)[0]) === Math.sign(push));
    assert.ok(Math.abs(sample(run, run.steps)[0]) > 0.1);
    assert.ok(Math.abs(sample(run, run.steps - 1)[0]) <= 0.1);
    assert.equal(run.failTime, run.steps * 0.01);
    // No limit (null, the config default): the same push runs to the end.
    const free = simulate({ ...base, trackLimit: null });
    assert.equal(free.status, "ok");
    assertSameBits(free.x.subarray(0, run.x.length), run.x, "common prefix");
  }
});

Deno.test("simulate() and simulateBatch() reject an invalid initial state naming the index", () => {
  const controller = { kernel: constantKernel(0) };
  assert.throws(
    () => simulate({ plant, controller, x0: [0, 0.1, NaN, 0, 0, 0], dt: 0.01, duration: 1 }),
    /x0\[2\]: must be a finite number, got NaN/,
  );
  assert.throws(
    () => simulate({ plant, controller, x0: [0, 0.1], dt: 0.01, duration: 1 }),
    /x0: must hold 6 values/,
  );
  const particles = [{ plant, kernel: controller.kernel, x0: X0 }, {
    plant,
    kernel: controller.kernel,
    x0: [0, 0, 0, Infinity, 0, 0],
  }];
  assert.throws(
    () => simulateBatch({ particles, dt: 0.01, steps: 10 }),
    /particles\[1\]\.x0\[3\]: must be a finite number, got Infinity/,
  );
});

Deno.test("simulateBatch() rejects a bad step, step count or integrator", () => {
  const particles = [{ plant, kernel: constantKernel(0), x0: X0 }];
  for (const dt of [0, -1, NaN, Infinity]) {
    assert.throws(() => simulateBatch({ particles, dt, steps: 10 }), /dt: must be a finite number > 0/);
  }
  for (const steps of [-1, 1.5, NaN]) {
    assert.throws(() => simulateBatch({ particles, dt: 0.01, steps }), /steps: must be an integer ≥ 0/);
  }
  assert.throws(
    () => simulateBatch({ particles, dt: 0.01, steps: 10, integrator: "midpoint" as "rk4" }),
    /integrator: must be "rk4" or "euler", got "midpoint"/,
  );
  const zero = simulateBatch({ particles, dt: 0.01, steps: 0 });
  assert.equal(zero.length[0], 1);
  assert.equal(zero.status[0], 0);
});

/** Four controller types, three physics, a falling particle: every path through the kernel. */
function mixedParticles(): BatchParticle[] {
  const heavier = { ...DEFAULT_PHYSICS, cart_mass: 1.6, pendulum2_mass: 0.16, joint1_friction: 0.0055 };
  const lighter = { ...DEFAULT_PHYSICS, pendulum1_mass: 0.19, pendulum1_length: 0.39, cart_friction: 0.18 };
  const P = DEFAULT_CONTROLLER_PARAMS, dt = 0.01;
  const hybrid = createHybridAdaptiveSTASMC({
    gains: DEFAULT_GAINS.hybrid_adaptive_sta_smc,
    physics: DEFAULT_PHYSICS,
    params: P.hybrid_adaptive_sta_smc,
    dt,
  });
  const classical = createClassicalSMC({
    gains: [0.6, 2.5, 11, 16, 6, 2],
    physics: heavier,
    params: P.classical_smc,
    dt,
  });
  const sta = createSuperTwistingSMC({
    gains: DEFAULT_GAINS.sta_smc,
    physics: lighter,
    params: P.sta_smc,
    dt,
  });
  const adaptive = createAdaptiveSMC({
    gains: DEFAULT_GAINS.adaptive_smc,
    physics: DEFAULT_PHYSICS,
    params: P.adaptive_smc,
    dt,
  });
  return [
    { plant: createPlant(heavier), kernel: hybrid.kernel, x0: [0, 0.08, -0.02, 0, 0, 0] },
    { plant: createPlant(DEFAULT_PHYSICS), kernel: constantKernel(0), x0: [0, 0.1, 0, 0, 0, 0] },
    { plant: createPlant(lighter), kernel: classical.kernel, x0: [0.1, -0.04, 0.03, 0, 0.1, 0] },
    { plant: createPlant(DEFAULT_PHYSICS, { model: "simplified" }), kernel: sta.kernel, x0: X0 },
    { plant: createPlant(heavier), kernel: adaptive.kernel, x0: [0, 0.02, 0.05, 0, 0, 0] },
    { plant: createPlant(DEFAULT_PHYSICS), kernel: hybrid.kernel, x0: X0 },
  ];
}

Deno.test("simulateBatch() gives a kernel with a large internal state room for all of it", () => {
  // 40 doubles of internal state, more than the default scratch: each step reads its own last
  // slot, so a scratch that was not grown would read garbage (undefined → NaN → "diverged").
  const big: ControlKernel = {
    internalSize: 40,
    maxForce: 150,
    init(internal, io) {
      for (let i = 0; i < 40; i++) internal[io + i] = i;
    },
    step(_s, _so, internal, io, _dt, out) {
      out[0] = internal[io + 39] - 39;
      out[1] = internal[io + 20];
      out[2] = 0;
      for (let i = 0; i < 40; i++) internal[io + i] += 1;
    },
  };
  const ws = simulateBatch({ particles: [{ plant, kernel: big, x0: X0 }], dt: 0.01, steps: 5 });
  assert.equal(ws.status[0], 0);
  assert.ok(ws.internal.length >= 40);
  assertSameBits(ws.u.subarray(0, 5), [0, 1, 2, 3, 4], "u");
  assertSameBits(ws.sigma.subarray(0, 5), [20, 21, 22, 23, 24], "sigma");
});

Deno.test("simulateBatch() is bit-identical to one simulate() per particle", () => {
  const particles = mixedParticles();
  const dt = 0.01, steps = 300;
  const ws = simulateBatch({ particles, dt, steps });
  assert.equal(ws.count, particles.length);
  const statuses: string[] = [];
  particles.forEach((p, i) => {
    const one = simulate({
      plant: p.plant,
      controller: { kernel: p.kernel },
      x0: p.x0,
      dt,
      duration: steps * dt,
    });
    statuses.push(one.status);
    assert.equal(ws.length[i], one.steps + 1);
    assert.equal(["ok", "fell", "diverged", "off_track"][ws.status[i]], one.status);
    assert.equal(ws.lowControllability[i], one.lowControllability);
    const xBase = i * (steps + 1) * 6, uBase = i * steps;
    assertSameBits(ws.x.subarray(xBase, xBase + one.x.length), one.x, `particle ${i} x`);
    assertSameBits(ws.u.subarray(uBase, uBase + one.steps), one.u, `particle ${i} u`);
    assertSameBits(ws.sigma.subarray(uBase, uBase + one.steps), one.sigma, `particle ${i} sigma`);
  });
  // The mix really exercises both outcomes (and thus particles of different lengths).
  assert.deepEqual(statuses, ["ok", "fell", "ok", "ok", "ok", "ok"]);
});

Deno.test("simulateBatch() reuses a workspace with identical results, growing it when needed", () => {
  const particles = mixedParticles();
  const fresh = simulateBatch({ particles, dt: 0.01, steps: 200 });
  const small = createBatchWorkspace(1, 10);
  const grown = simulateBatch({ particles, dt: 0.01, steps: 200, workspace: small });
  assert.ok(grown.x.length >= particles.length * 201 * 6 && grown.x !== small.x);
  // Reusing the large buffers for a smaller batch: same buffers, same numbers, stale data ignored.
  const again = simulateBatch({ particles: particles.slice(2), dt: 0.01, steps: 200, workspace: fresh });
  assert.equal(again.x, fresh.x);
  const reference = simulateBatch({ particles: particles.slice(2), dt: 0.01, steps: 200 });
  for (const ws of [again]) {
    for (let i = 0; i < 4; i++) {
      assert.equal(ws.length[i], reference.length[i]);
      assert.equal(ws.status[i], reference.status[i]);
      const n = reference.length[i] * 6, base = i * 201 * 6;
      assertSameBits(ws.x.subarray(base, base + n), reference.x.subarray(base, base + n), `particle ${i}`);
    }
  }
  const first = simulateBatch({ particles, dt: 0.01, steps: 200 });
  for (let i = 0; i < particles.length; i++) {
    const n = first.length[i] * 6, base = i * 201 * 6;
    assertSameBits(grown.x.subarray(base, base + n), first.x.subarray(base, base + n), `grown particle ${i}`);
  }
});

Deno.test("simulate() runs a controller with RK4 and Euler, the gap shrinking like dt", () => {
  // Closed loop with the classical SMC: both integrators keep it upright, and Euler's O(dt) global
  // error makes the largest state gap halve with dt (measured ratios 2.06 and 2.03).
  const gaps = [0.01, 0.005, 0.0025].map((dt) => {
    const controller = createController("classical_smc", { dt });
    const [rk, eu] = (["rk4", "euler"] as const).map((integrator) =>
      simulate({ plant, controller, x0: X0, dt, duration: 3, integrator })
    );
    assert.equal(rk.status, "ok");
    assert.equal(eu.status, "ok");
    let gap = 0;
    for (let i = 0; i < rk.x.length; i++) gap = Math.max(gap, Math.abs(rk.x[i] - eu.x[i]));
    return gap;
  });
  for (let i = 1; i < gaps.length; i++) {
    const ratio = gaps[i - 1] / gaps[i];
    assert.ok(ratio > 1.8 && ratio < 2.3, `gap ratio ${ratio} (gaps ${gaps})`);
  }
});

Deno.test("simulate() reproduces the cross-implementation values", () => {
  // docs/controllers.md#cross-implementation-check: an independent numpy implementation, full-model plant,
  // simplified-model controller, RK4, dt 0.01, x0 = [0, 0.05, −0.03, 0, 0, 0]; "reproduces them to better
  // than 1e-6".
  const reference: Record<string, [number, number[]]> = {
    classical_smc: [17.125918006, [
      -0.219479280,
      0.014242530,
      0.014473623,
      0.216028930,
      -0.041311150,
      -0.040260414,
    ]],
    sta_smc: [17.809210961, [
      -0.210326992,
      0.010533183,
      0.011865917,
      0.221428446,
      -0.046653337,
      -0.045255005,
    ]],
    adaptive_smc: [17.358159560, [
      -0.230021780,
      0.016035379,
      0.015966012,
      0.205627462,
      -0.038289840,
      -0.036981411,
    ]],
    hybrid_adaptive_sta_smc: [16.714931704, [
      -0.293605702,
      0.024918380,
      0.025201804,
      0.208211841,
      -0.046842185,
      -0.044222671,
    ]],
  };
  for (const [type, [u0, at2]] of Object.entries(reference)) {
    // The table was computed with the nominal-table gains: pass them, not the registry defaults.
    const controller = createController(type, { gains: NOMINAL_TABLE_GAINS[type] });
    const run = simulate({ plant, controller, x0: X0, dt: 0.01, duration: 2 });
    assert.equal(run.status, "ok");
    // The reference values are printed to 9 decimals: 1e-6 is far above that
    // (docs/controllers.md#cross-implementation-check).
    assert.ok(Math.abs(run.u[0] - u0) < 1e-6, `${type} u(0) = ${run.u[0]}`);
    sample(run, 200).forEach((v, j) =>
      assert.ok(Math.abs(v - at2[j]) < 1e-6, `${type} state[${j}] at 2 s: ${v} vs ${at2[j]}`)
    );
  }
});

Deno.test("simulateBatch() rejects a NaN or non-positive fall angle and track limit", () => {
  const kernel = feedbackKernel(() => 0);
  const particles = [{ plant, kernel, x0: X0 }];
  assert.throws(
    () => simulateBatch({ particles, dt: 0.01, steps: 5, fallAngle: NaN }),
    /fallAngle: must be a number > 0, got NaN/,
  );
  assert.throws(() => simulateBatch({ particles, dt: 0.01, steps: 5, fallAngle: -1 }), /fallAngle/);
  assert.throws(
    () => simulateBatch({ particles, dt: 0.01, steps: 5, trackLimit: 0 }),
    /trackLimit: must be null or a number > 0, got 0/,
  );
  assert.throws(
    () => simulate({ plant, controller: { kernel }, x0: [0, 1], dt: 0.01, duration: 1 }),
    /x0: must hold 6 values/,
  );
});

Deno.test("runSettings() maps the simulation section to the simulate() options", () => {
  const sim = {
    dt: 0.005,
    duration: 3,
    initial_state: X0,
    integrator: "euler" as const,
    plant_model: "full" as const,
    fall_angle: 1,
    track_limit: 2,
  };
  assert.deepEqual(runSettings(sim), {
    dt: 0.005,
    duration: 3,
    integrator: "euler",
    fallAngle: 1,
    trackLimit: 2,
  });
  const run = simulate({
    plant,
    controller: { kernel: feedbackKernel(() => 0) },
    x0: X0,
    ...runSettings(sim),
  });
  // Unforced, the pendulum falls: the configured 1 rad limit (not π/2) ends the run.
  assert.equal(run.dt, 0.005);
  assert.equal(run.duration, 3);
  assert.equal(run.status, "fell");
  const last = run.steps * 6;
  assert.ok(Math.max(Math.abs(run.x[last + 1]), Math.abs(run.x[last + 2])) > 1);
  assert.ok(Math.max(Math.abs(run.x[last - 5]), Math.abs(run.x[last - 4])) <= 1);
});
