/**
 * Super-twisting sliding-mode controller (Levant 1993) with the equivalent control
 * (docs/controllers.md#reaching-laws).
 *
 * σ = kc·(ẋ + λc·x) − k1·(θ̇1 + λ1·θ1) + k2·(θ̇2 + λ2·θ2),
 * v = −K1·√|σ|·sat(σ, ε) + z, ż = −K2·sat(σ, ε), u = (v − f)/d. Requires K1 > K2.
 *
 * @module
 */
import type { SuperTwistingConfig } from "../config/mod.ts";
import type { Controller } from "./controller.ts";
import { assertValidGains } from "../gains/mod.ts";
import { type ControllerOptions, createSlidingModeController, sat } from "./sliding.ts";

/** Index of z in the internal state. */
const Z = 0;

/**
 * Creates a super-twisting SMC. Gains `[K1, K2, k1, k2, λ1, λ2]`, all finite and > 0, K1 > K2.
 * Internal state `{ z }` (the integral term), starting at 0 and integrated by explicit Euler with the
 * simulation's dt: the control at step k uses z_k.
 *
 * @example Usage
 * ```ts ignore
 * import { createSuperTwistingSMC } from "./super_twisting.ts";
 * const ctrl = createSuperTwistingSMC({ gains: [8, 4.8, 0.5, 2.56, 23.9, 6.79], physics, params: config.controllers.sta_smc, dt: 0.01 });
 * const out = ctrl.computeControl([0, 0.05, -0.03, 0, 0, 0]);
 * console.log(out.state.z);
 * ```
 *
 * @param options Gains, physics of the model, config block, dt.
 * @returns The controller.
 */
export function createSuperTwistingSMC(options: ControllerOptions<SuperTwistingConfig>): Controller {
  const gains = assertValidGains("sta_smc", options.gains);
  const [K1, K2, k1, k2, l1, l2] = gains;
  const p = options.params;
  const kc = p.cart_gain, lc = p.cart_lambda, eps = p.boundary_layer, method = p.switch_method;
  let sg = 0; // sat(σ) of the current step, shared by rate and advance
  return createSlidingModeController({
    type: "sta_smc",
    gains,
    options,
    L: [kc, -k1, k2],
    Lam: [kc * lc, -k1 * l1, k2 * l2],
    law: {
      stateFields: ["z"],
      init(internal, io) {
        internal[io + Z] = 0;
      },
      rate(sigma, internal, io) {
        sg = sat(sigma, eps, method);
        return -K1 * Math.sqrt(Math.abs(sigma)) * sg + internal[io + Z];
      },
      advance(_sigma, _u, internal, io, dt) {
        internal[io + Z] = internal[io + Z] - dt * K2 * sg;
      },
    },
  });
}
