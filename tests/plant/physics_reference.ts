/**
 * Physics computed independently of plant/model.ts, for the plant model tests: the Lagrangian
 * `L = T − V` and the Rayleigh dissipation function `D` written from the geometry of
 * docs/model.md#geometry (the centre-of-mass positions and velocities of each body), not from the
 * lumped constants or the closed-form M, C, G of the code, plus the small dense linear algebra the
 * tests need. Derivatives of L and D are taken numerically by the tests, so a wrong sign or a wrong
 * constant in the code's equations shows up as a residual.
 */
import type { PhysicsConfig } from "../../config/mod.ts";
import { DEFAULT_PHYSICS } from "../../factory/mod.ts";

/** Every friction coefficient zero. */
export const NO_FRICTION = { cart_friction: 0, joint1_friction: 0, joint2_friction: 0 } as const;
/** The shipped physics without friction. */
export const FRICTIONLESS: PhysicsConfig = { ...DEFAULT_PHYSICS, ...NO_FRICTION };

/** A small dense vector. */
export type Vec = number[];
/** A small dense matrix, by rows. */
export type Mat = number[][];

// ---------------------------------------------------------------------------------------------
// Independent physics, from the geometry of docs/model.md#geometry.

/** Kinetic energy from the velocities of the two centres of mass plus the links' own rotation. */
export function kinetic(p: PhysicsConfig, q: Vec, qd: Vec): number {
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
export function potential(p: PhysicsConfig, q: Vec): number {
  const h1 = p.pendulum1_com * Math.cos(q[1]);
  const h2 = p.pendulum1_length * Math.cos(q[1]) + p.pendulum2_com * Math.cos(q[2]);
  return p.gravity * (p.pendulum1_mass * h1 + p.pendulum2_mass * h2);
}

/** The Lagrangian L = T − V. */
export function lagrangian(p: PhysicsConfig, q: Vec, qd: Vec): number {
  return kinetic(p, q, qd) - potential(p, q);
}

/** Rayleigh dissipation: cart on the track, joint 1 on the cart, joint 2 on the relative rotation. */
export function rayleigh(p: PhysicsConfig, qd: Vec): number {
  const rel = qd[2] - qd[1];
  return 0.5 * (p.cart_friction * qd[0] ** 2 + p.joint1_friction * qd[1] ** 2 + p.joint2_friction * rel ** 2);
}

/** The unit vector e_i of R³. */
export const unit = (i: number): Vec => [0, 1, 2].map((j) => (j === i ? 1 : 0));

/**
 * The mass matrix by polarisation of the kinetic energy, which is a quadratic form in q̇:
 * `M_ii = 2·T(e_i)` and `M_ij = T(e_i + e_j) − T(e_i) − T(e_j)`. Exact up to rounding.
 */
export function geometricMass(p: PhysicsConfig, q: Vec): Mat {
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
export function partial(f: (v: Vec) => number, v: Vec, i: number, h: number): number {
  const up = v.slice(), down = v.slice();
  up[i] += h;
  down[i] -= h;
  return (f(up) - f(down)) / (2 * h);
}

/** The product A·v. */
export function matVec(A: Mat, v: Vec): Vec {
  return A.map((row) => row.reduce((acc, a, j) => acc + a * v[j], 0));
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (small dense systems only). */
export function solve(A: Mat, b: Vec): Vec {
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

/** The inverse of A, column by column through {@linkcode solve}. */
export function inverse(A: Mat): Mat {
  const cols = A.map((_, j) => solve(A, A.map((_, i) => (i === j ? 1 : 0))));
  return A.map((_, i) => cols.map((col) => col[i]));
}

/** The largest absolute entry of `v` (0 for an empty one). */
export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}
