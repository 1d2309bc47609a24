/**
 * Tests of the lqr controller: the law u = −K·(s − s_ref) with its force limit, the design of K from
 * controllers.lqr.Q and R on the linearised model, closed-loop behaviour on the full model from the
 * shipped initial state, a destabilising K that must fall, the batch kernel, and bad input.
 */
import assert from "assert";
import { loadConfig, type LqrConfig } from "../../config/mod.ts";
import { createLQRController, designLqrGains, GainValidationError } from "../../controllers/mod.ts";
import { eigenvalues, LinearAnalysisError, linearize, lqr } from "../../linear/mod.ts";
import { createPlant, simulate, simulateBatch, type Trajectory } from "../../plant/mod.ts";

const CONFIG = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const SIM = CONFIG.simulation;
const PARAMS = CONFIG.controllers.lqr;
const PLANT = createPlant(CONFIG.physics, { model: SIM.plant_model });

function run(gains?: readonly number[], params: LqrConfig = PARAMS): Trajectory {
  const controller = createLQRController({ gains, physics: CONFIG.physics, params, dt: SIM.dt });
  return simulate({
    plant: PLANT,
    controller,
    x0: SIM.initial_state,
    dt: SIM.dt,
    duration: SIM.duration,
    integrator: SIM.integrator,
    fallAngle: SIM.fall_angle,
  });
}

/** Time after which |θ1| and |θ2| stay below `band` to the end, or Infinity if they never do. */
function settlingTime(r: Trajectory, band: number): number {
  for (let k = r.steps; k >= 0; k--) {
    if (Math.abs(r.x[k * 6 + 1]) >= band || Math.abs(r.x[k * 6 + 2]) >= band) {
      return k === r.steps ? Infinity : r.t[k + 1];
    }
  }
  return 0;
}

const maxAbs = (values: ArrayLike<number>, stride = 1, offset = 0) => {
  let m = 0;
  for (let i = offset; i < values.length; i += stride) m = Math.max(m, Math.abs(values[i]));
  return m;
};

Deno.test("the lqr controller from the shipped Q, R keeps the full model upright: settled by 3 s, |x| < 0.5 m", () => {
  assert.equal(SIM.plant_model, "full");
  assert.deepEqual([...SIM.initial_state], [0, 0.05, -0.03, 0, 0, 0]);
  assert.deepEqual([...PARAMS.Q], [10, 100, 100, 1, 10, 10]);
  assert.equal(PARAMS.R, 0.1);
  const r = run();
  assert.equal(r.status, "ok", `${r.status} at ${r.failTime}`);
  assert.equal(r.steps, 1000);
  const settle = settlingTime(r, 0.02), maxX = maxAbs(r.x, 6, 0), maxU = maxAbs(r.u);
  console.log(`lqr: settles at ${settle} s, max |x| ${maxX.toFixed(4)} m, max |u| ${maxU.toFixed(3)} N`);
  assert.ok(settle <= 3, `settles at ${settle} s`);
  assert.ok(maxX < 0.5, `max |x| = ${maxX}`);
  // Never near falling (measured: |θ1| ≤ 0.129, |θ2| ≤ 0.076 rad), never saturated.
  assert.ok(
    maxAbs(r.x, 6, 1) < 0.2 && maxAbs(r.x, 6, 2) < 0.2,
    `max |θ1| ${maxAbs(r.x, 6, 1)}, |θ2| ${maxAbs(r.x, 6, 2)}`,
  );
  assert.ok(maxU < PARAMS.max_force);
  // At 10 s the loop is at rest at the origin (slowest closed-loop pole ≈ −1.06 1/s: e^−10.6 ≈ 2.5e-5).
  const end = r.x.subarray(1000 * 6);
  assert.ok(maxAbs(end) < 1e-3, `final state ${end}`);
});

Deno.test("a destabilising K falls: the closed-loop check can fail", () => {
  const K = designLqrGains(CONFIG.physics, PARAMS).K;
  for (
    const wrong of [
      K.map((k) => -k),
      K.map((k, i) => (i === 1 ? -k : k)),
      K.map((k, i) => (i === 2 ? 0.5 * k : k)),
    ]
  ) {
    const r = run(wrong);
    assert.equal(r.status, "fell", `K = [${wrong}]: ${r.status}`);
    assert.ok(r.failTime !== null && r.failTime < 3, `fell at ${r.failTime}`);
  }
});

Deno.test("lqr computeControl() is u = −K·(s − s_ref), limited to ±max_force, with σ = K·(s − s_ref)", () => {
  const K = [10, -446, 563, 16.7, -16.8, 77.3];
  const reference = [0.2, 0, 0, 0, 0, 0];
  const ctrl = createLQRController({
    gains: K,
    physics: CONFIG.physics,
    params: PARAMS,
    dt: 0.01,
    reference,
  });
  assert.equal(ctrl.type, "lqr");
  assert.deepEqual(ctrl.gains, K);
  assert.ok(Object.isFrozen(ctrl.gains));
  assert.equal(ctrl.maxForce, 150);
  assert.deepEqual(ctrl.initialState(), {});
  assert.equal(ctrl.kernel.internalSize, 0);
  assert.deepEqual(ctrl.params.reference, reference);
  for (const s of [[0.2, 0, 0, 0, 0, 0], [0.25, 0.01, -0.01, 0.1, 0.05, -0.02], [0, 0.05, -0.03, 0, 0, 0]]) {
    const e = s.map((v, i) => v - reference[i]);
    const sigma = K.reduce((acc, k, i) => acc + k * e[i], 0);
    const out = ctrl.computeControl(s);
    assert.ok(Math.abs(out.sigma - sigma) <= 1e-12 * Math.max(1, Math.abs(sigma)), `σ at [${s}]`);
    assert.equal(out.u, Math.max(-150, Math.min(150, -out.sigma)));
    assert.equal(out.lowControllability, false);
    assert.deepEqual(out.state, {});
  }
  // At the reference the force is exactly 0; far away it saturates at the limit, both signs.
  assert.equal(ctrl.computeControl(reference).u === 0, true);
  assert.equal(ctrl.computeControl([0.2, 0, 1, 0, 0, 0]).u, -150);
  assert.equal(ctrl.computeControl([0.2, 0, -1, 0, 0, 0]).u, 150);
  // Without a reference: upright at rest.
  const plain = createLQRController({ gains: K, physics: CONFIG.physics, params: PARAMS, dt: 0.01 });
  assert.equal(plain.computeControl([0.1, 0, 0, 0, 0, 0]).u, -1);
});

Deno.test("designLqrGains() is lqr() on the configured model linearised at upright, with the expected sign structure", () => {
  const design = designLqrGains(CONFIG.physics, PARAMS);
  const { A, B } = linearize(createPlant(CONFIG.physics, { model: PARAMS.model }));
  const Q = PARAMS.Q.map((q, i) => PARAMS.Q.map((_, j) => (i === j ? q : 0)));
  const direct = lqr(A, B, Q, PARAMS.R);
  assert.deepEqual(design.K, direct.K[0]);
  assert.deepEqual(design.E, direct.E);
  assert.ok(design.E.every((p) => p.re < 0));
  // The closed loop of the linear model has exactly these poles.
  const closed = eigenvalues(A.map((row, i) => row.map((a, j) => a - B[i][0] * design.K[j])));
  closed.forEach((p, i) => assert.ok(Math.abs(p.re - design.E[i].re) < 1e-9));
  // Link 1 and link 2 weighted with opposite signs, link 2 heavier, the cart with link 2's sign.
  const [kx, k1, k2] = design.K;
  assert.ok(k1 < 0 && k2 > 0 && k2 > -k1 && kx > 0, `K = [${design.K}]`);
  // k_x = √(Q_x/R) exactly for the cart's free integrator: a closed-form anchor.
  assert.ok(Math.abs(kx - Math.sqrt(PARAMS.Q[0] / PARAMS.R)) < 1e-9, `k_x = ${kx}`);
  // Full and simplified models share the upright linearisation, hence the design.
  const simplified = designLqrGains(CONFIG.physics, { ...PARAMS, model: "simplified" });
  simplified.K.forEach((k, i) => assert.ok(Math.abs(k - design.K[i]) <= 1e-9 * Math.abs(k), `K[${i}]`));
  // Heavier angle weights give a stiffer design.
  const stiffer = designLqrGains(CONFIG.physics, { ...PARAMS, Q: [10, 1000, 1000, 1, 10, 10] });
  assert.ok(Math.abs(stiffer.K[2]) > Math.abs(design.K[2]));
});

Deno.test("designLqrGains() refuses malformed weights, naming controllers.lqr.Q[i] or controllers.lqr.R", () => {
  const cases: [Partial<LqrConfig>, string][] = [
    [
      { Q: [1, 2, 3, 4, 5] },
      "controllers.lqr.Q: must be an array of 6 numbers (the diagonal over [x, θ1, θ2, ẋ, θ̇1, θ̇2]), got 5 values",
    ],
    [{ Q: [1, 2, -3, 4, 5, 6] }, "controllers.lqr.Q[2]: must be a finite number ≥ 0, got -3"],
    [{ Q: [1, 2, 3, 4, NaN, 6] }, "controllers.lqr.Q[4]: must be a finite number ≥ 0, got NaN"],
    [{ R: 0 }, "controllers.lqr.R: must be a finite number > 0, got 0"],
    [{ R: "0.1" as unknown as number }, 'controllers.lqr.R: must be a finite number > 0, got "0.1"'],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => designLqrGains(CONFIG.physics, { ...PARAMS, ...patch }), {
      name: "RangeError",
      message,
    });
  }
  // Weights that admit no stabilising design: the cart position unweighted leaves its pole at 0
  // (on the imaginary axis) outside the cost.
  assert.throws(
    () => designLqrGains(CONFIG.physics, { ...PARAMS, Q: [0, 100, 100, 1, 10, 10] }),
    (e: unknown) => {
      assert.ok(e instanceof LinearAnalysisError);
      assert.match(
        e.message,
        /^controllers\.lqr: no gain can be designed from Q = \[0, 100, 100, 1, 10, 10\], R = 0\.1: /,
      );
      return true;
    },
  );
});

Deno.test("createLQRController() validates explicit gains: six finite numbers of either sign", () => {
  const make = (gains: unknown) =>
    createLQRController({ gains: gains as number[], physics: CONFIG.physics, params: PARAMS, dt: 0.01 });
  assert.deepEqual(make([-1, 0, 2, -3, 0, 4]).gains, [-1, 0, 2, -3, 0, 4]);
  assert.throws(() => make([1, 2, 3]), {
    name: "GainValidationError",
    message:
      "lqr gains: must have 6 values (k_x, k_theta1, k_theta2, k_xdot, k_theta1dot, k_theta2dot), got 3",
  });
  assert.throws(() => make([1, NaN, 3, 4, 5, 6]), (e: unknown) => {
    assert.ok(e instanceof GainValidationError);
    assert.deepEqual(e.errors, [{
      index: 1,
      name: "k_theta1",
      message: "lqr gain k_theta1 (index 1): must be finite, got NaN",
    }]);
    return true;
  });
  assert.throws(
    () => createLQRController({ physics: CONFIG.physics, params: PARAMS, dt: 0.01, reference: [0, 0, 0] }),
    {
      name: "RangeError",
      message: "lqr reference: must hold 6 finite values [x, θ1, θ2, ẋ, θ̇1, θ̇2], got [0, 0, 0]",
    },
  );
});

Deno.test("the lqr kernel runs in simulateBatch() bit for bit like simulate(), next to other particles", () => {
  const controller = createLQRController({ physics: CONFIG.physics, params: PARAMS, dt: SIM.dt });
  const single = simulate({ plant: PLANT, controller, x0: SIM.initial_state, dt: SIM.dt, duration: 2 });
  const other = [0.1, -0.05, 0.04, 0, 0.2, 0];
  const ws = simulateBatch({
    particles: [
      { plant: PLANT, kernel: controller.kernel, x0: other },
      { plant: PLANT, kernel: controller.kernel, x0: SIM.initial_state },
    ],
    dt: SIM.dt,
    steps: 200,
  });
  assert.equal(ws.length[1], 201);
  assert.deepEqual(Array.from(ws.x.subarray(201 * 6, 2 * 201 * 6)), Array.from(single.x));
  assert.deepEqual(Array.from(ws.u.subarray(200, 400)), Array.from(single.u));
  assert.equal(ws.lowControllability[1], 0);
});
