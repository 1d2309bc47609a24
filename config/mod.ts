/**
 * Configuration: load config.yaml (or YAML text, or a plain object) into a typed, deeply frozen
 * {@linkcode Config}, with `DIP__SECTION__KEY=value` environment overrides and strict validation
 * that reports every problem at once in a {@linkcode ConfigError}. The schema is declared once
 * (schema.ts) and the types are derived from it (types.ts).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "./mod.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * assert.equal(config.pso.bounds.sta_smc.lower.length, 6);
 * ```
 *
 * @module
 */
export {
  type ConfigOptions,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfig,
  validateConfig,
} from "./loader.ts";
export { ConfigError, type ConfigIssue, ROOT_PATH } from "./errors.ts";
export { ENV_PREFIX } from "./env.ts";
export { batchSizeProblem, CONFIG_LIMITS, maxRunsPerBatch, simulationSamples } from "./limits.ts";
export { configSchema, PHYSICS_KEYS } from "./schema.ts";
export {
  CONTROLLER_TYPES,
  type ControllerType,
  SLIDING_MODE_TYPES,
  type SlidingModeType,
} from "../gains/mod.ts";
export type {
  AdaptiveConfig,
  BoundsConfig,
  ClassicalConfig,
  CommonControllerConfig,
  Config,
  ControllerDefaults,
  ControllersConfig,
  CostFunctionConfig,
  DeepReadonly,
  DisturbancesConfig,
  DisturbanceSpec,
  ForceSpec,
  HybridConfig,
  Integrator,
  LqrConfig,
  MetricsConfig,
  NoiseSpec,
  PhysicsConfig,
  PhysicsUncertaintyConfig,
  PlantModel,
  PsoConfig,
  SimulationConfig,
  StudyConfig,
  SuperTwistingConfig,
  SwitchMethod,
  UncertaintyConfig,
} from "./types.ts";
