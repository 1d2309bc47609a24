/**
 * Energy and friction of the plant model (docs/model.md#energy, docs/acceptance.md#physics): conservation
 * without friction or input, T + V from the geometry, dissipation through each friction term at the
 * rate of its work, and the power balance of derivatives().
 */
import assert from "assert";
import fc from "fast-check";
import { type ControlKernel, createPlant, type Plant, simulate } from "../../plant/mod.ts";
import { DEFAULT_PHYSICS } from "../../factory/mod.ts";
import { FRICTIONLESS, geometricMass, kinetic, matVec, maxAbs, potential } from "./physics_reference.ts";

const zeroKernel: ControlKernel = {
  internalSize: 0,
  maxForce: 150,
  init() {},
  step(_s, _so, _internal, _io, _dt, out) {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
  },
};

function energyAlong(plant: Plant, x: Float64Array, samples: number): Float64Array {
  const E = new Float64Array(samples);
  for (let k = 0; k < samples; k++) E[k] = plant.energy(x.subarray(6 * k, 6 * k + 6)).total;
  return E;
}

const BENT = [0, 0.3, -0.2, 0.5, 0.5, -0.4];

Deno.test("rk4Step() conserves energy without friction or input", () => {
  const plant = createPlant(FRICTIONLESS);
  // From θ1 = 0.3, θ2 = −0.2 the links fall through the bottom and swing wildly (|θ̇| reaches
  // ≈ 27 rad/s): no fall limit, so the whole 10 s of large motion is integrated.
  const x0 = [0, 0.3, -0.2, 0.1, 0.5, -0.4];
  const run = simulate({
    plant,
    controller: { kernel: zeroKernel },
    x0,
    dt: 1e-3,
    duration: 10,
    fallAngle: Infinity,
  });
  assert.equal(run.status, "ok");
  assert.equal(run.steps, 10_000);
  assert.ok(maxAbs(run.x.filter((_, i) => i % 6 === 4)) > 10, "the motion is not trivial");
  const E = energyAlong(plant, run.x, run.steps + 1);
  const E0 = E[0];
  let drift = 0;
  for (const e of E) drift = Math.max(drift, Math.abs(e - E0) / Math.abs(E0));
  // docs/acceptance.md#physics: 1e-6 relative over 10 s at dt = 1e-3. (Measured: 1.4e-8; any Coriolis or
  // gravity term with a wrong sign or constant breaks conservation at the 1e-2 level.)
  assert.ok(drift < 1e-6, `relative energy drift ${drift}`);
});

Deno.test("plant.energy() is T + V from the geometry, with upright the maximum of V", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const top = plant.energy([0, 0, 0, 0, 0, 0]).potential;
  fc.assert(
    fc.property(
      fc.tuple(...Array.from({ length: 6 }, () => fc.double({ min: -4, max: 4, noNaN: true }))),
      (s) => {
        const e = plant.energy(s);
        const q = s.slice(0, 3), qd = s.slice(3);
        const T = kinetic(DEFAULT_PHYSICS, q, qd), V = potential(DEFAULT_PHYSICS, q);
        // Relative rounding of a sum of a dozen products: 1e-13 is ~500 ulps.
        assert.ok(Math.abs(e.kinetic - T) <= 1e-13 * (1 + T), `T ${e.kinetic} vs ${T}`);
        assert.ok(Math.abs(e.potential - V) <= 1e-13 * (1 + Math.abs(V)), `V ${e.potential} vs ${V}`);
        assert.equal(e.total, e.kinetic + e.potential);
        assert.ok(e.potential <= top);
      },
    ),
    { numRuns: 200 },
  );
  // The simplified model's "energy" uses its own constant M(0); it is not conserved by its own
  // dynamics (no Coriolis terms), so only its definition is checked.
  const simplified = createPlant(DEFAULT_PHYSICS, { model: "simplified" });
  const s = [0, 1, -0.5, 0.3, 2, -1];
  const M0 = geometricMass(DEFAULT_PHYSICS, [0, 0, 0]);
  const qd = s.slice(3);
  const T0 = 0.5 * qd.reduce((acc, v, i) => acc + v * matVec(M0, qd)[i], 0);
  assert.ok(Math.abs(simplified.energy(s).kinetic - T0) < 1e-13 * T0);
});

Deno.test("rk4Step() dissipates energy through each friction term alone, at the rate of its work", () => {
  // Each friction coefficient alone (the others 0): a wrong sign on any one of them would make the
  // energy grow. The energy lost must also equal the friction work ∫ c·v² dt.
  const cases = [
    { key: "cart_friction", c: 0.2, rate: (s: ArrayLike<number>) => s[3] },
    { key: "joint1_friction", c: 0.005, rate: (s: ArrayLike<number>) => s[4] },
    { key: "joint2_friction", c: 0.004, rate: (s: ArrayLike<number>) => s[5] - s[4] },
  ] as const;
  for (const { key, c, rate } of cases) {
    const plant = createPlant({ ...FRICTIONLESS, [key]: c });
    const dt = 1e-3;
    const run = simulate({
      plant,
      controller: { kernel: zeroKernel },
      x0: BENT,
      dt,
      duration: 3,
      fallAngle: Infinity,
    });
    const n = run.steps + 1;
    const E = energyAlong(plant, run.x, n);
    // Step by step: never up by more than the integrator's own energy noise. The frictionless run
    // from this state moves E by at most 1.9e-9 per step (measured), so 1e-8·E0 is the floor; the
    // smallest friction step loss here is far smaller than that, hence the windows below.
    for (let k = 1; k < n; k++) assert.ok(E[k] - E[k - 1] < 1e-8 * E[0], `${key}: E rose at step ${k}`);
    // Over every 0.1 s window: strictly down, by more than 1e-6·E0 (the smallest window loss is
    // 6.7e-5 J for joint 2; the frictionless 10 s drift is below 2e-8·E0).
    for (let k = 100; k < n; k += 100) {
      assert.ok(E[k - 100] - E[k] > 1e-6 * E[0], `${key}: window ending at ${k} lost ${E[k - 100] - E[k]}`);
    }
    // Energy balance: E(0) − E(T) = ∫ c·v² dt (trapezoid). Quadrature error O(dt²·|d²P/dt²|)
    // relative to the loss; 1e-4 leaves a factor > 10 over what is measured.
    let work = 0;
    for (let k = 0; k < n - 1; k++) {
      const a = rate(run.x.subarray(6 * k)), b = rate(run.x.subarray(6 * k + 6));
      work += 0.5 * dt * c * (a * a + b * b);
    }
    const lost = E[0] - E[n - 1];
    assert.ok(Math.abs(lost - work) < 1e-4 * lost, `${key}: lost ${lost}, friction work ${work}`);
  }
});

Deno.test("derivatives() obey the power balance dE/dt = u·ẋ − c0·ẋ² − c1·θ̇1² − c2·(θ̇2 − θ̇1)²", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const { cart_friction: c0, joint1_friction: c1, joint2_friction: c2 } = DEFAULT_PHYSICS;
  const angle = fc.double({ min: -Math.PI, max: Math.PI, noNaN: true });
  const rate = fc.double({ min: -6, max: 6, noNaN: true });
  fc.assert(
    fc.property(
      angle,
      angle,
      rate,
      rate,
      rate,
      fc.double({ min: -50, max: 50, noNaN: true }),
      (t1, t2, xd, w1, w2, u) => {
        const s = [0.2, t1, t2, xd, w1, w2];
        const sd = plant.derivatives(s, u);
        // dE/dt along the flow, by a central difference of E(s + h·ṡ): truncation h²·E'''/6 ≈ 1e-10
        // for these speeds, rounding ε·|E|/h ≈ 1e-9 (|E| ≲ 5 J).
        const h = 1e-6;
        const E = (sign: number) => plant.energy(s.map((v, i) => v + sign * h * sd[i])).total;
        const dEdt = (E(1) - E(-1)) / (2 * h);
        const power = u * xd - c0 * xd * xd - c1 * w1 * w1 - c2 * (w2 - w1) ** 2;
        // Hence 1e-7 absolute, scaled by the size of the terms in play (force·speed up to ≈ 300 W).
        const scale = 1 + Math.abs(u * xd) + Math.abs(plant.energy(s).total);
        return Math.abs(dEdt - power) < 1e-7 * scale;
      },
    ),
    { numRuns: 300 },
  );
});
