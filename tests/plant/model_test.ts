/**
 * Physics tests of the plant models (docs/model.md and the physics acceptance of docs/acceptance.md#physics).
 *
 * The reference quantities here are computed independently of plant/model.ts: the Lagrangian
 * `L = T − V` and the Rayleigh dissipation function `D` are written from the geometry of
 * docs/model.md#geometry (the centre-of-mass positions and velocities of each body), not from the lumped
 * constants or the closed-form M, C, G of the code. Derivatives of L and D are taken numerically, so a wrong
 * sign or a wrong constant in the code's equations shows up as a residual.
 */
import assert from "assert";
import fc from "fast-check";
import {
  checkState,
  type ControlKernel,
  createPlant,
  eulerStep,
  lumpedConstants,
  type Plant,
  rk4Step,
  simulate,
} from "../../plant/mod.ts";
import type { PhysicsConfig } from "../../config/mod.ts";
import { DEFAULT_GAINS, DEFAULT_PHYSICS } from "../../factory/mod.ts";

const NO_FRICTION = { cart_friction: 0, joint1_friction: 0, joint2_friction: 0 } as const;
const FRICTIONLESS: PhysicsConfig = { ...DEFAULT_PHYSICS, ...NO_FRICTION };

type Vec = number[];
type Mat = number[][];

// ---------------------------------------------------------------------------------------------
// Independent physics, from the geometry of docs/model.md#geometry.

/** Kinetic energy from the velocities of the two centres of mass plus the links' own rotation. */
function kinetic(p: PhysicsConfig, q: Vec, qd: Vec): number {
  const [, t1, t2] = q, [xd, w1, w2] = qd;
  const v1x = xd + p.pendulum1_com * Math.cos(t1) * w1;
  const v1y = -p.pendulum1_com * Math.sin(t1) * w1;
  const v2x = xd + p.pendulum1_length * Math.cos(t1) * w1 + p.pendulum2_com * Math.cos(t2) * w2;
  const v2y = -p.pendulum1_length * Math.sin(t1) * w1 - p.pendulum2_com * Math.sin(t2) * w2;
  return 0.5 * p.cart_mass * xd * xd +
    0.5 * p.pendulum1_mass * (v1x * v1x + v1y * v1y) + 0.5 * p.pendulum1_inertia * w1 * w1 +
    0.5 * p.pendulum2_mass * (v2x * v2x + v2y * v2y) + 0.5 * p.pendulum2_inertia * w2 * w2;
}

/** Potential energy from the heights of the two centres of mass. */
function potential(p: PhysicsConfig, q: Vec): number {
  const h1 = p.pendulum1_com * Math.cos(q[1]);
  const h2 = p.pendulum1_length * Math.cos(q[1]) + p.pendulum2_com * Math.cos(q[2]);
  return p.gravity * (p.pendulum1_mass * h1 + p.pendulum2_mass * h2);
}

function lagrangian(p: PhysicsConfig, q: Vec, qd: Vec): number {
  return kinetic(p, q, qd) - potential(p, q);
}

/** Rayleigh dissipation: cart on the track, joint 1 on the cart, joint 2 on the relative rotation. */
function rayleigh(p: PhysicsConfig, qd: Vec): number {
  const rel = qd[2] - qd[1];
  return 0.5 * (p.cart_friction * qd[0] ** 2 + p.joint1_friction * qd[1] ** 2 + p.joint2_friction * rel ** 2);
}

const unit = (i: number): Vec => [0, 1, 2].map((j) => (j === i ? 1 : 0));

/**
 * The mass matrix by polarisation of the kinetic energy, which is a quadratic form in q̇:
 * `M_ii = 2·T(e_i)` and `M_ij = T(e_i + e_j) − T(e_i) − T(e_j)`. Exact up to rounding.
 */
function geometricMass(p: PhysicsConfig, q: Vec): Mat {
  const M: Mat = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) {
    M[i][i] = 2 * kinetic(p, q, unit(i));
    for (let j = 0; j < i; j++) {
      const both = unit(i).map((v, k) => v + unit(j)[k]);
      M[i][j] = M[j][i] = kinetic(p, q, both) - kinetic(p, q, unit(i)) - kinetic(p, q, unit(j));
    }
  }
  return M;
}

/** Central difference of a scalar function of one vector argument, in component i. */
function partial(f: (v: Vec) => number, v: Vec, i: number, h: number): number {
  const up = v.slice(), down = v.slice();
  up[i] += h;
  down[i] -= h;
  return (f(up) - f(down)) / (2 * h);
}

function matVec(A: Mat, v: Vec): Vec {
  return A.map((row) => row.reduce((acc, a, j) => acc + a * v[j], 0));
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (small dense systems only). */
function solve(A: Mat, b: Vec): Vec {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let acc = m[r][n];
    for (let k = r + 1; k < n; k++) acc -= m[r][k] * x[k];
    x[r] = acc / m[r][r];
  }
  return x;
}

function inverse(A: Mat): Mat {
  const cols = A.map((_, j) => solve(A, A.map((_, i) => (i === j ? 1 : 0))));
  return A.map((_, i) => cols.map((col) => col[i]));
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Eigenvalues: characteristic polynomial (Faddeev–LeVerrier) and its roots (Durand–Kerner).

/** Coefficients a[0..n] (a[n] = 1) of det(λI − A) = Σ a[k]·λ^k, by Faddeev–LeVerrier. */
function charPoly(A: Mat): Vec {
  const n = A.length;
  const a = new Array<number>(n + 1).fill(0);
  a[n] = 1;
  let Mk: Mat = A.map((row) => row.map(() => 0));
  for (let k = 1; k <= n; k++) {
    // M_k = A·M_{k−1} + a[n−k+1]·I ; a[n−k] = −tr(A·M_k)/k
    const AM = A.map((row) => Mk[0].map((_, j) => row.reduce((acc, v, l) => acc + v * Mk[l][j], 0)));
    Mk = AM.map((row, i) => row.map((v, j) => v + (i === j ? a[n - k + 1] : 0)));
    let tr = 0;
    for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) tr += A[i][l] * Mk[l][i];
    a[n - k] = -tr / k;
  }
  return a;
}

interface Complex {
  re: number;
  im: number;
}
const cmul = (x: Complex, y: Complex): Complex => ({
  re: x.re * y.re - x.im * y.im,
  im: x.re * y.im + x.im * y.re,
});
const cdiv = (x: Complex, y: Complex): Complex => {
  const d = y.re * y.re + y.im * y.im;
  return { re: (x.re * y.re + x.im * y.im) / d, im: (x.im * y.re - x.re * y.im) / d };
};
function polyAt(a: Vec, z: Complex): Complex {
  let acc: Complex = { re: 0, im: 0 };
  for (let k = a.length - 1; k >= 0; k--) acc = { re: cmul(acc, z).re + a[k], im: cmul(acc, z).im };
  return acc;
}

/**
 * All roots of a monic polynomial by the Durand–Kerner (Weierstrass) iteration: quadratic
 * convergence for simple roots, started on a spiral inside the Cauchy bound.
 */
function polyRoots(a: Vec): Complex[] {
  const n = a.length - 1;
  const bound = 1 + Math.max(...a.slice(0, n).map(Math.abs));
  let z: Complex[] = Array.from({ length: n }, (_, k) => {
    const ang = (2 * Math.PI * k) / n + 0.4;
    return { re: bound * 0.5 * Math.cos(ang), im: bound * 0.5 * Math.sin(ang) };
  });
  for (let it = 0; it < 2000; it++) {
    z = z.map((zk, k) => {
      let den: Complex = { re: 1, im: 0 };
      for (let j = 0; j < n; j++) if (j !== k) den = cmul(den, { re: zk.re - z[j].re, im: zk.im - z[j].im });
      const step = cdiv(polyAt(a, zk), den);
      return { re: zk.re - step.re, im: zk.im - step.im };
    });
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Test fixtures.

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

// ---------------------------------------------------------------------------------------------
// Energy.

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

// ---------------------------------------------------------------------------------------------
// Mass matrix.

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

// ---------------------------------------------------------------------------------------------
// Derivatives.

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

// ---------------------------------------------------------------------------------------------
// Simplified model.

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

Deno.test("lumpedConstants() follows docs/model.md#parameters", () => {
  const k = lumpedConstants(DEFAULT_PHYSICS);
  // a1 = 0.2·0.2 + 0.15·0.4, a2 = 0.15·0.15, b = 0.15·0.4·0.15,
  // J1 = 0.2·0.04 + 0.15·0.16 + 0.0081, J2 = 0.15·0.0225 + 0.0034, mt = 1.85.
  const expected = { a1: 0.1, a2: 0.0225, b: 0.009, J1: 0.0401, J2: 0.006775, mt: 1.85 };
  for (const [key, v] of Object.entries(expected)) {
    assert.ok(Math.abs(k[key as keyof typeof k] - v) < 1e-15, `${key}: ${k[key as keyof typeof k]} vs ${v}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Linearisation at upright.

/** Central-difference Jacobians A = ∂f/∂s (6×6) and B = ∂f/∂u (6) of the derivatives at `s`. */
function jacobian(plant: Plant, s: Vec, u: number, h: number): { A: Mat; B: Vec } {
  const cols: Vec[] = [];
  for (let j = 0; j < 6; j++) {
    const up = s.slice(), down = s.slice();
    up[j] += h;
    down[j] -= h;
    const fu = plant.derivatives(up, u), fd = plant.derivatives(down, u);
    cols.push([...fu].map((v, i) => (v - fd[i]) / (2 * h)));
  }
  const fu = plant.derivatives(s, u + h), fd = plant.derivatives(s, u - h);
  return {
    A: [0, 1, 2, 3, 4, 5].map((i) => cols.map((c) => c[i])),
    B: [...fu].map((v, i) => (v - fd[i]) / (2 * h)),
  };
}

/**
 * The upright linearisation written from the physics, not from the code: with q̇ = 0 the
 * velocity-squared terms have zero derivative, so
 *   A = [[0, I], [M0⁻¹·diag(0, (m1·Lc1 + m2·L1)·g, m2·Lc2·g), −M0⁻¹·Dm]],  B = [0; M0⁻¹·e1],
 * with M0 the geometric mass matrix at upright and Dm the Hessian of the Rayleigh function.
 */
function analyticLinearisation(p: PhysicsConfig): { A: Mat; B: Vec } {
  const Minv = inverse(geometricMass(p, [0, 0, 0]));
  const stiff = [
    0,
    (p.pendulum1_mass * p.pendulum1_com + p.pendulum2_mass * p.pendulum1_length) * p.gravity,
    p.pendulum2_mass * p.pendulum2_com * p.gravity,
  ];
  const c0 = p.cart_friction, c1 = p.joint1_friction, c2 = p.joint2_friction;
  const Dm = [[c0, 0, 0], [0, c1 + c2, -c2], [0, -c2, c2]];
  const A: Mat = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
  for (let i = 0; i < 3; i++) {
    A[i][3 + i] = 1;
    for (let j = 0; j < 3; j++) {
      A[3 + i][j] = Minv[i][j] * stiff[j];
      A[3 + i][3 + j] = -[0, 1, 2].reduce((acc, l) => acc + Minv[i][l] * Dm[l][j], 0);
    }
  }
  return { A, B: [0, 0, 0, Minv[0][0], Minv[1][0], Minv[2][0]] };
}

Deno.test("the upright linearisation matches its analytic form with two finite-difference steps", () => {
  for (const physics of [DEFAULT_PHYSICS, FRICTIONLESS]) {
    const plant = createPlant(physics);
    const exact = analyticLinearisation(physics);
    const scaleA = maxAbs(exact.A.flat()), scaleB = maxAbs(exact.B);
    for (const h of [1e-4, 1e-6]) {
      const fd = jacobian(plant, [0, 0, 0, 0, 0, 0], 0, h);
      // Central differences: truncation h²·|f'''|/6 ≲ 1e-6 at h = 1e-4 (|f'''| ≈ 100 for
      // the stiffest mode), rounding ε·|f|/h ≲ 1e-10 at h = 1e-6. 1e-6 relative covers both.
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) {
          assert.ok(
            Math.abs(fd.A[i][j] - exact.A[i][j]) < 1e-6 * scaleA,
            `A[${i}][${j}] at h=${h}: ${fd.A[i][j]} vs ${exact.A[i][j]}`,
          );
        }
        assert.ok(Math.abs(fd.B[i] - exact.B[i]) < 1e-9 * scaleB, `B[${i}] at h=${h}`);
      }
    }
  }
});

Deno.test("the upright linearisation is unstable with one positive real eigenvalue per link mode", () => {
  // Without friction, A = [[0, I], [K, 0]] and its eigenvalues are ±√μ for the eigenvalues μ of
  // the 3×3 K = M0⁻¹·∂(−G)/∂q: one μ = 0 (the cart) and two μ > 0 (the links).
  const plant = createPlant(FRICTIONLESS);
  const { A } = jacobian(plant, [0, 0, 0, 0, 0, 0], 0, 1e-6);
  const K = [3, 4, 5].map((i) => [A[i][0], A[i][1], A[i][2]]);
  const mu = polyRoots(charPoly(K)).sort((a, b) => a.re - b.re);
  for (const m of mu) assert.ok(Math.abs(m.im) < 1e-9 * maxAbs(K.flat()), `μ = ${m.re} + ${m.im}i is real`);
  assert.ok(Math.abs(mu[0].re) < 1e-6, `cart mode μ = ${mu[0].re}`);
  assert.ok(mu[1].re > 1 && mu[2].re > mu[1].re, `link modes μ = ${mu[1].re}, ${mu[2].re}`);
  const frictionlessPoles = [Math.sqrt(mu[1].re), Math.sqrt(mu[2].re)];

  // With the shipped friction the full 6×6 A is needed: characteristic polynomial by
  // Faddeev–LeVerrier, roots by Durand–Kerner (all simple here: the cart position gives λ = 0,
  // the cart velocity a small negative λ).
  const damped = createPlant(DEFAULT_PHYSICS);
  const A6 = jacobian(damped, [0, 0, 0, 0, 0, 0], 0, 1e-6).A;
  const poly = charPoly(A6);
  const lambda = polyRoots(poly);
  for (const l of lambda) {
    const r = polyAt(poly, l);
    assert.ok(Math.hypot(r.re, r.im) < 1e-6 * maxAbs(poly), `λ = ${l.re} + ${l.im}i is a root`);
  }
  const trace = A6.reduce((acc, row, i) => acc + row[i], 0);
  assert.ok(Math.abs(lambda.reduce((acc, l) => acc + l.re, 0) - trace) < 1e-8 * (1 + Math.abs(trace)));
  // Classify with a margin: the smallest |Re λ| of a genuine mode is ≈ 0.1, rounding is ≈ 1e-9.
  const unstable = lambda.filter((l) => l.re > 1e-6).sort((a, b) => a.re - b.re);
  assert.equal(unstable.length, 2, `unstable eigenvalues: ${JSON.stringify(unstable)}`);
  for (const l of unstable) {
    assert.ok(Math.abs(l.im) < 1e-9, `unstable eigenvalue ${l.re} + ${l.im}i is real`);
  }
  // Damping slows each unstable mode and speeds up its stable mirror (scalar analogue: the roots
  // of λ² + d·λ − k are (−d ± √(d² + 4k))/2), so the poles sit at 0 < λ⁺ < √μ and λ⁻ < −√μ.
  const stable = lambda.filter((l) => l.re < -1).sort((a, b) => b.re - a.re);
  assert.equal(stable.length, 2);
  unstable.forEach((l, i) => {
    assert.ok(l.re < frictionlessPoles[i], `pole ${l.re} vs frictionless ${frictionlessPoles[i]}`);
    assert.ok(stable[i].re < -frictionlessPoles[i], `mirror ${stable[i].re} vs ${-frictionlessPoles[i]}`);
  });
  assert.equal(lambda.filter((l) => Math.abs(l.re) <= 1e-6).length, 1, "one neutral mode: the cart position");
});

Deno.test("a push on the cart accelerates it forward and tips link 1 back, so d = L·M⁻¹·B > 0", () => {
  const { B } = jacobian(createPlant(DEFAULT_PHYSICS), [0, 0, 0, 0, 0, 0], 0, 1e-3);
  assert.ok(B[3] > 0, `ẍ responds to u with ${B[3]}`);
  assert.ok(B[4] < 0, `θ̈1 responds to u with ${B[4]}`);
  // The surfaces of docs/controllers.md#surface-signs, L = [kc, −k1, k2] (kc = cart_gain 0.5) with each
  // controller's shipped link weights: d must be positive (docs/controllers.md#equivalent-control: about
  // +1.07 at upright) for the reaching law to push the right way.
  const kc = 0.5;
  const weights: Record<string, [number, number]> = {
    classical_smc: [DEFAULT_GAINS.classical_smc[0], DEFAULT_GAINS.classical_smc[1]],
    sta_smc: [DEFAULT_GAINS.sta_smc[2], DEFAULT_GAINS.sta_smc[3]],
    adaptive_smc: [DEFAULT_GAINS.adaptive_smc[0], DEFAULT_GAINS.adaptive_smc[1]],
    hybrid_adaptive_sta_smc: [
      DEFAULT_GAINS.hybrid_adaptive_sta_smc[0],
      DEFAULT_GAINS.hybrid_adaptive_sta_smc[2],
    ],
  };
  for (const [type, [k1, k2]] of Object.entries(weights)) {
    const d = kc * B[3] - k1 * B[4] + k2 * B[5];
    assert.ok(d > 0.5 && d < 2, `${type}: d = ${d}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Integrators.

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
