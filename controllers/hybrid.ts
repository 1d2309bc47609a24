/**
 * Hybrid adaptive super-twisting sliding-mode controller (after Shtessel, Taleb & Plestan 2012),
 * SPEC 3.
 *
 * σ = kc·(ẋ + λc·x) − c1·(θ̇1 + λ1·θ1) + c2·(θ̇2 + λ2·θ2),
 * v = −k1·√|σ|·sat(σ, ε) + u_int − kd·σ, u = (v − f)/d;
 * outside the dead zone k̇i = γi·|σ|, inside it k̇i = −leak·(ki − ki_init), ki clipped to [0, k_max];
 * u̇_int = −k2·sat(σ, ε), frozen (anti-windup) on a step where the unclipped |u| exceeds max_force.
 *
 * @module
 */
import type { HybridConfig } from "../config/mod.ts";
import type { ControlKernel } from "../plant/mod.ts";
import { assertValidGains } from "../gains/mod.ts";
import {
  buildController,
  clip,
  type Controller,
  type ControllerOptions,
  createSurface,
  emitControl,
  sat,
} from "./sliding.ts";

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
  const surface = createSurface([kc, -c1, c2], [kc * lc, -c1 * l1, c2 * l2], options.physics, p);
  const sd = new Float64Array(4);
  const kernel: ControlKernel = {
    internalSize: 3,
    maxForce,
    init(internal, io) {
      internal[io] = k1Init;
      internal[io + 1] = k2Init;
      internal[io + 2] = 0;
    },
    step(s, so, internal, io, dt, out) {
      surface.eval(s, so, sd);
      const sigma = sd[0];
      const k1 = internal[io], k2 = internal[io + 1], uInt = internal[io + 2];
      const sg = sat(sigma, eps, method);
      const v = -k1 * Math.sqrt(Math.abs(sigma)) * sg + uInt - kd * sigma;
      const u = (v - sd[2]) / sd[1];
      const abs = Math.abs(sigma);
      let k1Dot, k2Dot;
      if (abs > deadZone) {
        k1Dot = g1 * abs;
        k2Dot = g2 * abs;
      } else {
        k1Dot = -leak * (k1 - k1Init);
        k2Dot = -leak * (k2 - k2Init);
      }
      internal[io] = clip(k1 + dt * k1Dot, 0, kMax);
      internal[io + 1] = clip(k2 + dt * k2Dot, 0, kMax);
      // Anti-windup: integrating while the actuator saturates only winds u_int up.
      internal[io + 2] = Math.abs(u) > maxForce ? uInt : uInt - dt * k2 * sg;
      emitControl(out, u, maxForce, sigma, sd);
    },
  };
  return buildController({
    type: "hybrid_adaptive_sta_smc",
    gains,
    params: p,
    model: surface.model,
    dt: options.dt,
    kernel,
    stateFields: ["k1", "k2", "uInt"],
  });
}
