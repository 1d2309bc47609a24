/**
 * Shape and value checks for the plain `number[][]` matrices of the public API, and the conversions
 * to and from ml-matrix.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { LinearAnalysisError } from "./errors.ts";

/**
 * A dense matrix as rows of numbers.
 *
 * @example Usage
 * ```ts
 * import type { MatrixInput } from "./mod.ts";
 * const A: MatrixInput = [[0, 1], [0, 0]];
 * ```
 */
export type MatrixInput = readonly (readonly number[])[];

/**
 * One eigenvalue as a complex number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Complex, eigenvalues } from "./mod.ts";
 * const [p]: Complex[] = eigenvalues([[0, -1], [1, 0]]);
 * assert.equal(p.im, 1);
 * ```
 */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

function shapeText(value: unknown): string {
  if (!Array.isArray(value)) return value === null ? "null" : typeof value;
  if (value.length === 0) return "an empty array";
  const widths = value.map((row) => (Array.isArray(row) ? row.length : -1));
  if (widths.some((w) => w < 0)) return `an array of ${value.length} that is not all rows`;
  const first = widths[0];
  return widths.every((w) => w === first) ? `${value.length}×${first}` : `ragged rows (${widths.join(", ")})`;
}

/**
 * Checks that `value` is a rectangular array of rows of finite numbers with the required shape
 * (`rows`/`cols` undefined: any), and returns it as an ml-matrix.
 *
 * @example A wrong shape names the argument
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMatrix } from "./matrix.ts";
 * assert.equal(checkMatrix("lqr()", "R", [[0.1]], 1, 1, "1×1 for one input").get(0, 0), 0.1);
 * assert.throws(() => checkMatrix("lqr()", "R", [[1, 2]], 1, 1, "1×1 for one input"), /R/);
 * ```
 *
 * @param fn Calling function, for the message (`lqr()`).
 * @param name Argument name.
 * @param value The candidate.
 * @param rows Required row count.
 * @param cols Required column count.
 * @param why Where the required shape comes from (`as many rows as A`).
 * @returns The matrix.
 */
export function checkMatrix(
  fn: string,
  name: string,
  value: unknown,
  rows: number | undefined,
  cols: number | undefined,
  why: string,
): Matrix {
  const need = `${rows ?? "n"}×${cols ?? "m"}`;
  const fail = (what: string): never => {
    throw new LinearAnalysisError(
      name,
      `${fn} argument ${name}: must be a ${need} matrix (${why}), got ${what}`,
    );
  };
  if (!Array.isArray(value) || value.length === 0 || !value.every(Array.isArray)) {
    return fail(shapeText(value));
  }
  const width = (value[0] as unknown[]).length;
  if (width === 0 || !value.every((row) => (row as unknown[]).length === width)) {
    return fail(shapeText(value));
  }
  if ((rows !== undefined && value.length !== rows) || (cols !== undefined && width !== cols)) {
    return fail(shapeText(value));
  }
  for (let i = 0; i < value.length; i++) {
    for (let j = 0; j < width; j++) {
      const v = (value[i] as unknown[])[j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new LinearAnalysisError(
          name,
          `${fn} argument ${name}[${i}][${j}]: must be a finite number, got ${
            typeof v === "number" ? v : typeof v
          }`,
        );
      }
    }
  }
  return new Matrix(value as number[][]);
}

/**
 * The rows of an ml-matrix as plain arrays.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "ml-matrix";
 * import { rowsOf } from "./matrix.ts";
 * assert.deepEqual(rowsOf(new Matrix([[1, 2], [3, 4]])), [[1, 2], [3, 4]]);
 * ```
 *
 * @param m The matrix.
 * @returns Its rows.
 */
export function rowsOf(m: Matrix): number[][] {
  return m.to2DArray();
}

/**
 * Largest absolute entry (the max norm used for the residual checks).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "ml-matrix";
 * import { maxAbs } from "./matrix.ts";
 * assert.equal(maxAbs(new Matrix([[1, -5], [3, 4]])), 5);
 * ```
 *
 * @param m The matrix.
 * @returns max |m_ij|.
 */
export function maxAbs(m: Matrix): number {
  let max = 0;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.columns; j++) max = Math.max(max, Math.abs(m.get(i, j)));
  }
  return max;
}

/**
 * (M + Mᵀ)/2: removes the rounding asymmetry of a matrix that is symmetric in exact arithmetic.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "ml-matrix";
 * import { symmetrize } from "./matrix.ts";
 * assert.deepEqual(symmetrize(new Matrix([[1, 2], [4, 1]])).to2DArray(), [[1, 3], [3, 1]]);
 * ```
 *
 * @param m A square matrix.
 * @returns Its symmetric part.
 */
export function symmetrize(m: Matrix): Matrix {
  return Matrix.add(m, m.transpose()).mul(0.5);
}

/**
 * Eigenvalues of a real square matrix, sorted by decreasing real part, then decreasing imaginary
 * part, so that the slowest (or most unstable) modes come first and the order never depends on the
 * decomposition's internals.
 *
 * @example A rotation has a complex pair
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "ml-matrix";
 * import { sortedEigenvalues } from "./matrix.ts";
 * assert.deepEqual(sortedEigenvalues(new Matrix([[0, -1], [1, 0]])), [{ re: 0, im: 1 }, { re: 0, im: -1 }]);
 * ```
 *
 * @param m A square matrix.
 * @returns Its eigenvalues `{ re, im }`.
 */
export function sortedEigenvalues(m: Matrix): Complex[] {
  const evd = new EigenvalueDecomposition(m);
  const re = evd.realEigenvalues, im = evd.imaginaryEigenvalues;
  return re.map((r, i) => ({ re: r, im: im[i] })).sort((a, b) => b.re - a.re || b.im - a.im);
}
