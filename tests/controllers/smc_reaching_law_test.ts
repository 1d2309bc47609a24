/**
 * The reaching law of the four sliding-mode controllers (docs/controllers.md#reaching-laws): sat(),
 * agreement with an independent implementation of the documented law in both models, and σ̇ = v
 * along closed-loop trajectories.
 */
import assert from "assert";
import { type ControllerState, sat } from "../../controllers/mod.ts";
import { createController } from "../../factory/mod.ts";
import { createPlant, rk4Step } from "../../plant/mod.ts";
import { close, CONFIG, S0, S1, TYPES, withParam, X0 } from "./smc_helpers.ts";
import { assertMatchesReference, initialStateRef, referenceFor, surfaceWeights } from "./smc_reference.ts";

Deno.test("sat() is tanh(σ/ε) or clip(σ/ε, −1, 1), exactly ±1 beyond the boundary layer when linear", () => {
  for (const [sigma, eps] of [[0.1, 0.3], [-0.2, 0.3], [0.3, 0.3], [5, 0.3], [-5, 0.4], [0, 0.35]]) {
    assert.equal(sat(sigma, eps, "tanh"), Math.tanh(sigma / eps));
    const r = sigma / eps;
    assert.equal(sat(sigma, eps, "linear"), r > 1 ? 1 : r < -1 ? -1 : r);
  }
  // Beyond ε the linear form is saturated exactly; tanh never quite reaches 1 at 2ε.
  assert.equal(sat(0.61, 0.3, "linear"), 1);
  assert.equal(sat(-0.61, 0.3, "linear"), -1);
  assert.ok(sat(0.6, 0.3, "tanh") < 0.97);
  // No hidden slope factor: at σ = ε/2 the linear form is exactly 1/2.
  assert.equal(sat(0.15, 0.3, "linear"), 0.5);
});

Deno.test("every controller matches an independent implementation of its documented law, both models", () => {
  const states = [X0, S1, S0, [-0.3, -0.2, 0.25, -0.5, 1.2, -0.8], [0.05, 0.4, -0.35, 0.1, -2, 3]];
  for (const type of TYPES) {
    for (const model of ["simplified", "full"] as const) {
      const config = withParam(type, "model", model);
      const ctrl = createController(type, { config });
      const init = ctrl.initialState();
      assert.deepEqual(init, initialStateRef(type, config.controllers[type]));
      // A mid-run internal state too, so that the state terms of v are exercised.
      const mid: ControllerState = { ...init };
      for (const k of Object.keys(mid)) (mid as Record<string, number>)[k] = init[k] + 1.5;
      for (const s of states) {
        for (const st of [init, mid]) {
          assertMatchesReference(
            ctrl,
            referenceFor(type, config, s, st),
            s,
            st,
            `${type}/${model} at [${s}] with ${JSON.stringify(st)}`,
          );
        }
      }
    }
  }
});

Deno.test("σ̇ = L·q̈ + Λ·q̇ equals the reaching law v at every step of a closed-loop trajectory", () => {
  // Along the controller's own model the equivalent control makes σ̇ = d·u + f = v exactly (when u
  // is not clipped). Plant and controller share the model here, so the only discrepancy is rounding:
  // |d·u| and |f| stay below ~100, giving errors of ~1e-14; 1e-9 is a safe bound yet would catch any
  // error in d, f or v (a wrong sign or a dropped term moves σ̇ by O(1)).
  for (const model of ["simplified", "full"] as const) {
    const plant = createPlant(CONFIG.physics, { model });
    for (const type of TYPES) {
      const config = withParam(type, "model", model);
      const ctrl = createController(type, { config });
      const { L, Lam } = surfaceWeights(type, ctrl.gains, config.controllers[type]);
      let s: readonly number[] = [...X0];
      let st = ctrl.initialState();
      for (let k = 0; k < 150; k++) {
        const out = ctrl.computeControl(s, st);
        const ref = referenceFor(type, config, s, st);
        assert.ok(Math.abs(out.u) < ctrl.maxForce, `u unclipped at step ${k}`);
        assert.equal(out.lowControllability, false);
        const q = plant.derivatives(s, out.u);
        const sigmaDot = L[0] * q[3] + L[1] * q[4] + L[2] * q[5] + Lam[0] * s[3] + Lam[1] * s[4] +
          Lam[2] * s[5];
        close(sigmaDot, ref.v, `${type}/${model} σ̇ at step ${k}`);
        s = Array.from(rk4Step(plant, s, out.u, config.simulation.dt));
        st = out.state;
      }
    }
  }
});

Deno.test("the finite difference of σ over one zero-order-hold step tends to v at first order in dt", () => {
  // With u held over [t, t + h], (σ(t + h) − σ(t))/h = σ̇(t) + ½·σ̈(ξ)·h, so the error against v
  // shrinks linearly: halving h halves it (ratio → 2). The leading term dominates for these h
  // (higher-order terms are O(h²)), so a 10 % window on the ratio is ample, and a wrong law would
  // leave an O(1) error that does not shrink at all.
  const plant = createPlant(CONFIG.physics, { model: "simplified" });
  for (const type of TYPES) {
    const ctrl = createController(type, { config: CONFIG });
    const { L, Lam } = surfaceWeights(type, ctrl.gains, CONFIG.controllers[type]);
    const sigmaOf = (s: ArrayLike<number>) =>
      L[0] * s[3] + L[1] * s[4] + L[2] * s[5] + Lam[0] * s[0] + Lam[1] * s[1] + Lam[2] * s[2];
    for (const s of [X0, S1]) {
      const out = ctrl.computeControl(s);
      const { v } = referenceFor(type, CONFIG, s, ctrl.initialState());
      const errors = [4e-3, 2e-3, 1e-3, 5e-4].map((h) =>
        Math.abs((sigmaOf(rk4Step(plant, s, out.u, h)) - out.sigma) / h - v)
      );
      for (let i = 1; i < errors.length; i++) {
        const ratio = errors[i - 1] / errors[i];
        assert.ok(ratio > 1.8 && ratio < 2.2, `${type} at [${s}]: error ratio ${ratio} (errors ${errors})`);
      }
    }
  }
});
