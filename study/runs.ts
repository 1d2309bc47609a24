/**
 * The closed-loop runs of a study and their per-run summaries: one pure function from a chunk of
 * run specifications to a packed array of summaries, used both by the study Worker and on the main
 * thread, so a run's result does not depend on where it ran (docs/study.md#determinism).
 *
 * @module
 */
import { type Config, PHYSICS_KEYS, type PhysicsConfig } from "../config/mod.ts";
import { createController } from "../factory/mod.ts";
import {
  type BatchParticle,
  type BatchWorkspace,
  createPlant,
  type DisturbanceSpec,
  RUN_STATUSES,
  runSettings,
  type RunStatus,
  simulateBatch,
  STATE_SIZE,
  STATUS_OK,
  stepCount,
} from "../plant/mod.ts";

/** One closed-loop run of a study: where it starts, which physics, which disturbance. */
export interface RunSpec {
  /** Initial state [x, θ1, θ2, ẋ, θ̇1, θ̇2]. */
  readonly x0: readonly number[];
  /** Per-parameter multipliers of the nominal physics, in PHYSICS_KEYS order; absent: nominal. */
  readonly physicsScale?: readonly number[];
  /** A disturbance on the cart and/or noise on the measured state; absent: none. */
  readonly disturbance?: DisturbanceSpec;
}

/** What a chunk of runs needs besides the specs; plain data, so it can be posted to a Worker. */
export interface RunSetup {
  readonly config: Config;
  readonly controllerType: string;
  readonly gains: readonly number[];
  /** Settling band [rad]. */
  readonly band: number;
  /** Final window [s] over which the band must hold for a run to count as a success. */
  readonly finalWindow: number;
}

/** Doubles per run in a packed summary array. */
export const SUMMARY_SIZE = 6;
/** Field offsets inside one packed summary. */
export const SUMMARY_FIELDS = Object.freeze({
  status: 0,
  settlingTime: 1,
  maxAbsX: 2,
  maxAbsU: 3,
  controlEnergy: 4,
  success: 5,
});

/** One run's summary, unpacked. */
export interface RunSummary {
  readonly status: RunStatus;
  /** First time from which |θ1|, |θ2| < band hold to the end; null if the run did not settle. */
  readonly settlingTime: number | null;
  readonly maxAbsX: number;
  readonly maxAbsU: number;
  /** ∫u² dt [N²·s]. */
  readonly controlEnergy: number;
  /** Never fell and stayed inside the band over the final window. */
  readonly success: boolean;
}

/**
 * Simulates a chunk of runs with the batch kernel and writes their packed summaries
 * (SUMMARY_SIZE doubles each: status code, settling time or NaN, max |x|, max |u|, ∫u²dt, success
 * 0/1).
 *
 * The plant of a run uses its scaled physics; the controller keeps the nominal physics in its model
 * (the mismatch a real controller meets), exactly as the tuner's robust scenarios do.
 *
 * @example Two runs of the classical SMC
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { getDefaultGains } from "../factory/mod.ts";
 * import { runChunk, unpackSummary } from "./runs.ts";
 * const config = loadConfig("config.yaml");
 * const setup = { config, controllerType: "classical_smc", gains: getDefaultGains("classical_smc"), band: 0.02, finalWindow: 2 };
 * const packed = runChunk(setup, [{ x0: [0, 0.05, -0.03, 0, 0, 0] }, { x0: [0, 1.2, 0, 0, 0, 0] }]);
 * assert.equal(unpackSummary(packed, 0).success, true);
 * assert.equal(unpackSummary(packed, 1).status, "fell");
 * ```
 *
 * @param setup Controller, config and success criterion.
 * @param specs The runs.
 * @param workspace Batch buffers to reuse across chunks.
 * @returns Packed summaries, `specs.length × SUMMARY_SIZE`.
 */
export function runChunk(
  setup: RunSetup,
  specs: readonly RunSpec[],
  workspace?: BatchWorkspace,
): Float64Array {
  const { config, band } = setup;
  const sim = config.simulation;
  const steps = stepCount(sim.duration, sim.dt);
  const controller = createController(setup.controllerType, { config, gains: setup.gains });
  const nominal = createPlant(config.physics, { model: sim.plant_model });
  const particles: BatchParticle[] = specs.map((spec) => ({
    plant: spec.physicsScale
      ? createPlant(scaledPhysics(config.physics, spec.physicsScale), { model: sim.plant_model })
      : nominal,
    kernel: controller.kernel,
    x0: spec.x0,
    ...(spec.disturbance ? { disturbance: spec.disturbance } : {}),
  }));
  const ws = simulateBatch({ ...runSettings(sim), particles, steps, workspace });
  const out = new Float64Array(specs.length * SUMMARY_SIZE);
  const firstChecked = Math.max(0, steps - Math.round(setup.finalWindow / sim.dt));
  for (let p = 0; p < specs.length; p++) {
    const base = p * (steps + 1) * STATE_SIZE;
    const samples = ws.length[p];
    let maxAbsX = 0, lastOut = -1;
    for (let k = 0; k < samples; k++) {
      const o = base + k * STATE_SIZE;
      maxAbsX = Math.max(maxAbsX, Math.abs(ws.x[o]));
      if (!(Math.abs(ws.x[o + 1]) < band && Math.abs(ws.x[o + 2]) < band)) lastOut = k;
    }
    let maxAbsU = 0, energy = 0;
    const uo = p * steps;
    for (let k = 0; k < samples - 1; k++) {
      const u = ws.u[uo + k];
      maxAbsU = Math.max(maxAbsU, Math.abs(u));
      energy += u * u;
    }
    const ok = ws.status[p] === STATUS_OK;
    const settled = ok && lastOut < samples - 1;
    const o = p * SUMMARY_SIZE;
    out[o + SUMMARY_FIELDS.status] = ws.status[p];
    out[o + SUMMARY_FIELDS.settlingTime] = settled ? (lastOut + 1) * sim.dt : NaN;
    out[o + SUMMARY_FIELDS.maxAbsX] = maxAbsX;
    out[o + SUMMARY_FIELDS.maxAbsU] = maxAbsU;
    out[o + SUMMARY_FIELDS.controlEnergy] = energy * sim.dt;
    out[o + SUMMARY_FIELDS.success] = ok && lastOut < firstChecked ? 1 : 0;
  }
  return out;
}

/**
 * The physics of a run: each nominal parameter times its multiplier.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig, PHYSICS_KEYS } from "../config/mod.ts";
 * import { scaledPhysics } from "./runs.ts";
 * const { physics } = loadConfig("config.yaml");
 * const heavier = scaledPhysics(physics, PHYSICS_KEYS.map((k) => (k === "cart_mass" ? 1.1 : 1)));
 * assert.ok(Math.abs(heavier.cart_mass - 1.65) < 1e-12);
 * ```
 *
 * @param physics Nominal physics.
 * @param scale Multipliers in PHYSICS_KEYS order.
 * @returns The scaled physics.
 */
export function scaledPhysics(physics: Readonly<PhysicsConfig>, scale: readonly number[]): PhysicsConfig {
  if (scale.length !== PHYSICS_KEYS.length) {
    throw new RangeError(`physicsScale: must hold ${PHYSICS_KEYS.length} multipliers, got ${scale.length}`);
  }
  const out: Record<string, number> = {};
  PHYSICS_KEYS.forEach((key, i) => (out[key] = physics[key] * scale[i]));
  return out as unknown as PhysicsConfig;
}

/**
 * Reads run `index` of a packed summary array.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unpackSummary } from "./runs.ts";
 * const s = unpackSummary(Float64Array.of(1, NaN, 0.2, 30, 12, 0), 0);
 * assert.deepEqual(s, { status: "fell", settlingTime: null, maxAbsX: 0.2, maxAbsU: 30, controlEnergy: 12, success: false });
 * ```
 *
 * @param packed Packed summaries.
 * @param index Run index.
 * @returns The summary.
 */
export function unpackSummary(packed: Float64Array, index: number): RunSummary {
  const o = index * SUMMARY_SIZE;
  const settling = packed[o + SUMMARY_FIELDS.settlingTime];
  return {
    status: RUN_STATUSES[packed[o + SUMMARY_FIELDS.status]],
    settlingTime: Number.isNaN(settling) ? null : settling,
    maxAbsX: packed[o + SUMMARY_FIELDS.maxAbsX],
    maxAbsU: packed[o + SUMMARY_FIELDS.maxAbsU],
    controlEnergy: packed[o + SUMMARY_FIELDS.controlEnergy],
    success: packed[o + SUMMARY_FIELDS.success] === 1,
  };
}
