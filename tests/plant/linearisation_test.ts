/**
 * The plant linearised at upright (docs/model.md#linearisation): the finite-difference Jacobians
 * against their analytic form, the unstable link modes, and the sign of the input direction that
 * the sliding surfaces rely on.
 */
import assert from "assert";
import { createPlant, type Plant } from "../../plant/mod.ts";
import type { PhysicsConfig } from "../../config/mod.ts";
import { DEFAULT_GAINS, DEFAULT_PHYSICS } from "../../factory/mod.ts";
import { FRICTIONLESS, geometricMass, inverse, type Mat, maxAbs, type Vec } from "./physics_reference.ts";

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
