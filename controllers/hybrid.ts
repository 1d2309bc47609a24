/**
 * Hybrid adaptive super-twisting sliding-mode controller (after Shtessel, Taleb & Plestan 2012),
 * docs/controllers.md#reaching-laws.
 *
 * σ = kc·(ẋ + λc·x) − c1·(θ̇1 + λ1·θ1) + c2·(θ̇2 + λ2·θ2),
 * v = −k1·√|σ|·sat(σ, ε) + u_int − kd·σ, u = (v − f)/d;
 * outside the dead zone k̇i = γi·|σ|, inside it k̇i = −leak·(ki − ki_init), ki clipped to [0, k_max];
 * u̇_int = −k2·sat(σ, ε), frozen (anti-windup) on a step where the unclipped |u| exceeds max_force.
 *
 * @module
 */
import type { HybridConfig } from "../config/mod.ts";
import type { Controller } from "./controller.ts";
import { assertValidGains } from "../gains/mod.ts";
import { clip, type ControllerOptions, createSlidingModeController, sat } from "./sliding.ts";

/** Indices of k1, k2 and u_int in the internal state. */
const K1 = 0, K2 = 1, U_INT = 2;

/**
 * Creates a hybrid adaptive super-twisting SMC. Gains `[c1, λ1, c2, λ2]`, all finite and > 0.
 * Internal state `{ k1, k2, uInt }`, starting at (k1_init, k2_init, 0).
 *
 * @example Usage
 * ```ts ignore
 * import { createHybridAdaptiveSTASMC } from "./hybrid.ts";
 * const ctrl = createHybridAdaptiveSTASMC({ gains: [0.5, 22.7, 2.53, 6.7], physics, params: config.controllers.hybrid_adaptive_sta_smc, dt: 0.01 });
 * console.log(ctrl.initialState()); // { k1: 4, k2: 0.4, uInt: 0 }
 * ```
 *
 * @param options Gains, physics of the model, config block, dt.
 * @returns The controller.
 */
export function createHybridAdaptiveSTASMC(options: ControllerOptions<HybridConfig>): Controller {
  const gains = assertValidGains("hybrid_adaptive_sta_smc", options.gains);
  const [c1, l1, c2, l2] = gains;
  const p = options.params;
  const kc = p.cart_gain, lc = p.cart_lambda, eps = p.boundary_layer, method = p.switch_method;
  const maxForce = p.max_force, kd = p.damping_gain, leak = p.leak, deadZone = p.dead_zone;
  const g1 = p.gamma1, g2 = p.gamma2, kMax = p.k_max, k1Init = p.k1_init, k2Init = p.k2_init;
  let sg = 0; // sat(σ) of the current step, shared by rate and advance
  return createSlidingModeController({
    type: "hybrid_adaptive_sta_smc",
    gains,
    options,
    L: [kc, -c1, c2],
    Lam: [kc * lc, -c1 * l1, c2 * l2],
    law: {
      stateFields: ["k1", "k2", "uInt"],
      init(internal, io) {
        internal[io + K1] = k1Init;
        internal[io + K2] = k2Init;
        internal[io + U_INT] = 0;
      },
      rate(sigma, internal, io) {
        sg = sat(sigma, eps, method);
        return -internal[io + K1] * Math.sqrt(Math.abs(sigma)) * sg + internal[io + U_INT] - kd * sigma;
      },
      advance(sigma, u, internal, io, dt) {
        const k1 = internal[io + K1], k2 = internal[io + K2], uInt = internal[io + U_INT];
        const abs = Math.abs(sigma);
        let k1Dot, k2Dot;
        if (abs > deadZone) {
          k1Dot = g1 * abs;
          k2Dot = g2 * abs;
        } else {
          k1Dot = -leak * (k1 - k1Init);
          k2Dot = -leak * (k2 - k2Init);
        }
        internal[io + K1] = clip(k1 + dt * k1Dot, 0, kMax);
        internal[io + K2] = clip(k2 + dt * k2Dot, 0, kMax);
        // Anti-windup: integrating while the actuator saturates only winds u_int up.
        internal[io + U_INT] = Math.abs(u) > maxForce ? uInt : uInt - dt * k2 * sg;
      },
    },
  });
}
