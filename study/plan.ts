/**
 * The runs a study draws: Monte-Carlo specs from a space-filling sample and the basin grid's
 * starting points. Every random draw happens here, on the coordinating thread, from the seed, so the
 * specs — and therefore the results — are the same whatever runs them (docs/study.md#determinism).
 *
 * @module
 */
import { type Config, PHYSICS_KEYS } from "../config/mod.ts";
import type { DisturbanceSpec, ForceSpec } from "../plant/mod.ts";
import { basinAxis } from "./basin.ts";
import type { RunSpec } from "./runs.ts";
import { samplePoints, type SamplingMethod } from "./sampling.ts";

/** Options of {@linkcode monteCarloSpecs}. */
export interface MonteCarloPlan {
  readonly runs: number;
  readonly sampling: SamplingMethod;
  readonly seed: number;
  /** Half-width of the initial-angle draws around simulation.initial_state [rad]. */
  readonly initialAngle: number;
  /** The disturbance whose force amplitude each run scales, or null for none. */
  readonly disturbance: DisturbanceSpec | null;
  /** Range of the amplitude multiplier, [lo, hi]. */
  readonly amplitudeScale: readonly [number, number];
}

/** Number of sampled dimensions per Monte-Carlo run: every physics parameter, θ1, θ2, the amplitude. */
export const MONTE_CARLO_DIMENSIONS = PHYSICS_KEYS.length + 3;

/** Scales the amplitude-like field of a force (amplitude, or std for the random force). */
function scaleForce(force: ForceSpec, factor: number): ForceSpec {
  return force.kind === "random"
    ? { ...force, std: force.std * factor }
    : { ...force, amplitude: force.amplitude * factor };
}

/**
 * Draws the Monte-Carlo runs: each physics parameter uniformly within ±`physics_uncertainty.<key>`
 * of nominal, θ1 and θ2 of `simulation.initial_state` each within ±initialAngle, and the disturbance
 * amplitude multiplier within `amplitudeScale`, all from one Latin-hypercube or scrambled Sobol
 * sample of MONTE_CARLO_DIMENSIONS dimensions.
 *
 * @example 100 runs from the shipped config
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { monteCarloSpecs } from "./plan.ts";
 * const config = loadConfig("config.yaml");
 * const specs = monteCarloSpecs(config, { runs: 100, sampling: "lhs", seed: 1, initialAngle: 0.1, disturbance: null, amplitudeScale: [0, 1] });
 * assert.equal(specs.length, 100);
 * assert.ok(specs.every((s) => Math.abs(s.x0[1] - 0.05) <= 0.1));
 * ```
 *
 * @param config The configuration (nominal physics, uncertainty ranges, initial state).
 * @param plan Run count, sampler, seed, ranges.
 * @returns One spec per run.
 */
export function monteCarloSpecs(config: Config, plan: MonteCarloPlan): RunSpec[] {
  const dims = MONTE_CARLO_DIMENSIONS;
  const points = samplePoints(plan.sampling, plan.runs, dims, plan.seed);
  const [lo, hi] = plan.amplitudeScale;
  const x0 = config.simulation.initial_state;
  const specs: RunSpec[] = [];
  for (let r = 0; r < plan.runs; r++) {
    const u = (d: number) => 2 * points[r * dims + d] - 1; // in [-1, 1)
    const physicsScale = PHYSICS_KEYS.map((key, d) => 1 + config.physics_uncertainty[key] * u(d));
    const start = [...x0];
    start[1] += plan.initialAngle * u(PHYSICS_KEYS.length);
    start[2] += plan.initialAngle * u(PHYSICS_KEYS.length + 1);
    const factor = lo + (hi - lo) * points[r * dims + dims - 1];
    const d = plan.disturbance;
    const disturbance = d ? { ...d, ...(d.force ? { force: scaleForce(d.force, factor) } : {}) } : undefined;
    specs.push({ x0: start, physicsScale, ...(disturbance ? { disturbance } : {}) });
  }
  return specs;
}

/**
 * The basin grid's runs: from rest at x = 0 with θ1 = theta1[i], θ2 = theta2[j], nominal physics, no
 * disturbance, in row-major order (index i·n + j).
 *
 * @example A 3 × 3 grid
 * ```ts
 * import assert from "node:assert/strict";
 * import { basinSpecs } from "./plan.ts";
 * const { theta1, specs } = basinSpecs(0.4, 3);
 * assert.deepEqual(theta1, [-0.4, 0, 0.4]);
 * assert.deepEqual(specs[5].x0, [0, 0, 0.4, 0, 0, 0]);
 * ```
 *
 * @param range Half-width of both axes [rad].
 * @param n Points per axis.
 * @returns The axes and the specs.
 */
export function basinSpecs(
  range: number,
  n: number,
): { theta1: number[]; theta2: number[]; specs: RunSpec[] } {
  const theta1 = basinAxis(range, n), theta2 = basinAxis(range, n);
  const specs: RunSpec[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) specs.push({ x0: [0, theta1[i], theta2[j], 0, 0, 0] });
  }
  return { theta1, theta2, specs };
}
