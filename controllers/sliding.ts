/**
 * Pieces shared by every sliding-mode controller: the smooth sign `sat`, the sliding surface
 * `σ = L·q̇ + Λ·q`, the equivalent-control terms `d = L·M⁻¹·B` and
 * `f = L·M⁻¹·(Q_f − C·q̇ − G) + Λ·q̇` taken from the controller's own model
 * (docs/controllers.md#equivalent-control), and the one builder that combines a surface with a reaching law
 * into a controller: `u = (v − f)/d`, limited to ±max_force. Each controller file supplies only its surface
 * weights, its reaching law v and its internal state.
 *
 * @module
 */
import type { CommonControllerConfig, PhysicsConfig, SwitchMethod } from "../config/mod.ts";
import { type ControlKernel, createPlant, type Plant } from "../plant/mod.ts";
import { buildController, type Controller } from "./controller.ts";

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

/**
 * Clips `v` to [lo, hi].
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { clip } from "./sliding.ts";
 * assert.equal(clip(7, 0, 5), 5);
 * ```
 */
export function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Options every sliding-mode controller constructor takes. */
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
 * Slots of the surface scratch that {@linkcode SlidingSurface.eval} writes: σ here, then
 * {@linkcode SURFACE_D}, {@linkcode SURFACE_F}, {@linkcode SURFACE_FLOORED}; the scratch has
 * {@linkcode SURFACE_SCRATCH_SIZE} slots.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSurface, SURFACE_D, SURFACE_FLOORED, SURFACE_SCRATCH_SIZE, SURFACE_SIGMA } from "./mod.ts";
 * import { DEFAULT_CONTROLLER_PARAMS, DEFAULT_PHYSICS } from "../factory/mod.ts";
 * const surface = createSurface([0.5, -2, 11], [0.5, -16, 6.7], DEFAULT_PHYSICS, DEFAULT_CONTROLLER_PARAMS.classical_smc);
 * const sd = new Float64Array(SURFACE_SCRATCH_SIZE);
 * surface.eval(Float64Array.of(0, 0.05, -0.03, 0, 0, 0), 0, sd);
 * assert.ok(sd[SURFACE_D] > 0 && sd[SURFACE_FLOORED] === 0 && sd[SURFACE_SIGMA] !== 0);
 * ```
 */
export const SURFACE_SIGMA = 0;
/** Slot of the surface scratch holding d = L·M⁻¹·B (floored to ±threshold with its sign). */
export const SURFACE_D = 1;
/** Slot of the surface scratch holding f (0 when the equivalent control is off). */
export const SURFACE_F = 2;
/** Slot of the surface scratch holding 1 when the controllability floor was applied, else 0. */
export const SURFACE_FLOORED = 3;
/** Length of the surface scratch. */
export const SURFACE_SCRATCH_SIZE = 4;

/**
 * Evaluates σ, d and f for a surface; the allocation-free heart of every controller.
 * `eval` writes {@linkcode SURFACE_SIGMA}, {@linkcode SURFACE_D}, {@linkcode SURFACE_F} and
 * {@linkcode SURFACE_FLOORED} of `out`.
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
      out[SURFACE_SIGMA] = l0 * xd + l1 * w1 + l2 * w2 + m0 * s[so] + m1 * s[so + 1] + m2 * s[so + 2];
      model.accelerationTermsAt(s, so, terms, 0);
      let d = l0 * terms[0] + l1 * terms[1] + l2 * terms[2];
      let low = 0;
      // Divide by d whatever its sign; only its magnitude is floored (the original flipped signs).
      if (!(Math.abs(d) >= threshold)) {
        d = d < 0 ? -threshold : threshold;
        low = 1;
      }
      out[SURFACE_D] = d;
      out[SURFACE_F] = useEq
        ? l0 * terms[3] + l1 * terms[4] + l2 * terms[5] + m0 * xd + m1 * w1 + m2 * w2
        : 0;
      out[SURFACE_FLOORED] = low;
    },
  };
}

/**
 * Writes a kernel's outputs: `out[0]` = u limited to ±maxForce, `out[1]` = σ, `out[2]` = the
 * controllability-floor flag from the surface's scratch (`sd[SURFACE_FLOORED]`).
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
  out[2] = sd[SURFACE_FLOORED];
}

/**
 * A reaching law and its internal state: what distinguishes one sliding-mode controller from
 * another. The builder calls `rate` then `advance` once per step, synchronously, so a law may keep
 * a value computed in `rate` (such as sat(σ)) for `advance` of the same step.
 *
 * @example Usage
 * ```ts
 * import type { ReachingLaw } from "./mod.ts";
 * // v = −k·σ + z with ż = −σ: one internal state.
 * const law: ReachingLaw = {
 *   stateFields: ["z"],
 *   init: (internal, io) => void (internal[io] = 0),
 *   rate: (sigma, internal, io) => -2 * sigma + internal[io],
 *   advance: (sigma, _u, internal, io, dt) => void (internal[io] -= dt * sigma),
 * };
 * ```
 */
export interface ReachingLaw {
  /** Names of the internal state fields, in kernel order (their count is the kernel's size). */
  readonly stateFields: readonly string[];
  /** Writes the initial internal state at `internal[io..]`. */
  init(internal: Float64Array, io: number): void;
  /** The desired σ̇ = v from σ and the internal state of step k. */
  rate(sigma: number, internal: Float64Array, io: number): number;
  /**
   * Advances the internal state to step k + 1 by explicit Euler with `dt`, from σ, the state of
   * step k and `u` = (v − f)/d before the force limit (for anti-windup). Absent: stateless.
   */
  advance?(sigma: number, u: number, internal: Float64Array, io: number, dt: number): void;
}

/**
 * What {@linkcode createSlidingModeController} needs from a controller file (see its example).
 *
 * @example Usage
 * ```ts ignore
 * const spec: SlidingModeSpec<ClassicalConfig> = { type, gains, options, L, Lam, law };
 * ```
 */
export interface SlidingModeSpec<P extends CommonControllerConfig> {
  readonly type: string;
  /** Validated, frozen gains. */
  readonly gains: readonly number[];
  readonly options: ControllerOptions<P>;
  /** Rate weights [L_x, L_θ1, L_θ2] of σ. */
  readonly L: readonly [number, number, number];
  /** Position weights [Λ_x, Λ_θ1, Λ_θ2] of σ. */
  readonly Lam: readonly [number, number, number];
  readonly law: ReachingLaw;
}

/**
 * The one builder of the sliding-mode controllers: evaluates the surface with the controller's
 * model, asks the reaching law for v, applies the equivalent control `u = (v − f)/d`, lets the law
 * advance its state, and emits u limited to ±max_force with σ and the floor flag. The kernel
 * allocates nothing per step.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSlidingModeController } from "./sliding.ts";
 * import { DEFAULT_CONTROLLER_PARAMS, DEFAULT_PHYSICS } from "../factory/mod.ts";
 * const params = DEFAULT_CONTROLLER_PARAMS.classical_smc;
 * const ctrl = createSlidingModeController({
 *   type: "linear_reaching",
 *   gains: [2],
 *   options: { gains: [2], physics: DEFAULT_PHYSICS, params, dt: 0.01 },
 *   L: [0.5, -2.3, 11.1],
 *   Lam: [0.5, -16, 6.7],
 *   law: { stateFields: [], init() {}, rate: (sigma) => -2 * sigma },
 * });
 * const out = ctrl.computeControl([0, 0.05, -0.03, 0, 0, 0]);
 * assert.ok(Math.abs(out.u) < 150);
 * ```
 *
 * @param spec Type, gains, options, surface weights and reaching law.
 * @returns The controller.
 */
export function createSlidingModeController<P extends CommonControllerConfig>(
  spec: SlidingModeSpec<P>,
): Controller {
  const { options, law } = spec;
  const params = options.params;
  const surface = createSurface(spec.L, spec.Lam, options.physics, params);
  const sd = new Float64Array(SURFACE_SCRATCH_SIZE);
  const maxForce = params.max_force;
  const advances = law.advance !== undefined;
  const kernel: ControlKernel = {
    internalSize: law.stateFields.length,
    maxForce,
    init(internal, io) {
      law.init(internal, io);
    },
    step(s, so, internal, io, dt, out) {
      surface.eval(s, so, sd);
      const sigma = sd[SURFACE_SIGMA];
      const u = (law.rate(sigma, internal, io) - sd[SURFACE_F]) / sd[SURFACE_D];
      if (advances) law.advance!(sigma, u, internal, io, dt);
      emitControl(out, u, maxForce, sigma, sd);
    },
  };
  return buildController({
    type: spec.type,
    gains: spec.gains,
    params,
    model: surface.model,
    dt: options.dt,
    kernel,
    stateFields: law.stateFields,
  });
}
