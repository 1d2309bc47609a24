/**
 * Closed-loop behaviour: every default-gain controller keeps the full-model pendulum upright from
 * the configured initial state (docs/acceptance.md#nominal-control), and the original's all-positive surface
 * falls.
 */
import assert from "assert";
import { loadConfig } from "../../config/mod.ts";
import { createSurface, emitControl, sat } from "../../controllers/mod.ts";
import { createController, listAvailableControllers } from "../../factory/mod.ts";
import {
  type ControlKernel,
  createPlant,
  lumpedConstants,
  simulate,
  type Trajectory,
} from "../../plant/mod.ts";

const CONFIG = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const SIM = CONFIG.simulation;
const PLANT = createPlant(CONFIG.physics, { model: SIM.plant_model });

/** Time after which |θ1| and |θ2| stay below `band` to the end, or Infinity if they never do. */
function settlingTime(run: Trajectory, band: number): number {
  for (let k = run.steps; k >= 0; k--) {
    if (Math.abs(run.x[k * 6 + 1]) >= band || Math.abs(run.x[k * 6 + 2]) >= band) {
      return k === run.steps ? Infinity : run.t[k + 1];
    }
  }
  return 0;
}

function maxAbs(values: ArrayLike<number>, stride = 1, offset = 0): number {
  let m = 0;
  for (let i = offset; i < values.length; i += stride) m = Math.max(m, Math.abs(values[i]));
  return m;
}

Deno.test("createController() default gains keep the full-model pendulum upright for 10 s (acceptance criteria)", () => {
  assert.equal(SIM.plant_model, "full");
  assert.equal(SIM.duration, 10);
  const types = listAvailableControllers();
  assert.deepEqual(types, ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "lqr", "sta_smc"]);
  for (const type of types) {
    const controller = createController(type, { config: CONFIG });
    const run = simulate({
      plant: PLANT,
      controller,
      x0: SIM.initial_state,
      dt: SIM.dt,
      duration: SIM.duration,
      integrator: SIM.integrator,
      fallAngle: SIM.fall_angle,
      trackLimit: SIM.track_limit,
    });
    assert.equal(run.status, "ok", `${type}: ${run.status} at ${run.failTime}`);
    assert.equal(run.steps, 1000);
    assert.equal(run.lowControllability, 0);
    const settle = settlingTime(run, 0.02);
    // Measured 0.95–1.79 s with the shipped gains (lqr 1.69 s); the acceptance limit is 3 s.
    assert.ok(settle <= 3, `${type}: settles at ${settle} s`);
    const maxX = maxAbs(run.x, 6, 0), maxU = maxAbs(run.u);
    assert.ok(maxX < 0.5, `${type}: max |x| = ${maxX}`);
    assert.ok(maxU < 150, `${type}: max |u| = ${maxU}`);
    // Not merely inside the band: at 10 s the pendulum is nearly at rest (measured: angles
    // ≤ 2.7e-3 rad, angle rates ≤ 3.5e-3 rad/s; the bounds leave ≈ 2× margin).
    const end = run.x.subarray(1000 * 6);
    assert.ok(maxAbs(end.subarray(1, 3)) < 5e-3, `${type}: final angles ${end.subarray(1, 3)}`);
    assert.ok(maxAbs(end.subarray(4, 6)) < 0.02, `${type}: final angle rates ${end.subarray(4, 6)}`);
    // The cart is back home and at rest too (measured |x| ≤ 7.2e-3 m, |ẋ| ≤ 3.5e-3 m/s at 10 s, and
    // |x| ≤ 7.6e-3 m over the last 2 s): the tuner's final-window cart target
    // (cost_function.constraints.final_cart_position, docs/tuning.md#constraints) asks for it.
    assert.ok(Math.abs(end[0]) < 0.02, `${type}: final x ${end[0]}`);
    assert.ok(Math.abs(end[3]) < 0.01, `${type}: final cart rate ${end[3]}`);
    const late = maxAbs(run.x.subarray(800 * 6, 1001 * 6), 6, 0);
    assert.ok(late < 0.02, `${type}: cart peak ${late} m over 8–10 s`);
  }
});

// Regression: the original's all-positive surface σ = k1·θ̇1 + k2·θ̇2 + λ1·θ1 + λ2·θ2.
//
// Why it must fall whatever the gains: an SMC forces σ → 0, and on σ ≡ 0 the remaining motion is
// governed by the zeros of the transfer function σ(s)/u(s) (the zero dynamics). Linearised at upright,
// P(s)·q(s) = B·u(s) with P(s) = M0·s² + D·s − K_g, so σ(s)/u(s) = N(s)/det P(s) with
// N(s) = (L·s + Λ)·adj(P(s))·B. With every weight positive on both links N(s) has a positive real
// zero (≈ +8 1/s for [5, 5, 5, 0.5], ≈ +11 for the shipped magnitudes): holding σ at 0 then
// means riding an exponentially growing mode, and the pendulum falls within about half a second
// (docs/controllers.md#surface-signs; here 0.45–0.6 s). Flipping the link-1 sign, as the shipped surfaces do, removes that zero.

/** N(s) of σ(s)/u(s) for the plant linearised at upright (simplified model = upright M). */
function numerator(L: readonly number[], Lam: readonly number[], s: number): number {
  const { a1, a2, b, J1, J2, mt } = lumpedConstants(CONFIG.physics);
  const { gravity: g, cart_friction: c0, joint1_friction: c1, joint2_friction: c2 } = CONFIG.physics;
  const M0 = [[mt, a1, a2], [a1, J1, b], [a2, b, J2]];
  // Friction (joint 2 on the relative rate) and linearised gravity, as in docs/model.md#the-full-model.
  const D = [[c0, 0, 0], [0, c1 + c2, -c2], [0, -c2, c2]];
  const Kg = [[0, 0, 0], [0, a1 * g, 0], [0, 0, a2 * g]];
  const P = M0.map((row, i) => row.map((m, j) => m * s * s + D[i][j] * s - Kg[i][j]));
  // adj(P)·B with B = e0 is the first column of the adjugate (P is symmetric).
  const adj = [
    P[1][1] * P[2][2] - P[1][2] * P[2][1],
    -(P[1][0] * P[2][2] - P[1][2] * P[2][0]),
    P[1][0] * P[2][1] - P[1][1] * P[2][0],
  ];
  return (L[0] * s + Lam[0]) * adj[0] + (L[1] * s + Lam[1]) * adj[1] + (L[2] * s + Lam[2]) * adj[2];
}

/** Positive real zeros of N(s) on (0, 100], located by sign changes on a 0.01 grid. */
function positiveRealZeros(L: readonly number[], Lam: readonly number[]): number[] {
  const zeros: number[] = [];
  let prev = numerator(L, Lam, 1e-9);
  for (let i = 1; i <= 10000; i++) {
    const s = i * 0.01, value = numerator(L, Lam, s);
    if (Math.sign(value) !== Math.sign(prev)) zeros.push(s);
    prev = value;
  }
  return zeros;
}

/** A classical SMC on an arbitrary surface (createClassicalSMC always flips link 1's sign). */
function classicalOnSurface(
  L: [number, number, number],
  Lam: [number, number, number],
  K: number,
  kd: number,
) {
  const params = CONFIG.controllers.classical_smc;
  const surface = createSurface(L, Lam, CONFIG.physics, params);
  const sd = new Float64Array(4);
  const maxForce = params.max_force, eps = params.boundary_layer;
  const kernel: ControlKernel = {
    internalSize: 0,
    maxForce,
    init() {},
    step(s, so, _internal, _io, _dt, out) {
      surface.eval(s, so, sd);
      const v = -K * sat(sd[0], eps, params.switch_method) - kd * sd[0];
      const u = (v - sd[2]) / sd[1];
      emitControl(out, u, maxForce, sd[0], sd);
    },
  };
  return { kernel };
}

const ORIGINAL_DEFAULTS = [5, 5, 5, 0.5, 0.5, 0.5];
const SHIPPED = CONFIG.controller_defaults.classical_smc.gains;

Deno.test("the original's all-positive classical surface falls within 2 s for its defaults and the shipped gains", () => {
  for (const gains of [ORIGINAL_DEFAULTS, SHIPPED]) {
    const [k1, k2, l1, l2, K, kd] = gains;
    // With and without the cart term: the link-1 sign is what matters.
    for (const kc of [0, CONFIG.controllers.classical_smc.cart_gain]) {
      const run = simulate({
        plant: PLANT,
        controller: classicalOnSurface([kc, k1, k2], [kc, l1, l2], K, kd),
        x0: SIM.initial_state,
        dt: SIM.dt,
        duration: SIM.duration,
        integrator: SIM.integrator,
        fallAngle: SIM.fall_angle,
      });
      assert.equal(run.status, "fell", `gains [${gains}], kc ${kc}: ${run.status}`);
      assert.ok(run.failTime !== null && run.failTime < 2, `fell at ${run.failTime}`);
      // The force limit is not the culprit: the surface is. The controller is not saturated at first.
      assert.ok(Math.abs(run.u[0]) < CONFIG.controllers.classical_smc.max_force);
    }
  }
  // The same gains with link 1's sign flipped (the shipped structure) stay up.
  const [k1, k2, l1, l2, K, kd] = SHIPPED;
  const flipped = simulate({
    plant: PLANT,
    controller: classicalOnSurface([0.5, -k1, k2], [0.5, -l1, l2], K, kd),
    x0: SIM.initial_state,
    dt: SIM.dt,
    duration: SIM.duration,
  });
  assert.equal(flipped.status, "ok");
});

Deno.test("σ(s)/u(s) has a positive real zero for all-positive weights and none for the shipped surfaces", () => {
  const [k1, k2, l1, l2] = ORIGINAL_DEFAULTS;
  const original = positiveRealZeros([0, k1, k2], [0, l1, l2]);
  assert.equal(original.length, 1);
  assert.ok(original[0] > 1 && original[0] < 20, `zero at ${original[0]}`);
  const [s1, s2, sl1, sl2] = SHIPPED;
  assert.equal(positiveRealZeros([0.5, s1, s2], [0.5, sl1, sl2]).length, 1);
  // Every shipped surface (link-1 terms negative, cart term kc·(ẋ + λc·x)) has none.
  const kc = 0.5;
  const shipped: [number[], number[]][] = [
    [[kc, -s1, s2], [kc, -sl1, sl2]],
    ...(() => {
      const [, , a1, a2, b1, b2] = CONFIG.controller_defaults.sta_smc.gains;
      const [c1, c2, d1, d2] = CONFIG.controller_defaults.adaptive_smc.gains;
      const [h1, hl1, h2, hl2] = CONFIG.controller_defaults.hybrid_adaptive_sta_smc.gains;
      return [
        [[kc, -a1, a2], [kc, -a1 * b1, a2 * b2]],
        [[kc, -c1, c2], [kc, -c1 * d1, c2 * d2]],
        [[kc, -h1, h2], [kc, -h1 * hl1, h2 * hl2]],
      ] as [number[], number[]][];
    })(),
  ];
  for (const [L, Lam] of shipped) assert.deepEqual(positiveRealZeros(L, Lam), [], `surface ${L} / ${Lam}`);
});
