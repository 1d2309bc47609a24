/**
 * Tests of linear/: linearize() against an independently derived upright Jacobian and against
 * central differences elsewhere, the open-loop poles and controllability of the shipped plant, and
 * lqr() against closed forms, the Riccati residual on well- and badly scaled weights, and its typed
 * errors.
 */
import assert from "assert";
import { loadConfig, type PhysicsConfig } from "../../config/mod.ts";
import {
  controllability,
  eigenvalues,
  LinearAnalysisError,
  linearize,
  lqr,
  riccatiResidual,
} from "../../linear/mod.ts";
import { createPlant } from "../../plant/mod.ts";

const CONFIG = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const PHYSICS = CONFIG.physics;

type M = number[][];
const diag = (d: readonly number[]): M => d.map((q, i) => d.map((_, j) => (i === j ? q : 0)));
const mul = (X: M, Y: M): M =>
  X.map((row) => Y[0].map((_, j) => row.reduce((s, x, k) => s + x * Y[k][j], 0)));
const transpose = (X: M): M => X[0].map((_, j) => X.map((row) => row[j]));
const sub = (X: M, Y: M): M => X.map((row, i) => row.map((x, j) => x - Y[i][j]));
const maxAbsDiff = (X: M, Y: M): number =>
  Math.max(...X.flatMap((row, i) => row.map((x, j) => Math.abs(x - Y[i][j]))));

/** Inverse of a 3×3 matrix by its adjugate (written here, independent of the plant's solver). */
function inverse3(m: M): M {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/**
 * The upright Jacobian derived by hand from the equations of docs/model.md: at θ = 0, q̇ = 0 the
 * Coriolis vector is quadratic in q̇ (no first-order term), sin θ ≈ θ, and M = M0, so
 * M0·q̈ = B·u + F·q̇ + Kg·q with Kg = diag(0, a1·g, a2·g) and F the friction matrix of
 * Q_f = [−c0·ẋ, −c1·θ̇1 + c2·(θ̇2 − θ̇1), −c2·(θ̇2 − θ̇1)] = F·q̇. Hence
 * A = [[0, I], [M0⁻¹·Kg, M0⁻¹·F]] and B = [0; M0⁻¹·e0].
 */
function analyticUpright(p: PhysicsConfig, frictionSign = 1): { A: M; B: M } {
  const m0 = p.cart_mass, m1 = p.pendulum1_mass, m2 = p.pendulum2_mass;
  const L1 = p.pendulum1_length, l1 = p.pendulum1_com, l2 = p.pendulum2_com;
  const a1 = m1 * l1 + m2 * L1, a2 = m2 * l2, b = m2 * L1 * l2;
  const J1 = m1 * l1 * l1 + m2 * L1 * L1 + p.pendulum1_inertia, J2 = m2 * l2 * l2 + p.pendulum2_inertia;
  const M0 = [[m0 + m1 + m2, a1, a2], [a1, J1, b], [a2, b, J2]];
  const g = p.gravity, c0 = p.cart_friction, c1 = p.joint1_friction, c2 = p.joint2_friction;
  const Kg = diag([0, a1 * g, a2 * g]);
  const F = [[-c0, 0, 0], [0, -c1 - c2, c2], [0, c2, -c2]].map((r) => r.map((v) => frictionSign * v));
  const Mi = inverse3(M0);
  const lowerLeft = mul(Mi, Kg), lowerRight = mul(Mi, F);
  const A = [
    [0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
    ...[0, 1, 2].map((i) => [...lowerLeft[i], ...lowerRight[i]]),
  ];
  return { A, B: [[0], [0], [0], [Mi[0][0]], [Mi[1][0]], [Mi[2][0]]] };
}

// ------------------------------------------------------------------------------------------------
// linearize

Deno.test("linearize() at upright equals the hand-derived Jacobian to 1e-9, for both models", () => {
  const expected = analyticUpright(PHYSICS);
  for (const model of ["full", "simplified"] as const) {
    const { A, B } = linearize(createPlant(PHYSICS, { model }));
    assert.equal(A.length, 6);
    assert.ok(A.every((row) => row.length === 6));
    assert.deepEqual(B.map((r) => r.length), [1, 1, 1, 1, 1, 1]);
    assert.ok(maxAbsDiff(A, expected.A) < 1e-9, `${model}: A differs by ${maxAbsDiff(A, expected.A)}`);
    assert.ok(maxAbsDiff(B, expected.B) < 1e-9, `${model}: B differs by ${maxAbsDiff(B, expected.B)}`);
  }
  // The comparison can fail: with the friction sign flipped (the original's energy-adding friction)
  // the Jacobian is off by far more than the tolerance.
  const wrong = analyticUpright(PHYSICS, -1);
  assert.ok(maxAbsDiff(linearize(createPlant(PHYSICS)).A, wrong.A) > 1e-3);
});

Deno.test("linearize() at a general state and force agrees with central differences of derivatives()", () => {
  // Central differences with h = 1e-5: truncation h²/6·|f'''| ≈ 1.7e-11·|f'''| (f''' is at most a few
  // hundred here: ≲ 1e-8) plus rounding ε·|f|/h ≈ 2.2e-16·50/1e-5 ≈ 1e-9. 1e-6 bounds both with a
  // wide margin and is still far below the entries' size (up to ~50) and the change from one state
  // to another (the variant below, > 1e-2).
  const h = 1e-5, tol = 1e-6;
  const state = [0.1, 0.3, -0.2, 0.4, -0.7, 1.1], u = 3;
  for (const model of ["full", "simplified"] as const) {
    const plant = createPlant(PHYSICS, { model });
    const { A, B } = linearize(plant, state, u);
    for (let j = 0; j < 7; j++) {
      const plus = [...state], minus = [...state];
      let up = u, um = u;
      if (j < 6) {
        plus[j] += h;
        minus[j] -= h;
      } else {
        up += h;
        um -= h;
      }
      const fp = plant.derivatives(plus, up), fm = plant.derivatives(minus, um);
      for (let r = 0; r < 6; r++) {
        const fd = (fp[r] - fm[r]) / (2 * h);
        const got = j < 6 ? A[r][j] : B[r][0];
        assert.ok(Math.abs(got - fd) < tol, `${model} ∂f${r}/∂${j < 6 ? `s${j}` : "u"}: ${got} vs ${fd}`);
      }
    }
    // The check can fail: the Jacobian at upright is not the one at this state.
    assert.ok(maxAbsDiff(linearize(plant).A, A) > 1e-2);
  }
  // Away from upright the two models differ (the full model's M and Coriolis terms depend on the state).
  const full = linearize(createPlant(PHYSICS, { model: "full" }), state, u);
  const simplified = linearize(createPlant(PHYSICS, { model: "simplified" }), state, u);
  assert.ok(maxAbsDiff(full.A, simplified.A) > 1e-2);
});

Deno.test("linearize() rejects a bad state or force with a LinearAnalysisError naming the argument", () => {
  const plant = createPlant(PHYSICS);
  const cases: [() => unknown, string, string][] = [
    [
      () => linearize(plant, [0, 0, 0]),
      "state",
      "linearize() argument state: must hold 6 values [x, θ1, θ2, ẋ, θ̇1, θ̇2], got length 3",
    ],
    [
      () => linearize(plant, [0, NaN, 0, 0, 0, 0]),
      "state",
      "linearize() argument state[1]: must be a finite number, got NaN",
    ],
    [
      () => linearize(plant, undefined, Infinity),
      "u",
      "linearize() argument u: must be a finite number, got Infinity",
    ],
  ];
  for (const [call, argument, message] of cases) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof LinearAnalysisError);
      assert.equal(e.name, "LinearAnalysisError");
      assert.equal(e.argument, argument);
      assert.equal(e.message, message);
      return true;
    });
  }
});

// ------------------------------------------------------------------------------------------------
// eigenvalues and controllability

Deno.test("eigenvalues() of the upright plant: poles at +7.34 and +4.45 1/s, one at 0, the rest stable", () => {
  const { A } = linearize(createPlant(PHYSICS));
  const poles = eigenvalues(A);
  assert.equal(poles.length, 6);
  assert.ok(poles.every((p) => p.im === 0), "all real");
  assert.ok(Math.abs(poles[0].re - 7.34) < 0.005, `fastest unstable pole ${poles[0].re}`);
  assert.ok(Math.abs(poles[1].re - 4.45) < 0.005, `second unstable pole ${poles[1].re}`);
  // The cart position does not feed back into anything: an exact integrator.
  assert.ok(Math.abs(poles[2].re) < 1e-9, `cart pole ${poles[2].re}`);
  assert.ok(poles.slice(3).every((p) => p.re < 0));
  // Sorted by decreasing real part, and the eigenvalues of a known matrix come out exactly.
  assert.deepEqual(eigenvalues([[2, 0], [0, 5]]), [{ re: 5, im: 0 }, { re: 2, im: 0 }]);
  const rotation = eigenvalues([[0, -2], [2, 0]]);
  assert.deepEqual(rotation.map((p) => [Math.abs(p.re) < 1e-15, p.im]), [[true, 2], [true, -2]]);
  assert.throws(() => eigenvalues([[1, 2, 3], [4, 5, 6]]), {
    name: "LinearAnalysisError",
    message: "eigenvalues() argument A: must be a square matrix, got 2×3",
  });
});

Deno.test("controllability() of the upright plant: [B, AB, …, A⁵B] has full rank 6", () => {
  const { A, B } = linearize(createPlant(PHYSICS));
  const c = controllability(A, B);
  assert.equal(c.rank, 6);
  assert.equal(c.controllable, true);
  // The matrix, built independently column by column.
  let column = B;
  for (let k = 0; k < 6; k++) {
    for (let r = 0; r < 6; r++) {
      assert.ok(Math.abs(c.matrix[r][k] - column[r][0]) <= 1e-12 * Math.max(1, Math.abs(column[r][0])));
    }
    column = mul(A, column);
  }
  assert.equal(c.singularValues.length, 6);
  assert.deepEqual(c.singularValues, [...c.singularValues].sort((x, y) => y - x));
  assert.equal(c.smallestSingularValue, c.singularValues[5]);
  assert.ok(c.smallestSingularValue > 0.1, `σ_min = ${c.smallestSingularValue}`);
  // A pair with a mode the input cannot reach: rank 1, smallest singular value 0.
  const lost = controllability([[1, 0], [0, 2]], [[1], [0]]);
  assert.equal(lost.rank, 1);
  assert.equal(lost.controllable, false);
  assert.equal(lost.smallestSingularValue, 0);
  // Two inputs: an n × n·m matrix.
  const two = controllability([[0, 1], [0, 0]], [[1, 0], [0, 1]]);
  assert.deepEqual(two.matrix, [[1, 0, 0, 1], [0, 1, 0, 0]]);
  assert.equal(two.rank, 2);
  assert.throws(() => controllability([[0, 1], [0, 0]], [[1]]), {
    name: "LinearAnalysisError",
    message: "controllability() argument B: must be a 2×m matrix (as many rows as A), got 1×1",
  });
});

// ------------------------------------------------------------------------------------------------
// lqr

/** Asserts what every LQR solution must satisfy; returns the relative residual. */
function assertLqrSolution(A: M, B: M, Q: M, R: number | M, what: string): number {
  const { K, S, E } = lqr(A, B, Q, R);
  const n = A.length;
  const residual = riccatiResidual(A, B, Q, R, S);
  assert.ok(residual < 1e-10, `${what}: relative residual ${residual}`);
  // Symmetric (exactly: the solver symmetrises) and positive definite (Cholesky succeeds).
  assert.deepEqual(S, transpose(S), `${what}: S symmetric`);
  const Lc: M = S.map(() => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = S[i][j];
      for (let k = 0; k < j; k++) sum -= Lc[i][k] * Lc[j][k];
      if (i === j) {
        assert.ok(sum > 0, `${what}: S not positive definite (pivot ${i} = ${sum})`);
        Lc[i][i] = Math.sqrt(sum);
      } else {
        Lc[i][j] = sum / Lc[j][j];
      }
    }
  }
  // K = R⁻¹·Bᵀ·S (scalar R here) and E = eig(A − B·K), every pole stable.
  const r = typeof R === "number" ? R : R[0][0];
  const BtS = mul(transpose(B), S);
  assert.ok(
    maxAbsDiff(K, BtS.map((row) => row.map((v) => v / r))) <= 1e-9 * Math.max(1, ...K[0].map(Math.abs)),
  );
  assert.equal(E.length, n);
  assert.ok(E.every((e) => e.re < 0), `${what}: poles ${JSON.stringify(E)}`);
  const closed = eigenvalues(sub(A, mul(B, K)));
  assert.ok(E.every((e, i) => Math.abs(e.re - closed[i].re) < 1e-9 && Math.abs(e.im - closed[i].im) < 1e-9));
  return residual;
}

Deno.test("lqr() solves the double integrator in closed form: S = [[√3, 1], [1, √3]], K = [1, √3]", () => {
  // With A = [[0, 1], [0, 0]], B = [0, 1]ᵀ, Q = I, R = 1 the Riccati equation reads
  // −s12² + 1 = 0, s11 − s12·s22 = 0, 2·s12 − s22² + 1 = 0, whose positive definite root is
  // s12 = 1, s22 = √3, s11 = √3; K = Bᵀ·S = [1, √3], poles −√3/2 ± i/2.
  const { K, S, E } = lqr([[0, 1], [0, 0]], [[0], [1]], [[1, 0], [0, 1]], 1);
  const r3 = Math.sqrt(3);
  assert.ok(maxAbsDiff(S, [[r3, 1], [1, r3]]) < 1e-14, JSON.stringify(S));
  assert.ok(maxAbsDiff(K, [[1, r3]]) < 1e-14, JSON.stringify(K));
  assert.ok(Math.abs(E[0].re + r3 / 2) < 1e-14 && Math.abs(E[0].im - 0.5) < 1e-14, JSON.stringify(E));
  assert.ok(Math.abs(E[1].re + r3 / 2) < 1e-14 && Math.abs(E[1].im + 0.5) < 1e-14);
  assertLqrSolution([[0, 1], [0, 0]], [[0], [1]], [[1, 0], [0, 1]], 1, "double integrator");
});

Deno.test("lqr() solves the scalar case in closed form: s = r·(a + √(a² + b²·q/r))/b²", () => {
  for (const [a, b, q, r] of [[2, 1, 1, 1], [-1, 3, 0.5, 2], [7, 0.2, 1e3, 1e-3], [0, 1, 1e-3, 1e3]]) {
    const { K, S, E } = lqr([[a]], [[b]], [[q]], r);
    const s = r * (a + Math.sqrt(a * a + (b * b * q) / r)) / (b * b);
    assert.ok(Math.abs(S[0][0] - s) <= 1e-12 * s, `a=${a}: S ${S[0][0]} vs ${s}`);
    assert.ok(Math.abs(K[0][0] - (b * s) / r) <= 1e-12 * Math.abs((b * s) / r));
    // The closed-loop pole a − b·k = −√(a² + b²·q/r).
    assert.ok(Math.abs(E[0].re + Math.sqrt(a * a + (b * b * q) / r)) <= 1e-12 * Math.abs(E[0].re));
  }
});

Deno.test("lqr() on the upright plant: residual < 1e-10, S ≻ 0, stable poles, for well and badly scaled weights", () => {
  const { A, B } = linearize(createPlant(PHYSICS));
  const cases: [number[], number][] = [
    [[10, 100, 100, 1, 10, 10], 0.1], // the shipped weights
    [[1, 1, 1, 1, 1, 1], 1],
    [[1e-3, 1e4, 1, 1e-2, 1e3, 10], 1e-3],
    [[1e4, 1e-3, 1e-3, 1e4, 1e-3, 1e-3], 1e3],
    [[1e-3, 1e-2, 1e-1, 1, 10, 1e4], 1],
    [[1e4, 1e3, 1e2, 1e-3, 1e-3, 1e-3], 1],
    [[1, 1e4, 1e4, 1e-3, 1e-3, 1e-3], 1e3],
    [[1e-3, 1e4, 1e-3, 1e4, 1e-3, 1e4], 10],
  ];
  for (const [q, r] of cases) assertLqrSolution(A, B, diag(q), r, `Q = diag(${q}), R = ${r}`);
  // A full (non-diagonal) Q and a 1×1 matrix R give the same answer as the number.
  const Qfull = mul(transpose([[1, 2, 0, 0, 1, 0], [0, 1, 3, 0, 0, 1]]), [[1, 2, 0, 0, 1, 0], [
    0,
    1,
    3,
    0,
    0,
    1,
  ]])
    .map((row, i) => row.map((v, j) => v + (i === j ? 1 : 0)));
  assertLqrSolution(A, B, Qfull, [[0.5]], "full Q");
  assert.deepEqual(lqr(A, B, diag([1, 2, 3, 4, 5, 6]), [[2]]), lqr(A, B, diag([1, 2, 3, 4, 5, 6]), 2));
});

Deno.test("lqr() reaches the rounding floor of the residual for random weights over seven decades", () => {
  // Even an exactly rounded S leaves a residual of about ε·‖A − BK‖·‖S‖ (the residual's derivative
  // in S is S ↦ AcᵀS + S·Ac), so that relative floor, ε·‖Ac‖·‖S‖/‖Q‖, is what any solver can reach;
  // for extreme weights it exceeds 1e-10 by itself. Measured over 300 draws: at most 10× the floor;
  // 30× leaves room while a solver without the Newton polish misses it by orders of magnitude.
  const { A, B } = linearize(createPlant(PHYSICS));
  let seed = 12345;
  const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const frobenius = (X: M) => Math.sqrt(X.flat().reduce((s, v) => s + v * v, 0));
  for (let draw = 0; draw < 40; draw++) {
    const q = Array.from({ length: 6 }, () => 10 ** (-3 + 7 * uniform()));
    const r = 10 ** (-3 + 6 * uniform());
    const { K, S } = lqr(A, B, diag(q), r);
    const floor = 2 * Number.EPSILON * frobenius(sub(A, mul(B, K))) * frobenius(S) / frobenius(diag(q));
    const residual = riccatiResidual(A, B, diag(q), r, S);
    assert.ok(residual <= 30 * floor, `Q = diag(${q}), R = ${r}: residual ${residual}, floor ${floor}`);
  }
});

Deno.test("riccatiResidual() exposes a wrong S: the shipped design perturbed by 1e-6 fails the 1e-10 bar", () => {
  const { A, B } = linearize(createPlant(PHYSICS));
  const Q = diag([10, 100, 100, 1, 10, 10]);
  const { S } = lqr(A, B, Q, 0.1);
  assert.ok(riccatiResidual(A, B, Q, 0.1, S) < 1e-10);
  const wrong = S.map((row, i) => row.map((v, j) => (i === 1 && j === 1 ? v * (1 + 1e-6) : v)));
  assert.ok(riccatiResidual(A, B, Q, 0.1, wrong) > 1e-10);
});

Deno.test("lqr() with two inputs returns an m×n gain and stabilises the pair", () => {
  const A = [[0, 1, 0], [0, 0, 1], [1, -2, 3]], B = [[0, 0], [1, 0], [0, 1]];
  const { K, E } = lqr(A, B, diag([1, 2, 3]), [[1, 0.2], [0.2, 2]]);
  assert.equal(K.length, 2);
  assert.ok(K.every((row) => row.length === 3));
  assert.ok(E.every((e) => e.re < 0));
  const { S } = lqr(A, B, diag([1, 2, 3]), [[1, 0.2], [0.2, 2]]);
  assert.ok(riccatiResidual(A, B, diag([1, 2, 3]), [[1, 0.2], [0.2, 2]], S) < 1e-12);
});

Deno.test("lqr() accepts an uncontrollable but stable mode and refuses an unstable one it cannot reach", () => {
  // Mode −2 is unreachable but decays by itself: the Riccati equation still has a stabilising root.
  const ok = lqr([[1, 0], [0, -2]], [[1], [0]], [[1, 0], [0, 1]], 1);
  assert.ok(ok.E.every((e) => e.re < 0));
  assert.ok(ok.E.some((e) => Math.abs(e.re + 2) < 1e-12), "the unreachable pole stays at −2");
  assert.throws(() => lqr([[1, 0], [0, 2]], [[1], [0]], [[1, 0], [0, 1]], 1), (e: unknown) => {
    assert.ok(e instanceof LinearAnalysisError);
    assert.equal(e.argument, "A, B");
    assert.match(
      e.message,
      /^lqr\(\) arguments A, B: must be stabilisable, got the mode λ = 2 \(1\/s\) of A/,
    );
    return true;
  });
  // A complex unreachable pair (a rotation the input does not touch) is found too.
  assert.throws(
    () => lqr([[0.1, -1, 0], [1, 0.1, 0], [0, 0, 0]], [[0], [0], [1]], diag([1, 1, 1]), 1),
    /must be stabilisable, got the mode λ = 0\.1 \+ 1i/,
  );
});

Deno.test("lqr() refuses bad weights and shapes with errors naming the argument, given vs required", () => {
  const A = [[0, 1], [0, 0]], B = [[0], [1]], I = [[1, 0], [0, 1]];
  const cases: [() => unknown, string, string | RegExp][] = [
    [() => lqr([[0, 1, 2], [0, 0, 1]], B, I, 1), "A", "lqr() argument A: must be a square matrix, got 2×3"],
    [() => lqr([], B, I, 1), "A", "lqr() argument A: must be a n×m matrix (square), got an empty array"],
    [
      () => lqr(A, [[0], [1], [2]], I, 1),
      "B",
      "lqr() argument B: must be a 2×m matrix (as many rows as A), got 3×1",
    ],
    [
      () => lqr(A, [0, 1] as unknown as M, I, 1),
      "B",
      "lqr() argument B: must be a 2×m matrix (as many rows as A), got an array of 2 that is not all rows",
    ],
    [
      () => lqr(A, B, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1),
      "Q",
      "lqr() argument Q: must be a 2×2 matrix (A is 2×2), got 3×3",
    ],
    [
      () => lqr(A, B, [[1, 0], [0]], 1),
      "Q",
      "lqr() argument Q: must be a 2×2 matrix (A is 2×2), got ragged rows (2, 1)",
    ],
    [
      () => lqr(A, B, [[1, 1], [0, 1]], 1),
      "Q",
      "lqr() argument Q: must be symmetric, got Q[0][1] = 1 but Q[1][0] = 0",
    ],
    [
      () => lqr(A, B, [[1, 0], [0, -0.5]], 1),
      "Q",
      "lqr() argument Q: must be positive semidefinite, got smallest eigenvalue -0.5",
    ],
    [
      () => lqr(A, B, [[1, 2], [2, 1]], 1),
      "Q",
      /^lqr\(\) argument Q: must be positive semidefinite, got smallest eigenvalue -(1|0\.9{12}\d*)$/,
    ],
    [
      () => lqr(A, B, [[1, NaN], [NaN, 1]], 1),
      "Q",
      "lqr() argument Q[0][1]: must be a finite number, got NaN",
    ],
    [() => lqr(A, B, I, 0), "R", "lqr() argument R: must be positive definite (a number > 0), got 0"],
    [() => lqr(A, B, I, -1), "R", "lqr() argument R: must be positive definite (a number > 0), got -1"],
    [
      () => lqr(A, B, I, [[1, 0], [0, 1]]),
      "R",
      "lqr() argument R: must be a 1×1 matrix (B has 1 column), got 2×2",
    ],
    [
      () => lqr(A, [[1, 0], [0, 1]], I, 1),
      "R",
      "lqr() argument R: must be a 2×2 matrix (B has 2 columns), got the number 1",
    ],
    [
      () => lqr(A, [[1, 0], [0, 1]], I, [[1, 0], [0, 0]]),
      "R",
      "lqr() argument R: must be positive definite, got smallest eigenvalue 0",
    ],
    // Q = 0 leaves the double integrator's modes at 0 unweighted: no stabilising solution.
    [
      () => lqr(A, B, [[0, 0], [0, 0]], 1),
      "Q",
      /^lqr\(\) argument Q: no stabilising solution exists, got a Hamiltonian with 4 eigenvalues on the imaginary axis/,
    ],
  ];
  for (const [call, argument, message] of cases) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof LinearAnalysisError, String(e));
      assert.equal(e.argument, argument, e.message);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    });
  }
});
