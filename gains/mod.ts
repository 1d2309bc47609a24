/**
 * Gain metadata shared by config/ and controllers/: the controller types, each type's gain names
 * and the one gain validator; and the small value helpers every folder shares (the value describer
 * of error messages, a cycle-safe deep freeze, a promise-like check). A leaf folder: it imports
 * nothing from the rest of the project.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { GAIN_NAMES, validateGainVector } from "./mod.ts";
 * assert.equal(GAIN_NAMES.sta_smc[0], "K1");
 * assert.equal(validateGainVector("classical_smc", [1, 2, 3]).ok, false);
 * ```
 *
 * @module
 */
export {
  assertValidGains,
  CONTROLLER_TYPES,
  type ControllerType,
  GAIN_NAMES,
  type GainIssue,
  type GainValidation,
  GainValidationError,
  SLIDING_MODE_TYPES,
  type SlidingModeType,
  validateGainVector,
} from "./gains.ts";
export { deepFreeze, describeValue, isThenable } from "./values.ts";
