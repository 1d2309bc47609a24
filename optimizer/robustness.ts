/**
 * The robustness check of docs/acceptance.md#robustness: with fixed gains, runs with physics drawn within the
 * configured uncertainty and runs with the initial angles perturbed; a run passes when the pendulum never
 * falls and stays inside the angle band over the final window.
 *
 * @module
 */
import type { Config, PhysicsConfig } from "../config/mod.ts";
import { PHYSICS_KEYS } from "../config/mod.ts";
import { createController, ensureConfig } from "../factory/mod.ts";
import {
  type BatchParticle,
  checkRunSize,
  createPlant,
  runSettings,
  simulateBatch,
  STATE_SIZE,
  STATUS_OK,
  stepCount,
} from "../plant/mod.ts";
import { BATCH_DOUBLES_FORMULA, batchDoubles, stateOffset } from "./batch_layout.ts";
import { checkBufferSize } from "./limits.ts";
import { Prng } from "../random/mod.ts";

/** Options of {@linkcode robustnessCheck}. */
export interface RobustnessOptions {
  readonly config: Config | Record<string, unknown>;
  readonly controllerType: string;
  readonly gains: readonly number[];
  /** Runs per kind (physics draws, initial-angle draws); default 100. */
  readonly runs?: number;
  /** Seed of the draws; keep it apart from the tuning seed so the check is out-of-sample. */
  readonly seed?: number;
  /** Angle band [rad]; default 0.02. */
  readonly band?: number;
  /** Final window [s] over which the band must hold; default 2. */
  readonly window?: number;
  /** Half-width of the initial-angle draws [rad]; default `uncertainty.initial_angle`. */
  readonly initialAngle?: number;
}

/** Pass counts of one kind of draw. */
export interface RobustnessPart {
  readonly passed: number;
  readonly total: number;
  readonly failed: number;
}

/** Result of {@linkcode robustnessCheck}. */
export interface RobustnessResult {
  readonly physics: RobustnessPart;
  readonly initialAngles: RobustnessPart;
  /** Passed over total, both kinds together, in [0, 1]. */
  readonly passRate: number;
}

/**
 * Runs the robustness check (defaults: 100 physics draws within `physics_uncertainty` from the
 * nominal initial state, and 100 nominal-physics runs with θ1, θ2 perturbed by ±0.1 rad; pass = no
 * fall and |θ1|, |θ2| < 0.02 rad over the last 2 s).
 *
 * @example Usage
 * ```ts ignore
 * const r = robustnessCheck({ config, controllerType: "sta_smc", gains, runs: 100 });
 * console.log(r.passRate);
 * ```
 *
 * @param options Gains, config, counts, seed.
 * @returns Pass counts per kind and overall.
 * @throws {SimulationSizeError} When `runs` trajectories do not fit one batch (`runs` × samples
 * per run more than `CONFIG_LIMITS.maxBatchSamples`: at most 3996 runs of 1001 samples), before
 * anything is simulated.
 * @throws {RequestTooLargeError} When a batch of `runs` trajectories would exceed the buffer limit.
 */
export function robustnessCheck(options: RobustnessOptions): RobustnessResult {
  const config = ensureConfig(options.config);
  const runs = options.runs ?? 100;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs: must be an integer ≥ 1, got ${runs}`);
  const band = options.band ?? 0.02, window = options.window ?? 2;
  const angle = options.initialAngle ?? config.uncertainty.initial_angle;
  const rng = Prng.derive(options.seed ?? 20261124, "robustness");
  const sim = config.simulation;
  const steps = stepCount(sim.duration, sim.dt);
  // Each kind of draw is one batch of `runs` trajectories, simulated in full: refused here, before
  // any plant or controller is built, rather than by the batch kernel after the first kind ran.
  checkRunSize(
    runs,
    steps,
    "simulation.duration / simulation.dt",
    `${sim.duration} s / ${sim.dt} s = ${steps} steps`,
    "robustness runs",
  );
  checkBufferSize(
    "robustness buffers",
    `runs × ${BATCH_DOUBLES_FORMULA} = ${runs} × ${batchDoubles(1, steps)} doubles`,
    batchDoubles(runs, steps),
    `steps = simulation.duration / simulation.dt = ${steps}; lower runs or simulation.duration`,
  );
  const ctrl = createController(options.controllerType, { config, gains: options.gains });
  const nominal = createPlant(config.physics, { model: sim.plant_model });
  const physicsParticles: BatchParticle[] = [], angleParticles: BatchParticle[] = [];
  for (let i = 0; i < runs; i++) {
    const physics: Record<string, number> = {};
    for (const key of PHYSICS_KEYS) {
      physics[key] = config.physics[key] * (1 + config.physics_uncertainty[key] * (2 * rng.next() - 1));
    }
    physicsParticles.push({
      plant: createPlant(physics as unknown as PhysicsConfig, { model: sim.plant_model }),
      kernel: ctrl.kernel,
      x0: sim.initial_state,
    });
  }
  for (let i = 0; i < runs; i++) {
    const x0 = [...sim.initial_state];
    x0[1] += angle * (2 * rng.next() - 1);
    x0[2] += angle * (2 * rng.next() - 1);
    angleParticles.push({ plant: nominal, kernel: ctrl.kernel, x0 });
  }
  const firstChecked = Math.max(0, steps - Math.round(window / sim.dt));
  const score = (particles: typeof physicsParticles): RobustnessPart => {
    const ws = simulateBatch({ ...runSettings(sim), particles, steps, particlesName: "robustness runs" });
    let passed = 0, failed = 0;
    for (let p = 0; p < particles.length; p++) {
      if (ws.status[p] !== STATUS_OK) {
        failed++;
        continue;
      }
      let inside = true;
      const base = stateOffset(p, steps);
      for (let k = firstChecked; k <= steps && inside; k++) {
        const o = base + k * STATE_SIZE;
        inside = Math.abs(ws.x[o + 1]) < band && Math.abs(ws.x[o + 2]) < band;
      }
      if (inside) passed++;
    }
    return { passed, total: particles.length, failed };
  };
  const physics = score(physicsParticles);
  const initialAngles = score(angleParticles);
  return { physics, initialAngles, passRate: (physics.passed + initialAngles.passed) / (2 * runs) };
}
