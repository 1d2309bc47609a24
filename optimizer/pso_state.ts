/**
 * The saved state of a {@linkcode ParticleSwarm}: the JSON-safe {@linkcode PSOState} format, its
 * encoding ({@linkcode encodeState}), the checks a state must pass before a restore
 * ({@linkcode checkRestorable}) and its decoding into a swarm's buffers ({@linkcode restoreState}).
 *
 * @module
 */
import type { PrngState } from "../random/mod.ts";
import type { PSOExitReason, ResolvedOptions } from "./pso_options.ts";
import type { PSOHistory } from "./pso_types.ts";
import { describeValue as describe } from "./values.ts";

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

/** A swarm's state buffers (row-major, `swarmSize × dims` or `swarmSize`), read or written in place. */
export interface SwarmBuffers {
  readonly positions: Float64Array;
  readonly velocities: Float64Array;
  readonly personalBest: Float64Array;
  readonly personalBestCost: Float64Array;
  readonly evaluatedPositions: Float64Array;
  readonly costs: Float64Array;
  readonly feasible: Uint8Array;
  readonly history: PSOHistory;
}

/** A swarm's scalar state. */
export interface SwarmCounters {
  readonly bestIndex: number;
  readonly iteration: number;
  readonly evaluations: number;
  readonly phase: "evaluate" | "move";
}

/** Everything {@linkcode encodeState} stores. */
export interface SwarmSnapshot extends SwarmBuffers, SwarmCounters {
  readonly seed: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly prng: PrngState;
  readonly exitReason: PSOExitReason | undefined;
}

/**
 * Encodes a swarm's state as a {@linkcode PSOState} (fresh arrays; floats JSON cannot hold become
 * strings, so the state survives `JSON.stringify`/`JSON.parse` bit for bit).
 *
 * @example Usage
 * ```ts ignore
 * const state = encodeState(snapshot); // ParticleSwarm.getState() does this
 * ```
 *
 * @param s The swarm's buffers, counters and identity.
 * @returns The state.
 */
export function encodeState(s: SwarmSnapshot): PSOState {
  const n = s.costs.length, h = s.history;
  return {
    version: 1,
    seed: s.seed,
    dims: s.lower.length,
    swarmSize: n,
    lower: encodeAll(s.lower),
    upper: encodeAll(s.upper),
    phase: s.phase,
    positions: encodeAll(s.positions),
    velocities: encodeAll(s.velocities),
    personalBest: encodeAll(s.personalBest),
    personalBestCost: encodeAll(s.personalBestCost),
    feasible: Array.from(s.feasible),
    evaluatedPositions: encodeAll(s.evaluatedPositions),
    costs: encodeAll(s.costs),
    bestIndex: s.bestIndex,
    iteration: s.iteration,
    evaluations: s.evaluations,
    prng: s.prng,
    history: {
      best: encodeAll(h.best),
      meanPersonalBest: encodeAll(h.meanPersonalBest),
      diversity: encodeAll(h.diversity),
    },
    exitReason: s.exitReason ?? null,
  };
}

/**
 * The checks `ParticleSwarm.fromState()` makes before building the swarm: a version-1 state whose
 * swarm size and seed agree with the options' (when they give them).
 *
 * @example Usage
 * ```ts ignore
 * checkRestorable(state, options); // throws naming the mismatch
 * ```
 *
 * @param state The snapshot, untrusted.
 * @param options The options it is restored under.
 * @throws {TypeError | RangeError} Naming the field that does not fit.
 */
export function checkRestorable(
  state: PSOState,
  options: { readonly swarmSize?: number; readonly seed?: number },
): void {
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
}

/**
 * Checks a state against the swarm's resolved options and decodes it into the swarm's buffers
 * (appending to its empty history), returning the counters to adopt.
 *
 * @example Usage
 * ```ts ignore
 * const counters = restoreState(state, resolved, buffers); // the ParticleSwarm constructor does this
 * ```
 *
 * @param s The snapshot, untrusted.
 * @param o The resolved options of the swarm being restored.
 * @param into Its buffers, sized for `o`.
 * @returns The best index, iteration and evaluation counts and the phase.
 * @throws {TypeError | RangeError} Naming the field that is malformed or does not fit the options.
 */
export function restoreState(s: PSOState, o: ResolvedOptions, into: SwarmBuffers): SwarmCounters {
  const n = o.swarmSize, d = o.dims;
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
  decodeInto(s.positions, "positions", into.positions, n * d);
  decodeInto(s.velocities, "velocities", into.velocities, n * d);
  decodeInto(s.personalBest, "personalBest", into.personalBest, n * d);
  decodeInto(s.personalBestCost, "personalBestCost", into.personalBestCost, n);
  decodeInto(s.evaluatedPositions, "evaluatedPositions", into.evaluatedPositions, n * d);
  decodeInto(s.costs, "costs", into.costs, n);
  if (!Array.isArray(s.feasible) || s.feasible.length !== n || s.feasible.some((f) => f !== 0 && f !== 1)) {
    throw new RangeError(
      `state.feasible: must be an array of ${n} zeros and ones, got ${describe(s.feasible)}`,
    );
  }
  into.feasible.set(s.feasible);
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
    into.history.best.push(best[k]);
    into.history.meanPersonalBest.push(mean[k]);
    into.history.diversity.push(diversity[k]);
  }
  return { bestIndex: s.bestIndex, iteration: s.iteration, evaluations: s.evaluations, phase: s.phase };
}
