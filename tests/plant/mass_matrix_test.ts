/**
 * The plant's mass matrix (docs/model.md#the-full-model, docs/model.md#the-simplified-model): the
 * geometric M(q), positive definite for any physical parameters, the simplified model's constant
 * M(0) without Coriolis terms, and the lumped constants.
 */
import assert from "assert";
import fc from "fast-check";
import { createPlant, lumpedConstants } from "../../plant/mod.ts";
import { DEFAULT_PHYSICS } from "../../factory/mod.ts";
import { geometricMass, maxAbs } from "./physics_reference.ts";

Deno.test("massMatrix() is the geometric mass matrix, symmetric positive definite on a grid of angles", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  let count = 0;
  for (let i = -8; i <= 8; i++) {
    for (let j = -8; j <= 8; j++) {
      const t1 = (i * Math.PI) / 8, t2 = (j * Math.PI) / 8;
      const M = plant.massMatrix([0.7, t1, t2, 0, 0, 0]);
      const m = (r: number, c: number) => M[3 * r + c];
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) assert.equal(m(r, c), m(c, r));
      const minor1 = m(0, 0);
      const minor2 = m(0, 0) * m(1, 1) - m(0, 1) ** 2;
      const minor3 = m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) ** 2) -
        m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) +
        m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
      assert.ok(
        minor1 > 0 && minor2 > 0 && minor3 > 0,
        `minors at (${t1}, ${t2}): ${minor1}, ${minor2}, ${minor3}`,
      );
      const G = geometricMass(DEFAULT_PHYSICS, [0.7, t1, t2]);
      // Polarisation rounds at the level of ε·mt ≈ 4e-16; 1e-14 absolute is ~20× that.
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(m(r, c) - G[r][c]) < 1e-14);
      count++;
    }
  }
  assert.equal(count, 17 * 17);
});

Deno.test("massMatrix() is positive definite for any physical parameters", () => {
  // T > 0 for any motion of bodies with positive masses and inertias, whatever the geometry.
  const positive = fc.double({ min: 1e-3, max: 10, noNaN: true });
  fc.assert(
    fc.property(
      positive,
      positive,
      positive,
      positive,
      positive,
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      fc.double({
        min: 0.01,
        max: 0.99,
        noNaN: true,
      }),
      positive,
      positive,
      fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
      fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
      (
        m0,
        m1,
        m2,
        L1,
        L2,
        f1,
        f2,
        I1,
        I2,
        t1,
        t2,
      ) => {
        const physics = {
          ...DEFAULT_PHYSICS,
          cart_mass: m0,
          pendulum1_mass: m1,
          pendulum2_mass: m2,
          pendulum1_length: L1,
          pendulum2_length: L2,
          pendulum1_com: f1 * L1,
          pendulum2_com: f2 * L2,
          pendulum1_inertia: I1 * 1e-2,
          pendulum2_inertia: I2 * 1e-2,
        };
        const M = createPlant(physics).massMatrix([0, t1, t2, 0, 0, 0]);
        const d1 = M[0], d2 = M[0] * M[4] - M[1] * M[3];
        const d3 = M[0] * (M[4] * M[8] - M[5] * M[7]) - M[1] * (M[3] * M[8] - M[5] * M[6]) +
          M[2] * (M[3] * M[7] - M[4] * M[6]);
        return d1 > 0 && d2 > 0 && d3 > 0;
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("the simplified model keeps M(0) and drops Coriolis terms", () => {
  const full = createPlant(DEFAULT_PHYSICS, { model: "full" });
  const simple = createPlant(DEFAULT_PHYSICS, { model: "simplified" });
  assert.equal(simple.model, "simplified");
  assert.equal(full.model, "full");
  assert.deepEqual(simple.massMatrix([0, 0, 0, 0, 0, 0]), full.massMatrix([0, 0, 0, 0, 0, 0]));
  for (const s of [[0, 1, -2, 0, 0, 0], [5, 3, 0.5, 1, 2, 3]]) {
    assert.deepEqual(simple.massMatrix(s), simple.massMatrix([0, 0, 0, 0, 0, 0]));
  }
  // At upright every Coriolis and gravity term carries a sine and vanishes, so for any velocities
  // and any force both models give the same q̈ (up to the two routes to M(0)⁻¹: a few ulps).
  fc.assert(
    fc.property(
      fc.double({ min: -3, max: 3, noNaN: true }),
      fc.double({ min: -8, max: 8, noNaN: true }),
      fc.double({ min: -8, max: 8, noNaN: true }),
      fc.double({ min: -150, max: 150, noNaN: true }),
      (xd, w1, w2, u) => {
        const s = [0.4, 0, 0, xd, w1, w2];
        const a = full.derivatives(s, u), b = simple.derivatives(s, u);
        const scale = 1 + maxAbs(a);
        return [0, 1, 2, 3, 4, 5].every((i) => Math.abs(a[i] - b[i]) <= 1e-13 * scale);
      },
    ),
  );
  // Away from upright they differ: the approximation is not the full model in disguise.
  const s = [0, 0.5, -0.4, 0, 2, -1];
  const gap = maxAbs(full.derivatives(s, 3).map((v, i) => v - simple.derivatives(s, 3)[i]));
  assert.ok(gap > 0.1, `full and simplified differ by ${gap} at a bent state`);
});

Deno.test("lumpedConstants() follows docs/model.md#parameters", () => {
  const k = lumpedConstants(DEFAULT_PHYSICS);
  // a1 = 0.2·0.2 + 0.15·0.4, a2 = 0.15·0.15, b = 0.15·0.4·0.15,
  // J1 = 0.2·0.04 + 0.15·0.16 + 0.0081, J2 = 0.15·0.0225 + 0.0034, mt = 1.85.
  const expected = { a1: 0.1, a2: 0.0225, b: 0.009, J1: 0.0401, J2: 0.006775, mt: 1.85 };
  for (const [key, v] of Object.entries(expected)) {
    assert.ok(Math.abs(k[key as keyof typeof k] - v) < 1e-15, `${key}: ${k[key as keyof typeof k]} vs ${v}`);
  }
});
