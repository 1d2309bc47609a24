/**
 * Classical sliding-mode controller with a boundary layer (docs/controllers.md#reaching-laws).
 *
 * σ = kc·(ẋ + λc·x) − k1·θ̇1 + k2·θ̇2 − λ1·θ1 + λ2·θ2, v = −K·sat(σ, ε) − kd·σ, u = (v − f)/d.
 *
 * @module
 */
import type { ClassicalConfig } from "../config/mod.ts";
import type { Controller } from "./controller.ts";
import { assertValidGains } from "../gains/mod.ts";
import { type ControllerOptions, createSlidingModeController, sat } from "./sliding.ts";

/**
 * Creates a classical SMC. Gains `[k1, k2, λ1, λ2, K, kd]`, all finite and > 0. Stateless.
 *
 * @example Usage
 * ```ts ignore
 * import { createClassicalSMC } from "./classical.ts";
 * const ctrl = createClassicalSMC({ gains: [0.5, 2.31, 11.09, 16.04, 6.65, 1.95], physics, params: config.controllers.classical_smc, dt: 0.01 });
 * const { u } = ctrl.computeControl([0, 0.05, -0.03, 0, 0, 0]);
 * ```
 *
 * @param options Gains, physics of the model, config block, dt.
 * @returns The controller.
 */
export function createClassicalSMC(options: ControllerOptions<ClassicalConfig>): Controller {
  const gains = assertValidGains("classical_smc", options.gains);
  const [k1, k2, l1, l2, K, kd] = gains;
  const p = options.params;
  const kc = p.cart_gain, lc = p.cart_lambda, eps = p.boundary_layer, method = p.switch_method;
  return createSlidingModeController({
    type: "classical_smc",
    gains,
    options,
    L: [kc, -k1, k2],
    Lam: [kc * lc, -l1, l2],
    law: {
      stateFields: [],
      init() {},
      rate: (sigma) => -K * sat(sigma, eps, method) - kd * sigma,
    },
  });
}
