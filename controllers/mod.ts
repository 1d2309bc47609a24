/**
 * The controllers: four sliding-mode controllers built from one shared surface / equivalent-control
 * builder, the linear-quadratic regulator, and the pieces they share.
 *
 * @module
 */
export {
  buildController,
  type Controller,
  type ControllerParts,
  type ControllerState,
  type ControlOutput,
} from "./controller.ts";
export {
  clip,
  type ControllerOptions,
  createSlidingModeController,
  createSurface,
  emitControl,
  type ReachingLaw,
  sat,
  type SlidingModeSpec,
  type SlidingSurface,
  SURFACE_D,
  SURFACE_F,
  SURFACE_FLOORED,
  SURFACE_SCRATCH_SIZE,
  SURFACE_SIGMA,
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
export { createLQRController, designLqrGains, type LqrControllerOptions, type LqrDesign } from "./lqr.ts";
