/**
 * The double inverted pendulum on a cart: full Lagrangian model and its simplified (constant mass
 * matrix, no Coriolis) approximation, docs/model.md.
 *
 * State `s = [x, θ1, θ2, ẋ, θ̇1, θ̇2]`, absolute angles from the upright vertical, one horizontal force
 * `u` on the cart. Equations: `M(q)·q̈ + C(q,q̇)·q̇ + G(q) = B·u + Q_f` with B = [1, 0, 0]ᵀ.
 *
 * @module
 */
import { PHYSICS_KEYS, type PhysicsConfig, type PlantModel } from "../config/mod.ts";

/** Length of the state vector. */
export const STATE_SIZE = 6;

/** Options of {@linkcode createPlant}. */
export interface PlantOptions {
  /** "full" (default): the Lagrangian model; "simplified": M frozen at upright, Coriolis dropped. */
  readonly model?: PlantModel;
}

/** Kinetic, potential and total mechanical energy of a state. */
export interface Energy {
  readonly kinetic: number;
  readonly potential: number;
  readonly total: number;
}

/**
 * A plant model. All methods are pure; the `*At` methods read and write at offsets into caller-owned
 * typed arrays and allocate nothing, for the simulation hot path.
 */
export interface Plant {
  readonly model: PlantModel;
  readonly physics: Readonly<PhysicsConfig>;
  /** The six state derivatives `[ẋ, θ̇1, θ̇2, ẍ, θ̈1, θ̈2]` at `state` under force `u`. */
  derivatives(state: ArrayLike<number>, u: number, out?: Float64Array): Float64Array;
  /** Allocation-free {@linkcode Plant.derivatives} at offsets. */
  derivativesAt(state: Float64Array, so: number, u: number, out: Float64Array, oo: number): void;
  /**
   * Writes `M⁻¹·B` to `out[oo..oo+2]` and `M⁻¹·(Q_f − C·q̇ − G)` to `out[oo+3..oo+5]`, so that
   * `q̈ = M⁻¹·B·u + M⁻¹·(Q_f − C·q̇ − G)`. Controllers use it for their equivalent control.
   */
  accelerationTermsAt(state: ArrayLike<number>, so: number, out: Float64Array, oo: number): void;
  /** The 3×3 mass matrix at `state`, row-major. */
  massMatrix(state: ArrayLike<number>): Float64Array;
  /** Mechanical energy `T = ½·q̇ᵀ·M·q̇`, `V = g·(a1·cos θ1 + a2·cos θ2)`. */
  energy(state: ArrayLike<number>): Energy;
}

/** The lumped constants of docs/model.md#parameters (a1, a2, b, J1, J2, mt). */
export interface LumpedConstants {
  readonly a1: number;
  readonly a2: number;
  readonly b: number;
  readonly J1: number;
  readonly J2: number;
  readonly mt: number;
}

/**
 * Computes the lumped constants of the DIP from its physical parameters.
 *
 * @example Usage
 * ```ts
 * import { lumpedConstants } from "./model.ts";
 * const k = lumpedConstants({ cart_mass: 1.5, pendulum1_mass: 0.2, pendulum2_mass: 0.15,
 *   pendulum1_length: 0.4, pendulum2_length: 0.3, pendulum1_com: 0.2, pendulum2_com: 0.15,
 *   pendulum1_inertia: 0.0081, pendulum2_inertia: 0.0034, gravity: 9.81, cart_friction: 0.2,
 *   joint1_friction: 0.005, joint2_friction: 0.004 });
 * console.log(k.mt); // 1.85
 * ```
 *
 * @param p Physical parameters.
 * @returns a1 = m1·Lc1 + m2·L1, a2 = m2·Lc2, b = m2·L1·Lc2, J1 = m1·Lc1² + m2·L1² + I1, J2 = m2·Lc2² + I2, mt = m0 + m1 + m2.
 */
export function lumpedConstants(p: Readonly<PhysicsConfig>): LumpedConstants {
  return {
    a1: p.pendulum1_mass * p.pendulum1_com + p.pendulum2_mass * p.pendulum1_length,
    a2: p.pendulum2_mass * p.pendulum2_com,
    b: p.pendulum2_mass * p.pendulum1_length * p.pendulum2_com,
    J1: p.pendulum1_mass * p.pendulum1_com ** 2 + p.pendulum2_mass * p.pendulum1_length ** 2 +
      p.pendulum1_inertia,
    J2: p.pendulum2_mass * p.pendulum2_com ** 2 + p.pendulum2_inertia,
    mt: p.cart_mass + p.pendulum1_mass + p.pendulum2_mass,
  };
}

// Frictions may be 0 (the energy tests need a frictionless plant); every other parameter must be > 0.
const FRICTIONS: ReadonlySet<string> = new Set(["cart_friction", "joint1_friction", "joint2_friction"]);

function checkPhysics(p: Readonly<PhysicsConfig>): void {
  for (const key of PHYSICS_KEYS) {
    const v = p[key];
    if (FRICTIONS.has(key)) {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new RangeError(`physics.${key}: must be a finite number ≥ 0, got ${v}`);
      }
    } else if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`physics.${key}: must be a finite number greater than 0, got ${v}`);
    }
  }
}

/**
 * Builds a plant model from physical parameters.
 *
 * The full model solves the 3×3 symmetric positive definite system `M(q)·q̈ = r` in closed form
 * (adjugate over determinant) on every call; the simplified model precomputes `M(0)⁻¹` once. Friction
 * is dissipative: the cart on the track, joint 1 on the cart, joint 2 on the relative rate θ̇2 − θ̇1.
 *
 * @example Usage
 * ```ts
 * import { createPlant } from "./model.ts";
 * import { parseConfig } from "../config/mod.ts";
 * const physics = { cart_mass: 1.5, pendulum1_mass: 0.2, pendulum2_mass: 0.15,
 *   pendulum1_length: 0.4, pendulum2_length: 0.3, pendulum1_com: 0.2, pendulum2_com: 0.15,
 *   pendulum1_inertia: 0.0081, pendulum2_inertia: 0.0034, gravity: 9.81, cart_friction: 0.2,
 *   joint1_friction: 0.005, joint2_friction: 0.004 };
 * const plant = createPlant(physics, { model: "full" });
 * const ds = plant.derivatives([0, 0.05, -0.03, 0, 0, 0], 0);
 * console.log(ds.length); // 6
 * ```
 *
 * @param physics Physical parameters (validated: masses, lengths, inertias, g > 0; frictions ≥ 0).
 * @param options `{ model: "full" | "simplified" }`, default full.
 * @returns A {@linkcode Plant}.
 */
export function createPlant(physics: Readonly<PhysicsConfig>, options: PlantOptions = {}): Plant {
  checkPhysics(physics);
  const model = options.model ?? "full";
  if (model !== "full" && model !== "simplified") {
    throw new RangeError(`plant model: must be "full" or "simplified", got "${model}"`);
  }
  const p = Object.freeze({ ...physics });
  const { a1, a2, b, J1, J2, mt } = lumpedConstants(p);
  const g = p.gravity, c0 = p.cart_friction, c1 = p.joint1_friction, c2 = p.joint2_friction;
  const a1g = a1 * g, a2g = a2 * g;
  const full = model === "full";

  // Inverse of the upright mass matrix, used by the simplified model.
  const i00 = J1 * J2 - b * b, i01 = a2 * b - a1 * J2, i02 = a1 * b - a2 * J1;
  const i11 = mt * J2 - a2 * a2, i12 = a1 * a2 - mt * b, i22 = mt * J1 - a1 * a1;
  const det0 = mt * i00 + a1 * i01 + a2 * i02;
  const n00 = i00 / det0, n01 = i01 / det0, n02 = i02 / det0;
  const n11 = i11 / det0, n12 = i12 / det0, n22 = i22 / det0;

  /**
   * The one copy of the model's algebra: writes `q̈ = M⁻¹·(B·u + Q_f − C·q̇ − G)` to `q[qo..qo+2]` and,
   * when `col` is given, the first column of M⁻¹ (that is, M⁻¹·B) to `col[co..co+2]`.
   */
  function solveAt(
    s: ArrayLike<number>,
    so: number,
    u: number,
    q: Float64Array,
    qo: number,
    col: Float64Array | null,
    co: number,
  ): void {
    const th1 = s[so + 1], th2 = s[so + 2], xd = s[so + 3], w1 = s[so + 4], w2 = s[so + 5];
    const s1 = Math.sin(th1), s2 = Math.sin(th2);
    // r = B·u + Q_f − C·q̇ − G; the Coriolis part is added below for the full model only.
    let r0 = u - c0 * xd;
    let r1 = -c1 * w1 + c2 * (w2 - w1) + a1g * s1;
    let r2 = -c2 * (w2 - w1) + a2g * s2;
    if (!full) {
      q[qo] = n00 * r0 + n01 * r1 + n02 * r2;
      q[qo + 1] = n01 * r0 + n11 * r1 + n12 * r2;
      q[qo + 2] = n02 * r0 + n12 * r1 + n22 * r2;
      if (col !== null) {
        col[co] = n00;
        col[co + 1] = n01;
        col[co + 2] = n02;
      }
      return;
    }
    const c1t = Math.cos(th1), c2t = Math.cos(th2);
    // Angle-difference identities: two fewer transcendental calls per evaluation on the hot path.
    const s12 = s1 * c2t - c1t * s2, c12 = c1t * c2t + s1 * s2;
    r0 += a1 * s1 * w1 * w1 + a2 * s2 * w2 * w2;
    r1 -= b * s12 * w2 * w2;
    r2 += b * s12 * w1 * w1;
    const m01 = a1 * c1t, m02 = a2 * c2t, m12 = b * c12;
    // Adjugate of the symmetric M; det > 0 because M is positive definite.
    const A00 = J1 * J2 - m12 * m12;
    const A01 = m02 * m12 - m01 * J2;
    const A02 = m01 * m12 - m02 * J1;
    const A11 = mt * J2 - m02 * m02;
    const A12 = m01 * m02 - mt * m12;
    const A22 = mt * J1 - m01 * m01;
    const inv = 1 / (mt * A00 + m01 * A01 + m02 * A02);
    q[qo] = (A00 * r0 + A01 * r1 + A02 * r2) * inv;
    q[qo + 1] = (A01 * r0 + A11 * r1 + A12 * r2) * inv;
    q[qo + 2] = (A02 * r0 + A12 * r1 + A22 * r2) * inv;
    if (col !== null) {
      col[co] = A00 * inv;
      col[co + 1] = A01 * inv;
      col[co + 2] = A02 * inv;
    }
  }

  function accelerationTermsAt(s: ArrayLike<number>, so: number, out: Float64Array, oo: number): void {
    solveAt(s, so, 0, out, oo + 3, out, oo);
  }

  function derivativesAt(s: Float64Array, so: number, u: number, out: Float64Array, oo: number): void {
    out[oo] = s[so + 3];
    out[oo + 1] = s[so + 4];
    out[oo + 2] = s[so + 5];
    solveAt(s, so, u, out, oo + 3, null, 0);
  }

  function massMatrix(s: ArrayLike<number>): Float64Array {
    if (!full) return Float64Array.of(mt, a1, a2, a1, J1, b, a2, b, J2);
    const m01 = a1 * Math.cos(s[1]), m02 = a2 * Math.cos(s[2]), m12 = b * Math.cos(s[1] - s[2]);
    return Float64Array.of(mt, m01, m02, m01, J1, m12, m02, m12, J2);
  }

  return Object.freeze({
    model,
    physics: p,
    derivatives(state: ArrayLike<number>, u: number, out = new Float64Array(6)): Float64Array {
      checkState(state);
      const s = state instanceof Float64Array ? state : Float64Array.from(state);
      derivativesAt(s, 0, u, out, 0);
      return out;
    },
    derivativesAt,
    accelerationTermsAt,
    massMatrix,
    energy(state: ArrayLike<number>): Energy {
      checkState(state);
      const M = massMatrix(state);
      const v0 = state[3], v1 = state[4], v2 = state[5];
      const kinetic = 0.5 * (M[0] * v0 * v0 + M[4] * v1 * v1 + M[8] * v2 * v2) +
        M[1] * v0 * v1 + M[2] * v0 * v2 + M[5] * v1 * v2;
      const potential = g * (a1 * Math.cos(state[1]) + a2 * Math.cos(state[2]));
      return { kinetic, potential, total: kinetic + potential };
    },
  });
}

/**
 * Throws a RangeError unless `state` holds exactly six finite numbers.
 *
 * @example Usage
 * ```ts
 * import { checkState } from "./model.ts";
 * checkState([0, 0.05, -0.03, 0, 0, 0]); // fine
 * ```
 *
 * @param state The candidate state `[x, θ1, θ2, ẋ, θ̇1, θ̇2]`.
 * @param what Name used in the message.
 */
export function checkState(state: ArrayLike<number>, what = "state"): void {
  if (state == null || typeof state.length !== "number" || state.length !== STATE_SIZE) {
    throw new RangeError(
      `${what}: must hold 6 values [x, θ1, θ2, ẋ, θ̇1, θ̇2], got ${
        state == null ? state : `length ${state.length}`
      }`,
    );
  }
  for (let i = 0; i < STATE_SIZE; i++) {
    const v = state[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${what}[${i}]: must be a finite number, got ${v}`);
    }
  }
}
