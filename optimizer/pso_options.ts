/**
 * The options of the particle swarm (ask/tell {@linkcode ParticleSwarm} and the
 * {@linkcode optimize} driver): their types and defaults, their validation ({@linkcode resolveOptions},
 * one table for the numeric ones), and Poli's stability check of the coefficients.
 *
 * @module
 */
import { checkBufferSize, MAX_SWARM_SIZE } from "./limits.ts";
import { describeValue as describe, isArrayLike } from "./values.ts";

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
 * import { poliLimit } from "./pso_options.ts";
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
 * import { isPoliStable } from "./pso_options.ts";
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

/** Options after validation, with every default filled in (what the swarm runs with). */
export interface ResolvedOptions {
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

/** The numeric options, checked in this order. */
type NumericOption =
  | "swarmSize"
  | "maxIterations"
  | "maxEvaluations"
  | "seed"
  | "w"
  | "c1"
  | "c2"
  | "wFinal"
  | "neighbours"
  | "velocityClamp"
  | "stallIterations"
  | "stallTolerance"
  | "targetCost"
  | "maxTimeMs"
  | "penalty";

/** What a numeric option allows: the test, and the words the error message uses for it. */
interface NumberRule {
  readonly ok: (x: number) => boolean;
  readonly allowed: string;
}

const positiveIntOrInfinity: NumberRule = {
  ok: (x) => x === Infinity || (Number.isSafeInteger(x) && x >= 1),
  allowed: "a positive integer or Infinity",
};
const finite: NumberRule = { ok: Number.isFinite, allowed: "a finite number" };
const finiteNonNegative: NumberRule = {
  ok: (x) => Number.isFinite(x) && x >= 0,
  allowed: "a finite number >= 0",
};

/** Every numeric option with its rule; the defaults are {@linkcode PSO_DEFAULTS}. */
const NUMBER_OPTIONS: Readonly<Record<NumericOption, NumberRule>> = {
  swarmSize: {
    ok: (x) => Number.isSafeInteger(x) && x >= 1 && x <= MAX_SWARM_SIZE,
    allowed: `an integer in [1, ${MAX_SWARM_SIZE}]`,
  },
  maxIterations: positiveIntOrInfinity,
  maxEvaluations: positiveIntOrInfinity,
  seed: { ok: Number.isSafeInteger, allowed: "a safe integer" },
  w: finite,
  c1: finiteNonNegative,
  c2: finiteNonNegative,
  wFinal: finite,
  neighbours: { ok: (x) => Number.isSafeInteger(x) && x >= 1, allowed: "a positive integer" },
  velocityClamp: { ok: (x) => x > 0, allowed: "a positive fraction of the range or Infinity" },
  stallIterations: positiveIntOrInfinity,
  stallTolerance: finiteNonNegative,
  targetCost: { ok: (x) => x === x, allowed: "a number" },
  maxTimeMs: { ok: (x) => x >= 0, allowed: "a number >= 0" },
  penalty: { ok: (x) => x === x, allowed: "a number (not NaN)" },
};

function numberOptions(options: PSOOptions): Record<NumericOption, number> {
  const out = {} as Record<NumericOption, number>;
  for (const name of Object.keys(NUMBER_OPTIONS) as NumericOption[]) {
    const value: unknown = options[name];
    if (value === undefined) {
      out[name] = PSO_DEFAULTS[name];
      continue;
    }
    const rule = NUMBER_OPTIONS[name];
    if (typeof value !== "number" || !rule.ok(value)) {
      throw new RangeError(`${name}: must be ${rule.allowed}, got ${describe(value)}`);
    }
    out[name] = value;
  }
  return out;
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

function bounds(options: PSOOptions): { lower: Float64Array; upper: Float64Array; dims: number } {
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
  return { lower, upper, dims };
}

/**
 * Validates `options` and fills in the defaults.
 *
 * @example Usage
 * ```ts
 * import { resolveOptions } from "./pso_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveOptions({ lower: [0], upper: [1] }).swarmSize, 40);
 * assert.throws(() => resolveOptions({ lower: [0], upper: [1], swarmSize: 1e8 }), /swarmSize: must be an integer in \[1, 1000000\], got 100000000/);
 * ```
 *
 * @param options The caller's options.
 * @returns The resolved options.
 * @throws {TypeError | RangeError} Naming the bad option, what it was and what is allowed;
 * `RequestTooLargeError` when the swarm's buffers would exceed the buffer limit.
 */
export function resolveOptions(options: PSOOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options: must be an object, got ${describe(options)}`);
  }
  const { lower, upper, dims } = bounds(options);
  const { swarmSize, maxIterations, maxEvaluations, maxTimeMs, ...numbers } = numberOptions(options);
  if (maxEvaluations < swarmSize) {
    throw new RangeError(
      `maxEvaluations: must be at least swarmSize (${swarmSize}) to evaluate the initial swarm, got ${maxEvaluations}`,
    );
  }
  // Positions, velocities, personal bests, evaluated positions and the driver's copy (n × d each),
  // plus the costs: refused here rather than as an uncaught allocation failure.
  checkBufferSize(
    "swarm buffers",
    `swarmSize × (5 × dims + 3) doubles = ${swarmSize} × ${5 * dims + 3} doubles`,
    swarmSize * (5 * dims + 3),
    "lower swarmSize or the number of bounds",
  );
  const d = PSO_DEFAULTS;
  const inertia = enumOption(options.inertia, "inertia", d.inertia, ["constant", "linear"]);
  const topology = enumOption(options.topology, "topology", d.topology, ["global", "ring"]);
  const boundHandling = enumOption(options.boundHandling, "boundHandling", d.boundHandling, [
    "clip",
    "reflect",
    "random",
    "periodic",
  ]);
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
    maxTimeMs,
    ...numbers,
    inertia,
    topology,
    boundHandling,
    signal,
    initialPositions: initial,
    isFeasible: functionOption(options.isFeasible, "isFeasible"),
    onIteration: functionOption(options.onIteration, "onIteration"),
    onWarning: functionOption(options.onWarning, "onWarning") ?? ((m: string) => console.warn(m)),
  };
}

/**
 * The warning for coefficients outside Poli's stability region (checked at `w`, and at `wFinal`
 * too with the linear schedule), or `undefined` when they are inside.
 *
 * @example Usage
 * ```ts
 * import { poliWarning, resolveOptions } from "./pso_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(poliWarning(resolveOptions({ lower: [0], upper: [1] })), undefined);
 * assert.match(poliWarning(resolveOptions({ lower: [0], upper: [1], c1: 3, c2: 3 }))!, /outside Poli's stability region/);
 * ```
 *
 * @param o The resolved options.
 * @returns The warning text, or `undefined`.
 */
export function poliWarning(o: ResolvedOptions): string | undefined {
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
