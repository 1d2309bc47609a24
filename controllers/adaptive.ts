/**
 * Adaptive sliding-mode controller with a leaky, rate-limited, bounded switching gain
 * (docs/controllers.md#reaching-laws).
 *
 * σ = kc·(ẋ + λc·x) − k1·(θ̇1 + λ1·θ1) + k2·(θ̇2 + λ2·θ2), v = −K·sat(σ, ε) − α·σ, u = (v − f)/d,
 * K̇ = γ·|σ| − leak·(K − K_init) outside the dead zone |σ| ≤ dead_zone and 0 inside it, K̇ clipped to
 * ±adapt_rate_limit, K clipped to [K_min, K_max].
 *
 * @module
 */
import type { AdaptiveConfig } from "../config/mod.ts";
import type { Controller } from "./controller.ts";
import { assertValidGains } from "../gains/mod.ts";
import { clip, type ControllerOptions, createSlidingModeController, sat } from "./sliding.ts";

/** Index of the adaptive gain K in the internal state. */
const GAIN = 0;

/**
 * Creates an adaptive SMC. Gains `[k1, k2, λ1, λ2, γ]`, all finite and > 0. Internal state `{ K }`,
 * starting at K_init; the control at step k uses K_k.
 *
 * @example Usage
 * ```ts ignore
 * import { createAdaptiveSMC } from "./adaptive.ts";
 * const ctrl = createAdaptiveSMC({ gains: [0.59, 2.46, 20.05, 6.85, 0.05], physics, params: config.controllers.adaptive_smc, dt: 0.01 });
 * console.log(ctrl.initialState().K); // K_init
 * ```
 *
 * @param options Gains, physics of the model, config block, dt.
 * @returns The controller.
 */
export function createAdaptiveSMC(options: ControllerOptions<AdaptiveConfig>): Controller {
  const gains = assertValidGains("adaptive_smc", options.gains);
  const [k1, k2, l1, l2, gamma] = gains;
  const p = options.params;
  const kc = p.cart_gain, lc = p.cart_lambda, eps = p.boundary_layer, method = p.switch_method;
  const alpha = p.alpha, leak = p.leak, deadZone = p.dead_zone;
  const rate = p.adapt_rate_limit, kMin = p.K_min, kMax = p.K_max, kInit = p.K_init;
  return createSlidingModeController({
    type: "adaptive_smc",
    gains,
    options,
    L: [kc, -k1, k2],
    Lam: [kc * lc, -k1 * l1, k2 * l2],
    law: {
      stateFields: ["K"],
      init(internal, io) {
        internal[io + GAIN] = kInit;
      },
      rate: (sigma, internal, io) => -internal[io + GAIN] * sat(sigma, eps, method) - alpha * sigma,
      advance(sigma, _u, internal, io, dt) {
        const K = internal[io + GAIN];
        const abs = Math.abs(sigma);
        const kDot = abs > deadZone ? clip(gamma * abs - leak * (K - kInit), -rate, rate) : 0;
        internal[io + GAIN] = clip(K + dt * kDot, kMin, kMax);
      },
    },
  });
}
