/**
 * Where a run's samples live in the simulation buffers, and how large a run may be.
 *
 * A batch stores particle `p`'s state sample `k` at `stateOffset(steps, p, k)` of one flat,
 * row-major `Float64Array`, each particle owning `trajectoryLength(steps)` doubles. Buffers that
 * large must be asked for up front: a run past {@linkcode MAX_TRAJECTORY_SAMPLES} samples, or a
 * batch past {@linkcode MAX_BATCH_SAMPLES}, is refused with a {@linkcode SimulationSizeError} before
 * anything is allocated, instead of dying in the allocator.
 *
 * @module
 */
import { CONFIG_LIMITS } from "../config/mod.ts";
import { STATE_SIZE } from "./model.ts";

/**
 * The largest number of state samples (steps + 1) one trajectory may have: 10⁶ samples, 48 MB of
 * states, which is 10⁴ s at the shipped dt of 0.01 s. It is the configuration's own limit
 * (`CONFIG_LIMITS.maxSimulationSamples`), so a config that loads never asks for a refused run.
 *
 * @example Usage
 * ```ts
 * import { MAX_TRAJECTORY_SAMPLES } from "./layout.ts";
 * console.log(MAX_TRAJECTORY_SAMPLES); // 1000000
 * ```
 */
export const MAX_TRAJECTORY_SAMPLES: number = CONFIG_LIMITS.maxSimulationSamples;

/**
 * The largest number of state samples one batch may hold over all its particles: 4·10⁶ samples, that
 * is 192 MB of states plus 64 MB of controls and σ (and 32 MB of disturbance force when one is
 * applied). A 41 × 41 grid of 10 s runs at dt 0.01 s (1.7·10⁶ samples) fits. It is the
 * configuration's own limit (`CONFIG_LIMITS.maxBatchSamples`), which `physics_uncertainty.n_evals`
 * is checked against when a config loads, so the tuner's scenario batch of a config that loads fits.
 *
 * @example Usage
 * ```ts
 * import { MAX_BATCH_SAMPLES } from "./layout.ts";
 * console.log(MAX_BATCH_SAMPLES); // 4000000
 * ```
 */
export const MAX_BATCH_SAMPLES: number = CONFIG_LIMITS.maxBatchSamples;

/** Bytes of one double. */
const DOUBLE = 8;

/**
 * Number of doubles one particle's states take in a batch: `(steps + 1)·STATE_SIZE`.
 *
 * @example Usage
 * ```ts
 * import { trajectoryLength } from "./layout.ts";
 * console.log(trajectoryLength(1000)); // 6006
 * ```
 *
 * @param steps Steps per run.
 * @returns The stride between two particles' state rows.
 */
export function trajectoryLength(steps: number): number {
  return (steps + 1) * STATE_SIZE;
}

/**
 * Index of particle `particle`'s state sample `sample` in a batch of runs of `steps` steps:
 * `particle·trajectoryLength(steps) + sample·STATE_SIZE`.
 *
 * @example Usage
 * ```ts
 * import { stateOffset } from "./layout.ts";
 * console.log(stateOffset(1000, 2, 10)); // 2·6006 + 60 = 12072
 * ```
 *
 * @param steps Steps per run.
 * @param particle Particle index.
 * @param sample Sample index, 0 … steps (default 0, the particle's first row).
 * @returns The offset of `[x, θ1, θ2, ẋ, θ̇1, θ̇2]` of that sample.
 */
export function stateOffset(steps: number, particle: number, sample = 0): number {
  return particle * trajectoryLength(steps) + sample * STATE_SIZE;
}

/**
 * Bytes of the buffers a batch of `count` runs of `steps` steps needs: states, controls and σ.
 *
 * @example Usage
 * ```ts
 * import { batchBytes } from "./layout.ts";
 * console.log(batchBytes(1, 1000)); // (6006 + 2000)·8 = 64048
 * ```
 *
 * @param count Number of runs.
 * @param steps Steps per run.
 * @returns The size in bytes.
 */
export function batchBytes(count: number, steps: number): number {
  return count * (trajectoryLength(steps) + 2 * steps) * DOUBLE;
}

/**
 * Thrown when a run or a batch would need buffers beyond {@linkcode MAX_TRAJECTORY_SAMPLES} or
 * {@linkcode MAX_BATCH_SAMPLES} (or the allocator refuses them). It names the input that makes it too
 * big (`duration / dt`, `steps`, or what the batch is made of: `particles`, `scenarios`,
 * `robustness runs`), the samples and bytes asked for and the limit.
 *
 * @example Usage
 * ```ts
 * import { checkRunSize, SimulationSizeError } from "./layout.ts";
 * try {
 *   checkRunSize(1, 1e9, "duration / dt");
 * } catch (error) {
 *   if (error instanceof SimulationSizeError) console.log(error.field, error.samples, error.limit);
 * }
 * ```
 */
export class SimulationSizeError extends RangeError {
  /** The input that makes the request too big. */
  readonly field: string;
  /** State samples asked for (over the whole batch when the batch limit was hit). */
  readonly samples: number;
  /** Bytes of buffers asked for. */
  readonly bytes: number;
  /** The limit in samples that was exceeded. */
  readonly limit: number;

  /**
   * Builds the error and its message.
   *
   * @param field The offending input, e.g. `duration / dt`.
   * @param detail What was asked for, in the input's own terms (`1e7 s / 0.01 s = 1000000000 steps`).
   * @param samples State samples asked for.
   * @param bytes Bytes asked for.
   * @param limit The limit in samples.
   * @param scope What the limit applies to (`per trajectory`, `per batch`).
   * @param refusal The allocator's message when it refused a request within the limits.
   */
  constructor(
    field: string,
    detail: string,
    samples: number,
    bytes: number,
    limit: number,
    scope: string,
    refusal?: string,
  ) {
    const asked = `${field}: ${detail} needs ${samples} state samples (${bytes} bytes of buffers)`;
    super(
      refusal === undefined
        ? `${asked}, more than the limit of ${limit} samples ${scope}`
        : `${asked}, which the allocator refused (${refusal})`,
    );
    this.name = "SimulationSizeError";
    this.field = field;
    this.samples = samples;
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * Refuses, with a {@linkcode SimulationSizeError}, a batch of `count` runs of `steps` steps whose
 * buffers exceed the limits: more than {@linkcode MAX_TRAJECTORY_SAMPLES} samples per run (blamed on
 * `field`, the input that set the step count) or more than {@linkcode MAX_BATCH_SAMPLES} in all
 * (blamed on `runs`, what the batch is made of).
 *
 * @example Usage
 * ```ts
 * import { checkRunSize } from "./layout.ts";
 * import assert from "node:assert/strict";
 * checkRunSize(40, 1000); // fine
 * assert.throws(() => checkRunSize(1, 2e6, "duration / dt"), /duration \/ dt: .*limit of 1000000 samples per trajectory/);
 * assert.throws(
 *   () => checkRunSize(5000, 1000, "steps", "1000 steps", "scenarios"),
 *   /^SimulationSizeError: scenarios: 5000 scenarios × 1001 samples needs 5005000 state samples .* per batch$/,
 * );
 * ```
 *
 * @param count Number of runs.
 * @param steps Steps per run.
 * @param field The input that set `steps` (default `steps`).
 * @param detail How that input reads (default `${steps} steps`).
 * @param runs What the runs of the batch are, plural (default `particles`; `scenarios` for the
 * tuner's robust cost): the batch limit's error is blamed on it.
 */
export function checkRunSize(
  count: number,
  steps: number,
  field = "steps",
  detail = `${steps} steps`,
  runs = "particles",
): void {
  const samples = steps + 1;
  if (samples > MAX_TRAJECTORY_SAMPLES) {
    throw new SimulationSizeError(
      field,
      detail,
      samples,
      batchBytes(1, steps),
      MAX_TRAJECTORY_SAMPLES,
      "per trajectory",
    );
  }
  if (count * samples > MAX_BATCH_SAMPLES) {
    throw new SimulationSizeError(
      runs,
      `${count} ${runs} × ${samples} samples`,
      count * samples,
      batchBytes(count, steps),
      MAX_BATCH_SAMPLES,
      "per batch",
    );
  }
}
