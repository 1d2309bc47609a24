/**
 * Tests of the disturbances (plant/disturbance.ts, docs/disturbances.md): the force models and
 * their step means, the impulse and momentum a pulse transfers, measurement noise, the disturbed
 * batch kernel, and the seeded Gaussian source.
 */
import assert from "assert";
import FFT from "fft.js";
import {
  checkDisturbance,
  type ControlKernel,
  createForce,
  createPlant,
  type DisturbanceSpec,
  type ForceSpec,
  GaussianSource,
  hasNoise,
  lumpedConstants,
  RANDOM_FORCE_COMPONENTS,
  rk4Step,
  simulate,
  simulateBatch,
  stateOffset,
} from "../../plant/mod.ts";
import { createController, DEFAULT_PHYSICS } from "../../factory/mod.ts";
import { Prng } from "../../optimizer/mod.ts";

const plant = createPlant(DEFAULT_PHYSICS);
const X0 = [0, 0.05, -0.03, 0, 0, 0];
const IMPULSE: ForceSpec = { kind: "impulse", amplitude: 20, start: 2, duration: 0.1 };

/** A stateless kernel `u = law(state)` that also records every state it was given. */
function recordingKernel(law: (s: Float64Array, so: number) => number, seen: number[][] = []): ControlKernel {
  return {
    internalSize: 0,
    maxForce: 150,
    init() {},
    step(s, so, _internal, _io, _dt, out) {
      seen.push(Array.from(s.subarray(so, so + 6)));
      out[0] = law(s, so);
      out[1] = 0;
      out[2] = 0;
    },
  };
}
const feedback = (s: Float64Array, so: number) => 40 * s[so + 1] - 25 * s[so + 2] + 3 * s[so + 4];

/** Wraps a controller's kernel so that it records every state it is given. */
function recording(inner: ControlKernel, seen: number[][]): ControlKernel {
  return {
    internalSize: inner.internalSize,
    maxForce: inner.maxForce,
    init: (internal, io) => inner.init(internal, io),
    step(s, so, internal, io, dt, out) {
      seen.push(Array.from(s.subarray(so, so + 6)));
      inner.step(s, so, internal, io, dt, out);
    },
  };
}

/** Mean of `f` over [a, b] by composite Simpson with 2000 panels (error ≪ 1e-12 for these smooth forces). */
function simpsonMean(f: (t: number) => number, a: number, b: number): number {
  const n = 2000, h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3 / (b - a);
}

// ---------------------------------------------------------------------------------------------
// Force models

Deno.test("createForce() gives an impulse's step means that add up to amplitude·duration", () => {
  const dt = 0.01;
  for (const [start, duration] of [[0.013, 0.004], [0.015, 0.1], [2, 0.1], [0, 0.0001], [0.0999, 0.0002]]) {
    const f = createForce({ kind: "impulse", amplitude: 20, start, duration });
    const d = new Float64Array(300);
    f.fill(dt, 300, d);
    const impulse = d.reduce((a, v) => a + v * dt, 0);
    assert.ok(Math.abs(impulse - 20 * duration) < 1e-12, `start ${start}, duration ${duration}: ${impulse}`);
    // No force outside the steps the pulse touches.
    const first = Math.floor(start / dt + 1e-9), last = Math.ceil((start + duration) / dt - 1e-9);
    for (let k = 0; k < 300; k++) if (k < first || k >= last) assert.equal(d[k], 0, `step ${k}`);
    assert.equal(f.end, start + duration);
  }
  // A pulse aligned on the samples: exactly 20 N on steps 200 … 209, nothing on 199 or 210, even
  // though 2 / 0.01 and 2.1 / 0.01 are not integers in binary.
  const d = new Float64Array(300);
  createForce(IMPULSE).fill(dt, 300, d);
  assert.deepEqual(Array.from(d.subarray(199, 211)), [0, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 0]);
  // The instantaneous force, sampled at the sample times, misses a pulse between two samples: a
  // zero-order hold of d(t_k) would deliver nothing, which is why the step mean is the hold rule.
  const short = createForce({ kind: "impulse", amplitude: 20, start: 0.013, duration: 0.004 });
  assert.equal([0, 1, 2, 3].reduce((a, k) => a + short.at(k * dt) * dt, 0), 0);
  assert.equal(short.at(0.014), 20);
});

Deno.test("createForce() gives step, sine and random step means equal to the mean of d(t) over each step", () => {
  const dt = 0.01, steps = 120;
  const forces: ForceSpec[] = [
    { kind: "step", amplitude: 5, start: 0.234 },
    { kind: "sine", amplitude: 3, frequency: 1.7, start: 0.105, phase: 0.4 },
    { kind: "sine", amplitude: 3, frequency: 40, start: 0, phase: 0 },
    { kind: "random", std: 2, bandwidth: 5, seed: 7, start: 0.31 },
  ];
  for (const spec of forces) {
    const f = createForce(spec);
    const d = new Float64Array(steps);
    f.fill(dt, steps, d);
    for (let k = 0; k < steps; k++) {
      // Integrate only where the force is on, so that Simpson never straddles its start.
      const lo = Math.max(k * dt, spec.start ?? 0), hi = (k + 1) * dt;
      const expected = hi > lo ? simpsonMean((t) => f.at(t), lo, hi) * (hi - lo) / dt : 0;
      assert.ok(Math.abs(d[k] - expected) < 1e-10, `${spec.kind} step ${k}: ${d[k]} vs ${expected}`);
    }
  }
  const step = createForce({ kind: "step", amplitude: 5, start: 0.234 });
  assert.equal(step.end, 0.234);
  const d = new Float64Array(30);
  step.fill(dt, 30, d);
  assert.equal(d[22], 0);
  assert.ok(Math.abs(d[23] - 5 * 0.6) < 1e-12);
  assert.equal(d[24], 5);
  assert.equal(createForce({ kind: "sine", amplitude: 1, frequency: 1 }).end, Infinity);
});

Deno.test("createForce() makes a seeded random force with the configured std, flat up to the bandwidth", () => {
  // 32768 steps of 0.01 s (328 s): long enough that the components' cross terms average out.
  // Tolerances: the step mean attenuates a sine of frequency f by sin(πf·dt)/(πf·dt), at most 0.4 %
  // in amplitude at 5 Hz; a component next to a band edge leaks at most its own 1/64 of the power
  // across it (and two components straddle each edge), so the share below B/2 is 0.5 ± 2/64.
  const dt = 0.01, n = 32768, std = 2, bandwidth = 5;
  for (const seed of [1, 7, 42]) {
    const spec: ForceSpec = { kind: "random", std, bandwidth, seed, start: 0 };
    const d = new Float64Array(n);
    createForce(spec).fill(dt, n, d);
    let sumSq = 0, sum = 0, inside = 0;
    for (const v of d) {
      sumSq += v * v;
      sum += v;
      if (Math.abs(v) < std) inside++;
    }
    const rms = Math.sqrt(sumSq / n);
    assert.ok(Math.abs(rms / std - 1) < 0.02, `seed ${seed}: rms ${rms}`);
    // The slowest component (below 5/64 Hz) can leave a mean of up to its amplitude std·√(2/64).
    assert.ok(
      Math.abs(sum / n) < std * Math.sqrt(2 / RANDOM_FORCE_COMPONENTS),
      `seed ${seed}: mean ${sum / n}`,
    );
    // 64 sines with random phases are close to Gaussian: 68.3 % within one std.
    assert.ok(Math.abs(inside / n - 0.6827) < 0.02, `seed ${seed}: ${inside / n} within ±std`);
    const fft = new FFT(n);
    const spectrum = fft.createComplexArray();
    fft.realTransform(spectrum, Array.from(d));
    let total = 0, above = 0, lowHalf = 0;
    for (let k = 0; k <= n / 2; k++) {
      const p = (k === 0 || k === n / 2 ? 1 : 2) * (spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2);
      const f = k / (n * dt);
      total += p;
      if (f > bandwidth) above += p;
      if (f <= bandwidth / 2) lowHalf += p;
    }
    assert.ok(above / total < 0.01, `seed ${seed}: share above the bandwidth ${above / total}`);
    assert.ok(
      Math.abs(lowHalf / total - 0.5) < 2 / RANDOM_FORCE_COMPONENTS + 0.004,
      `seed ${seed}: ${lowHalf / total}`,
    );
  }
  // Seeded: the same seed gives the same force, another seed another one.
  const a = new Float64Array(100), b = new Float64Array(100), c = new Float64Array(100);
  createForce({ kind: "random", std, bandwidth, seed: 3 }).fill(dt, 100, a);
  createForce({ kind: "random", std, bandwidth, seed: 3 }).fill(dt, 100, b);
  createForce({ kind: "random", std, bandwidth, seed: 4 }).fill(dt, 100, c);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  // Zero before its start.
  const late = createForce({ kind: "random", std, bandwidth, seed: 3, start: 0.5 });
  assert.equal(late.at(0.49), 0);
  late.fill(dt, 100, a);
  assert.ok(a.subarray(0, 50).every((v) => v === 0) && a[50] !== 0);
});

Deno.test("checkDisturbance() names the bad field, what was given and what is allowed", () => {
  const cases: [unknown, RegExp][] = [
    [
      { force: { kind: "pulse", amplitude: 1 } },
      /disturbance\.force\.kind: must be one of "impulse", "step", "sine", "random", got "pulse"/,
    ],
    [
      { force: { kind: "impulse", amplitude: 1, duration: -1 } },
      /disturbance\.force\.duration: must be a finite number > 0, got -1/,
    ],
    [
      { force: { kind: "impulse", amplitude: NaN, duration: 1 } },
      /disturbance\.force\.amplitude: must be a finite number, got NaN/,
    ],
    [
      { force: { kind: "step", amplitude: 1, start: -2 } },
      /disturbance\.force\.start: must be a finite number ≥ 0, got -2/,
    ],
    [
      { force: { kind: "sine", amplitude: 1, frequency: 0 } },
      /disturbance\.force\.frequency: must be a finite number > 0, got 0/,
    ],
    [
      { force: { kind: "sine", amplitude: 1, frequency: 1, phase: Infinity } },
      /force\.phase: must be a finite number/,
    ],
    [
      { force: { kind: "random", std: 1, bandwidth: 5, seed: 1.5 } },
      /disturbance\.force\.seed: must be a safe integer, got 1\.5/,
    ],
    [
      { force: { kind: "random", std: -1, bandwidth: 5, seed: 1 } },
      /force\.std: must be a finite number ≥ 0, got -1/,
    ],
    [
      { force: { kind: "step", amplitude: 1, duration: 2 } },
      /disturbance\.force\.duration: unknown key; allowed: kind, amplitude, start/,
    ],
    [
      { noise: { std: [1, 2, 3], seed: 1 } },
      /disturbance\.noise\.std: must be an array of 6 numbers ≥ 0, got an array of 3/,
    ],
    [
      { noise: { std: [0, 0, -1, 0, 0, 0], seed: 1 } },
      /disturbance\.noise\.std\[2\]: must be a finite number ≥ 0, got -1/,
    ],
    [
      { noise: { std: [0, 0, 0, 0, 0, 0] } },
      /disturbance\.noise\.seed: must be a safe integer, got undefined/,
    ],
    [{ wind: 3 }, /disturbance\.wind: unknown key; allowed: force, noise/],
    [null, /disturbance: must be an object, got null/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => checkDisturbance(spec as DisturbanceSpec), message, JSON.stringify(spec));
  }
  // simulate() and simulateBatch() check before running, naming the option.
  const controller = { kernel: recordingKernel(() => 0) };
  assert.throws(
    () =>
      simulate({
        plant,
        controller,
        x0: X0,
        dt: 0.01,
        duration: 1,
        disturbance: cases[1][0] as DisturbanceSpec,
      }),
    /disturbance\.force\.duration/,
  );
  assert.throws(
    () =>
      simulateBatch({
        particles: [{
          plant,
          kernel: controller.kernel,
          x0: X0,
          disturbance: cases[9][0] as DisturbanceSpec,
        }],
        dt: 0.01,
        steps: 5,
      }),
    /particles\[0\]\.disturbance\.noise\.std/,
  );
  assert.equal(hasNoise({ noise: { std: [0, 0, 0, 0, 0, 1e-9], seed: 1 } }), true);
  assert.equal(hasNoise(undefined), false);
});

// ---------------------------------------------------------------------------------------------
// Disturbed runs

Deno.test("simulate() with an impulse is identical up to the impulse start and different right after", () => {
  const controller = createController("classical_smc");
  const base = simulate({ plant, controller, x0: X0, dt: 0.01, duration: 4 });
  for (const start of [2, 2.005]) {
    const hit = simulate({
      plant,
      controller,
      x0: X0,
      dt: 0.01,
      duration: 4,
      disturbance: { force: { ...IMPULSE, start } },
    });
    // Samples 0 … 200 (t ≤ 2 s) come before any force: bit-identical, controls included.
    for (let i = 0; i < stateOffset(400, 0, 201); i++) assert.ok(Object.is(hit.x[i], base.x[i]), `x[${i}]`);
    for (let k = 0; k <= 200; k++) assert.ok(Object.is(hit.u[k], base.u[k]), `u[${k}]`);
    // Sample 201 is the first one after force acted: the cart velocity has changed.
    assert.notEqual(hit.x[stateOffset(400, 0, 201) + 3], base.x[stateOffset(400, 0, 201) + 3]);
    assert.ok(hit.disturbance !== undefined);
    assert.equal(hit.disturbance.length, hit.steps);
    assert.equal(hit.disturbance[199], 0);
    // Half of step 200 for the late start (2.005 / 0.01 is 200.49999999999997 in binary).
    assert.ok(Math.abs(hit.disturbance[200] - (start === 2 ? 20 : 10)) < 1e-9);
    const impulse = hit.disturbance.reduce((a, v) => a + v * 0.01, 0);
    assert.ok(Math.abs(impulse - 2) < 1e-12, `impulse ${impulse}`);
  }
  assert.equal(base.disturbance, undefined);
});

Deno.test("simulate() applies u + d to the plant: a replay with rk4Step() matches bit for bit", () => {
  const steps = 40;
  const force: ForceSpec = { kind: "impulse", amplitude: -5, start: 0.1, duration: 0.15 };
  const run = simulate({
    plant,
    controller: { kernel: recordingKernel(feedback) },
    x0: X0,
    dt: 0.01,
    duration: steps * 0.01,
    disturbance: { force },
  });
  assert.equal(run.status, "ok");
  let s: Float64Array = Float64Array.from(X0);
  for (let k = 0; k < steps; k++) {
    const u = Math.max(-150, Math.min(150, feedback(s, 0)));
    assert.equal(run.u[k], u, `u[${k}] records the control alone`);
    const d = k >= 10 && k < 25 ? -5 : 0;
    assert.equal(run.disturbance![k], d);
    s = rk4Step(plant, s, u + d, 0.01);
    for (let j = 0; j < 6; j++) {
      assert.ok(Object.is(run.x[stateOffset(steps, 0, k + 1) + j], s[j]), `x[${k + 1}][${j}]`);
    }
  }
});

Deno.test("an impulse shorter than dt transfers its full amplitude·duration as momentum", () => {
  // No friction, no control, at rest upright: the only horizontal force is d(t), so the horizontal
  // momentum p = mt·ẋ + a1·cos θ1·θ̇1 + a2·cos θ2·θ̇2 (row 0 of M·q̇) jumps by exactly ∫d dt. The
  // 4 ms pulse starts and ends inside step 1 (0.01 … 0.02 s).
  const free = createPlant({ ...DEFAULT_PHYSICS, cart_friction: 0, joint1_friction: 0, joint2_friction: 0 });
  const { mt, a1, a2 } = lumpedConstants(free.physics);
  const momentum = (x: Float64Array, k: number) => {
    const o = 6 * k;
    return mt * x[o + 3] + a1 * Math.cos(x[o + 1]) * x[o + 4] + a2 * Math.cos(x[o + 2]) * x[o + 5];
  };
  const pulse: ForceSpec = { kind: "impulse", amplitude: 20, start: 0.013, duration: 0.004 };
  const run = simulate({
    plant: free,
    controller: { kernel: recordingKernel(() => 0) },
    x0: [0, 0, 0, 0, 0, 0],
    dt: 0.01,
    duration: 0.2,
    disturbance: { force: pulse },
  });
  assert.equal(momentum(run.x, 1), 0);
  // After the pulse p stays at 0.08 N·s: gravity is vertical and nothing else pushes sideways. RK4
  // conserves p only up to its local error, O(dt⁵) on these small motions: 1e-9 N·s is ample.
  for (const k of [2, 5, 20]) {
    assert.ok(Math.abs(momentum(run.x, k) - 20 * 0.004) < 1e-9, `p at sample ${k}: ${momentum(run.x, k)}`);
  }
  // A point-sampled hold would have missed it: d(t_k) is 0 at every sample time.
  assert.ok([0, 1, 2].every((k) => createForce(pulse).at(k * 0.01) === 0));
});

Deno.test("simulate() with noise shows the controller the state plus seeded Gaussian noise", () => {
  const std = [0.001, 0.002, 0.002, 0.01, 0.02, 0.02];
  const steps = 400;
  const seen: number[][] = [];
  const smc = () => createController("classical_smc").kernel;
  const run = simulate({
    plant,
    controller: { kernel: recording(smc(), seen) },
    x0: X0,
    dt: 0.01,
    duration: steps * 0.01,
    disturbance: { noise: { std, seed: 11 } },
  });
  assert.equal(run.status, "ok");
  assert.equal(run.disturbance, undefined);
  // The noise is std[j]·z with z the seed's Gaussian stream, six draws per step in state order.
  const z = new GaussianSource(11);
  const sq = new Float64Array(6);
  for (let k = 0; k < steps; k++) {
    for (let j = 0; j < 6; j++) {
      const truth = run.x[stateOffset(steps, 0, k) + j];
      assert.equal(seen[k][j], truth + std[j] * z.nextGaussian(), `step ${k} state ${j}`);
      sq[j] += (seen[k][j] - truth) ** 2;
    }
  }
  // Sample std within 4 standard errors (1/√(2·400) ≈ 3.5 % relative each).
  for (let j = 0; j < 6; j++) {
    const ratio = Math.sqrt(sq[j] / steps) / std[j];
    assert.ok(Math.abs(ratio - 1) < 4 / Math.sqrt(2 * steps), `state ${j}: ${ratio}`);
  }
  // The controls follow the noisy states, so the trajectory differs from a noise-free one; the same
  // seed repeats it bit for bit, another seed does not.
  const clean = simulate({ plant, controller: { kernel: smc() }, x0: X0, dt: 0.01, duration: 4 });
  assert.notDeepEqual(run.u, clean.u);
  const again = simulate({
    plant,
    controller: { kernel: smc() },
    x0: X0,
    dt: 0.01,
    duration: 4,
    disturbance: { noise: { std, seed: 11 } },
  });
  assert.deepEqual(again.x, run.x);
  const other = simulate({
    plant,
    controller: { kernel: smc() },
    x0: X0,
    dt: 0.01,
    duration: 4,
    disturbance: { noise: { std, seed: 12 } },
  });
  assert.notDeepEqual(other.x, run.x);
});

Deno.test("simulateBatch() with disturbances equals one simulate() per particle, bit for bit", () => {
  const shared: DisturbanceSpec = {
    force: { kind: "random", std: 2, bandwidth: 5, seed: 7 },
    noise: { std: [0.001, 0.002, 0.002, 0.01, 0.02, 0.02], seed: 11 },
  };
  const own: DisturbanceSpec[] = [
    { force: IMPULSE },
    { force: { kind: "sine", amplitude: 3, frequency: 1 } },
    { noise: { std: [0, 0.01, 0, 0, 0, 0], seed: 5 } },
  ];
  const steps = 300;
  const kernels = ["classical_smc", "sta_smc", "adaptive_smc", "hybrid_adaptive_sta_smc"];
  const particles = kernels.flatMap((type, i) => [
    { plant, kernel: createController(type).kernel, x0: X0 },
    { plant, kernel: createController(type).kernel, x0: X0, disturbance: own[i % own.length] },
  ]);
  const ws = simulateBatch({ particles, dt: 0.01, steps, disturbance: shared });
  for (const [p, particle] of particles.entries()) {
    const one = simulate({
      plant,
      controller: { kernel: particle.kernel },
      x0: X0,
      dt: 0.01,
      duration: steps * 0.01,
      disturbance: particle.disturbance ?? shared,
    });
    assert.equal(ws.length[p], one.steps + 1, `particle ${p}`);
    assert.deepEqual(ws.x.subarray(stateOffset(steps, p), stateOffset(steps, p, ws.length[p])), one.x);
    assert.deepEqual(ws.u.subarray(p * steps, p * steps + one.steps), one.u);
    assert.equal(ws.forced[p], one.disturbance === undefined ? 0 : 1, `particle ${p} forced`);
    if (one.disturbance) {
      assert.deepEqual(ws.disturbance.subarray(p * steps, p * steps + one.steps), one.disturbance);
    }
  }
  // The shared force is computed once and copied: every particle without its own gets the same row.
  assert.deepEqual(ws.disturbance.subarray(0, steps), ws.disturbance.subarray(2 * steps, 3 * steps));
  // Reusing the workspace for an undisturbed batch clears the forced flags.
  const again = simulateBatch({ particles: particles.slice(0, 1), dt: 0.01, steps, workspace: ws });
  assert.equal(again.forced[0], 0);
});

// ---------------------------------------------------------------------------------------------
// GaussianSource

Deno.test("GaussianSource's uniform stream is the optimiser Prng's root stream", () => {
  for (const seed of [0, 1, 42, -7, 2 ** 40 + 3]) {
    const a = new GaussianSource(seed), b = new Prng(seed);
    for (let i = 0; i < 200; i++) assert.equal(a.next(), b.next(), `seed ${seed}, draw ${i}`);
  }
  assert.throws(() => new GaussianSource(0.5), /seed: must be a safe integer, got 0\.5/);
});

Deno.test("GaussianSource draws standard normals", () => {
  const g = new GaussianSource(2024), n = 200_000;
  let m1 = 0, m2 = 0, m4 = 0, inside = 0;
  for (let i = 0; i < n; i++) {
    const z = g.nextGaussian();
    m1 += z;
    m2 += z * z;
    m4 += z ** 4;
    if (Math.abs(z) < 1) inside++;
  }
  // Standard errors: mean 1/√n = 0.0022, variance √(2/n) = 0.0032, fourth moment √(96/n) = 0.022;
  // bounds at about 5 standard errors.
  assert.ok(Math.abs(m1 / n) < 0.011);
  assert.ok(Math.abs(m2 / n - 1) < 0.016);
  assert.ok(Math.abs(m4 / n - 3) < 0.11);
  assert.ok(Math.abs(inside / n - 0.682689) < 0.005);
  // reseed() restarts the stream and drops the pending second normal of a pair.
  g.reseed(5);
  const first = [g.nextGaussian(), g.nextGaussian(), g.nextGaussian()];
  g.reseed(5);
  assert.deepEqual([g.nextGaussian(), g.nextGaussian(), g.nextGaussian()], first);
});
