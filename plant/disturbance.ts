/**
 * Disturbances of a closed-loop run: a horizontal force d(t) on the cart (impulse, step, sine or a
 * seeded band-limited random force) and seeded Gaussian measurement noise on the state the
 * controller sees. docs/disturbances.md has the definitions and the reasons for each choice.
 *
 * Hold rule: the plant integrates `u_k + d_k` over step k, both held constant over the step, with
 * `d_k` the exact mean of d(t) over [t_k, t_k + dt]. So the impulse the force delivers over a step
 * (and over the run) is exact, whatever the step: an impulse shorter than dt, even one that starts
 * and ends between two samples, transfers its full amplitude·duration.
 *
 * @module
 */
import { GaussianSource } from "./gaussian.ts";
import { STATE_SIZE } from "./model.ts";

/** A rectangular pulse of `amplitude` N from `start` for `duration` s. */
export interface ImpulseForce {
  readonly kind: "impulse";
  readonly amplitude: number;
  /** Start time [s], default 0. */
  readonly start?: number;
  readonly duration: number;
}

/** A constant `amplitude` N from `start` s on. */
export interface StepForce {
  readonly kind: "step";
  readonly amplitude: number;
  /** Start time [s], default 0. */
  readonly start?: number;
}

/** `amplitude·sin(2π·frequency·(t − start) + phase)` N from `start` s on. */
export interface SineForce {
  readonly kind: "sine";
  readonly amplitude: number;
  /** Frequency [Hz]. */
  readonly frequency: number;
  /** Start time [s], default 0. */
  readonly start?: number;
  /** Phase at `start` [rad], default 0. */
  readonly phase?: number;
}

/**
 * A seeded random force with standard deviation `std` N and a flat spectrum up to `bandwidth` Hz
 * (nothing above), from `start` s on: a sum of {@linkcode RANDOM_FORCE_COMPONENTS} sines, one per
 * equal sub-band, at a random frequency inside it with a random phase.
 */
export interface RandomForce {
  readonly kind: "random";
  readonly std: number;
  /** Highest frequency [Hz]. */
  readonly bandwidth: number;
  readonly seed: number;
  /** Start time [s], default 0. */
  readonly start?: number;
}

/** A force on the cart as a function of time. */
export type ForceSpec = ImpulseForce | StepForce | SineForce | RandomForce;

/** Gaussian measurement noise: one standard deviation per state, seeded. */
export interface NoiseSpec {
  /** Standard deviations of the noise on `[x, θ1, θ2, ẋ, θ̇1, θ̇2]` (m, rad, rad, m/s, rad/s, rad/s). */
  readonly std: readonly number[];
  readonly seed: number;
}

/** One disturbance scenario: a force, noise, or both. */
export interface DisturbanceSpec {
  readonly force?: ForceSpec;
  readonly noise?: NoiseSpec;
}

/** The force kinds, in the order the error messages list them. */
export const FORCE_KINDS: readonly ForceSpec["kind"][] = Object.freeze(["impulse", "step", "sine", "random"]);

/** Number of sines a {@linkcode RandomForce} sums: one per sub-band of width bandwidth / 64. */
export const RANDOM_FORCE_COMPONENTS = 64;

/**
 * Edges of a force that fall within this many steps of a sample time are put on that sample time,
 * so that rounding in `start / dt` (2 / 0.01 is not exactly 200 in binary) never leaves a sliver of
 * force on the step before a disturbance starts.
 */
const EDGE_SNAP = 1e-9;

const FIELDS: Readonly<Record<ForceSpec["kind"], readonly string[]>> = {
  impulse: ["kind", "amplitude", "start", "duration"],
  step: ["kind", "amplitude", "start"],
  sine: ["kind", "amplitude", "frequency", "start", "phase"],
  random: ["kind", "std", "bandwidth", "seed", "start"],
};

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return v !== null && typeof v === "object" ? "an object" : String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type NumberCheck = "finite" | "positive" | "nonNegative" | "seed";

function checkNumber(value: unknown, path: string, rule: NumberCheck, optional = false): void {
  if (value === undefined && optional) return;
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (rule === "finite" || (rule === "positive" ? value > 0 : rule === "nonNegative" ? value >= 0 : true)) &&
    (rule !== "seed" || Number.isSafeInteger(value));
  if (!ok) {
    const what = {
      finite: "a finite number",
      positive: "a finite number > 0",
      nonNegative: "a finite number ≥ 0",
      seed: "a safe integer",
    }[rule];
    throw new RangeError(`${path}: must be ${what}, got ${describe(value)}`);
  }
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key) && value[key] !== undefined) {
      throw new RangeError(`${path}.${key}: unknown key; allowed: ${allowed.join(", ")}`);
    }
  }
}

/**
 * Checks a disturbance scenario and throws a RangeError naming the first bad field by its path
 * (`disturbance.force.duration: must be a finite number > 0, got 0`): an unknown force kind or key,
 * a non-finite amplitude, a negative start, a duration, frequency or bandwidth that is not positive,
 * a negative std, a seed that is not a safe integer, or a noise std that is not six numbers ≥ 0.
 *
 * @example Usage
 * ```ts
 * import { checkDisturbance } from "./disturbance.ts";
 * import assert from "node:assert/strict";
 * checkDisturbance({ force: { kind: "impulse", amplitude: 20, start: 2, duration: 0.1 } });
 * assert.throws(
 *   () => checkDisturbance({ force: { kind: "impulse", amplitude: 20, start: 2, duration: 0 } }),
 *   /disturbance\.force\.duration: must be a finite number > 0, got 0/,
 * );
 * ```
 *
 * @param spec The scenario.
 * @param path Name of the scenario in messages (default `disturbance`).
 */
export function checkDisturbance(spec: DisturbanceSpec, path = "disturbance"): void {
  if (!isObject(spec)) throw new RangeError(`${path}: must be an object, got ${describe(spec)}`);
  checkKeys(spec, ["force", "noise"], path);
  const force: unknown = spec.force;
  if (force !== undefined) {
    const fp = `${path}.force`;
    if (!isObject(force)) throw new RangeError(`${fp}: must be an object, got ${describe(force)}`);
    const kind = force.kind as ForceSpec["kind"];
    if (!FORCE_KINDS.includes(kind)) {
      throw new RangeError(
        `${fp}.kind: must be one of ${FORCE_KINDS.map((k) => `"${k}"`).join(", ")}, got ${describe(kind)}`,
      );
    }
    checkKeys(force, FIELDS[kind], fp);
    checkNumber(force.start, `${fp}.start`, "nonNegative", true);
    if (kind === "random") {
      checkNumber(force.std, `${fp}.std`, "nonNegative");
      checkNumber(force.bandwidth, `${fp}.bandwidth`, "positive");
      checkNumber(force.seed, `${fp}.seed`, "seed");
    } else {
      checkNumber(force.amplitude, `${fp}.amplitude`, "finite");
      if (kind === "impulse") checkNumber(force.duration, `${fp}.duration`, "positive");
      if (kind === "sine") {
        checkNumber(force.frequency, `${fp}.frequency`, "positive");
        checkNumber(force.phase, `${fp}.phase`, "finite", true);
      }
    }
  }
  const noise: unknown = spec.noise;
  if (noise !== undefined) {
    const np = `${path}.noise`;
    if (!isObject(noise)) throw new RangeError(`${np}: must be an object, got ${describe(noise)}`);
    checkKeys(noise, ["std", "seed"], np);
    const std = noise.std;
    if (!Array.isArray(std) || std.length !== STATE_SIZE) {
      throw new RangeError(`${np}.std: must be an array of ${STATE_SIZE} numbers ≥ 0, got ${describe(std)}`);
    }
    for (let i = 0; i < STATE_SIZE; i++) checkNumber(std[i], `${np}.std[${i}]`, "nonNegative");
    checkNumber(noise.seed, `${np}.seed`, "seed");
  }
}

/**
 * True when `spec` adds measurement noise, i.e. has a noise entry with a standard deviation above 0.
 * A run whose noise is all zero takes the noise-free path (bit-identical to no noise at all).
 *
 * @example Usage
 * ```ts
 * import { hasNoise } from "./disturbance.ts";
 * console.log(hasNoise({ noise: { std: [0, 0, 0, 0, 0, 0], seed: 1 } })); // false
 * ```
 *
 * @param spec The scenario, or undefined.
 * @returns Whether noise is drawn.
 */
export function hasNoise(spec: DisturbanceSpec | undefined): boolean {
  return spec?.noise !== undefined && spec.noise.std.some((s) => s > 0);
}

/** A force ready to be evaluated; see {@linkcode createForce}. */
export interface DisturbanceForce {
  readonly spec: ForceSpec;
  /** When the force starts [s]. */
  readonly start: number;
  /**
   * When it ends [s]: start + duration for an impulse, start for a step (its change happens at
   * start), Infinity for a sine or random force, which last to the end of the run.
   */
  readonly end: number;
  /** The instantaneous force d(t) [N]. */
  at(t: number): number;
  /**
   * Writes the mean of d(t) over each step `[k·dt, (k+1)·dt]`, k = 0 … steps − 1, to
   * `out[offset + k]`, and returns whether any of them is non-zero. Allocation-free.
   */
  fill(dt: number, steps: number, out: Float64Array, offset?: number): boolean;
}

/** Position of time `t` in steps, snapped onto a sample time when within {@linkcode EDGE_SNAP}. */
function stepPosition(t: number, dt: number): number {
  const p = t / dt, r = Math.round(p);
  return Math.abs(p - r) < EDGE_SNAP ? r : p;
}

/**
 * Mean over step k (of length dt) of `amplitude·sin(ω·(t − start) + phase)` on the part of the step
 * after `startPos` (in steps), in the product form 2·sin(mid)·sin(half)/(ω·dt), which keeps its
 * digits when ω·dt is small (a difference of cosines would cancel).
 */
function sineMean(
  amplitude: number,
  omega: number,
  phase: number,
  startPos: number,
  k: number,
  dt: number,
): number {
  const lo = Math.max(k, startPos);
  const hi = k + 1;
  if (!(hi > lo)) return 0;
  const a = omega * (lo - startPos) * dt + phase, b = omega * (hi - startPos) * dt + phase;
  return (2 * amplitude * Math.sin(0.5 * (a + b)) * Math.sin(0.5 * (b - a))) / (omega * dt);
}

/**
 * Prepares a force for evaluation: validates it (see {@linkcode checkDisturbance}) and, for a random
 * force, draws its frequencies and phases from its seed.
 *
 * `at(t)` gives the instantaneous force, `fill()` the per-step means the simulation applies (the hold
 * rule of this module). The random force is
 * `d(t) = Σ_j std·√(2/N)·sin(2π·f_j·(t − start) + φ_j)`, N = {@linkcode RANDOM_FORCE_COMPONENTS}, with
 * `f_j = (j + U_j)·bandwidth/N` and `φ_j = 2π·V_j`, U_j and V_j uniform draws of the seed's stream
 * (U_0, V_0, U_1, V_1, …): its long-run mean square is exactly std², its spectrum is flat over
 * (0, bandwidth] and zero above.
 *
 * @example Usage
 * ```ts
 * import { createForce } from "./disturbance.ts";
 * import assert from "node:assert/strict";
 * // A 20 N, 4 ms pulse starting between two samples: step 1 carries its whole impulse.
 * const pulse = createForce({ kind: "impulse", amplitude: 20, start: 0.013, duration: 0.004 });
 * const d = new Float64Array(3);
 * pulse.fill(0.01, 3, d);
 * assert.ok(Math.abs(d[1] * 0.01 - 20 * 0.004) < 1e-15);
 * assert.equal(d[0] + d[2], 0);
 * ```
 *
 * @param spec The force.
 * @returns The prepared force.
 */
export function createForce(spec: ForceSpec): DisturbanceForce {
  checkDisturbance({ force: spec });
  const start = spec.start ?? 0;
  switch (spec.kind) {
    case "impulse": {
      const { amplitude, duration } = spec;
      const end = start + duration;
      return {
        spec,
        start,
        end,
        at: (t) => (t >= start && t < end ? amplitude : 0),
        fill(dt, steps, out, offset = 0) {
          const a = stepPosition(start, dt), b = stepPosition(end, dt);
          let any = false;
          for (let k = 0; k < steps; k++) {
            // The share of step k covered by the pulse; exactly 1 for a step inside it.
            const overlap = Math.min(b, k + 1) - Math.max(a, k);
            const v = overlap > 0 ? amplitude * overlap : 0;
            out[offset + k] = v;
            if (v !== 0) any = true;
          }
          return any;
        },
      };
    }
    case "step": {
      const { amplitude } = spec;
      return {
        spec,
        start,
        end: start,
        at: (t) => (t >= start ? amplitude : 0),
        fill(dt, steps, out, offset = 0) {
          const a = stepPosition(start, dt);
          let any = false;
          for (let k = 0; k < steps; k++) {
            const overlap = Math.min(1, k + 1 - a);
            const v = overlap > 0 ? amplitude * overlap : 0;
            out[offset + k] = v;
            if (v !== 0) any = true;
          }
          return any;
        },
      };
    }
    case "sine": {
      const { amplitude, frequency } = spec;
      const phase = spec.phase ?? 0;
      const omega = 2 * Math.PI * frequency;
      return {
        spec,
        start,
        end: Infinity,
        at: (t) => (t >= start ? amplitude * Math.sin(omega * (t - start) + phase) : 0),
        fill(dt, steps, out, offset = 0) {
          const a = stepPosition(start, dt);
          let any = false;
          for (let k = 0; k < steps; k++) {
            const v = sineMean(amplitude, omega, phase, a, k, dt);
            out[offset + k] = v;
            if (v !== 0) any = true;
          }
          return any;
        },
      };
    }
    case "random": {
      const n = RANDOM_FORCE_COMPONENTS;
      const amplitude = spec.std * Math.sqrt(2 / n);
      const omegas = new Float64Array(n), phases = new Float64Array(n);
      const rng = new GaussianSource(spec.seed);
      for (let j = 0; j < n; j++) {
        omegas[j] = 2 * Math.PI * ((j + rng.next()) * spec.bandwidth) / n;
        phases[j] = 2 * Math.PI * rng.next();
      }
      return {
        spec,
        start,
        end: Infinity,
        at(t) {
          if (t < start) return 0;
          let v = 0;
          for (let j = 0; j < n; j++) v += amplitude * Math.sin(omegas[j] * (t - start) + phases[j]);
          return v;
        },
        fill(dt, steps, out, offset = 0) {
          const a = stepPosition(start, dt);
          let any = false;
          for (let k = 0; k < steps; k++) {
            let v = 0;
            for (let j = 0; j < n; j++) v += sineMean(amplitude, omegas[j], phases[j], a, k, dt);
            out[offset + k] = v;
            if (v !== 0) any = true;
          }
          return any;
        },
      };
    }
  }
}
