/**
 * The linear-quadratic regulator: the stabilising solution S of the continuous algebraic Riccati
 * equation `AᵀS + SA − SBR⁻¹BᵀS + Q = 0`, the gain `K = R⁻¹BᵀS` and the closed-loop poles.
 *
 * Method (docs/linear.md, section "lqr"): the stable invariant subspace of the Hamiltonian matrix
 * `H = [[A, −BR⁻¹Bᵀ], [−Q, −Aᵀ]]`, spanned by the real and imaginary parts of its eigenvectors for
 * the n eigenvalues with negative real part, gives `S = U2·U1⁻¹`; Newton–Kleinman steps then polish S
 * until the residual stops falling (each step solves one Lyapunov equation with the closed loop).
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix, solve, SVD } from "ml-matrix";
import { LinearAnalysisError } from "./errors.ts";
import {
  checkMatrix,
  type Complex,
  type MatrixInput,
  maxAbs,
  rowsOf,
  sortedEigenvalues,
  symmetrize,
} from "./matrix.ts";

/**
 * The result of {@linkcode lqr}, as python-control returns it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lqr, type LqrResult } from "./mod.ts";
 * const { K }: LqrResult = lqr([[1]], [[1]], [[3]], 1); // s = 1 + √(1 + 3) = 3
 * assert.ok(Math.abs(K[0][0] - 3) < 1e-12);
 * ```
 */
export interface LqrResult {
  /** The state-feedback gain `K = R⁻¹BᵀS` (m×n): the control is `u = −K·s`. */
  readonly K: number[][];
  /** The stabilising solution of the Riccati equation (n×n, symmetric). */
  readonly S: number[][];
  /** The closed-loop poles, eigenvalues of `A − B·K`, by decreasing real part. */
  readonly E: Complex[];
}

const FN = "lqr()";
// Symmetry of Q and R is checked to this relative tolerance: inputs built by hand are exactly
// symmetric, inputs computed as M·Mᵀ are symmetric to a few ulps.
const SYMMETRY_TOL = 1e-12;
// A mode counts as on the imaginary axis (or as unstable for the stabilisability test) within this
// fraction of the matrix's size: eigenvalues of a 12×12 are good to ~1e-14·‖H‖.
const AXIS_TOL = 1e-10;
// [A − λI, B] counts as rank deficient below this fraction of its largest singular value.
const RANK_TOL = 1e-10;
const MAX_NEWTON_STEPS = 12;

function checkSymmetric(name: string, m: Matrix): void {
  const scale = Math.max(maxAbs(m), Number.MIN_VALUE);
  for (let i = 0; i < m.rows; i++) {
    for (let j = i + 1; j < m.columns; j++) {
      const a = m.get(i, j), b = m.get(j, i);
      if (Math.abs(a - b) > SYMMETRY_TOL * scale) {
        throw new LinearAnalysisError(
          name,
          `${FN} argument ${name}: must be symmetric, got ${name}[${i}][${j}] = ${a} but ${name}[${j}][${i}] = ${b}`,
        );
      }
    }
  }
}

function symmetricEigenvalues(m: Matrix): number[] {
  return new EigenvalueDecomposition(symmetrize(m), { assumeSymmetric: true }).realEigenvalues;
}

function checkR(value: unknown, m: number): Matrix {
  let R: Matrix;
  if (typeof value === "number") {
    if (m !== 1) {
      throw new LinearAnalysisError(
        "R",
        `${FN} argument R: must be a ${m}×${m} matrix (B has ${m} columns), got the number ${value}`,
      );
    }
    if (!Number.isFinite(value) || !(value > 0)) {
      throw new LinearAnalysisError(
        "R",
        `${FN} argument R: must be positive definite (a number > 0), got ${value}`,
      );
    }
    return new Matrix([[value]]);
  } else {
    R = checkMatrix(FN, "R", value, m, m, `B has ${m} column${m === 1 ? "" : "s"}`);
  }
  checkSymmetric("R", R);
  const eig = symmetricEigenvalues(R);
  const min = Math.min(...eig), max = Math.max(...eig.map(Math.abs));
  if (!(min > 1e-14 * max)) {
    throw new LinearAnalysisError(
      "R",
      `${FN} argument R: must be positive definite, got smallest eigenvalue ${min}`,
    );
  }
  return R;
}

function checkQ(value: unknown, n: number): Matrix {
  const Q = checkMatrix(FN, "Q", value, n, n, `A is ${n}×${n}`);
  checkSymmetric("Q", Q);
  const eig = symmetricEigenvalues(Q);
  const min = Math.min(...eig), max = Math.max(...eig.map(Math.abs));
  if (min < -1e-12 * max) {
    throw new LinearAnalysisError(
      "Q",
      `${FN} argument Q: must be positive semidefinite, got smallest eigenvalue ${min}`,
    );
  }
  return Q;
}

/**
 * Refuses a pair with an unstable (or marginal) mode that the input cannot reach: no feedback can
 * move such a pole, so no stabilising Riccati solution exists (Popov–Belevitch–Hautus test on the
 * modes with Re λ ≥ 0). Uncontrollable but stable modes are allowed.
 */
function checkStabilisable(A: Matrix, B: Matrix): void {
  const n = A.rows, m = B.columns;
  const scale = Math.max(1, maxAbs(A));
  for (const { re, im } of sortedEigenvalues(A)) {
    if (re < -AXIS_TOL * scale) continue;
    // [A − λI, B] over the complex numbers, embedded as the real 2n × 2(n+m) matrix
    // [[Re, −Im], [Im, Re]]: its rank is twice the complex rank.
    const P = new Matrix(2 * n, 2 * (n + m));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = A.get(i, j) - (i === j ? re : 0);
        P.set(i, j, a);
        P.set(i + n, j + n + m, a);
      }
      P.set(i, i + n + m, im);
      P.set(i + n, i, -im);
      for (let k = 0; k < m; k++) {
        P.set(i, n + k, B.get(i, k));
        P.set(i + n, 2 * n + m + k, B.get(i, k));
      }
    }
    const sv = new SVD(P, {
      autoTranspose: true,
      computeLeftSingularVectors: false,
      computeRightSingularVectors: false,
    })
      .diagonal;
    const sorted = [...sv].sort((a, b) => b - a);
    const smallest = sorted[2 * n - 1];
    if (!(smallest > RANK_TOL * sorted[0])) {
      const mode = im === 0 ? `${re}` : `${re} ${im < 0 ? "−" : "+"} ${Math.abs(im)}i`;
      throw new LinearAnalysisError(
        "A, B",
        `${FN} arguments A, B: must be stabilisable, got the mode λ = ${mode} (1/s) of A that the input ` +
          `cannot reach (smallest singular value of [A − λI, B] is ${smallest}); no feedback can move it`,
      );
    }
  }
}

/** `AᵀS + SA − S·G·S + Q` with `G = B·R⁻¹·Bᵀ`. */
function residualOf(A: Matrix, G: Matrix, Q: Matrix, S: Matrix): Matrix {
  const AtS = A.transpose().mmul(S);
  return Matrix.add(AtS, AtS.transpose()).sub(S.mmul(G).mmul(S)).add(Q);
}

/** Solves `Fᵀ·X + X·F = C` for X (n×n) through its Kronecker form, an n²×n² linear system. */
function lyapunov(F: Matrix, C: Matrix): Matrix {
  const n = F.rows;
  const L = new Matrix(n * n, n * n);
  const c = new Matrix(n * n, 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const p = i * n + j;
      c.set(p, 0, C.get(i, j));
      for (let k = 0; k < n; k++) {
        // (FᵀX)[i][j] = Σ F[k][i]·X[k][j];  (XF)[i][j] = Σ X[i][k]·F[k][j]
        L.set(p, k * n + j, L.get(p, k * n + j) + F.get(k, i));
        L.set(p, i * n + k, L.get(p, i * n + k) + F.get(k, j));
      }
    }
  }
  const x = solve(L, c);
  const X = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) X.set(i, j, x.get(i * n + j, 0));
  return symmetrize(X);
}

/** The stabilising Riccati solution from the stable invariant subspace of the Hamiltonian. */
function hamiltonianSolution(A: Matrix, G: Matrix, Q: Matrix): Matrix {
  const n = A.rows;
  const H = new Matrix(2 * n, 2 * n);
  H.setSubMatrix(A, 0, 0);
  H.setSubMatrix(G.clone().mul(-1), 0, n);
  H.setSubMatrix(Q.clone().mul(-1), n, 0);
  H.setSubMatrix(A.transpose().mul(-1), n, n);
  const evd = new EigenvalueDecomposition(H);
  const re = evd.realEigenvalues, im = evd.imaginaryEigenvalues, V = evd.eigenvectorMatrix;
  const scale = Math.max(1, maxAbs(H));
  const onAxis = re.filter((r) => Math.abs(r) <= AXIS_TOL * scale).length;
  if (onAxis > 0) {
    throw new LinearAnalysisError(
      "Q",
      `${FN} argument Q: no stabilising solution exists, got a Hamiltonian with ${onAxis} eigenvalue${
        onAxis === 1 ? "" : "s"
      } on the imaginary axis: a mode of A on the axis is not weighted by Q (the pair (Q, A) must be detectable)`,
    );
  }
  // Real basis of the stable subspace: a real eigenvalue contributes its eigenvector; a complex pair
  // (stored as adjacent columns holding the real and imaginary parts) contributes both columns.
  const columns: number[] = [];
  for (let j = 0; j < 2 * n; j++) {
    if (im[j] !== 0) {
      if (re[j] < 0) columns.push(j, j + 1);
      j++;
    } else if (re[j] < 0) {
      columns.push(j);
    }
  }
  if (columns.length !== n) {
    throw new LinearAnalysisError(
      "A, B",
      `${FN} arguments A, B: no stabilising solution exists, got ${columns.length} stable Hamiltonian eigenvalues where ${n} are required`,
    );
  }
  const U = new Matrix(2 * n, n);
  columns.forEach((col, k) => {
    for (let i = 0; i < 2 * n; i++) U.set(i, k, V.get(i, col));
  });
  const U1 = U.subMatrix(0, n - 1, 0, n - 1), U2 = U.subMatrix(n, 2 * n - 1, 0, n - 1);
  const sv = new SVD(U1, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  if (!(Math.min(...sv) > 1e-13 * Math.max(...sv))) {
    throw new LinearAnalysisError(
      "A, B",
      `${FN} arguments A, B: no stabilising solution exists, got a stable Hamiltonian subspace that is not a graph (U1 singular, condition ${
        Math.max(...sv) / Math.min(...sv)
      })`,
    );
  }
  // S·U1 = U2  ⇔  U1ᵀ·Sᵀ = U2ᵀ.
  return symmetrize(solve(U1.transpose(), U2.transpose()).transpose());
}

/**
 * Relative residual of the Riccati equation, `‖AᵀS + SA − SBR⁻¹BᵀS + Q‖_F / ‖Q‖_F` (the absolute
 * residual when Q = 0).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lqr, riccatiResidual } from "./mod.ts";
 * const A = [[0, 1], [0, 0]], B = [[0], [1]], Q = [[1, 0], [0, 1]];
 * const { S } = lqr(A, B, Q, 1);
 * assert.ok(riccatiResidual(A, B, Q, 1, S) < 1e-12);
 * ```
 *
 * @param A State matrix n×n.
 * @param B Input matrix n×m.
 * @param Q State weight n×n.
 * @param R Input weight m×m (or a number when m = 1).
 * @param S Candidate solution n×n.
 * @returns The relative residual.
 */
export function riccatiResidual(
  A: MatrixInput,
  B: MatrixInput,
  Q: MatrixInput,
  R: MatrixInput | number,
  S: MatrixInput,
): number {
  const fn = "riccatiResidual()";
  const a = checkMatrix(fn, "A", A, undefined, undefined, "square");
  const n = a.rows;
  const b = checkMatrix(fn, "B", B, n, undefined, "as many rows as A");
  const q = checkMatrix(fn, "Q", Q, n, n, `A is ${n}×${n}`);
  const r = typeof R === "number"
    ? new Matrix([[R]])
    : checkMatrix(fn, "R", R, b.columns, b.columns, "B's columns");
  const s = checkMatrix(fn, "S", S, n, n, `A is ${n}×${n}`);
  const G = b.mmul(solve(r, b.transpose()));
  const norm = q.norm("frobenius");
  return residualOf(a, G, q, s).norm("frobenius") / (norm > 0 ? norm : 1);
}

/**
 * Designs the linear-quadratic regulator for `ṡ = A·s + B·u` with cost `∫ sᵀQs + uᵀRu dt`: returns
 * `{ K, S, E }` as python-control's `lqr` does, with `u = −K·s` the optimal feedback.
 *
 * Checks first, each failure a {@linkcode LinearAnalysisError} naming the argument: shapes (A n×n,
 * B n×m, Q n×n, R m×m or a number when m = 1) and finite entries; Q symmetric positive semidefinite;
 * R symmetric positive definite; (A, B) stabilisable. A Riccati equation without a stabilising
 * solution (a mode on the imaginary axis that Q does not see) is refused too. The solution is
 * polished to a relative residual at rounding level (below 1e-12 on well-posed problems).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lqr } from "./mod.ts";
 * // Double integrator with Q = I, R = 1: S = [[√3, 1], [1, √3]], K = [1, √3].
 * const { K, S, E } = lqr([[0, 1], [0, 0]], [[0], [1]], [[1, 0], [0, 1]], 1);
 * assert.ok(Math.abs(K[0][0] - 1) < 1e-12 && Math.abs(K[0][1] - Math.sqrt(3)) < 1e-12);
 * assert.ok(Math.abs(S[0][0] - Math.sqrt(3)) < 1e-12);
 * assert.ok(E.every((e) => e.re < 0));
 * ```
 *
 * @param A State matrix n×n.
 * @param B Input matrix n×m.
 * @param Q State weight n×n, symmetric positive semidefinite.
 * @param R Input weight m×m, symmetric positive definite, or a number > 0 when m = 1.
 * @returns `{ K (m×n), S (n×n), E (n closed-loop poles) }`.
 * @throws {LinearAnalysisError} for bad input or a problem without a stabilising solution.
 */
export function lqr(A: MatrixInput, B: MatrixInput, Q: MatrixInput, R: MatrixInput | number): LqrResult {
  const a = checkMatrix(FN, "A", A, undefined, undefined, "square");
  if (a.rows !== a.columns) {
    throw new LinearAnalysisError(
      "A",
      `${FN} argument A: must be a square matrix, got ${a.rows}×${a.columns}`,
    );
  }
  const n = a.rows;
  const b = checkMatrix(FN, "B", B, n, undefined, "as many rows as A");
  const m = b.columns;
  const q = checkQ(Q, n);
  const r = checkR(R, m);
  checkStabilisable(a, b);

  const RinvBt = solve(r, b.transpose());
  const G = symmetrize(b.mmul(RinvBt));
  let S = hamiltonianSolution(a, G, q);
  let residual = residualOf(a, G, q, S).norm("frobenius");
  // Newton–Kleinman polish in correction form: with Ac = A − G·S, the Newton step Δ solves
  // Acᵀ·Δ + Δ·Ac = −residual(S). From the (already stabilising) eigenvector solution it converges
  // quadratically until rounding dominates; there the residual wanders, so the best iterate is kept
  // and the polish stops after two steps in a row that did not improve it.
  let current = S;
  const floor = Number.EPSILON * Math.max(q.norm("frobenius"), Number.MIN_VALUE);
  let misses = 0;
  for (let step = 0; step < MAX_NEWTON_STEPS && residual > floor && misses < 2; step++) {
    const Ac = Matrix.sub(a, G.mmul(current));
    const delta = lyapunov(Ac, residualOf(a, G, q, current).mul(-1));
    current = symmetrize(Matrix.add(current, delta));
    const nextResidual = residualOf(a, G, q, current).norm("frobenius");
    if (nextResidual < residual) {
      S = current;
      residual = nextResidual;
      misses = 0;
    } else {
      misses++;
    }
  }
  const K = RinvBt.mmul(S);
  const E = sortedEigenvalues(Matrix.sub(a, b.mmul(K)));
  const worst = E[0];
  if (!(worst.re < 0)) {
    throw new LinearAnalysisError(
      "A, B",
      `${FN} arguments A, B: the computed gain does not stabilise the pair, got a closed-loop pole at ${worst.re} ${
        worst.im < 0 ? "−" : "+"
      } ${Math.abs(worst.im)}i`,
    );
  }
  return { K: rowsOf(K), S: rowsOf(S), E };
}
