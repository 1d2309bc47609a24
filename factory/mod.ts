/**
 * Controller factory and registry: create controllers by type or alias, validate gains, describe
 * types, register custom controllers.
 *
 * @module
 */
export {
  canonicalControllerType,
  type ControllerEntry,
  type ControllerInfo,
  controllerRegistry,
  type ControllerSource,
  createController,
  type CreateControllerOptions,
  type CustomControllerDefinition,
  ensureConfig,
  getControllerInfo,
  getDefaultGains,
  listAvailableControllers,
  normalizeControllerName,
  registerController,
  UnknownControllerError,
  validateGains,
} from "./factory.ts";
export type { ControllerCreateOptions } from "./types.ts";
export {
  createRegistryStore,
  DuplicateEntryError,
  type RegistryDraft,
  type RegistrySnapshot,
  type RegistryStats,
  type RegistryStore,
} from "./registry.ts";
export {
  DEFAULT_BOUNDS,
  DEFAULT_CONTROLLER_PARAMS,
  DEFAULT_DT,
  DEFAULT_GAINS,
  DEFAULT_PHYSICS,
} from "./defaults.ts";
export { GainValidationError } from "../controllers/mod.ts";
export { ConfigError } from "../config/mod.ts";
