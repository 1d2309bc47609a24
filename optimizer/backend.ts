/**
 * Evaluation back ends: where the tuner sends each iteration's batch of gain vectors when it does
 * not use its own Worker pool (for example a NATS JetStream cluster, see docs/distributed.md), and
 * the swarm driver that runs a tuning on one, with a checkpoint after every completed iteration.
 *
 * The swarm, the PRNG and every random draw stay in this process; a back end only maps positions
 * to costs, in order. So a seed gives the same result on any back end that computes the same cost.
 *
 * @module
 */
import type { EvaluationSetup } from "./evaluate.ts";
import type { FitnessReference } from "./fitness.ts";
import { ParticleSwarm, type PSOOptions, type PSOResult, type PSOState } from "./pso.ts";
import type { ControllerSource } from "../factory/mod.ts";

/** What a back end is told about the run before its first batch. */
export interface EvaluationContext {
  /** The run's evaluation setup (config, controller type, scenarios, penalty). */
  readonly setup: EvaluationSetup;
  /** The PSO seed (the scenarios were derived from it). */
  readonly seed: number;
  /** A custom fitness to evaluate instead of the control cost. */
  readonly fitness?: FitnessReference;
  /** Where a custom (non-built-in) controller type comes from. */
  readonly controllerSource?: ControllerSource & {
    readonly gainNames: readonly string[];
    readonly defaultGains: readonly number[];
  };
}

/**
 * Computes the costs of batches of gain vectors somewhere else than the tuner's Worker pool.
 *
 * `evaluate` returns one cost per row of `positions` (row-major `count × dims`), in row order; a
 * rejection ends the run with that error (it is an infrastructure failure, not a bad particle). A
 * non-finite cost becomes the engine's penalty, as on the Worker pool.
 */
export interface EvaluationBackend {
  /** Called once by the tuner before the first batch. */
  prepare?(context: EvaluationContext): Promise<void>;
  /**
   * The costs of `count` gain vectors; `iteration` counts completed iterations (0 for the initial
   * swarm), so a back end can name the batch.
   */
  evaluate(positions: Float64Array, count: number, dims: number, iteration: number): Promise<Float64Array>;
  /** Custom-fitness evaluations that threw, when the back end counts them. */
  failures?(): { readonly count: number; readonly first?: string };
  /** Releases the back end. The tuner does not call it: the back end is its creator's. */
  close(): Promise<void>;
}

/** Resume and checkpoint options of {@linkcode optimizeOnBackend}. */
export interface BackendRunOptions {
  /** Continue from this snapshot (from `ParticleSwarm.getState()`) instead of a new swarm. */
  readonly resumeFrom?: PSOState;
  /** Receives the swarm's snapshot after every completed iteration; awaited before the next one. */
  readonly onCheckpoint?: (state: PSOState) => void | Promise<void>;
}

const ABANDONED = Symbol("abandoned");

function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABANDONED> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {}); // abandoned on purpose: the run ends "aborted" with the best so far
      resolve(ABANDONED);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs a particle swarm whose batches a back end evaluates, exactly as `optimize()` runs a batch
 * objective (same feasibility filter, same order, same abort rule), so the result is bit-identical
 * to a Worker-pool run of the same seed. After every completed iteration the swarm's snapshot goes
 * to `onCheckpoint`; a run restarted with `resumeFrom` set to the last snapshot reaches the same
 * result as the uninterrupted run.
 *
 * @example Usage
 * ```ts
 * import { optimizeOnBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * const backend = {
 *   evaluate: (x: Float64Array, count: number, dims: number) =>
 *     Promise.resolve(Float64Array.from({ length: count }, (_, i) => (x[i * dims] - 1) ** 2)),
 *   close: () => Promise.resolve(),
 * };
 * const states: unknown[] = [];
 * const result = await optimizeOnBackend(backend, { lower: [-3], upper: [3], swarmSize: 8, maxIterations: 40 }, {
 *   onCheckpoint: (state) => void states.push(state),
 * });
 * assert.equal(states.length, 40);
 * assert.ok(Math.abs(result.bestPosition[0] - 1) < 1e-2);
 * ```
 *
 * @param backend The back end.
 * @param options The engine options.
 * @param run Resume and checkpoint options.
 * @returns The result.
 * @throws The back end's error when a batch fails; `TypeError` / `RangeError` for a batch of the
 * wrong length or a snapshot that does not fit the options; `options.signal.reason` when the signal
 * aborts before the first iteration completes.
 */
export async function optimizeOnBackend(
  backend: EvaluationBackend,
  options: PSOOptions,
  run: BackendRunOptions = {},
): Promise<PSOResult> {
  const swarm = run.resumeFrom
    ? ParticleSwarm.fromState(run.resumeFrom, options)
    : new ParticleSwarm(options);
  const signal = options.signal;
  signal?.throwIfAborted();
  const n = swarm.swarmSize, d = swarm.dims;
  const costs = new Float64Array(n);
  while (!swarm.done) {
    if (signal?.aborted) {
      swarm.stop("aborted");
      break;
    }
    const iteration = swarm.iteration;
    const pos = swarm.ask();
    const feasible = swarm.feasible;
    let m = 0;
    for (let i = 0; i < n; i++) m += feasible[i];
    if (m > 0) {
      const buffer = new Float64Array(m * d);
      for (let i = 0, r = 0; i < n; i++) {
        if (feasible[i] === 1) buffer.set(pos.subarray(i * d, (i + 1) * d), d * r++);
      }
      const values = await raceAbort(backend.evaluate(buffer, m, d, iteration), signal);
      if (values === ABANDONED) {
        if (swarm.iteration === 0) throw signal!.reason;
        swarm.stop("aborted");
        break;
      }
      if (!(values instanceof Float64Array) || values.length !== m) {
        throw new RangeError(
          `evaluation backend: must return a Float64Array of one cost per position (${m}), got ${
            values instanceof Float64Array ? `length ${values.length}` : typeof values
          }`,
        );
      }
      for (let i = 0, r = 0; i < n; i++) if (feasible[i] === 1) costs[i] = values[r++];
    } else if (signal) {
      // Nothing awaited this iteration: give an abort timer its turn.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    swarm.tell(costs);
    if (run.onCheckpoint) await run.onCheckpoint(swarm.getState());
  }
  return swarm.result();
}
