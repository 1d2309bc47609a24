/**
 * Types of the validated configuration, derived from the schema (schema.ts), so the two cannot
 * drift. `loadConfig()` and `parseConfig()` return a deeply frozen {@linkcode Config}; every field
 * is present after validation except the optional `gains` and `controller_defaults.lqr`.
 *
 * @module
 */
import type { z } from "zod";
import type { configSchema } from "./schema.ts";

/**
 * `T` with every property and array read-only, all the way down (the loaded config is deeply
 * frozen, and the type says so).
 *
 * @example Usage
 * ```ts
 * import type { DeepReadonly } from "./types.ts";
 * const v: DeepReadonly<{ a: number[] }> = { a: [1, 2] };
 * // v.a.push(3) does not type-check.
 * ```
 */
export type DeepReadonly<T> = T extends readonly (infer E)[] ? readonly DeepReadonly<E>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
  : T;

/**
 * The whole validated configuration.
 *
 * @example Usage
 * ```ts
 * import { type Config, loadConfig } from "./mod.ts";
 * const config: Config = loadConfig("config.yaml", { env: {} });
 * const seed: number = config.global_seed;
 * ```
 */
export type Config = DeepReadonly<z.output<typeof configSchema>>;

/** Physical parameters of the double inverted pendulum on a cart (SI units). */
export type PhysicsConfig = Config["physics"];
/** Simulation settings. */
export type SimulationConfig = Config["simulation"];
/** Integration method. */
export type Integrator = SimulationConfig["integrator"];
/** Plant model: the full Lagrangian model or its simplified (constant-M, no Coriolis) version. */
export type PlantModel = SimulationConfig["plant_model"];

/** The `controllers` section. */
export type ControllersConfig = Config["controllers"];
/** `controllers.classical_smc`. */
export type ClassicalConfig = ControllersConfig["classical_smc"];
/** `controllers.sta_smc`. */
export type SuperTwistingConfig = ControllersConfig["sta_smc"];
/** `controllers.adaptive_smc`. */
export type AdaptiveConfig = ControllersConfig["adaptive_smc"];
/** `controllers.hybrid_adaptive_sta_smc`. */
export type HybridConfig = ControllersConfig["hybrid_adaptive_sta_smc"];
/** `controllers.lqr`: design weights of the linear-quadratic regulator, or an explicit K. */
export type LqrConfig = ControllersConfig["lqr"];
/** Parameters shared by every sliding-mode block in `controllers.<type>`. */
export type CommonControllerConfig = ClassicalConfig;
/** Smooth sign used in the boundary layer. */
export type SwitchMethod = CommonControllerConfig["switch_method"];

/** `controller_defaults.<type>`. */
export type ControllerDefaults = Config["controller_defaults"]["classical_smc"];

/** The `pso` section. */
export type PsoConfig = Config["pso"];
/** Lower and upper bounds of a PSO search space. */
export type BoundsConfig = PsoConfig["bounds"]["classical_smc"];

/** The `cost_function` section. */
export type CostFunctionConfig = Config["cost_function"];
/** The `physics_uncertainty` section: n_evals and a relative half-width per physics parameter. */
export type PhysicsUncertaintyConfig = Config["physics_uncertainty"];
/** The `uncertainty` section: initial-state perturbations. */
export type UncertaintyConfig = Config["uncertainty"];

/** One named scenario of the `disturbances` section: a cart force, measurement noise or both. */
export type DisturbanceSpec = Config["disturbances"][string];
/** A cart-force disturbance, by kind (docs/disturbances.md). */
export type ForceSpec = NonNullable<DisturbanceSpec["force"]>;
/** Seeded Gaussian measurement noise, one standard deviation per state entry. */
export type NoiseSpec = NonNullable<DisturbanceSpec["noise"]>;
/** The `disturbances` section. */
export type DisturbancesConfig = Config["disturbances"];
/** The `metrics` section. */
export type MetricsConfig = Config["metrics"];
/** The `study` section. */
export type StudyConfig = Config["study"];
