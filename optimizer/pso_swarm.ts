/**
 * The particle swarm itself, driven step by step: {@linkcode ParticleSwarm} (ask/tell), its result
 * types, and the move with its random draws. Options live in `pso_options.ts`, the saved state in
 * `pso_state.ts`, the {@linkcode optimize} driver in `pso_optimize.ts`.
 *
 * Determinism: every random draw happens on the calling thread, in the fixed order that
 * `pso_dynamics.ts` documents, and never inside an evaluation, so a run is bit-identical for a given
 * seed however its evaluations are computed.
 *
 * @module
 */
import { Prng } from "../random/mod.ts";
import {
  poliWarning,
  type PSOExitReason,
  type PSOOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./pso_options.ts";
import { checkRestorable, encodeState, type PSOState, restoreState, type SwarmBuffers } from "./pso_state.ts";
import { describeValue as describe } from "./values.ts";
import { initialiseSwarm, moveSwarm, type SwarmMotion } from "./pso_dynamics.ts";
import type { PSOHistory } from "./pso_types.ts";

/** The outcome of a run. */
export interface PSOResult {
  /** The best position found. */
  readonly bestPosition: number[];
  /**
   * The cost the objective returned for exactly `bestPosition` (so f(bestPosition) === bestCost),
   * unless every evaluation failed, in which case it is the penalty.
   */
  readonly bestCost: number;
  /** Iterations completed. */
  readonly iterations: number;
  /** Objective evaluations (infeasible particles are not evaluated and not counted). */
  readonly evaluations: number;
  /** Why the run ended. */
  readonly exitReason: PSOExitReason;
  /** Per-iteration history. */
  readonly history: PSOHistory;
  /** The last evaluated swarm and its costs (penalties included). */
  readonly finalSwarm: { readonly positions: number[][]; readonly costs: number[] };
  /** The seed of the run. */
  readonly seed: number;
}

/**
 * The key under which `ParticleSwarm.fromState()` hands its state to the constructor, inside the
 * options object it builds. The symbol never leaves this module, so no caller can forge a restore,
 * and the public constructor stays `new ParticleSwarm(options)`; unlike a module-level variable set
 * around the constructor call, it cannot leak into another construction.
 */
const RESTORE: unique symbol = Symbol("ParticleSwarm.restore");

/** The options `fromState()` builds: the caller's, plus the state under {@linkcode RESTORE}. */
interface RestoringOptions extends PSOOptions {
  readonly [RESTORE]: PSOState;
}

function stateToRestore(options: PSOOptions): PSOState | undefined {
  return typeof options === "object" && options !== null
    ? (options as Partial<RestoringOptions>)[RESTORE]
    : undefined;
}

/**
 * A particle swarm driven step by step (ask/tell), for callers that evaluate particles themselves;
 * {@linkcode optimize} drives one for you.
 *
 * Each iteration: `ask()` returns the positions to evaluate, `tell(costs)` takes one cost per
 * particle in the same order and updates personal, neighbourhood and global bests, the history and
 * the stopping criteria. The move (velocity and position update, with its random draws) happens at
 * the start of the next `ask()`, so a finished run can be continued with a larger budget through
 * {@linkcode ParticleSwarm.getState} / {@linkcode ParticleSwarm.fromState} and reaches exactly the
 * result of an uninterrupted run with that budget. The update loop allocates nothing.
 *
 * @example Usage
 * ```ts
 * import { ParticleSwarm } from "./pso_swarm.ts";
 * import assert from "node:assert/strict";
 *
 * const swarm = new ParticleSwarm({ lower: [-5, -5], upper: [5, 5], swarmSize: 20, maxIterations: 50 });
 * const costs = new Float64Array(swarm.swarmSize);
 * while (!swarm.done) {
 *   const x = swarm.ask();
 *   for (let i = 0; i < swarm.swarmSize; i++) costs[i] = x[2 * i] ** 2 + x[2 * i + 1] ** 2;
 *   swarm.tell(costs);
 * }
 * assert.equal(swarm.exitReason, "maxIterations");
 * assert.ok(swarm.result().bestCost < 1e-6);
 * ```
 */
export class ParticleSwarm {
  /** Number of dimensions. */
  readonly dims: number;
  /** Number of particles. */
  readonly swarmSize: number;
  /** The seed of the run (from the options, or from the restored state). */
  readonly seed: number;

  readonly #o: ResolvedOptions;
  readonly #rng: Prng;
  readonly #range: Float64Array;
  readonly #vmax: Float64Array;
  readonly #pos: Float64Array;
  readonly #vel: Float64Array;
  readonly #pbest: Float64Array;
  readonly #pbestCost: Float64Array;
  readonly #evaluated: Float64Array;
  readonly #cost: Float64Array;
  readonly #feasible: Uint8Array;
  readonly #nbest: Int32Array;
  readonly #centroid: Float64Array;
  readonly #probe: Float64Array;
  readonly #motion: SwarmMotion;
  readonly #history: PSOHistory = { best: [], meanPersonalBest: [], diversity: [] };
  readonly #started = performance.now();
  #bestIndex = 0;
  #iteration = 0;
  #evaluations = 0;
  #phase: "evaluate" | "move" = "evaluate";
  #exitReason: PSOExitReason | undefined;

  /**
   * Validates the options and creates the initial swarm (positions, velocities, feasibility). Warns
   * once through `onWarning` when (w, c1 + c2) lies outside Poli's stability region.
   *
   * @param options The options; see {@linkcode PSOOptions}.
   * @throws {TypeError | RangeError} With a message naming the bad option, e.g.
   * `lower[2]: must be less than upper[2] (1), got 3`.
   */
  constructor(options: PSOOptions) {
    const state = stateToRestore(options);
    const o = resolveOptions(options);
    this.#o = o;
    const n = o.swarmSize, d = o.dims;
    this.dims = d;
    this.swarmSize = n;
    this.#range = new Float64Array(d);
    this.#vmax = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      this.#range[j] = o.upper[j] - o.lower[j];
      this.#vmax[j] = o.velocityClamp * this.#range[j];
    }
    this.#pos = new Float64Array(n * d);
    this.#vel = new Float64Array(n * d);
    this.#pbest = new Float64Array(n * d);
    this.#pbestCost = new Float64Array(n).fill(Infinity);
    this.#evaluated = new Float64Array(n * d);
    this.#cost = new Float64Array(n).fill(NaN);
    this.#feasible = new Uint8Array(n).fill(1);
    this.#nbest = new Int32Array(n);
    this.#centroid = new Float64Array(d);
    this.#probe = new Float64Array(d);
    const warning = poliWarning(o);
    this.#rng = state ? Prng.fromState(state.prng) : new Prng(o.seed);
    this.seed = state ? state.seed : o.seed;
    this.#motion = {
      o,
      rng: this.#rng,
      range: this.#range,
      vmax: this.#vmax,
      pos: this.#pos,
      vel: this.#vel,
      pbest: this.#pbest,
      nbest: this.#nbest,
    };
    if (state) this.#restore(state);
    else this.#initialise();
    if (warning) o.onWarning(warning);
  }

  /**
   * Restores a swarm from {@linkcode ParticleSwarm.getState} (also after `JSON.stringify` /
   * `JSON.parse`). Continuing it gives the bit-identical result of an uninterrupted run with the same
   * options. The stopping criteria are re-checked against `options`, so a finished run can be
   * continued with a larger budget; the wall-time limit restarts. `options` must describe the same
   * problem: the same bounds, and `swarmSize`/`seed` equal to the state's when given;
   * `initialPositions` is ignored.
   *
   * @example Usage
   * ```ts
   * import { ParticleSwarm } from "./pso_swarm.ts";
   * import assert from "node:assert/strict";
   *
   * const options = { lower: [-1], upper: [1], swarmSize: 4, maxIterations: 3 };
   * const swarm = new ParticleSwarm(options);
   * swarm.tell(Array.from(swarm.ask(), (x) => x * x));
   * const copy = ParticleSwarm.fromState(JSON.parse(JSON.stringify(swarm.getState())), options);
   * assert.deepStrictEqual(copy.ask(), swarm.ask());
   * ```
   *
   * @param state The snapshot.
   * @param options The run's options.
   * @returns The restored swarm.
   * @throws {TypeError | RangeError} When the state is malformed or does not match the options.
   */
  static fromState(state: PSOState, options: PSOOptions): ParticleSwarm {
    checkRestorable(state, options);
    const restoring: RestoringOptions = {
      ...options,
      swarmSize: state.swarmSize,
      seed: state.seed,
      initialPositions: [],
      [RESTORE]: state,
    };
    return new ParticleSwarm(restoring);
  }

  /** Whether the run has ended; see {@linkcode ParticleSwarm.exitReason}. */
  get done(): boolean {
    return this.#exitReason !== undefined;
  }

  /** Why the run ended, or `undefined` while it runs. */
  get exitReason(): PSOExitReason | undefined {
    return this.#exitReason;
  }

  /** Iterations completed (calls to `tell()`, the initial swarm included). */
  get iteration(): number {
    return this.#iteration;
  }

  /** Objective evaluations so far (feasible particles told). */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** Best cost so far (`Infinity` before the first `tell()`). */
  get bestCost(): number {
    return this.#pbestCost[this.#bestIndex];
  }

  /** A copy of the best position so far (the first particle's before the first `tell()`). */
  get bestPosition(): number[] {
    const d = this.dims, b = this.#bestIndex;
    return Array.from(this.#pbest.subarray(b * d, (b + 1) * d));
  }

  /**
   * Feasibility of the positions `ask()` returned: `1` to evaluate, `0` for a particle that
   * `isFeasible` rejected (its cost passed to `tell()` is ignored; it gets the penalty). A live view,
   * not to be modified.
   */
  get feasible(): Uint8Array {
    return this.#feasible;
  }

  /**
   * Returns the positions to evaluate next, `swarmSize × dims` row-major: a live view of the swarm,
   * valid until the next `tell()`; do not modify it. Moves the swarm first when the previous costs
   * have been told (calling `ask()` again before `tell()` returns the same positions).
   *
   * @example Usage
   * ```ts
   * import { ParticleSwarm } from "./pso_swarm.ts";
   * import assert from "node:assert/strict";
   *
   * const swarm = new ParticleSwarm({ lower: [0, 0], upper: [1, 1], swarmSize: 3 });
   * assert.equal(swarm.ask().length, 6);
   * ```
   *
   * @returns The positions.
   * @throws {Error} When the run has ended.
   */
  ask(): Float64Array {
    if (this.#exitReason !== undefined) {
      throw new Error(
        `ask(): must be called while the run is going, got a call after it ended (${this.#exitReason})`,
      );
    }
    if (this.#phase === "move") {
      this.#move();
      this.#phase = "evaluate";
    }
    return this.#pos;
  }

  /**
   * Takes one cost per particle, in the order of `ask()`. A non-finite cost or a non-number becomes
   * the penalty, as does every infeasible particle's. Updates the personal, neighbourhood and global
   * bests, the history and the stopping criteria, then calls `onIteration`.
   *
   * @example Usage
   * ```ts
   * import { ParticleSwarm } from "./pso_swarm.ts";
   * import assert from "node:assert/strict";
   *
   * const swarm = new ParticleSwarm({ lower: [-1], upper: [1], swarmSize: 2, maxIterations: 1 });
   * swarm.ask();
   * swarm.tell([3, NaN]);
   * assert.deepStrictEqual([swarm.done, swarm.result().finalSwarm.costs], [true, [3, 1e10]]);
   * ```
   *
   * @param costs One cost per particle.
   * @throws {Error | RangeError} When the run has ended, when no `ask()` preceded this call, or when
   * `costs` has the wrong length.
   */
  tell(costs: ArrayLike<number>): void {
    if (this.#exitReason !== undefined) {
      throw new Error(
        `tell(): must be called while the run is going, got a call after it ended (${this.#exitReason})`,
      );
    }
    if (this.#phase !== "evaluate") {
      throw new Error("tell(): must follow ask(), got a second tell() for the same positions");
    }
    const n = this.swarmSize, d = this.dims, o = this.#o;
    if (costs === null || typeof costs !== "object" || costs.length !== n) {
      throw new RangeError(
        `tell(): costs must hold one cost per particle (${n}), got ${
          costs !== null && typeof costs === "object" && typeof costs.length === "number"
            ? `length ${costs.length}`
            : describe(costs)
        }`,
      );
    }
    const pos = this.#pos, pbest = this.#pbest, pbestCost = this.#pbestCost, cost = this.#cost;
    let evaluated = 0;
    for (let i = 0; i < n; i++) {
      let c = o.penalty;
      if (this.#feasible[i] === 1) {
        evaluated++;
        const raw = costs[i];
        if (Number.isFinite(raw)) c = raw;
      }
      cost[i] = c;
      if (c < pbestCost[i]) {
        pbestCost[i] = c;
        for (let k = i * d; k < (i + 1) * d; k++) pbest[k] = pos[k]; // no subarray view: no allocation
      }
    }
    this.#evaluated.set(pos);
    this.#evaluations += evaluated;
    this.#updateBests();
    this.#iteration++;
    const history = this.#history;
    history.best.push(pbestCost[this.#bestIndex]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += pbestCost[i];
    history.meanPersonalBest.push(sum / n);
    history.diversity.push(this.#diversity());
    this.#phase = "move";
    this.#exitReason = this.#checkStop();
    if (o.onIteration) {
      const last = history.best.length - 1;
      o.onIteration({
        iteration: this.#iteration,
        bestCost: history.best[last],
        meanPersonalBest: history.meanPersonalBest[last],
        diversity: history.diversity[last],
        evaluations: this.#evaluations,
        elapsedMs: performance.now() - this.#started,
      });
    }
  }

  /**
   * Ends the run early with `reason` (no-op when it has already ended). {@linkcode optimize} uses it
   * when the signal aborts during an evaluation.
   *
   * @example Usage
   * ```ts
   * import { ParticleSwarm } from "./pso_swarm.ts";
   * import assert from "node:assert/strict";
   *
   * const swarm = new ParticleSwarm({ lower: [-1], upper: [1], swarmSize: 2 });
   * swarm.tell(Array.from(swarm.ask(), Math.abs));
   * swarm.stop("aborted");
   * assert.equal(swarm.result().exitReason, "aborted");
   * ```
   *
   * @param reason The exit reason to record. Default `"aborted"`.
   */
  stop(reason: PSOExitReason = "aborted"): void {
    this.#exitReason ??= reason;
  }

  /**
   * Returns the outcome of a finished run.
   *
   * @example Usage
   * ```ts
   * import { ParticleSwarm } from "./pso_swarm.ts";
   * import assert from "node:assert/strict";
   *
   * const swarm = new ParticleSwarm({ lower: [-1], upper: [1], swarmSize: 2, maxIterations: 1 });
   * swarm.tell([5, 4]);
   * assert.equal(swarm.result().bestCost, 4);
   * ```
   *
   * @returns The result (fresh arrays, the caller's to keep).
   * @throws {Error} When the run has not ended, or no iteration was completed.
   */
  result(): PSOResult {
    if (this.#exitReason === undefined) {
      throw new Error("result(): must be called after the run ended (or after stop()), got a running swarm");
    }
    if (this.#iteration === 0) {
      throw new Error("result(): must follow at least one tell(), got a run that evaluated nothing");
    }
    const n = this.swarmSize, d = this.dims;
    const positions: number[][] = new Array(n);
    for (let i = 0; i < n; i++) positions[i] = Array.from(this.#evaluated.subarray(i * d, (i + 1) * d));
    const h = this.#history;
    return {
      bestPosition: this.bestPosition,
      bestCost: this.bestCost,
      iterations: this.#iteration,
      evaluations: this.#evaluations,
      exitReason: this.#exitReason,
      history: {
        best: h.best.slice(),
        meanPersonalBest: h.meanPersonalBest.slice(),
        diversity: h.diversity.slice(),
      },
      finalSwarm: { positions, costs: Array.from(this.#cost) },
      seed: this.seed,
    };
  }

  /**
   * Returns a plain, JSON-serialisable snapshot: positions, velocities, personal bests and their
   * costs, the global best, the PRNG state, the iteration and evaluation counts and the history
   * (whose tail is the stall window). {@linkcode ParticleSwarm.fromState} restores it.
   *
   * @example Usage
   * ```ts
   * import { ParticleSwarm } from "./pso_swarm.ts";
   * import assert from "node:assert/strict";
   *
   * const swarm = new ParticleSwarm({ lower: [0], upper: [1], swarmSize: 2 });
   * const state = JSON.parse(JSON.stringify(swarm.getState()));
   * assert.equal(state.personalBestCost[0], "Infinity");
   * ```
   *
   * @returns The snapshot.
   */
  getState(): PSOState {
    return encodeState({
      seed: this.seed,
      lower: this.#o.lower,
      upper: this.#o.upper,
      ...this.#buffers(),
      bestIndex: this.#bestIndex,
      iteration: this.#iteration,
      evaluations: this.#evaluations,
      phase: this.#phase,
      prng: this.#rng.state(),
      exitReason: this.#exitReason,
    });
  }

  // -------------------------------------------------------------------------------------------

  #initialise(): void {
    initialiseSwarm(this.#motion, this.#o.initialPositions);
    this.#pbest.set(this.#pos);
    this.#evaluated.set(this.#pos);
    this.#checkFeasibility();
  }

  #buffers(): SwarmBuffers {
    return {
      positions: this.#pos,
      velocities: this.#vel,
      personalBest: this.#pbest,
      personalBestCost: this.#pbestCost,
      evaluatedPositions: this.#evaluated,
      costs: this.#cost,
      feasible: this.#feasible,
      history: this.#history,
    };
  }

  #restore(s: PSOState): void {
    const counters = restoreState(s, this.#o, this.#buffers());
    this.#bestIndex = counters.bestIndex;
    this.#iteration = counters.iteration;
    this.#evaluations = counters.evaluations;
    this.#phase = counters.phase;
    if (this.#o.topology === "ring") this.#updateNeighbourhoodBests();
    if (this.#iteration > 0 && this.#phase === "move") this.#exitReason = this.#checkStop();
  }

  #checkFeasibility(): void {
    const isFeasible = this.#o.isFeasible;
    if (!isFeasible) return;
    const d = this.dims, probe = this.#probe, pos = this.#pos;
    for (let i = 0; i < this.swarmSize; i++) {
      // A copy, so a rule that writes into its argument cannot move the particle.
      for (let j = 0; j < d; j++) probe[j] = pos[i * d + j];
      this.#feasible[i] = isFeasible(probe) ? 1 : 0;
    }
  }

  #updateBests(): void {
    const pbestCost = this.#pbestCost, n = this.swarmSize;
    // Strictly lower only: a tie keeps the incumbent, so the best position changes only with the cost.
    let b = this.#bestIndex;
    for (let i = 0; i < n; i++) if (pbestCost[i] < pbestCost[b]) b = i;
    this.#bestIndex = b;
    if (this.#o.topology === "ring") this.#updateNeighbourhoodBests();
  }

  #updateNeighbourhoodBests(): void {
    const n = this.swarmSize, pbestCost = this.#pbestCost, nbest = this.#nbest;
    // ⌊k/2⌋ before and ⌈k/2⌉ after i; k = n − 1 covers the whole swarm once.
    const k = Math.min(this.#o.neighbours, n - 1);
    const before = Math.floor(k / 2), after = k - before;
    for (let i = 0; i < n; i++) {
      let b = i;
      for (let o = -before; o <= after; o++) {
        if (o === 0) continue;
        const j = (((i + o) % n) + n) % n;
        if (pbestCost[j] < pbestCost[b]) b = j;
      }
      nbest[i] = b;
    }
  }

  #diversity(): number {
    const n = this.swarmSize, d = this.dims, pos = this.#pos, c = this.#centroid, range = this.#range;
    c.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[j] += pos[i * d + j];
    for (let j = 0; j < d; j++) c[j] /= n;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const z = (pos[i * d + j] - c[j]) / range[j];
        s += z * z;
      }
      total += Math.sqrt(s);
    }
    return total / n;
  }

  #inertia(): number {
    const o = this.#o;
    if (o.inertia === "constant") return o.w;
    // The move after iteration k (k = 1 … maxIterations − 1) uses w + (wFinal − w)·(k − 1)/(maxIterations − 2).
    const span = Math.max(1, o.maxIterations - 2);
    const t = Math.min(1, (this.#iteration - 1) / span);
    return o.w + (o.wFinal - o.w) * t;
  }

  #checkStop(): PSOExitReason | undefined {
    const o = this.#o, best = this.#history.best, k = best.length - 1;
    const current = best[k];
    if (current <= o.targetCost) return "targetCost";
    if (k >= o.stallIterations) {
      // The best is monotone, so the window's maximum is its oldest entry.
      const oldest = best[k - o.stallIterations];
      if (Math.abs(oldest - current) / Math.max(1, Math.abs(current)) < o.stallTolerance) return "stall";
    }
    if (this.#iteration >= o.maxIterations) return "maxIterations";
    if (this.#evaluations + this.swarmSize > o.maxEvaluations) return "maxEvaluations";
    if (o.signal?.aborted) return "aborted";
    if (performance.now() - this.#started >= o.maxTimeMs) return "maxTime";
    return undefined;
  }

  #move(): void {
    moveSwarm(this.#motion, this.#inertia(), this.#bestIndex);
    this.#checkFeasibility();
  }
}
