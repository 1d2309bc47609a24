/**
 * Open-loop analysis: eigenvalues (poles) and the controllability matrix.
 *
 * @module
 */
import { Matrix, SVD } from "ml-matrix";
import { LinearAnalysisError } from "./errors.ts";
import { checkMatrix, type Complex, type MatrixInput, rowsOf, sortedEigenvalues } from "./matrix.ts";

/**
 * The result of {@linkcode controllability}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Controllability, controllability } from "./mod.ts";
 * const c: Controllability = controllability([[0, 1], [0, 0]], [[0], [1]]);
 * assert.equal(c.smallestSingularValue, 1);
 * ```
 */
export interface Controllability {
  /** `[B, A·B, …, Aⁿ⁻¹·B]`, n × n·m. */
  readonly matrix: number[][];
  /** Numerical rank: singular values above `max(n, n·m) · ε · σ_max` count. */
  readonly rank: number;
  /** Singular values of the matrix, largest first. */
  readonly singularValues: number[];
  /** The smallest of them: how close the pair is to losing controllability (in the matrix's units). */
  readonly smallestSingularValue: number;
  /** `rank === n`. */
  readonly controllable: boolean;
}

function square(fn: string, A: unknown): Matrix {
  const a = checkMatrix(fn, "A", A, undefined, undefined, "square");
  if (a.rows !== a.columns) {
    throw new LinearAnalysisError(
      "A",
      `${fn} argument A: must be a square matrix, got ${a.rows}×${a.columns}`,
    );
  }
  return a;
}

/**
 * The eigenvalues of a square matrix (for `A` from {@linkcode linearize}: the open-loop poles, in
 * 1/s), by decreasing real part, then decreasing imaginary part.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { eigenvalues } from "./mod.ts";
 * assert.deepEqual(eigenvalues([[0, 1], [-2, -3]]), [{ re: -1, im: 0 }, { re: -2, im: 0 }]);
 * ```
 *
 * @param A A square matrix.
 * @returns Its eigenvalues as `{ re, im }`.
 * @throws {LinearAnalysisError} for a matrix that is not square or has a non-finite entry.
 */
export function eigenvalues(A: MatrixInput): Complex[] {
  return sortedEigenvalues(square("eigenvalues()", A));
}

/**
 * The controllability matrix `[B, AB, …, Aⁿ⁻¹B]` of the pair (A, B), its numerical rank and its
 * singular values. Rank n means every mode can be moved by the input.
 *
 * The smallest singular value depends on the units of the state (it is not scale-free); compare it
 * with the largest one for a relative measure.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { controllability } from "./mod.ts";
 * const ok = controllability([[0, 1], [0, 0]], [[0], [1]]);
 * assert.equal(ok.rank, 2);
 * assert.deepEqual(ok.matrix, [[0, 1], [1, 0]]);
 * const decoupled = controllability([[1, 0], [0, 2]], [[1], [0]]);
 * assert.equal(decoupled.controllable, false);
 * ```
 *
 * @param A State matrix n×n.
 * @param B Input matrix n×m.
 * @returns The matrix, rank, singular values and smallest singular value.
 * @throws {LinearAnalysisError} for wrong shapes or non-finite entries.
 */
export function controllability(A: MatrixInput, B: MatrixInput): Controllability {
  const fn = "controllability()";
  const a = square(fn, A);
  const n = a.rows;
  const b = checkMatrix(fn, "B", B, n, undefined, "as many rows as A");
  const m = b.columns;
  const C = new Matrix(n, n * m);
  let block = b;
  for (let k = 0; k < n; k++) {
    C.setSubMatrix(block, 0, k * m);
    block = a.mmul(block);
  }
  const sv =
    new SVD(C, { autoTranspose: true, computeLeftSingularVectors: false, computeRightSingularVectors: false })
      .diagonal;
  const singularValues = [...sv].sort((x, y) => y - x).slice(0, n);
  const tol = Math.max(n, n * m) * Number.EPSILON * (singularValues[0] ?? 0);
  const rank = singularValues.filter((s) => s > tol).length;
  return {
    matrix: rowsOf(C),
    rank,
    singularValues,
    smallestSingularValue: singularValues[n - 1],
    controllable: rank === n,
  };
}
