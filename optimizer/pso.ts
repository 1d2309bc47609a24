/**
 * A generic particle swarm optimiser (minimisation over a box), usable on any objective: an ask/tell
 * {@linkcode ParticleSwarm} and the {@linkcode optimize} driver built on it.
 *
 * Determinism: every random draw happens on the calling thread, in a fixed order, from one
 * {@linkcode Prng} seeded by `options.seed`, and never inside an evaluation. The stream layout is
 *
 * 1. initial positions, `swarmSize × dims` draws, row-major (rows later replaced by
 *    `initialPositions` still consume their draws);
 * 2. initial velocities, `swarmSize × dims` draws, row-major, `v ~ U(lower − x, upper − x)` (so
 *    `x + v` is inside the box), then clamped;
 * 3. each move, for particle i, dimension j: `r1`, `r2`, then one draw if `boundHandling` is
 *    `"random"` and the particle left the box in that dimension.
 *
 * So a run is bit-identical for a given seed however (and in whatever order, on however many Workers)
 * its evaluations are computed.
 *
 * @module
 */

import { Prng, type PrngState } from "./prng.ts";

/** Why a run ended. */
export type PSOExitReason =
  | "maxIterations"
  | "maxEvaluations"
  | "stall"
  | "targetCost"
  | "maxTime"
  | "aborted";

/** The inertia schedule: constant `w`, or linear from `w` (first move) to `wFinal` (last move). */
export type InertiaSchedule = "constant" | "linear";

/** Global best (star), or an index ring (lbest) where each particle is informed by `neighbours` others. */
export type Topology = "global" | "ring";

/**
 * What happens to a coordinate that leaves the box after a move:
 * - `"clip"`: clip it to the bound and zero the velocity component pointing outward (MATLAB);
 * - `"reflect"`: mirror it back inside (folding as often as needed) and negate the velocity component;
 * - `"random"`: redraw it uniformly inside the bounds and zero the velocity component;
 * - `"periodic"`: wrap it around (the box is a torus); the velocity is kept.
 */
export type BoundHandling = "clip" | "reflect" | "random" | "periodic";

/** What {@linkcode PSOOptions.onIteration} receives after every iteration. */
export interface PSOIterationInfo {
  /** Iterations completed (1 after the initial swarm has been evaluated). */
  readonly iteration: number;
  /** Best cost so far. */
  readonly bestCost: number;
  /** Mean of the personal best costs. */
  readonly meanPersonalBest: number;
  /** Swarm diversity of the positions just evaluated (see {@linkcode PSOHistory.diversity}). */
  readonly diversity: number;
  /** Objective evaluations so far. */
  readonly evaluations: number;
  /** Milliseconds since the swarm was created (or restored). */
  readonly elapsedMs: number;
}

/** Options of {@linkcode ParticleSwarm} and {@linkcode optimize}; only `lower` and `upper` are required. */
export interface PSOOptions {
  /** Lower bounds, one per dimension; finite, each below its upper bound. */
  readonly lower: ArrayLike<number>;
  /** Upper bounds, same length as `lower`; finite, with a finite range `upper − lower`. */
  readonly upper: ArrayLike<number>;
  /** Particles, a positive integer. Default 40. */
  readonly swarmSize?: number;
  /**
   * Iterations, a positive integer or `Infinity`. An iteration is one evaluation of the whole swarm,
   * the initial swarm included, so a run evaluates at most `maxIterations × swarmSize` particles.
   * Default 200.
   */
  readonly maxIterations?: number;
  /**
   * Evaluation budget, an integer ≥ `swarmSize` or `Infinity` (default). The run stops before an
   * iteration that could exceed it, so `evaluations ≤ maxEvaluations` always holds.
   */
  readonly maxEvaluations?: number;
  /** Seed of the run's {@linkcode Prng}, a safe integer. Default 0. */
  readonly seed?: number;
  /** Inertia weight (the first one with `inertia: "linear"`). Default 0.7298 (Clerc–Kennedy constriction). */
  readonly w?: number;
  /** Cognitive (personal best) coefficient, finite and ≥ 0. Default 1.49618. */
  readonly c1?: number;
  /** Social (neighbourhood best) coefficient, finite and ≥ 0. Default 1.49618. */
  readonly c2?: number;
  /** Inertia schedule. Default `"constant"`. */
  readonly inertia?: InertiaSchedule;
  /** Final inertia of the linear schedule. Default 0.4 (Shi & Eberhart 1998). */
  readonly wFinal?: number;
  /** Topology. Default `"global"`. */
  readonly topology?: Topology;
  /**
   * Ring topology: k, how many other particles inform each one, a positive integer. Particle i sees
   * itself, the ⌊k/2⌋ particles before it and the ⌈k/2⌉ after it by index, wrapping around (the
   * SPSO/Bratton–Kennedy lbest ring, neighbours fixed by index, not by distance). Default 2
   * (i − 1, i, i + 1). With k ≥ swarmSize − 1 the neighbourhood is the whole swarm.
   */
  readonly neighbours?: number;
  /**
   * Velocity clamp as a fraction of each dimension's range: |v_j| ≤ velocityClamp·(upper_j − lower_j).
   * A positive number, `Infinity` to disable. Default 0.5.
   */
  readonly velocityClamp?: number;
  /** Bound handling. Default `"clip"`. */
  readonly boundHandling?: BoundHandling;
  /**
   * Stall window: stop with `"stall"` once the best cost improved by less than `stallTolerance`
   * (relative, the MATLAB formula `|best_{k−n} − best_k| / max(1, |best_k|)`) over the last
   * `stallIterations` iterations. A positive integer, or `Infinity` (default: off).
   */
  readonly stallIterations?: number;
  /** Relative tolerance of the stall test, finite and ≥ 0. Default 1e-6. */
  readonly stallTolerance?: number;
  /** Stop with `"targetCost"` once the best cost is ≤ this. Default `-Infinity` (off). */
  readonly targetCost?: number;
  /**
   * Wall-time limit in ms from the swarm's creation, ≥ 0 or `Infinity` (default). Checked after each
   * iteration: the iteration in progress is finished first.
   */
  readonly maxTimeMs?: number;
  /**
   * Aborting ends the run with `"aborted"`. {@linkcode optimize} stops at once (the iteration in
   * progress is abandoned, its evaluations are ignored) and rejects with `signal.reason` when no
   * iteration has completed yet, since there is no best to return.
   */
  readonly signal?: AbortSignal;
  /**
   * The cost given to a particle whose evaluation throws (per-particle objectives), returns a
   * non-finite value or a non-number, or that `isFeasible` rejects. Any number but NaN. Default 1e10
   * ({@linkcode DEFAULT_PENALTY}).
   */
  readonly penalty?: number;
  /**
   * Rows (each of length dims, finite) that replace the first particles' random positions, clipped
   * into the bounds; at most `swarmSize` rows. Lets a caller seed the swarm with a known good point.
   * Ignored by {@linkcode ParticleSwarm.fromState}.
   */
  readonly initialPositions?: readonly ArrayLike<number>[];
  /**
   * A feasibility rule: an infeasible particle gets the penalty without being evaluated and does not
   * count as an evaluation. Called on a copy of each new position. A throw propagates (it is a bug in
   * the rule, not a bad particle).
   */
  readonly isFeasible?: (x: Float64Array) => boolean;
  /** Progress callback, called after every iteration (quiet by default). A throw propagates. */
  readonly onIteration?: (info: PSOIterationInfo) => void;
  /** Receives warnings (the Poli stability check). Default `console.warn`. */
  readonly onWarning?: (message: string) => void;
}

/** A per-particle objective: the cost of one position (a copy the engine reuses next iteration). */
export type ParticleObjective = (x: Float64Array) => number | Promise<number>;

/**
 * A batch objective: the costs of `count` positions stored row-major in `positions`
 * (`count × dims`), in the same order. `positions` is a fresh buffer, yours to keep or transfer.
 */
export interface BatchObjective {
  /** Evaluates a batch; a throw (or rejection) rejects {@linkcode optimize}. */
  batch(positions: Float64Array, count: number, dims: number): ArrayLike<number> | Promise<ArrayLike<number>>;
}

/** What {@linkcode optimize} minimises. */
export type Objective = ParticleObjective | BatchObjective;

/** Per-iteration history (one entry per iteration, the initial swarm included). */
export interface PSOHistory {
  /** Best cost so far; never increases. */
  readonly best: number[];
  /** Mean of the personal best costs. */
  readonly meanPersonalBest: number[];
  /**
   * Diversity of the positions evaluated in the iteration: the mean over particles of the Euclidean
   * distance to the swarm centroid, each coordinate divided by its range (so it is scale-free;
   * 0 means the swarm has collapsed to a point).
   */
  readonly diversity: number[];
}

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
 * A float in a {@linkcode PSOState}: a JSON number, or `"Infinity"`, `"-Infinity"`, `"NaN"` or
 * `"-0"` for the values JSON cannot hold, so a state survives `JSON.stringify`/`JSON.parse` bit for bit.
 */
export type StateNumber = number | "Infinity" | "-Infinity" | "NaN" | "-0";

/**
 * A plain, JSON-serialisable snapshot of a {@linkcode ParticleSwarm}, from
 * {@linkcode ParticleSwarm.getState}. Arrays of floats are row-major. The stall window is the tail of
 * `history.best`; the neighbourhood bests are recomputed from the personal bests on restore.
 */
export interface PSOState {
  /** Format version, 1. */
  readonly version: 1;
  readonly seed: number;
  readonly dims: number;
  readonly swarmSize: number;
  readonly lower: StateNumber[];
  readonly upper: StateNumber[];
  /** `"evaluate"`: `positions` await costs; `"move"`: costs were told, the next ask() moves first. */
  readonly phase: "evaluate" | "move";
  readonly positions: StateNumber[];
  readonly velocities: StateNumber[];
  readonly personalBest: StateNumber[];
  readonly personalBestCost: StateNumber[];
  /** Feasibility of `positions` (1 feasible, 0 not). */
  readonly feasible: number[];
  /** The positions of the last evaluated iteration and their costs. */
  readonly evaluatedPositions: StateNumber[];
  readonly costs: StateNumber[];
  /** Index of the particle whose personal best is the global best. */
  readonly bestIndex: number;
  readonly iteration: number;
  readonly evaluations: number;
  readonly prng: PrngState;
  readonly history: {
    readonly best: StateNumber[];
    readonly meanPersonalBest: StateNumber[];
    readonly diversity: StateNumber[];
  };
  /** Informational: the restored swarm re-checks the stopping criteria against its own options. */
  readonly exitReason: PSOExitReason | null;
}

/** The cost of a failed or infeasible evaluation unless `options.penalty` says otherwise. */
export const DEFAULT_PENALTY = 1e10;

/** The defaults of {@linkcode PSOOptions}. */
export const PSO_DEFAULTS: Readonly<{
  swarmSize: number;
  maxIterations: number;
  maxEvaluations: number;
  seed: number;
  w: number;
  c1: number;
  c2: number;
  inertia: InertiaSchedule;
  wFinal: number;
  topology: Topology;
  neighbours: number;
  velocityClamp: number;
  boundHandling: BoundHandling;
  stallIterations: number;
  stallTolerance: number;
  targetCost: number;
  maxTimeMs: number;
  penalty: number;
}> = Object.freeze({
  swarmSize: 40,
  maxIterations: 200,
  maxEvaluations: Infinity,
  seed: 0,
  w: 0.7298,
  c1: 1.49618,
  c2: 1.49618,
  inertia: "constant",
  wFinal: 0.4,
  topology: "global",
  neighbours: 2,
  velocityClamp: 0.5,
  boundHandling: "clip",
  stallIterations: Infinity,
  stallTolerance: 1e-6,
  targetCost: -Infinity,
  maxTimeMs: Infinity,
  penalty: DEFAULT_PENALTY,
});

/**
 * Poli's order-2 stability limit for the inertia `w`: the swarm is stable iff −1 < w < 1 and
 * 0 < c1 + c2 < 24·(1 − w²)/(7 − 5·w) (Poli 2009, IEEE TEC 13(4)).
 *
 * @example Usage
 * ```ts
 * import { poliLimit } from "./pso.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(poliLimit(0.7).toFixed(2), "3.50");
 * ```
 *
 * @param w The inertia weight.
 * @returns The upper limit on c1 + c2.
 */
export function poliLimit(w: number): number {
  return (24 * (1 - w * w)) / (7 - 5 * w);
}

/**
 * Whether (w, c1 + c2) lies inside Poli's stability region (see {@linkcode poliLimit}).
 *
 * @example Usage
 * ```ts
 * import { isPoliStable } from "./pso.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isPoliStable(0.7298, 1.49618, 1.49618), true);
 * assert.equal(isPoliStable(0.7, 2, 2), false);
 * ```
 *
 * @param w The inertia weight.
 * @param c1 The cognitive coefficient.
 * @param c2 The social coefficient.
 * @returns `true` when stable.
 */
export function isPoliStable(w: number, c1: number, c2: number): boolean {
  const c = c1 + c2;
  return w > -1 && w < 1 && c > 0 && c < poliLimit(w);
}

// ---------------------------------------------------------------------------------------------
// Option validation

interface Resolved {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly dims: number;
  readonly swarmSize: number;
  readonly maxIterations: number;
  readonly maxEvaluations: number;
  readonly seed: number;
  readonly w: number;
  readonly c1: number;
  readonly c2: number;
  readonly inertia: InertiaSchedule;
  readonly wFinal: number;
  readonly topology: Topology;
  readonly neighbours: number;
  readonly velocityClamp: number;
  readonly boundHandling: BoundHandling;
  readonly stallIterations: number;
  readonly stallTolerance: number;
  readonly targetCost: number;
  readonly maxTimeMs: number;
  readonly signal: AbortSignal | undefined;
  readonly penalty: number;
  readonly initialPositions: readonly ArrayLike<number>[];
  readonly isFeasible: ((x: Float64Array) => boolean) | undefined;
  readonly onIteration: ((info: PSOIterationInfo) => void) | undefined;
  readonly onWarning: (message: string) => void;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)));
}

function numberOption(
  value: unknown,
  name: string,
  fallback: number,
  ok: (x: number) => boolean,
  allowed: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !ok(value)) {
    throw new RangeError(`${name}: must be ${allowed}, got ${describe(value)}`);
  }
  return value;
}

function enumOption<T extends string>(value: unknown, name: string, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    const list = allowed.map((a) => JSON.stringify(a));
    const text = list.length === 2 ? `${list[0]} or ${list[1]}` : `one of ${list.join(", ")}`;
    throw new RangeError(`${name}: must be ${text}, got ${describe(value)}`);
  }
  return value as T;
}

function functionOption<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new TypeError(`${name}: must be a function, got ${describe(value)}`);
  return value as F;
}

const isPositiveIntOrInf = (x: number) => x === Infinity || (Number.isSafeInteger(x) && x >= 1);

function resolveOptions(options: PSOOptions): Resolved {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options: must be an object, got ${describe(options)}`);
  }
  const { lower: lo, upper: up } = options;
  if (!isArrayLike(lo)) throw new TypeError(`lower: must be an array of numbers, got ${describe(lo)}`);
  if (!isArrayLike(up)) throw new TypeError(`upper: must be an array of numbers, got ${describe(up)}`);
  const dims = lo.length;
  if (dims === 0) throw new RangeError("lower: must hold at least one bound, got an empty array");
  if (up.length !== dims) {
    throw new RangeError(`upper: must have the same length as lower (${dims}), got length ${up.length}`);
  }
  const lower = new Float64Array(dims);
  const upper = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    const l = lo[j], u = up[j];
    if (typeof l !== "number" || !Number.isFinite(l)) {
      throw new RangeError(`lower[${j}]: must be a finite number, got ${describe(l)}`);
    }
    if (typeof u !== "number" || !Number.isFinite(u)) {
      throw new RangeError(`upper[${j}]: must be a finite number, got ${describe(u)}`);
    }
    if (!(l < u)) throw new RangeError(`lower[${j}]: must be less than upper[${j}] (${u}), got ${l}`);
    if (!Number.isFinite(u - l)) {
      throw new RangeError(`upper[${j}] - lower[${j}]: must be finite, got ${u - l}`);
    }
    lower[j] = l;
    upper[j] = u;
  }
  const d = PSO_DEFAULTS;
  const swarmSize = numberOption(
    options.swarmSize,
    "swarmSize",
    d.swarmSize,
    (x) => Number.isSafeInteger(x) && x >= 1,
    "a positive integer",
  );
  const maxIterations = numberOption(
    options.maxIterations,
    "maxIterations",
    d.maxIterations,
    isPositiveIntOrInf,
    "a positive integer or Infinity",
  );
  const maxEvaluations = numberOption(
    options.maxEvaluations,
    "maxEvaluations",
    d.maxEvaluations,
    isPositiveIntOrInf,
    "a positive integer or Infinity",
  );
  if (maxEvaluations < swarmSize) {
    throw new RangeError(
      `maxEvaluations: must be at least swarmSize (${swarmSize}) to evaluate the initial swarm, got ${maxEvaluations}`,
    );
  }
  const seed = numberOption(options.seed, "seed", d.seed, Number.isSafeInteger, "a safe integer");
  const w = numberOption(options.w, "w", d.w, Number.isFinite, "a finite number");
  const c1 = numberOption(
    options.c1,
    "c1",
    d.c1,
    (x) => Number.isFinite(x) && x >= 0,
    "a finite number >= 0",
  );
  const c2 = numberOption(
    options.c2,
    "c2",
    d.c2,
    (x) => Number.isFinite(x) && x >= 0,
    "a finite number >= 0",
  );
  const inertia = enumOption(options.inertia, "inertia", d.inertia, ["constant", "linear"]);
  const wFinal = numberOption(options.wFinal, "wFinal", d.wFinal, Number.isFinite, "a finite number");
  const topology = enumOption(options.topology, "topology", d.topology, ["global", "ring"]);
  const neighbours = numberOption(
    options.neighbours,
    "neighbours",
    d.neighbours,
    (x) => Number.isSafeInteger(x) && x >= 1,
    "a positive integer",
  );
  const velocityClamp = numberOption(
    options.velocityClamp,
    "velocityClamp",
    d.velocityClamp,
    (x) => x > 0,
    "a positive fraction of the range or Infinity",
  );
  const boundHandling = enumOption(options.boundHandling, "boundHandling", d.boundHandling, [
    "clip",
    "reflect",
    "random",
    "periodic",
  ]);
  const stallIterations = numberOption(
    options.stallIterations,
    "stallIterations",
    d.stallIterations,
    isPositiveIntOrInf,
    "a positive integer or Infinity",
  );
  const stallTolerance = numberOption(
    options.stallTolerance,
    "stallTolerance",
    d.stallTolerance,
    (x) => Number.isFinite(x) && x >= 0,
    "a finite number >= 0",
  );
  const targetCost = numberOption(options.targetCost, "targetCost", d.targetCost, (x) => x === x, "a number");
  const maxTimeMs = numberOption(options.maxTimeMs, "maxTimeMs", d.maxTimeMs, (x) => x >= 0, "a number >= 0");
  const penalty = numberOption(options.penalty, "penalty", d.penalty, (x) => x === x, "a number (not NaN)");
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal: must be an AbortSignal, got ${describe(signal)}`);
  }
  if (maxIterations === Infinity && maxEvaluations === Infinity && maxTimeMs === Infinity && !signal) {
    throw new RangeError(
      "maxIterations: must be finite unless maxEvaluations, maxTimeMs or signal can end the run, got Infinity",
    );
  }
  if (inertia === "linear" && maxIterations === Infinity) {
    throw new RangeError(
      `maxIterations: must be finite with inertia "linear" (it sets the schedule), got Infinity`,
    );
  }
  const initial = options.initialPositions ?? [];
  if (!Array.isArray(initial)) {
    throw new TypeError(`initialPositions: must be an array of positions, got ${describe(initial)}`);
  }
  if (initial.length > swarmSize) {
    throw new RangeError(
      `initialPositions: must hold at most swarmSize (${swarmSize}) rows, got ${initial.length}`,
    );
  }
  initial.forEach((row, i) => {
    if (!isArrayLike(row) || row.length !== dims) {
      throw new RangeError(
        `initialPositions[${i}]: must be an array of ${dims} numbers, got ${describe(row)}`,
      );
    }
    for (let j = 0; j < dims; j++) {
      const x = row[j];
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new RangeError(`initialPositions[${i}][${j}]: must be a finite number, got ${describe(x)}`);
      }
    }
  });
  return {
    lower,
    upper,
    dims,
    swarmSize,
    maxIterations,
    maxEvaluations,
    seed,
    w,
    c1,
    c2,
    inertia,
    wFinal,
    topology,
    neighbours,
    velocityClamp,
    boundHandling,
    stallIterations,
    stallTolerance,
    targetCost,
    maxTimeMs,
    signal,
    penalty,
    initialPositions: initial,
    isFeasible: functionOption(options.isFeasible, "isFeasible"),
    onIteration: functionOption(options.onIteration, "onIteration"),
    onWarning: functionOption(options.onWarning, "onWarning") ?? ((m: string) => console.warn(m)),
  };
}

function poliWarning(o: Resolved): string | undefined {
  const ws = o.inertia === "linear" ? [o.w, o.wFinal] : [o.w];
  for (const w of ws) {
    if (!isPoliStable(w, o.c1, o.c2)) {
      const limit = w > -1 && w < 1 ? `${+poliLimit(w).toFixed(4)}` : "none (|w| must be below 1)";
      return `PSO parameters lie outside Poli's stability region: c1 + c2 = ${+(o.c1 + o.c2).toFixed(6)} ` +
        `must be in (0, 24·(1 − w²)/(7 − 5·w)) = (0, ${limit}) for w = ${w}; the swarm may not converge ` +
        `and only the velocity clamp and the bounds hold it together`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// State encoding

function encode(x: number): StateNumber {
  if (Number.isFinite(x)) return Object.is(x, -0) ? "-0" : x;
  return String(x) as StateNumber;
}

function encodeAll(values: ArrayLike<number>): StateNumber[] {
  const out: StateNumber[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encode(values[i]);
  return out;
}

function decodeInto(values: unknown, name: string, out: Float64Array | number[], length: number): void {
  if (!Array.isArray(values) || values.length !== length) {
    throw new RangeError(`state.${name}: must be an array of ${length} numbers, got ${describe(values)}`);
  }
  for (let i = 0; i < length; i++) {
    const v = values[i];
    let x: number;
    if (typeof v === "number") x = v;
    else if (v === "Infinity" || v === "-Infinity" || v === "NaN" || v === "-0") x = Number(v);
    else throw new RangeError(`state.${name}[${i}]: must be a number, got ${describe(v)}`);
    out[i] = x;
  }
}

function decodeList(values: unknown, name: string): number[] {
  const length = Array.isArray(values) ? values.length : -1;
  const out: number[] = new Array(Math.max(0, length));
  decodeInto(values, name, out, length);
  return out;
}

// Set by ParticleSwarm.fromState for the duration of one constructor call, so that the public
// constructor stays `new ParticleSwarm(options)` and a restore skips the random initialisation.
let restoring: PSOState | undefined;

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
 * import { ParticleSwarm } from "./pso.ts";
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

  readonly #o: Resolved;
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
    const state = restoring;
    restoring = undefined;
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
    if (state) {
      this.seed = state.seed;
      this.#rng = Prng.fromState(state.prng);
      this.#restore(state);
    } else {
      this.seed = o.seed;
      this.#rng = new Prng(o.seed);
      this.#initialise();
    }
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
   * import { ParticleSwarm } from "./pso.ts";
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
    if (typeof state !== "object" || state === null) {
      throw new TypeError(`state: must be a PSOState object, got ${describe(state)}`);
    }
    if (state.version !== 1) throw new RangeError(`state.version: must be 1, got ${describe(state.version)}`);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`options: must be an object, got ${describe(options)}`);
    }
    if (options.swarmSize !== undefined && options.swarmSize !== state.swarmSize) {
      throw new RangeError(
        `options.swarmSize: must match the state's swarm size (${describe(state.swarmSize)}), got ${
          describe(options.swarmSize)
        }`,
      );
    }
    if (options.seed !== undefined && options.seed !== state.seed) {
      throw new RangeError(
        `options.seed: must match the state's seed (${describe(state.seed)}), got ${describe(options.seed)}`,
      );
    }
    if (!Number.isSafeInteger(state.seed)) {
      throw new RangeError(`state.seed: must be a safe integer, got ${describe(state.seed)}`);
    }
    restoring = state;
    try {
      return new ParticleSwarm({
        ...options,
        swarmSize: state.swarmSize,
        seed: state.seed,
        initialPositions: [],
      });
    } finally {
      restoring = undefined;
    }
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
   * import { ParticleSwarm } from "./pso.ts";
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
   * import { ParticleSwarm } from "./pso.ts";
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
   * import { ParticleSwarm } from "./pso.ts";
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
   * import { ParticleSwarm } from "./pso.ts";
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
   * import { ParticleSwarm } from "./pso.ts";
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
    const o = this.#o, h = this.#history;
    return {
      version: 1,
      seed: this.seed,
      dims: this.dims,
      swarmSize: this.swarmSize,
      lower: encodeAll(o.lower),
      upper: encodeAll(o.upper),
      phase: this.#phase,
      positions: encodeAll(this.#pos),
      velocities: encodeAll(this.#vel),
      personalBest: encodeAll(this.#pbest),
      personalBestCost: encodeAll(this.#pbestCost),
      feasible: Array.from(this.#feasible),
      evaluatedPositions: encodeAll(this.#evaluated),
      costs: encodeAll(this.#cost),
      bestIndex: this.#bestIndex,
      iteration: this.#iteration,
      evaluations: this.#evaluations,
      prng: this.#rng.state(),
      history: {
        best: encodeAll(h.best),
        meanPersonalBest: encodeAll(h.meanPersonalBest),
        diversity: encodeAll(h.diversity),
      },
      exitReason: this.#exitReason ?? null,
    };
  }

  // -------------------------------------------------------------------------------------------

  #initialise(): void {
    const o = this.#o, n = this.swarmSize, d = this.dims, rng = this.#rng;
    const pos = this.#pos, vel = this.#vel, lower = o.lower, upper = o.upper, range = this.#range;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        pos[i * d + j] = clampInto(lower[j] + range[j] * rng.next(), lower[j], upper[j]);
      }
    }
    o.initialPositions.forEach((row, i) => {
      for (let j = 0; j < d; j++) pos[i * d + j] = clampInto(row[j], lower[j], upper[j]);
    });
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const k = i * d + j, vm = this.#vmax[j];
        const v = lower[j] - pos[k] + range[j] * rng.next();
        vel[k] = v > vm ? vm : v < -vm ? -vm : v;
      }
    }
    this.#pbest.set(pos);
    this.#evaluated.set(pos);
    this.#checkFeasibility();
  }

  #restore(s: PSOState): void {
    const o = this.#o, n = this.swarmSize, d = this.dims;
    if (s.dims !== d) {
      throw new RangeError(`state.dims: must match the options' bounds (${d}), got ${describe(s.dims)}`);
    }
    const lower = decodeList(s.lower, "lower"), upper = decodeList(s.upper, "upper");
    for (let j = 0; j < d; j++) {
      if (!Object.is(lower[j], o.lower[j]) || !Object.is(upper[j], o.upper[j])) {
        throw new RangeError(
          `options.lower/upper[${j}]: must match the state's bounds [${lower[j]}, ${upper[j]}], got [${
            o.lower[j]
          }, ${o.upper[j]}]`,
        );
      }
    }
    if (s.phase !== "evaluate" && s.phase !== "move") {
      throw new RangeError(`state.phase: must be "evaluate" or "move", got ${describe(s.phase)}`);
    }
    for (const key of ["iteration", "evaluations"] as const) {
      if (!Number.isSafeInteger(s[key]) || s[key] < 0) {
        throw new RangeError(`state.${key}: must be a non-negative integer, got ${describe(s[key])}`);
      }
    }
    if (!Number.isSafeInteger(s.bestIndex) || s.bestIndex < 0 || s.bestIndex >= n) {
      throw new RangeError(`state.bestIndex: must be an integer in [0, ${n}), got ${describe(s.bestIndex)}`);
    }
    decodeInto(s.positions, "positions", this.#pos, n * d);
    decodeInto(s.velocities, "velocities", this.#vel, n * d);
    decodeInto(s.personalBest, "personalBest", this.#pbest, n * d);
    decodeInto(s.personalBestCost, "personalBestCost", this.#pbestCost, n);
    decodeInto(s.evaluatedPositions, "evaluatedPositions", this.#evaluated, n * d);
    decodeInto(s.costs, "costs", this.#cost, n);
    if (!Array.isArray(s.feasible) || s.feasible.length !== n || s.feasible.some((f) => f !== 0 && f !== 1)) {
      throw new RangeError(
        `state.feasible: must be an array of ${n} zeros and ones, got ${describe(s.feasible)}`,
      );
    }
    this.#feasible.set(s.feasible);
    const h = s.history;
    if (typeof h !== "object" || h === null) {
      throw new TypeError(`state.history: must be an object, got ${describe(h)}`);
    }
    const best = decodeList(h.best, "history.best");
    const mean = decodeList(h.meanPersonalBest, "history.meanPersonalBest");
    const diversity = decodeList(h.diversity, "history.diversity");
    if (best.length !== s.iteration || mean.length !== s.iteration || diversity.length !== s.iteration) {
      throw new RangeError(
        `state.history: must hold one entry per iteration (${s.iteration}), got ${best.length}, ${mean.length}, ${diversity.length}`,
      );
    }
    // A loop, not push(...list): a long history would overflow the argument stack.
    for (let k = 0; k < best.length; k++) {
      this.#history.best.push(best[k]);
      this.#history.meanPersonalBest.push(mean[k]);
      this.#history.diversity.push(diversity[k]);
    }
    this.#bestIndex = s.bestIndex;
    this.#iteration = s.iteration;
    this.#evaluations = s.evaluations;
    this.#phase = s.phase;
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
    const o = this.#o, n = this.swarmSize, d = this.dims, rng = this.#rng;
    const pos = this.#pos, vel = this.#vel, pbest = this.#pbest, vmax = this.#vmax, range = this.#range;
    const lower = o.lower, upper = o.upper, c1 = o.c1, c2 = o.c2, w = this.#inertia();
    const ring = o.topology === "ring", mode = o.boundHandling, gbest = this.#bestIndex;
    for (let i = 0; i < n; i++) {
      const g = (ring ? this.#nbest[i] : gbest) * d;
      for (let j = 0; j < d; j++) {
        const k = i * d + j;
        const x = pos[k];
        const r1 = rng.next(), r2 = rng.next();
        let v = w * vel[k] + c1 * r1 * (pbest[k] - x) + c2 * r2 * (pbest[g + j] - x);
        const vm = vmax[j];
        if (v > vm) v = vm;
        else if (v < -vm) v = -vm;
        if (v - v !== 0) v = 0; // only reachable without a clamp and with diverging parameters
        let xn = x + v;
        const l = lower[j], u = upper[j];
        if (xn < l || xn > u) {
          const r = range[j];
          switch (mode) {
            case "clip":
              // MATLAB: clip, and zero the velocity component that points outward.
              if (xn < l) {
                xn = l;
                if (v < 0) v = 0;
              } else {
                xn = u;
                if (v > 0) v = 0;
              }
              break;
            case "reflect": {
              let y = (xn - l) % (2 * r);
              if (y < 0) y += 2 * r;
              xn = y > r ? l + (2 * r - y) : l + y;
              v = -v;
              break;
            }
            case "random":
              xn = l + r * rng.next();
              v = 0;
              break;
            case "periodic": {
              let y = (xn - l) % r;
              if (y < 0) y += r;
              xn = l + y;
              break;
            }
          }
        }
        // Rounding in the folds above (l + y) can land an ulp outside: no particle is ever
        // evaluated outside the box.
        pos[k] = clampInto(xn, l, u);
        vel[k] = v;
      }
    }
    this.#checkFeasibility();
  }
}

function clampInto(x: number, l: number, u: number): number {
  if (!(x >= l)) return l; // NaN lands on the lower bound
  return x > u ? u : x;
}

// ---------------------------------------------------------------------------------------------
// The driver

const ABANDONED = Symbol("abandoned");

function isBatchObjective(objective: unknown): objective is BatchObjective {
  return typeof objective === "object" && objective !== null &&
    typeof (objective as BatchObjective).batch === "function";
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
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
 * import { optimize } from "./pso.ts";
 * import assert from "node:assert/strict";
 *
 * const sphere = (x: Float64Array) => x.reduce((s, v) => s + v * v, 0);
 * const result = await optimize(sphere, { lower: [-5, -5, -5], upper: [5, 5, 5], seed: 1, maxIterations: 100 });
 * assert.ok(result.bestCost < 1e-8);
 * assert.equal(sphere(Float64Array.from(result.bestPosition)), result.bestCost);
 * ```
 *
 * @example A batch objective
 * ```ts
 * import { optimize } from "./pso.ts";
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
 * @returns The result.
 * @throws {TypeError | RangeError} (as a rejection) for bad options or a bad objective; the batch
 * objective's error when it fails; `options.signal.reason` when the signal aborts before the first
 * iteration completes.
 */
export async function optimize(objective: Objective, options: PSOOptions): Promise<PSOResult> {
  const batch = isBatchObjective(objective);
  if (!batch && typeof objective !== "function") {
    throw new TypeError(
      `objective: must be a function or an object with a batch() method, got ${describe(objective)}`,
    );
  }
  const swarm = new ParticleSwarm(options);
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
        const out = objective.batch(buffer, m, d);
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
