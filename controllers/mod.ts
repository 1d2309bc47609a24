/**
 * The four sliding-mode controllers and the pieces they share.
 *
 * @module
 */
export {
  buildController,
  type Controller,
  type ControllerOptions,
  type ControllerParts,
  type ControllerState,
  type ControlOutput,
  createSurface,
  emitControl,
  sat,
  type SlidingSurface,
} from "./sliding.ts";
export {
  assertValidGains,
  GAIN_NAMES,
  type GainIssue,
  type GainValidation,
  GainValidationError,
  validateGainVector,
} from "../gains/mod.ts";
export { createClassicalSMC } from "./classical.ts";
export { createSuperTwistingSMC } from "./super_twisting.ts";
export { createAdaptiveSMC } from "./adaptive.ts";
export { createHybridAdaptiveSTASMC } from "./hybrid.ts";
