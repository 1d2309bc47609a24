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

/**
 * Physical parameters of the double inverted pendulum on a cart (SI units).
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type PhysicsConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: PhysicsConfig = config.physics;
 * ```
 */
export type PhysicsConfig = Config["physics"];
/**
 * Simulation settings.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type SimulationConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: SimulationConfig = config.simulation;
 * ```
 */
export type SimulationConfig = Config["simulation"];
/**
 * Integration method.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type Integrator } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: Integrator = config.simulation.integrator;
 * ```
 */
export type Integrator = SimulationConfig["integrator"];
/**
 * Plant model: the full Lagrangian model or its simplified (constant-M, no Coriolis) version.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type PlantModel } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: PlantModel = config.simulation.plant_model;
 * ```
 */
export type PlantModel = SimulationConfig["plant_model"];

/**
 * The `controllers` section.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type ControllersConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: ControllersConfig = config.controllers;
 * ```
 */
export type ControllersConfig = Config["controllers"];
/**
 * `controllers.classical_smc`.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type ClassicalConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: ClassicalConfig = config.controllers.classical_smc;
 * ```
 */
export type ClassicalConfig = ControllersConfig["classical_smc"];
/**
 * `controllers.sta_smc`.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type SuperTwistingConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: SuperTwistingConfig = config.controllers.sta_smc;
 * ```
 */
export type SuperTwistingConfig = ControllersConfig["sta_smc"];
/**
 * `controllers.adaptive_smc`.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type AdaptiveConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: AdaptiveConfig = config.controllers.adaptive_smc;
 * ```
 */
export type AdaptiveConfig = ControllersConfig["adaptive_smc"];
/**
 * `controllers.hybrid_adaptive_sta_smc`.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type HybridConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: HybridConfig = config.controllers.hybrid_adaptive_sta_smc;
 * ```
 */
export type HybridConfig = ControllersConfig["hybrid_adaptive_sta_smc"];
/**
 * `controllers.lqr`: design weights of the linear-quadratic regulator, or an explicit K.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type LqrConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: LqrConfig = config.controllers.lqr;
 * ```
 */
export type LqrConfig = ControllersConfig["lqr"];
/**
 * Parameters shared by every sliding-mode block in `controllers.<type>`.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type CommonControllerConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: CommonControllerConfig = config.controllers.sta_smc;
 * ```
 */
export type CommonControllerConfig = ClassicalConfig;
/**
 * Smooth sign used in the boundary layer.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type SwitchMethod } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: SwitchMethod = config.controllers.sta_smc.switch_method;
 * ```
 */
export type SwitchMethod = CommonControllerConfig["switch_method"];

/**
 * `controller_defaults.<type>`.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type ControllerDefaults } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: ControllerDefaults = config.controller_defaults.sta_smc;
 * ```
 */
export type ControllerDefaults = Config["controller_defaults"]["classical_smc"];

/**
 * The `pso` section.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type PsoConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: PsoConfig = config.pso;
 * ```
 */
export type PsoConfig = Config["pso"];
/**
 * Lower and upper bounds of a PSO search space.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type BoundsConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: BoundsConfig = config.pso.bounds.lqr;
 * ```
 */
export type BoundsConfig = PsoConfig["bounds"]["classical_smc"];

/**
 * The `cost_function` section.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type CostFunctionConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: CostFunctionConfig = config.cost_function;
 * ```
 */
export type CostFunctionConfig = Config["cost_function"];
/**
 * The `physics_uncertainty` section: n_evals and a relative half-width per physics parameter.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type PhysicsUncertaintyConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: PhysicsUncertaintyConfig = config.physics_uncertainty;
 * ```
 */
export type PhysicsUncertaintyConfig = Config["physics_uncertainty"];
/**
 * The `uncertainty` section: initial-state perturbations.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type UncertaintyConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: UncertaintyConfig = config.uncertainty;
 * ```
 */
export type UncertaintyConfig = Config["uncertainty"];

/**
 * One named scenario of the `disturbances` section: a cart force, measurement noise or both.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type DisturbanceSpec } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: DisturbanceSpec = config.disturbances.impulse;
 * ```
 */
export type DisturbanceSpec = Config["disturbances"][string];
/**
 * A cart-force disturbance, by kind (docs/disturbances.md).
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type ForceSpec } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: ForceSpec = config.disturbances.impulse.force!;
 * ```
 */
export type ForceSpec = NonNullable<DisturbanceSpec["force"]>;
/**
 * Seeded Gaussian measurement noise, one standard deviation per state entry.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type NoiseSpec } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: NoiseSpec = config.disturbances.noise.noise!;
 * ```
 */
export type NoiseSpec = NonNullable<DisturbanceSpec["noise"]>;
/**
 * The `disturbances` section.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type DisturbancesConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: DisturbancesConfig = config.disturbances;
 * ```
 */
export type DisturbancesConfig = Config["disturbances"];
/**
 * The `metrics` section.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type MetricsConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: MetricsConfig = config.metrics;
 * ```
 */
export type MetricsConfig = Config["metrics"];
/**
 * The `study` section.
 *
 * @example Usage
 * ```ts
 * import { loadConfig, type StudyConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * const value: StudyConfig = config.study;
 * ```
 */
export type StudyConfig = Config["study"];
