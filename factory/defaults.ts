/**
 * The registry's built-in defaults: the last level of the gain precedence and the parameters a
 * controller gets when `createController` is called without a config. They equal the shipped
 * config.yaml (a test keeps the two in step).
 *
 * @module
 */
import type { ControllersConfig, ControllerType, PhysicsConfig } from "../config/mod.ts";
import { designLqrGains } from "../controllers/mod.ts";

/** Shipped physics (docs/model.md#parameters). */
export const DEFAULT_PHYSICS: Readonly<PhysicsConfig> = Object.freeze({
  cart_mass: 1.5,
  pendulum1_mass: 0.2,
  pendulum2_mass: 0.15,
  pendulum1_length: 0.4,
  pendulum2_length: 0.3,
  pendulum1_com: 0.2,
  pendulum2_com: 0.15,
  pendulum1_inertia: 0.0081,
  pendulum2_inertia: 0.0034,
  gravity: 9.81,
  cart_friction: 0.2,
  joint1_friction: 0.005,
  joint2_friction: 0.004,
});

/** Shipped simulation step. */
export const DEFAULT_DT = 0.01;

const common = {
  switch_method: "tanh",
  max_force: 150,
  cart_gain: 0.5,
  cart_lambda: 1,
  model: "simplified",
  use_equivalent: true,
  controllability_threshold: 1e-3,
} as const;

/** Shipped controller parameters (`controllers.<type>` without gains). */
export const DEFAULT_CONTROLLER_PARAMS: ControllersConfig = Object.freeze({
  classical_smc: Object.freeze({ ...common, boundary_layer: 0.3 }),
  sta_smc: Object.freeze({ ...common, boundary_layer: 0.3 }),
  adaptive_smc: Object.freeze({
    ...common,
    boundary_layer: 0.4,
    leak: 0.01,
    dead_zone: 0.05,
    adapt_rate_limit: 10,
    K_min: 0.1,
    K_max: 100,
    K_init: 10,
    alpha: 0.5,
  }),
  hybrid_adaptive_sta_smc: Object.freeze({
    ...common,
    boundary_layer: 0.35,
    k1_init: 4,
    k2_init: 0.4,
    gamma1: 2,
    gamma2: 0.5,
    k_max: 50,
    damping_gain: 3,
    dead_zone: 0.05,
    leak: 0.01,
  }),
  lqr: Object.freeze({
    Q: Object.freeze([10, 100, 100, 1, 10, 10]),
    R: 0.1,
    max_force: 150,
    model: "full",
  }),
});

/**
 * Registry default gains: stabilising on the full-model plant from the shipped initial state. The
 * lqr default is the K designed from the shipped Q, R and physics (computed here, not copied, so it
 * cannot drift from them).
 */
export const DEFAULT_GAINS: Readonly<Record<ControllerType, readonly number[]>> = Object.freeze({
  classical_smc: Object.freeze([0.648639, 2.495829, 14.747594, 19.831842, 15.273906, 4.99144]),
  sta_smc: Object.freeze([13.009988, 0.500544, 0.328036, 1.991745, 39.999968, 8.949671]),
  adaptive_smc: Object.freeze([0.171357, 1.699123, 60.514073, 8.559246, 0.030939]),
  hybrid_adaptive_sta_smc: Object.freeze([0.184727, 59.674114, 1.775338, 9.037807]),
  lqr: Object.freeze([...designLqrGains(DEFAULT_PHYSICS, DEFAULT_CONTROLLER_PARAMS.lqr).K]),
});

/** Default PSO bounds (docs/tuning.md#gain-bounds): inside the gains' validity domain; signs free for lqr. */
export const DEFAULT_BOUNDS: Readonly<
  Record<ControllerType, { readonly lower: readonly number[]; readonly upper: readonly number[] }>
> = Object.freeze({
  classical_smc: Object.freeze({ lower: [0.1, 0.1, 0.5, 0.5, 1, 0.01], upper: [30, 30, 60, 60, 50, 5] }),
  sta_smc: Object.freeze({ lower: [1, 0.5, 0.1, 0.1, 0.5, 0.5], upper: [40, 39, 30, 30, 40, 40] }),
  adaptive_smc: Object.freeze({ lower: [0.1, 0.1, 0.5, 0.5, 0.01], upper: [30, 30, 80, 60, 5] }),
  hybrid_adaptive_sta_smc: Object.freeze({ lower: [0.1, 0.5, 0.1, 0.5], upper: [30, 80, 30, 60] }),
  lqr: Object.freeze({
    lower: [-200, -2000, -2000, -200, -400, -400],
    upper: [200, 2000, 2000, 200, 400, 400],
  }),
});
