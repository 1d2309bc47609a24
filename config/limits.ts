/**
 * Resource limits of the configuration: the largest requests the tools accept. Past them a run
 * would sit silent for minutes or die allocating buffers; the config rejects them up front with a
 * message naming the field and the limit (see docs/configuration.md, "Limits").
 *
 * @module
 */

/**
 * The limits the schema enforces, for tasks and the plant to reuse (a CLI flag that overrides a
 * config value checks the same bound).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONFIG_LIMITS, simulationSamples } from "./mod.ts";
 * assert.ok(simulationSamples(10, 0.01) <= CONFIG_LIMITS.maxSimulationSamples);
 * assert.equal(CONFIG_LIMITS.maxParticles, 10_000);
 * ```
 */
export const CONFIG_LIMITS = Object.freeze({
  /** `pso.n_particles`: at most this many particles in a swarm. */
  maxParticles: 10_000,
  /** `pso.iters`: at most this many PSO iterations. */
  maxIterations: 100_000,
  /** `physics_uncertainty.n_evals`: at most this many physics scenarios per particle. */
  maxScenarioEvaluations: 10_000,
  /** Samples of one simulated run, `round(duration / dt) + 1`: at most this many. */
  maxSimulationSamples: 1_000_000,
  /**
   * State samples one batch simulation may hold over all its runs (runs × samples per run): 192 MB
   * of states plus 64 MB of controls and σ. The tuner simulates its `physics_uncertainty.n_evals`
   * scenarios, the robustness check its runs, in one batch each.
   */
  maxBatchSamples: 4_000_000,
  /** Newtons: the largest `max_force` and disturbance force (amplitude or std) a config may ask for. */
  maxForce: 1_000_000,
  /** `study.monte_carlo.runs`: at most this many Monte Carlo runs. */
  maxMonteCarloRuns: 1_000_000,
  /** `study.basin.grid`: points per axis of the basin-of-attraction grid, at least this many. */
  minBasinGrid: 2,
  /** `study.basin.grid`: at most this many points per axis (401² ≈ 160 000 runs). */
  maxBasinGrid: 401,
  /** `study.basin.range`: the grid spans ±range rad for θ1 and θ2, at most π/2. */
  maxBasinRange: Math.PI / 2,
});

/**
 * The most runs of `samples` state samples each that one batch may hold:
 * `floor(CONFIG_LIMITS.maxBatchSamples / samples)` (3996 runs of 1001 samples).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxRunsPerBatch } from "./mod.ts";
 * assert.equal(maxRunsPerBatch(1001), 3996);
 * ```
 *
 * @param samples State samples of one run, `round(duration / dt) + 1`.
 * @returns The largest run count that fits, at least 4 for any run within `maxSimulationSamples`.
 */
export function maxRunsPerBatch(samples: number): number {
  return Math.floor(CONFIG_LIMITS.maxBatchSamples / samples);
}

/**
 * The message for a batch of `count` runs of `samples` samples that holds more than
 * {@linkcode CONFIG_LIMITS}`.maxBatchSamples`, or undefined when it fits: what the batch is made
 * of, the product, the limit and the most runs that fit.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchSizeProblem } from "./mod.ts";
 * assert.equal(batchSizeProblem(3996, 1001, "scenarios"), undefined);
 * assert.equal(
 *   batchSizeProblem(5000, 1001, "scenarios"),
 *   "5000 scenarios × 1001 samples per run = 5005000 state samples, more than the 4000000 one batch may hold (at most 3996 scenarios of 1001 samples)",
 * );
 * ```
 *
 * @param count Runs in the batch.
 * @param samples State samples per run.
 * @param runs What the runs are, plural (`scenarios`, `robustness runs`).
 * @param samplesOrigin Where the samples per run come from, shown after them in parentheses.
 * @returns The problem, or undefined.
 */
export function batchSizeProblem(
  count: number,
  samples: number,
  runs: string,
  samplesOrigin?: string,
): string | undefined {
  const limit = CONFIG_LIMITS.maxBatchSamples;
  if (count * samples <= limit) return undefined;
  const perRun = samplesOrigin === undefined ? "per run" : `per run (${samplesOrigin})`;
  return `${count} ${runs} × ${samples} samples ${perRun} = ${count * samples} state samples, more than ` +
    `the ${limit} one batch may hold (at most ${maxRunsPerBatch(samples)} ${runs} of ${samples} samples)`;
}

/** Why a force is limited, for the messages of `max_force`, amplitudes and std. */
export const FORCE_LIMIT_REASON = "the largest force in N the tools simulate";

/** Bytes of state buffer per sample: six float64 state entries. */
const BYTES_PER_SAMPLE = 6 * Float64Array.BYTES_PER_ELEMENT;

/**
 * Number of samples of a run of `duration` seconds at step `dt`, initial state included:
 * `round(duration / dt) + 1` (10 s at 0.01 s is 1001).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulationSamples } from "./mod.ts";
 * assert.equal(simulationSamples(10, 0.01), 1001);
 * ```
 *
 * @param duration Horizon [s].
 * @param dt Step [s].
 * @returns The sample count.
 */
export function simulationSamples(duration: number, dt: number): number {
  return Math.round(duration / dt) + 1;
}

/**
 * The message for a simulation longer than {@linkcode CONFIG_LIMITS}`.maxSimulationSamples`, or
 * undefined when it fits: what was asked, what it would cost, what is allowed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulationLengthProblem } from "./limits.ts";
 * assert.equal(simulationLengthProblem(10, 0.01), undefined);
 * assert.match(simulationLengthProblem(1e7, 0.01) ?? "", /asks for 1000000001 samples \(≈ 48 GB/);
 * ```
 *
 * @param duration Horizon [s].
 * @param dt Step [s].
 * @returns The problem, or undefined.
 */
export function simulationLengthProblem(duration: number, dt: number): string | undefined {
  const samples = simulationSamples(duration, dt);
  const limit = CONFIG_LIMITS.maxSimulationSamples;
  if (samples <= limit) return undefined;
  // A dt near the smallest double makes duration/dt overflow to Infinity: say so, not "Infinity".
  const asked = Number.isFinite(samples)
    ? `${samples} samples (≈ ${formatBytes(samples * BYTES_PER_SAMPLE)} of state buffers)`
    : "more samples than a number can count (duration/dt overflows)";
  return `${duration} s at dt ${dt} asks for ${asked}; at most ${limit} samples (duration/dt) are allowed`;
}

function formatBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
  let i = 0;
  while (bytes >= 1000 && i < units.length - 1) {
    bytes /= 1000;
    i++;
  }
  return `${Number(bytes.toPrecision(2))} ${units[i]}`;
}
