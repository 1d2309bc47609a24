/**
 * Types of the validated configuration. `loadConfig()` and `parseConfig()` return a deeply frozen
 * {@linkcode Config}; every field below is present after validation (the shipped config.yaml sets
 * them all, and a file that omits one is rejected with the field's dot-path).
 *
 * @module
 */

/** The four canonical controller types. */
export type ControllerType =
  | "classical_smc"
  | "sta_smc"
  | "adaptive_smc"
  | "hybrid_adaptive_sta_smc";

/** The canonical controller types, sorted. */
export const CONTROLLER_TYPES: readonly ControllerType[] = Object.freeze([
  "adaptive_smc",
  "classical_smc",
  "hybrid_adaptive_sta_smc",
  "sta_smc",
]);

/** Physical parameters of the double inverted pendulum on a cart (SI units). */
export interface PhysicsConfig {
  readonly cart_mass: number;
  readonly pendulum1_mass: number;
  readonly pendulum2_mass: number;
  readonly pendulum1_length: number;
  readonly pendulum2_length: number;
  readonly pendulum1_com: number;
  readonly pendulum2_com: number;
  readonly pendulum1_inertia: number;
  readonly pendulum2_inertia: number;
  readonly gravity: number;
  readonly cart_friction: number;
  readonly joint1_friction: number;
  readonly joint2_friction: number;
}

/** The names of the physics parameters, in config order. */
export const PHYSICS_KEYS: readonly (keyof PhysicsConfig)[] = Object.freeze([
  "cart_mass",
  "pendulum1_mass",
  "pendulum2_mass",
  "pendulum1_length",
  "pendulum2_length",
  "pendulum1_com",
  "pendulum2_com",
  "pendulum1_inertia",
  "pendulum2_inertia",
  "gravity",
  "cart_friction",
  "joint1_friction",
  "joint2_friction",
]);

/** Plant model: the full Lagrangian model or its simplified (constant-M, no Coriolis) version. */
export type PlantModel = "full" | "simplified";
/** Integration method. */
export type Integrator = "rk4" | "euler";

/** Simulation settings. */
export interface SimulationConfig {
  readonly dt: number;
  readonly duration: number;
  readonly initial_state: readonly number[];
  readonly integrator: Integrator;
  readonly plant_model: PlantModel;
  readonly fall_angle: number;
  /** |x| limit in metres, or null for none. */
  readonly track_limit: number | null;
}

/** Smooth sign used in the boundary layer. */
export type SwitchMethod = "tanh" | "linear";

/** Parameters shared by every controller block in `controllers.<type>`. */
export interface CommonControllerConfig {
  /** Gains for this controller; when absent, `controller_defaults.<type>.gains` apply. */
  readonly gains?: readonly number[];
  readonly boundary_layer: number;
  readonly switch_method: SwitchMethod;
  readonly max_force: number;
  readonly cart_gain: number;
  readonly cart_lambda: number;
  readonly model: PlantModel;
  readonly use_equivalent: boolean;
  readonly controllability_threshold: number;
}

/** `controllers.classical_smc`. */
export type ClassicalConfig = CommonControllerConfig;
/** `controllers.sta_smc`. */
export type SuperTwistingConfig = CommonControllerConfig;

/** `controllers.adaptive_smc`. */
export interface AdaptiveConfig extends CommonControllerConfig {
  readonly leak: number;
  readonly dead_zone: number;
  readonly adapt_rate_limit: number;
  readonly K_min: number;
  readonly K_max: number;
  readonly K_init: number;
  readonly alpha: number;
}

/** `controllers.hybrid_adaptive_sta_smc`. */
export interface HybridConfig extends CommonControllerConfig {
  readonly k1_init: number;
  readonly k2_init: number;
  readonly gamma1: number;
  readonly gamma2: number;
  readonly k_max: number;
  readonly damping_gain: number;
  readonly dead_zone: number;
  readonly leak: number;
}

/** The `controllers` section. */
export interface ControllersConfig {
  readonly classical_smc: ClassicalConfig;
  readonly sta_smc: SuperTwistingConfig;
  readonly adaptive_smc: AdaptiveConfig;
  readonly hybrid_adaptive_sta_smc: HybridConfig;
}

/** `controller_defaults.<type>`. */
export interface ControllerDefaults {
  readonly gains: readonly number[];
}

/** Lower and upper bounds of a PSO search space. */
export interface BoundsConfig {
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

/** The `pso` section. */
export interface PsoConfig {
  readonly n_particles: number;
  readonly iters: number;
  readonly w: number;
  /** Final inertia for `inertia: linear`; null with `inertia: constant`. */
  readonly w_final: number | null;
  readonly inertia: "constant" | "linear";
  readonly c1: number;
  readonly c2: number;
  readonly topology: "global" | "ring";
  readonly ring_neighbours: number;
  readonly velocity_clamp: number;
  readonly bound_handling: "clip" | "reflect" | "random" | "periodic";
  readonly stall_iterations: number;
  readonly stall_tolerance: number;
  readonly seed: number;
  readonly bounds: Readonly<Record<ControllerType, BoundsConfig>>;
}

/** The `cost_function` section. */
export interface CostFunctionConfig {
  readonly weights: {
    readonly state_error: number;
    readonly control_effort: number;
    readonly control_rate: number;
    readonly sliding: number;
  };
  readonly norms: {
    readonly state_error: number;
    readonly control_effort: number;
    readonly control_rate: number;
    readonly sliding: number;
  };
  readonly instability_penalty: number;
  readonly time_weighting: "none" | "linear";
  readonly combine_weights: { readonly mean: number; readonly max: number };
  /**
   * SPEC 7's acceptance targets, enforced in the tuner's robust cost as hinge penalties
   * (`weight` 0 turns them off): the nominal run must settle (|θ1|, |θ2| < band held to the end)
   * by `settling_time` and keep |x| ≤ `max_cart_position`; every scenario must be inside the band
   * over the last `final_window` seconds.
   */
  readonly constraints: {
    readonly weight: number;
    readonly band: number;
    readonly settling_time: number;
    readonly max_cart_position: number;
    readonly final_window: number;
  };
}

/** The `physics_uncertainty` section: n_evals and a relative half-width per physics parameter. */
export type PhysicsUncertaintyConfig =
  & { readonly n_evals: number }
  & { readonly [K in keyof PhysicsConfig]: number };

/** The `uncertainty` section: initial-state perturbations. */
export interface UncertaintyConfig {
  readonly initial_angle: number;
}

/** `disturbances.<name>.force`: a force on the cart (docs/disturbances.md). */
export type ForceConfig =
  | {
    readonly kind: "impulse";
    readonly amplitude: number;
    readonly start?: number;
    readonly duration: number;
  }
  | { readonly kind: "step"; readonly amplitude: number; readonly start?: number }
  | {
    readonly kind: "sine";
    readonly amplitude: number;
    readonly frequency: number;
    readonly start?: number;
    readonly phase?: number;
  }
  | {
    readonly kind: "random";
    readonly std: number;
    readonly bandwidth: number;
    readonly seed: number;
    readonly start?: number;
  };

/** `disturbances.<name>.noise`: Gaussian measurement noise, one std per state. */
export interface NoiseConfig {
  readonly std: readonly number[];
  readonly seed: number;
}

/** One named disturbance scenario: a force, noise or both. */
export interface DisturbanceConfig {
  readonly force?: ForceConfig;
  readonly noise?: NoiseConfig;
}

/** The `metrics` section (docs/metrics.md). */
export interface MetricsConfig {
  /** |θ1|, |θ2| below this, held to the end, counts as settled [rad]. */
  readonly settling_band: number;
  /** Chattering index: share of u's power above this frequency [Hz]. */
  readonly chattering_frequency: number;
}

/** The whole validated configuration. */
export interface Config {
  readonly global_seed: number;
  readonly physics: PhysicsConfig;
  readonly simulation: SimulationConfig;
  readonly controller_defaults: Readonly<Record<ControllerType, ControllerDefaults>>;
  readonly controllers: ControllersConfig;
  readonly pso: PsoConfig;
  readonly cost_function: CostFunctionConfig;
  readonly physics_uncertainty: PhysicsUncertaintyConfig;
  readonly uncertainty: UncertaintyConfig;
  /** Named disturbance scenarios. */
  readonly disturbances: Readonly<Record<string, DisturbanceConfig>>;
  readonly metrics: MetricsConfig;
}
