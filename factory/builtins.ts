/**
 * Constructors of the built-in controllers with the registry's signature
 * `(options: ControllerCreateOptions) => Controller`, so that a registry entry's `source`
 * (module URL + export name) can be imported and called the same way for built-in and custom types.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import {
  type Controller,
  createAdaptiveSMC,
  createClassicalSMC,
  createHybridAdaptiveSTASMC,
  createLQRController,
  createSuperTwistingSMC,
} from "../controllers/mod.ts";
import { DEFAULT_CONTROLLER_PARAMS, DEFAULT_PHYSICS } from "./defaults.ts";
import type { ControllerCreateOptions } from "./types.ts";

function physicsOf(config: Config | undefined) {
  return config?.physics ?? DEFAULT_PHYSICS;
}

/**
 * Builds a classical SMC from validated gains, an optional config (defaults: the registry's) and dt.
 *
 * @example Usage
 * ```ts
 * import { buildClassicalSMC } from "./builtins.ts";
 * const c = buildClassicalSMC({ gains: [0.5, 2.31, 11.09, 16.04, 6.65, 1.95], dt: 0.01 });
 * console.log(c.type); // "classical_smc"
 * ```
 *
 * @param options Gains, config, dt.
 * @returns The controller.
 */
export function buildClassicalSMC({ gains, config, dt }: ControllerCreateOptions): Controller {
  return createClassicalSMC({
    gains,
    dt,
    physics: physicsOf(config),
    params: config?.controllers.classical_smc ?? DEFAULT_CONTROLLER_PARAMS.classical_smc,
  });
}

/**
 * Builds a super-twisting SMC (see {@linkcode buildClassicalSMC}).
 *
 * @example Usage
 * ```ts
 * import { buildSuperTwistingSMC } from "./builtins.ts";
 * const c = buildSuperTwistingSMC({ gains: [8, 4.8, 0.5, 2.56, 23.9, 6.79], dt: 0.01 });
 * console.log(c.initialState()); // { z: 0 }
 * ```
 *
 * @param options Gains, config, dt.
 * @returns The controller.
 */
export function buildSuperTwistingSMC({ gains, config, dt }: ControllerCreateOptions): Controller {
  return createSuperTwistingSMC({
    gains,
    dt,
    physics: physicsOf(config),
    params: config?.controllers.sta_smc ?? DEFAULT_CONTROLLER_PARAMS.sta_smc,
  });
}

/**
 * Builds an adaptive SMC (see {@linkcode buildClassicalSMC}).
 *
 * @example Usage
 * ```ts
 * import { buildAdaptiveSMC } from "./builtins.ts";
 * const c = buildAdaptiveSMC({ gains: [0.59, 2.46, 20.05, 6.85, 0.05], dt: 0.01 });
 * console.log(c.initialState()); // { K: 10 }
 * ```
 *
 * @param options Gains, config, dt.
 * @returns The controller.
 */
export function buildAdaptiveSMC({ gains, config, dt }: ControllerCreateOptions): Controller {
  return createAdaptiveSMC({
    gains,
    dt,
    physics: physicsOf(config),
    params: config?.controllers.adaptive_smc ?? DEFAULT_CONTROLLER_PARAMS.adaptive_smc,
  });
}

/**
 * Builds a hybrid adaptive super-twisting SMC (see {@linkcode buildClassicalSMC}).
 *
 * @example Usage
 * ```ts
 * import { buildHybridAdaptiveSTASMC } from "./builtins.ts";
 * const c = buildHybridAdaptiveSTASMC({ gains: [0.5, 22.68, 2.53, 6.7], dt: 0.01 });
 * console.log(c.initialState()); // { k1: 4, k2: 0.4, uInt: 0 }
 * ```
 *
 * @param options Gains, config, dt.
 * @returns The controller.
 */
export function buildHybridAdaptiveSTASMC({ gains, config, dt }: ControllerCreateOptions): Controller {
  return createHybridAdaptiveSTASMC({
    gains,
    dt,
    physics: physicsOf(config),
    params: config?.controllers.hybrid_adaptive_sta_smc ?? DEFAULT_CONTROLLER_PARAMS.hybrid_adaptive_sta_smc,
  });
}

/**
 * Builds the lqr controller `u = −K·s` from validated gains K (see {@linkcode buildClassicalSMC});
 * the factory resolves K (explicit, configured, designed from `controllers.lqr.Q`/`R`, or the
 * registry default) before calling it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLQR } from "./builtins.ts";
 * const c = buildLQR({ gains: [10, -446, 563, 16.7, -16.8, 77.3], dt: 0.01 });
 * assert.equal(c.computeControl([0.1, 0, 0, 0, 0, 0]).u, -1);
 * ```
 *
 * @param options Gains, config, dt.
 * @returns The controller.
 */
export function buildLQR({ gains, config, dt }: ControllerCreateOptions): Controller {
  return createLQRController({
    gains,
    dt,
    physics: physicsOf(config),
    params: config?.controllers.lqr ?? DEFAULT_CONTROLLER_PARAMS.lqr,
  });
}
