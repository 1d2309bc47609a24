/**
 * Configuration: load config.yaml (or YAML text, or a plain object) into a typed, deeply frozen
 * {@linkcode Config}, with `DIP__SECTION__KEY=value` environment overrides and strict validation
 * that reports every problem at once in a {@linkcode ConfigError}.
 *
 * @example Usage
 * ```ts
 * import { loadConfig } from "./mod.ts";
 * const config = loadConfig();
 * console.log(config.simulation.dt, config.pso.bounds.sta_smc.lower);
 * ```
 *
 * @module
 */
export {
  ConfigError,
  type ConfigIssue,
  type ConfigOptions,
  DEFAULT_CONFIG_PATH,
  ENV_PREFIX,
  loadConfig,
  parseConfig,
  ROOT_PATH,
  validateConfig,
} from "./loader.ts";
export {
  type AdaptiveConfig,
  type BoundsConfig,
  type ClassicalConfig,
  type CommonControllerConfig,
  type Config,
  CONTROLLER_TYPES,
  type ControllerDefaults,
  type ControllersConfig,
  type ControllerType,
  type CostFunctionConfig,
  type DisturbanceConfig,
  type ForceConfig,
  type HybridConfig,
  type Integrator,
  type MetricsConfig,
  type NoiseConfig,
  PHYSICS_KEYS,
  type PhysicsConfig,
  type PhysicsUncertaintyConfig,
  type PlantModel,
  type PsoConfig,
  type SimulationConfig,
  type SuperTwistingConfig,
  type SwitchMethod,
  type UncertaintyConfig,
} from "./types.ts";
