/**
 * Pieces shared by every sliding-mode controller: the smooth sign `sat`, the sliding surface
 * `σ = L·q̇ + Λ·q`, and the equivalent-control terms `d = L·M⁻¹·B` and
 * `f = L·M⁻¹·(Q_f − C·q̇ − G) + Λ·q̇` taken from the controller's own model (SPEC 3).
 *
 * @module
 */
import type { CommonControllerConfig, PhysicsConfig, SwitchMethod } from "../config/mod.ts";
import { checkState, type ControlKernel, createPlant, type Plant } from "../plant/mod.ts";

/**
 * Smooth sign of `sigma` with boundary layer `epsilon`: `tanh(σ/ε)` or `clip(σ/ε, −1, 1)`.
 * No hidden slope factor: ε is the boundary layer that runs.
 *
 * @example Usage
 * ```ts
 * import { sat } from "./sliding.ts";
 * console.log(sat(0.3, 0.3, "linear")); // 1
 * ```
 *
 * @param sigma Sliding variable.
 * @param epsilon Boundary layer, > 0.
 * @param method "tanh" or "linear".
 * @returns A value in [−1, 1].
 */
export function sat(sigma: number, epsilon: number, method: SwitchMethod): number {
  const r = sigma / epsilon;
  if (method === "tanh") return Math.tanh(r);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Internal controller state as plain, structured-cloneable data. */
export type ControllerState = Readonly<Record<string, number>>;

/** The output of one control computation. */
export interface ControlOutput {
  /** Force on the cart, limited to ±maxForce. */
  readonly u: number;
  /** Internal state for the next step. */
  readonly state: ControllerState;
  /** Sliding variable at this step. */
  readonly sigma: number;
  /** True when |d| was below the controllability threshold and the floor was applied. */
  readonly lowControllability: boolean;
}

/** The common contract of every controller (SPEC 3). */
export interface Controller {
  /** Canonical type name. */
  readonly type: string;
  /** Frozen copy of the validated gains. */
  readonly gains: readonly number[];
  readonly maxForce: number;
  /** The validated parameters this controller runs with (boundary layer, cart terms, …). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The model used for the equivalent control (held strongly). */
  readonly model: Plant;
  /** Default step for the internal dynamics when `computeControl` gets no dt. */
  readonly dt: number;
  /** The allocation-free kernel that the simulation drives. */
  readonly kernel: ControlKernel;
  initialState(): ControllerState;
  computeControl(x: ArrayLike<number>, state?: ControllerState, dt?: number): ControlOutput;
}

/** Options every controller constructor takes. */
export interface ControllerOptions<P extends CommonControllerConfig> {
  readonly gains: readonly number[];
  /** Nominal physics of the controller's model. */
  readonly physics: Readonly<PhysicsConfig>;
  /** The controller's block of config.yaml (`controllers.<type>`), fully specified. */
  readonly params: P;
  /** Default step for the internal dynamics (the simulation's dt). */
  readonly dt: number;
}

/**
 * Evaluates σ, d and f for a surface; the allocation-free heart of every controller.
 * `eval` writes `out[0] = σ`, `out[1] = d` (floored to ±threshold with d's sign), `out[2] = f`
 * (0 when the equivalent control is off) and `out[3] = 1` when the floor was applied.
 */
export interface SlidingSurface {
  readonly model: Plant;
  eval(s: Float64Array, so: number, out: Float64Array): void;
}

/**
 * Builds a sliding surface `σ = L·q̇ + Λ·q` over q = [x, θ1, θ2] with the controller's model.
 *
 * @example Usage
 * ```ts ignore
 * const surface = createSurface([0.5, -k1, k2], [0.5, -k1 * l1, k2 * l2], physics, params);
 * ```
 *
 * @param L Rate weights [L_x, L_θ1, L_θ2].
 * @param Lam Position weights [Λ_x, Λ_θ1, Λ_θ2].
 * @param physics Physics of the controller's model.
 * @param params The controller's config block (model, use_equivalent, controllability_threshold).
 * @returns The surface.
 */
export function createSurface(
  L: readonly [number, number, number],
  Lam: readonly [number, number, number],
  physics: Readonly<PhysicsConfig>,
  params: CommonControllerConfig,
): SlidingSurface {
  const model = createPlant(physics, { model: params.model });
  const [l0, l1, l2] = L, [m0, m1, m2] = Lam;
  const threshold = params.controllability_threshold;
  const useEq = params.use_equivalent;
  const terms = new Float64Array(6);
  return {
    model,
    eval(s: Float64Array, so: number, out: Float64Array): void {
      const xd = s[so + 3], w1 = s[so + 4], w2 = s[so + 5];
      out[0] = l0 * xd + l1 * w1 + l2 * w2 + m0 * s[so] + m1 * s[so + 1] + m2 * s[so + 2];
      model.accelerationTermsAt(s, so, terms, 0);
      let d = l0 * terms[0] + l1 * terms[1] + l2 * terms[2];
      let low = 0;
      // Divide by d whatever its sign; only its magnitude is floored (the original flipped signs).
      if (!(Math.abs(d) >= threshold)) {
        d = d < 0 ? -threshold : threshold;
        low = 1;
      }
      out[1] = d;
      out[2] = useEq ? l0 * terms[3] + l1 * terms[4] + l2 * terms[5] + m0 * xd + m1 * w1 + m2 * w2 : 0;
      out[3] = low;
    },
  };
}

/** Per-type parts a controller supplies to {@linkcode buildController}. */
export interface ControllerParts {
  readonly type: string;
  readonly gains: readonly number[];
  readonly params: CommonControllerConfig;
  readonly model: Plant;
  readonly dt: number;
  readonly kernel: ControlKernel;
  /** Names of the internal state fields, in kernel order. */
  readonly stateFields: readonly string[];
}

/**
 * Wraps a kernel into the friendly {@linkcode Controller} API (state in and out as plain data).
 *
 * @example Usage
 * ```ts ignore
 * return buildController({ type: "classical_smc", gains, params, model, dt, kernel, stateFields: [] });
 * ```
 *
 * @param parts The kernel and its description.
 * @returns A frozen controller.
 */
export function buildController(parts: ControllerParts): Controller {
  const { kernel, stateFields, dt: defaultDt } = parts;
  const n = stateFields.length;
  const initial = new Float64Array(Math.max(1, kernel.internalSize));
  kernel.init(initial, 0);
  const initialState = (): ControllerState => {
    const st: Record<string, number> = {};
    for (let i = 0; i < n; i++) st[stateFields[i]] = initial[i];
    return st;
  };
  return Object.freeze({
    type: parts.type,
    gains: Object.freeze([...parts.gains]),
    maxForce: parts.params.max_force,
    params: Object.freeze({ ...parts.params }),
    model: parts.model,
    dt: defaultDt,
    kernel,
    initialState,
    computeControl(x: ArrayLike<number>, state?: ControllerState, dt = defaultDt): ControlOutput {
      checkState(x, "x");
      if (!(dt > 0) || !Number.isFinite(dt)) {
        throw new RangeError(`dt: must be a finite number > 0, got ${dt}`);
      }
      const internal = new Float64Array(Math.max(1, n));
      const st = state ?? initialState();
      for (let i = 0; i < n; i++) {
        const v = st[stateFields[i]];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new RangeError(
            `${parts.type} state.${stateFields[i]}: must be a finite number, got ${v}`,
          );
        }
        internal[i] = v;
      }
      const out = new Float64Array(3);
      kernel.step(Float64Array.from(x), 0, internal, 0, dt, out);
      const next: Record<string, number> = {};
      for (let i = 0; i < n; i++) next[stateFields[i]] = internal[i];
      return { u: out[0], state: next, sigma: out[1], lowControllability: out[2] === 1 };
    },
  });
}

/**
 * Writes a kernel's outputs: `out[0]` = u limited to ±maxForce, `out[1]` = σ, `out[2]` = the
 * controllability-floor flag from the surface's scratch (`sd[3]`).
 *
 * @example Usage
 * ```ts
 * import { emitControl } from "./sliding.ts";
 * const out = new Float64Array(3);
 * emitControl(out, 200, 150, 0.1, Float64Array.of(0.1, 1, 0, 0));
 * console.log(out[0]); // 150
 * ```
 *
 * @param out Kernel output buffer.
 * @param u Unclipped control.
 * @param maxForce Force limit.
 * @param sigma Sliding variable.
 * @param sd Surface scratch after {@linkcode SlidingSurface.eval}.
 */
export function emitControl(
  out: Float64Array,
  u: number,
  maxForce: number,
  sigma: number,
  sd: Float64Array,
): void {
  out[0] = u > maxForce ? maxForce : u < -maxForce ? -maxForce : u;
  out[1] = sigma;
  out[2] = sd[3];
}

/** Clips `v` to [lo, hi]. */
export function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
