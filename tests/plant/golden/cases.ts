/**
 * The runs whose undisturbed trajectories are stored in undisturbed.json: the four controllers on
 * the full model, the simplified model with Euler, a falling start, an off-track run and a batch of
 * particles with different physics. generate.ts writes the file; golden_test.ts (beside the other
 * plant tests) replays the cases and compares bit for bit.
 */
import {
  type BatchWorkspace,
  createPlant,
  simulate,
  simulateBatch,
  type Trajectory,
} from "../../../plant/mod.ts";
import { createController, DEFAULT_PHYSICS } from "../../../factory/mod.ts";
import type { ControllerType, Integrator, PlantModel } from "../../../config/mod.ts";
import { NOMINAL_TABLE_GAINS } from "../../fixtures/robust_gains.ts";

/**
 * The gains of every golden run: the registry defaults when undisturbed.json was generated (the
 * nominal table). Passed explicitly, so the golden stays a statement about the plant and the
 * simulation loop, not about whichever gains the registry ships now.
 */
export const GOLDEN_GAINS: Readonly<Record<string, readonly number[]>> = NOMINAL_TABLE_GAINS;

/** One single-run golden case. */
export interface GoldenCase {
  readonly name: string;
  readonly controller: ControllerType;
  readonly model: PlantModel;
  readonly integrator: Integrator;
  readonly x0: readonly number[];
  readonly dt: number;
  readonly duration: number;
  readonly trackLimit?: number;
}

const X0 = [0, 0.05, -0.03, 0, 0, 0];

/** The single-run cases. */
export const GOLDEN_CASES: readonly GoldenCase[] = [
  {
    name: "classical_full_rk4",
    controller: "classical_smc",
    model: "full",
    integrator: "rk4",
    x0: X0,
    dt: 0.01,
    duration: 10,
  },
  {
    name: "sta_full_rk4",
    controller: "sta_smc",
    model: "full",
    integrator: "rk4",
    x0: X0,
    dt: 0.01,
    duration: 10,
  },
  {
    name: "adaptive_full_rk4",
    controller: "adaptive_smc",
    model: "full",
    integrator: "rk4",
    x0: X0,
    dt: 0.01,
    duration: 10,
  },
  {
    name: "hybrid_full_rk4",
    controller: "hybrid_adaptive_sta_smc",
    model: "full",
    integrator: "rk4",
    x0: X0,
    dt: 0.01,
    duration: 10,
  },
  {
    name: "classical_simplified_euler",
    controller: "classical_smc",
    model: "simplified",
    integrator: "euler",
    x0: X0,
    dt: 0.005,
    duration: 5,
  },
  {
    name: "classical_falls",
    controller: "classical_smc",
    model: "full",
    integrator: "rk4",
    x0: [0, 1.2, -1.0, 0, 0, 0],
    dt: 0.01,
    duration: 10,
  },
  {
    name: "sta_off_track",
    controller: "sta_smc",
    model: "full",
    integrator: "rk4",
    x0: [0, 0.2, -0.1, 0, 0, 0],
    dt: 0.01,
    duration: 10,
    trackLimit: 0.05,
  },
];

/** Runs one case through simulate(), with `extra` options merged in (e.g. a zero disturbance). */
export function runCase(c: GoldenCase, extra: Record<string, unknown> = {}): Trajectory {
  return simulate({
    plant: createPlant(DEFAULT_PHYSICS, { model: c.model }),
    controller: createController(c.controller, { dt: c.dt, gains: GOLDEN_GAINS[c.controller] }),
    x0: c.x0,
    dt: c.dt,
    duration: c.duration,
    integrator: c.integrator,
    trackLimit: c.trackLimit ?? null,
    ...extra,
  });
}

/** The batch case: three particles with scaled physics and different controllers, 600 steps. */
export function runBatchCase(extra: Record<string, unknown> = {}): BatchWorkspace {
  const types: ControllerType[] = ["classical_smc", "sta_smc", "adaptive_smc"];
  const particles = types.map((type, i) => ({
    plant: createPlant({ ...DEFAULT_PHYSICS, cart_mass: DEFAULT_PHYSICS.cart_mass * (1 + 0.05 * i) }),
    kernel: createController(type, { dt: 0.01, gains: GOLDEN_GAINS[type] }).kernel,
    x0: [0, 0.05 + 0.02 * i, -0.03, 0, 0, 0],
  }));
  return simulateBatch({ particles, dt: 0.01, steps: 600, ...extra });
}

/** SHA-256 of a Float64Array's bytes, hex. */
export async function digest(a: Float64Array): Promise<string> {
  // A copy owns a plain ArrayBuffer (subtle.digest does not take views of shared memory).
  const bytes = new Uint8Array(a.slice().buffer);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** How many leading state samples and controls the golden file keeps in decimal, for readable diffs. */
export const DECIMAL_SAMPLES = 101;
