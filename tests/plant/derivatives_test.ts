/**
 * The plant's equations of motion (docs/model.md#the-full-model): derivatives() at the upright
 * equilibrium, the residual of Lagrange's equations derived numerically from L = T − V, the split
 * into M⁻¹·B·u plus drift, and the input checks of derivatives() and createPlant().
 */
import assert from "assert";
import fc from "fast-check";
import { checkState, createPlant } from "../../plant/mod.ts";
import { DEFAULT_PHYSICS } from "../../factory/mod.ts";
import {
  geometricMass,
  inverse,
  lagrangian,
  maxAbs,
  partial,
  rayleigh,
  type Vec,
} from "./physics_reference.ts";

Deno.test("derivatives() vanish at the upright equilibrium and give M(0)⁻¹·[u, 0, 0] under a force", () => {
  for (const model of ["full", "simplified"] as const) {
    const plant = createPlant(DEFAULT_PHYSICS, { model });
    const rest = plant.derivatives([0, 0, 0, 0, 0, 0], 0);
    for (const v of rest) assert.equal(v, 0);
    // Any x is an equilibrium: nothing depends on the cart position.
    for (const v of plant.derivatives([3.5, 0, 0, 0, 0, 0], 0)) assert.equal(v, 0);
    const Minv = inverse(geometricMass(DEFAULT_PHYSICS, [0, 0, 0]));
    for (const u of [1, -7.5, 150]) {
      const d = plant.derivatives([0, 0, 0, 0, 0, 0], u);
      assert.deepEqual([d[0], d[1], d[2]], [0, 0, 0]);
      const expected = Minv.map((row) => row[0] * u);
      // Two 3×3 inversions by different routes agree to a few ulps of the largest entry.
      for (let i = 0; i < 3; i++) {
        assert.ok(
          Math.abs(d[3 + i] - expected[i]) < 1e-12 * Math.abs(u) * maxAbs(expected.map((e) => e / u)),
        );
      }
    }
  }
});

Deno.test("derivatives() satisfy Lagrange's equations derived numerically from L = T − V", () => {
  // d/dt(∂L/∂q̇) − ∂L/∂q = B·u − ∂D/∂q̇, with L and the Rayleigh function D written from the
  // geometry (top of this file) and every derivative taken numerically:
  // - ∂L/∂q̇ and ∂D/∂q̇ by central differences with step 1: exact, since both are quadratic in q̇;
  // - ∂L/∂q by central differences with step 1e-5 (error ≈ 1e-10);
  // - d/dt(∂L/∂q̇) along (q̇, q̈) with step 1e-5 (error ≈ 1e-9 for these speeds).
  const angle = fc.double({ min: -Math.PI, max: Math.PI, noNaN: true });
  const rate = fc.double({ min: -5, max: 5, noNaN: true });
  for (
    const physics of [DEFAULT_PHYSICS, {
      ...DEFAULT_PHYSICS,
      cart_friction: 1,
      joint1_friction: 0.3,
      joint2_friction: 0.2,
    }]
  ) {
    const plant = createPlant(physics);
    fc.assert(
      fc.property(
        angle,
        angle,
        rate,
        rate,
        rate,
        fc.double({ min: -50, max: 50, noNaN: true }),
        (t1, t2, xd, w1, w2, u) => {
          const q = [-0.3, t1, t2], qd = [xd, w1, w2];
          const sd = plant.derivatives([...q, ...qd], u);
          const qdd = [sd[3], sd[4], sd[5]];
          const momentum = (qq: Vec, vv: Vec) =>
            [0, 1, 2].map((i) => partial((v) => lagrangian(physics, qq, v), vv, i, 1));
          const h = 1e-5;
          const ahead = momentum(q.map((v, i) => v + h * qd[i]), qd.map((v, i) => v + h * qdd[i]));
          const behind = momentum(q.map((v, i) => v - h * qd[i]), qd.map((v, i) => v - h * qdd[i]));
          const dpdt = ahead.map((v, i) => (v - behind[i]) / (2 * h));
          const dLdq = [0, 1, 2].map((i) => partial((qq) => lagrangian(physics, qq, qd), q, i, 1e-5));
          const dDdqd = [0, 1, 2].map((i) => partial((v) => rayleigh(physics, v), qd, i, 1));
          const generalised = [u - dDdqd[0], -dDdqd[1], -dDdqd[2]];
          const residual = dpdt.map((v, i) => v - dLdq[i] - generalised[i]);
          // Terms are up to |u| ≈ 50 N and mt·|ẍ| of the same order; 1e-6·scale is ~100× the
          // numerical error budget above and 1e5× below any wrong sign or constant.
          const scale = 1 + Math.abs(u) + Math.max(...qd.map(Math.abs)) ** 2;
          return maxAbs(residual) < 1e-6 * scale;
        },
      ),
      { numRuns: 200 },
    );
  }
});

Deno.test("derivatives() accept plain arrays, reuse an output buffer and reject invalid states", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const out = new Float64Array(6);
  const s = [0.1, 0.2, -0.1, 0.3, -0.4, 0.5];
  assert.equal(plant.derivatives(s, 3, out), out);
  assert.deepEqual(out, plant.derivatives(Float64Array.from(s), 3));
  assert.equal(out[0], 0.3);
  assert.equal(out[2], 0.5);
  assert.throws(() => plant.derivatives([0, 0, 0], 0), /state: must hold 6 values.*got length 3/);
  assert.throws(
    () => plant.derivatives([0, 0, Infinity, 0, 0, 0], 0),
    /state\[2\]: must be a finite number, got Infinity/,
  );
  assert.throws(() => plant.energy([0, NaN, 0, 0, 0, 0]), /state\[1\]/);
  assert.throws(() => checkState(null as unknown as number[], "x0"), /x0: must hold 6 values.*got null/);
  assert.throws(
    () => checkState(["0", 0, 0, 0, 0, 0] as unknown as number[]),
    /state\[0\]: must be a finite number, got 0/,
  );
});

Deno.test("accelerationTermsAt() splits q̈ into M⁻¹·B·u plus the drift, at an offset", () => {
  // plant/model.ts writes this algebra twice (derivativesAt folds u in for speed): the two copies
  // must agree everywhere, since controllers use one and the plant runs the other.
  const angle = fc.double({ min: -Math.PI, max: Math.PI, noNaN: true });
  const rate = fc.double({ min: -8, max: 8, noNaN: true });
  for (const model of ["full", "simplified"] as const) {
    const plant = createPlant(DEFAULT_PHYSICS, { model });
    fc.assert(
      fc.property(
        angle,
        angle,
        rate,
        rate,
        rate,
        fc.double({ min: -150, max: 150, noNaN: true }),
        (t1, t2, xd, w1, w2, u) => {
          const buf = Float64Array.of(9, 9, 0.1, t1, t2, xd, w1, w2);
          const terms = Float64Array.of(7, 0, 0, 0, 0, 0, 0, 7);
          plant.accelerationTermsAt(buf, 2, terms, 1);
          const d = plant.derivatives(buf.slice(2), u);
          // Same products summed in a different order: a few ulps of the largest term.
          const scale = 1 + Math.abs(u) * maxAbs(terms.subarray(1, 4)) + maxAbs(terms.subarray(4, 7));
          for (let i = 0; i < 3; i++) {
            if (!(Math.abs(d[3 + i] - (terms[1 + i] * u + terms[4 + i])) < 1e-12 * scale)) return false;
          }
          return terms[0] === 7 && terms[7] === 7;
        },
      ),
      { numRuns: 300 },
    );
  }
});

Deno.test("createPlant() rejects invalid physics and unknown models", () => {
  assert.throws(
    () => createPlant({ ...DEFAULT_PHYSICS, cart_mass: 0 }),
    /physics.cart_mass: must be a finite number greater than 0, got 0/,
  );
  assert.throws(() => createPlant({ ...DEFAULT_PHYSICS, gravity: NaN }), /physics.gravity: .* got NaN/);
  assert.throws(
    () => createPlant({ ...DEFAULT_PHYSICS, pendulum2_inertia: "1" as unknown as number }),
    /physics.pendulum2_inertia/,
  );
  assert.throws(
    () => createPlant({ ...DEFAULT_PHYSICS, joint2_friction: -1e-9 }),
    /physics.joint2_friction: must be a finite number ≥ 0, got -1e-9/,
  );
  assert.throws(
    () => createPlant(DEFAULT_PHYSICS, { model: "rigid" as "full" }),
    /plant model: must be "full" or "simplified", got "rigid"/,
  );
  const plant = createPlant(DEFAULT_PHYSICS);
  assert.ok(Object.isFrozen(plant) && Object.isFrozen(plant.physics));
  assert.equal(plant.model, "full");
});
