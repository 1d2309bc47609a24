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
  type RunSettings,
  runSettings,
  type Simulatable,
  simulate,
  type SimulateOptions,
  stepCount,
  type Trajectory,
} from "./simulate.ts";
