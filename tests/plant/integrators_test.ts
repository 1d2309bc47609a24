/**
 * The fixed-step integrators (docs/model.md#integration): the convergence orders of rk4Step() and
 * eulerStep(), one hand-written stage sequence, and their input checks.
 */
import assert from "assert";
import { createPlant, eulerStep, type Plant, rk4Step } from "../../plant/mod.ts";
import { DEFAULT_PHYSICS } from "../../factory/mod.ts";
import { maxAbs, type Vec } from "./physics_reference.ts";

function integrate(
  step: typeof rk4Step,
  plant: Plant,
  s0: Vec,
  u: number,
  dt: number,
  horizon: number,
): Float64Array {
  const n = Math.round(horizon / dt);
  let s = Float64Array.from(s0);
  const out = new Float64Array(6);
  for (let k = 0; k < n; k++) {
    step(plant, s, u, dt, out);
    s = out.slice();
  }
  return s;
}

Deno.test("rk4Step() is fourth-order and eulerStep() first-order accurate", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const s0 = [0, 0.3, -0.2, 0.1, 0.5, -0.4], u = 2, horizon = 0.32;
  const reference = integrate(rk4Step, plant, s0, u, 0.02 / 256, horizon);
  const error = (step: typeof rk4Step, dt: number) =>
    maxAbs(integrate(step, plant, s0, u, dt, horizon).map((v, i) => v - reference[i]));
  const rk = [0.02, 0.01, 0.005].map((dt) => error(rk4Step, dt));
  const eu = [0.004, 0.002, 0.001].map((dt) => error(eulerStep, dt));
  // Halving dt divides the global error by 2^p in the asymptotic range (measured: 15.7, 15.8 and
  // 1.94, 1.97); the bands leave room for the higher-order terms still present at these steps
  // and exclude the neighbouring orders (8 or 32; 1 or 4).
  for (let i = 1; i < 3; i++) {
    const r = rk[i - 1] / rk[i], e = eu[i - 1] / eu[i];
    assert.ok(r > 14 && r < 18, `RK4 error ratio ${r} (errors ${rk})`);
    assert.ok(e > 1.8 && e < 2.2, `Euler error ratio ${e} (errors ${eu})`);
  }
});

Deno.test("rk4Step() and eulerStep() match one hand-written stage sequence", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const s = [0.1, 0.2, -0.1, 0.3, -0.4, 0.5], u = -3, dt = 0.01;
  const f = (v: ArrayLike<number>) => plant.derivatives(v, u);
  const add = (a: ArrayLike<number>, b: ArrayLike<number>, h: number) =>
    Array.from(a, (v, i) => v + h * b[i]);
  const k1 = f(s), k2 = f(add(s, k1, dt / 2)), k3 = f(add(s, k2, dt / 2)), k4 = f(add(s, k3, dt));
  const expected = s.map((v, i) => v + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  const got = rk4Step(plant, s, u, dt);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-15 * (1 + Math.abs(expected[i])));
  assert.deepEqual(eulerStep(plant, s, u, dt), Float64Array.from(add(s, k1, dt)));
  const out = new Float64Array(6);
  assert.equal(rk4Step(plant, s, u, dt, out), out);
  assert.equal(eulerStep(plant, s, u, dt, out), out);
});

Deno.test("rk4Step() and eulerStep() reject a bad state, force or step", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  for (const step of [rk4Step, eulerStep]) {
    assert.throws(() => step(plant, [0, 0, 0, 0, 0], 0, 0.01), /state: must hold 6 values/);
    assert.throws(() => step(plant, [0, 0, 0, 0, 0, 0], NaN, 0.01), /u: must be a finite number, got NaN/);
    for (const dt of [0, -0.01, Infinity, NaN]) {
      assert.throws(() => step(plant, [0, 0, 0, 0, 0, 0], 0, dt), /dt: must be a finite number > 0/);
    }
  }
});
