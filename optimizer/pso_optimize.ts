/**
 * The {@linkcode optimize} driver: runs a {@linkcode ParticleSwarm} to the end on an objective,
 * per particle or by batch, racing each evaluation against the abort signal, optionally from a
 * saved state and with a snapshot after every iteration ({@linkcode OptimizeRun}).
 *
 * @module
 */
import { DEFAULT_PENALTY, type PSOOptions } from "./pso_options.ts";
import { ParticleSwarm, type PSOResult } from "./pso_swarm.ts";
import type { PSOState } from "./pso_state.ts";
import { isThenable } from "../gains/mod.ts";
import { describeValue as describe } from "./values.ts";

/** A per-particle objective: the cost of one position (a copy the engine reuses next iteration). */
export type ParticleObjective = (x: Float64Array) => number | Promise<number>;

/**
 * A batch objective: the costs of `count` positions stored row-major in `positions`
 * (`count × dims`), in the same order. `positions` is a fresh buffer, yours to keep or transfer.
 */
export interface BatchObjective {
  /**
   * Evaluates a batch; a throw (or rejection) rejects {@linkcode optimize}. `iteration` counts the
   * iterations completed before this batch (0 for the initial swarm, and it goes on counting after
   * a resume), so a batch sent elsewhere can be named the same way by an interrupted run and by the
   * run that resumes it; an objective that has no use for it ignores it.
   */
  batch(
    positions: Float64Array,
    count: number,
    dims: number,
    iteration: number,
  ): ArrayLike<number> | Promise<ArrayLike<number>>;
}

/**
 * Where {@linkcode optimize} starts and what it reports between iterations: the resume and
 * checkpoint hooks.
 */
export interface OptimizeRun {
  /**
   * Continue from this snapshot (from `ParticleSwarm.getState()` or a previous `onCheckpoint`,
   * JSON round trip included) instead of a new swarm; the options must agree with it (seed, swarm
   * size, bounds), and the run then reaches exactly the result of the uninterrupted run.
   */
  readonly resumeFrom?: PSOState;
  /**
   * Receives the swarm's snapshot after every completed iteration, the last one included; awaited
   * before the next iteration starts, so a snapshot on disk is never behind the swarm by more than
   * the batch in flight. A rejection rejects {@linkcode optimize}.
   */
  readonly onCheckpoint?: (state: PSOState) => void | Promise<void>;
}

/** What {@linkcode optimize} minimises. */
export type Objective = ParticleObjective | BatchObjective;

const ABANDONED = Symbol("abandoned");

function isBatchObjective(objective: unknown): objective is BatchObjective {
  return typeof objective === "object" && objective !== null &&
    typeof (objective as BatchObjective).batch === "function";
}

/** Resolves with `ABANDONED` as soon as `signal` aborts; the abandoned work's rejection is swallowed. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABANDONED> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
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
 * Minimises `objective` over the box `[lower, upper]` with a {@linkcode ParticleSwarm} and returns
 * the result.
 *
 * The objective is either a per-particle function `(x) => cost` (sync or async; all particles of an
 * iteration are started together and awaited together), or a batch objective
 * `{ batch(positions, count, dims) }` returning the `count` costs in order (how it computes them —
 * in any order, on any number of Workers — does not change the result). Per-particle failures are the
 * particle's problem: a throw, a rejection, a non-finite cost or a non-number becomes
 * `options.penalty` (default 1e10) and the run goes on. A batch failure is an infrastructure failure:
 * a throwing or rejecting batch objective, or one that returns the wrong number of costs, rejects
 * `optimize()` with that error. Infeasible particles (`isFeasible`) are not evaluated; a batch
 * receives only the feasible ones (`count` may be below `swarmSize`, and the batch is skipped when it
 * would be empty).
 *
 * @example Usage
 * ```ts
 * import { optimize } from "./pso_optimize.ts";
 * import assert from "node:assert/strict";
 *
 * const sphere = (x: Float64Array) => x.reduce((s, v) => s + v * v, 0);
 * const result = await optimize(sphere, { lower: [-5, -5, -5], upper: [5, 5, 5], seed: 1, maxIterations: 100 });
 * assert.ok(result.bestCost < 1e-8);
 * assert.equal(sphere(Float64Array.from(result.bestPosition)), result.bestCost);
 * ```
 *
 * @example Resuming from a checkpoint reaches the uninterrupted result
 * ```ts
 * import { optimize } from "./pso_optimize.ts";
 * import assert from "node:assert/strict";
 *
 * const options = { lower: [-3, -3], upper: [3, 3], swarmSize: 8, maxIterations: 20, seed: 4 };
 * const cost = (x: Float64Array) => (x[0] - 1) ** 2 + x[1] ** 2;
 * const states: string[] = [];
 * const whole = await optimize(cost, options, { onCheckpoint: (s) => void states.push(JSON.stringify(s)) });
 * assert.equal(states.length, 20);
 * const resumed = await optimize(cost, options, { resumeFrom: JSON.parse(states[6]) });
 * assert.deepStrictEqual(resumed.bestPosition, whole.bestPosition);
 * assert.deepStrictEqual(resumed.history, whole.history);
 * ```
 *
 * @example A batch objective
 * ```ts
 * import { optimize } from "./pso_optimize.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await optimize({
 *   batch(positions, count, dims) {
 *     const out = new Float64Array(count);
 *     for (let i = 0; i < count; i++) out[i] = (positions[i * dims] - 1) ** 2;
 *     return out;
 *   },
 * }, { lower: [-3], upper: [3], swarmSize: 10, maxIterations: 60 });
 * assert.ok(Math.abs(result.bestPosition[0] - 1) < 1e-3);
 * ```
 *
 * @param objective The function to minimise.
 * @param options The options; see {@linkcode PSOOptions}.
 * @param run A state to resume from and a checkpoint callback; see {@linkcode OptimizeRun}.
 * @returns The result.
 * @throws {TypeError | RangeError} (as a rejection) for bad options, a bad objective or a
 * `resumeFrom` state that does not fit the options; the batch objective's or `onCheckpoint`'s error
 * when it fails; `options.signal.reason` when the signal is aborted at the call or aborts before the
 * first iteration of a new run completes (a resumed run has a best to return: it ends "aborted").
 */
export async function optimize(
  objective: Objective,
  options: PSOOptions,
  run: OptimizeRun = {},
): Promise<PSOResult> {
  const batch = isBatchObjective(objective);
  if (!batch && typeof objective !== "function") {
    throw new TypeError(
      `objective: must be a function or an object with a batch() method, got ${describe(objective)}`,
    );
  }
  const swarm = run.resumeFrom === undefined
    ? new ParticleSwarm(options)
    : ParticleSwarm.fromState(run.resumeFrom, options);
  const signal = options.signal;
  signal?.throwIfAborted();
  const n = swarm.swarmSize, d = swarm.dims, penalty = options.penalty ?? DEFAULT_PENALTY;
  const costs = new Float64Array(n);
  // Per-particle objectives get copies, so one that writes into its argument cannot move the swarm.
  const scratch = new Float64Array(n * d);
  const rows = Array.from({ length: n }, (_, i) => scratch.subarray(i * d, (i + 1) * d));
  let lastYield = performance.now();

  while (!swarm.done) {
    if (signal?.aborted) {
      swarm.stop("aborted");
      break;
    }
    const iteration = swarm.iteration;
    const pos = swarm.ask();
    const feasible = swarm.feasible;
    let pending: Promise<unknown> | undefined;
    if (batch) {
      let m = 0;
      for (let i = 0; i < n; i++) m += feasible[i];
      if (m > 0) {
        const buffer = new Float64Array(m * d);
        for (let i = 0, r = 0; i < n; i++) {
          if (feasible[i] === 1) buffer.set(pos.subarray(i * d, (i + 1) * d), d * r++);
        }
        const out = objective.batch(buffer, m, d, iteration);
        if (isThenable(out)) {
          pending = Promise.resolve(out).then((values) => scatter(values, feasible, m, costs));
        } else scatter(out, feasible, m, costs);
      }
    } else {
      scratch.set(pos);
      let waits: Promise<void>[] | undefined;
      for (let i = 0; i < n; i++) {
        if (feasible[i] === 0) continue;
        let value: unknown;
        try {
          value = objective(rows[i]);
        } catch {
          costs[i] = penalty;
          continue;
        }
        if (isThenable(value)) {
          (waits ??= []).push(
            Promise.resolve(value).then(
              (c) => void (costs[i] = typeof c === "number" ? c : NaN),
              () => void (costs[i] = penalty),
            ),
          );
        } else costs[i] = typeof value === "number" ? value : NaN;
      }
      if (waits) pending = Promise.all(waits);
    }
    if (pending) {
      if (await raceAbort(pending, signal) === ABANDONED) {
        if (swarm.iteration === 0) throw signal!.reason;
        swarm.stop("aborted");
        break;
      }
    }
    swarm.tell(costs);
    if (run.onCheckpoint) await run.onCheckpoint(swarm.getState());
    // A synchronous objective never yields to the event loop, so an abort scheduled by a timer could
    // not fire: give timers a turn now and then when there is a signal to listen to.
    if (signal && !swarm.done && performance.now() - lastYield > 10) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
  return swarm.result();
}

function scatter(values: unknown, feasible: Uint8Array, m: number, costs: Float64Array): void {
  if (
    typeof values !== "object" || values === null || typeof (values as ArrayLike<number>).length !== "number"
  ) {
    throw new TypeError(`batch objective: must return an array of costs, got ${describe(values)}`);
  }
  const list = values as ArrayLike<unknown>;
  if (list.length !== m) {
    throw new RangeError(`batch objective: must return one cost per position (${m}), got ${list.length}`);
  }
  for (let i = 0, r = 0; i < feasible.length; i++) {
    if (feasible[i] === 1) {
      const c = list[r++];
      costs[i] = typeof c === "number" ? c : NaN;
    }
  }
}
