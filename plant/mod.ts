/**
 * The double inverted pendulum on a cart: models, integrators and simulation kernels.
 *
 * @module
 */
export {
  checkState,
  createPlant,
  type Energy,
  type LumpedConstants,
  lumpedConstants,
  type Plant,
  type PlantOptions,
  STATE_SIZE,
} from "./model.ts";
export { createRk4Scratch, eulerAt, eulerStep, rk4At, type Rk4Scratch, rk4Step } from "./integrators.ts";
export {
  type BatchOptions,
  type BatchParticle,
  type BatchWorkspace,
  type ControlKernel,
  createBatchWorkspace,
  RUN_STATUSES,
  type RunStatus,
  simulateBatch,
  STATUS_DIVERGED,
  STATUS_FELL,
  STATUS_OFF_TRACK,
  STATUS_OK,
} from "./batch.ts";
export {
  checkDisturbance,
  createForce,
  type DisturbanceForce,
  type DisturbanceSpec,
  FORCE_KINDS,
  type ForceSpec,
  hasNoise,
  type ImpulseForce,
  type NoiseSpec,
  RANDOM_FORCE_COMPONENTS,
  type RandomForce,
  type SineForce,
  type StepForce,
} from "./disturbance.ts";
export { GaussianSource } from "./gaussian.ts";
export {
  batchBytes,
  checkRunSize,
  MAX_BATCH_SAMPLES,
  MAX_TRAJECTORY_SAMPLES,
  SimulationSizeError,
  stateOffset,
  trajectoryLength,
} from "./layout.ts";
export {
  type RunSettings,
  runSettings,
  type Simulatable,
  simulate,
  type SimulateOptions,
  stepCount,
  type Trajectory,
} from "./simulate.ts";
