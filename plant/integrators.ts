/**
 * Fixed-step integrators with zero-order-hold control.
 *
 * @module
 */
import { checkState, type Plant, STATE_SIZE } from "./model.ts";

/** Scratch buffers for {@linkcode rk4At}: four stages and a temporary state. */
export interface Rk4Scratch {
  readonly k1: Float64Array;
  readonly k2: Float64Array;
  readonly k3: Float64Array;
  readonly k4: Float64Array;
  readonly tmp: Float64Array;
}

/**
 * Allocates the scratch buffers one RK4 integration needs; allocate once, reuse for every step.
 *
 * @example Usage
 * ```ts
 * import { createRk4Scratch } from "./integrators.ts";
 * const scratch = createRk4Scratch();
 * console.log(scratch.k1.length); // 6
 * ```
 *
 * @returns Fresh scratch buffers.
 */
export function createRk4Scratch(): Rk4Scratch {
  return {
    k1: new Float64Array(STATE_SIZE),
    k2: new Float64Array(STATE_SIZE),
    k3: new Float64Array(STATE_SIZE),
    k4: new Float64Array(STATE_SIZE),
    tmp: new Float64Array(STATE_SIZE),
  };
}

/**
 * One RK4 step at offsets, allocation-free: reads `s[so..so+5]`, writes `out[oo..oo+5]`. `s` and
 * `out` may be the same buffer at the same offset.
 *
 * @example Usage
 * ```ts
 * import { createRk4Scratch, rk4At } from "./integrators.ts";
 * import { createPlant } from "./model.ts";
 * const plant = createPlant({ cart_mass: 1.5, pendulum1_mass: 0.2, pendulum2_mass: 0.15,
 *   pendulum1_length: 0.4, pendulum2_length: 0.3, pendulum1_com: 0.2, pendulum2_com: 0.15,
 *   pendulum1_inertia: 0.0081, pendulum2_inertia: 0.0034, gravity: 9.81, cart_friction: 0.2,
 *   joint1_friction: 0.005, joint2_friction: 0.004 });
 * const s = Float64Array.of(0, 0.05, -0.03, 0, 0, 0);
 * rk4At(plant, s, 0, 0, 0.01, s, 0, createRk4Scratch());
 * ```
 *
 * @param plant The plant model.
 * @param s Buffer holding the current state.
 * @param so Offset of the state in `s`.
 * @param u Control, held constant over the step.
 * @param dt Step length.
 * @param out Buffer receiving the next state.
 * @param oo Offset in `out`.
 * @param scratch Buffers from {@linkcode createRk4Scratch}.
 */
export function rk4At(
  plant: Plant,
  s: Float64Array,
  so: number,
  u: number,
  dt: number,
  out: Float64Array,
  oo: number,
  scratch: Rk4Scratch,
): void {
  const { k1, k2, k3, k4, tmp } = scratch;
  const h = 0.5 * dt;
  plant.derivativesAt(s, so, u, k1, 0);
  for (let i = 0; i < 6; i++) tmp[i] = s[so + i] + h * k1[i];
  plant.derivativesAt(tmp, 0, u, k2, 0);
  for (let i = 0; i < 6; i++) tmp[i] = s[so + i] + h * k2[i];
  plant.derivativesAt(tmp, 0, u, k3, 0);
  for (let i = 0; i < 6; i++) tmp[i] = s[so + i] + dt * k3[i];
  plant.derivativesAt(tmp, 0, u, k4, 0);
  const c = dt / 6;
  for (let i = 0; i < 6; i++) out[oo + i] = s[so + i] + c * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]);
}

/**
 * One explicit Euler step at offsets, allocation-free (`scratch.k1` holds the derivative).
 *
 * @example Usage
 * ```ts
 * import { createRk4Scratch, eulerAt } from "./integrators.ts";
 * import { createPlant } from "./model.ts";
 * const plant = createPlant({ cart_mass: 1.5, pendulum1_mass: 0.2, pendulum2_mass: 0.15,
 *   pendulum1_length: 0.4, pendulum2_length: 0.3, pendulum1_com: 0.2, pendulum2_com: 0.15,
 *   pendulum1_inertia: 0.0081, pendulum2_inertia: 0.0034, gravity: 9.81, cart_friction: 0.2,
 *   joint1_friction: 0.005, joint2_friction: 0.004 });
 * const s = Float64Array.of(0, 0.05, -0.03, 0, 0, 0);
 * eulerAt(plant, s, 0, 0, 0.01, s, 0, createRk4Scratch());
 * ```
 *
 * @param plant The plant model.
 * @param s Buffer holding the current state.
 * @param so Offset of the state in `s`.
 * @param u Control.
 * @param dt Step length.
 * @param out Buffer receiving the next state.
 * @param oo Offset in `out`.
 * @param scratch Buffers from {@linkcode createRk4Scratch}.
 */
export function eulerAt(
  plant: Plant,
  s: Float64Array,
  so: number,
  u: number,
  dt: number,
  out: Float64Array,
  oo: number,
  scratch: Rk4Scratch,
): void {
  const k1 = scratch.k1;
  plant.derivativesAt(s, so, u, k1, 0);
  for (let i = 0; i < 6; i++) out[oo + i] = s[so + i] + dt * k1[i];
}

/** The friendly one-step API over an allocation-free integrator: validated input, fresh scratch. */
function checkedStep(
  advance: typeof rk4At,
  plant: Plant,
  state: ArrayLike<number>,
  u: number,
  dt: number,
  out: Float64Array,
): Float64Array {
  checkState(state);
  if (!(dt > 0) || !Number.isFinite(dt)) throw new RangeError(`dt: must be a finite number > 0, got ${dt}`);
  if (!Number.isFinite(u)) throw new RangeError(`u: must be a finite number, got ${u}`);
  advance(plant, Float64Array.from(state), 0, u, dt, out, 0, createRk4Scratch());
  return out;
}

/**
 * Advances the plant one step with the classic fourth-order Runge–Kutta method, holding `u`
 * constant over the step (zero-order hold).
 *
 * Returns `out`, so a caller can reuse one buffer for a whole run. Throws a RangeError on a state
 * that is not six finite numbers, a non-finite `u` or a `dt` that is not positive.
 *
 * @example Usage
 * ```ts
 * import { createPlant, rk4Step } from "./mod.ts";
 * const plant = createPlant({ cart_mass: 1.5, pendulum1_mass: 0.2, pendulum2_mass: 0.15,
 *   pendulum1_length: 0.4, pendulum2_length: 0.3, pendulum1_com: 0.2, pendulum2_com: 0.15,
 *   pendulum1_inertia: 0.0081, pendulum2_inertia: 0.0034, gravity: 9.81, cart_friction: 0.2,
 *   joint1_friction: 0.005, joint2_friction: 0.004 }, { model: "full" });
 * const next = rk4Step(plant, Float64Array.of(0, 0.05, -0.03, 0, 0, 0), 0, 0.01);
 * ```
 *
 * @param plant The plant model.
 * @param state Current state `[x, θ1, θ2, ẋ, θ̇1, θ̇2]`.
 * @param u Force on the cart [N].
 * @param dt Step [s].
 * @param out Optional output buffer.
 * @returns The state after `dt`.
 */
export function rk4Step(
  plant: Plant,
  state: ArrayLike<number>,
  u: number,
  dt: number,
  out: Float64Array = new Float64Array(STATE_SIZE),
): Float64Array {
  return checkedStep(rk4At, plant, state, u, dt, out);
}

/**
 * Advances the plant one explicit Euler step with `u` held constant.
 *
 * @example Usage
 * ```ts
 * import { createPlant, eulerStep } from "./mod.ts";
 * const plant = createPlant({ cart_mass: 1.5, pendulum1_mass: 0.2, pendulum2_mass: 0.15,
 *   pendulum1_length: 0.4, pendulum2_length: 0.3, pendulum1_com: 0.2, pendulum2_com: 0.15,
 *   pendulum1_inertia: 0.0081, pendulum2_inertia: 0.0034, gravity: 9.81, cart_friction: 0.2,
 *   joint1_friction: 0.005, joint2_friction: 0.004 });
 * const next = eulerStep(plant, [0, 0.05, -0.03, 0, 0, 0], 0, 0.01);
 * ```
 *
 * @param plant The plant model.
 * @param state Current state.
 * @param u Force on the cart [N].
 * @param dt Step [s].
 * @param out Optional output buffer.
 * @returns The state after `dt`.
 */
export function eulerStep(
  plant: Plant,
  state: ArrayLike<number>,
  u: number,
  dt: number,
  out: Float64Array = new Float64Array(STATE_SIZE),
): Float64Array {
  return checkedStep(eulerAt, plant, state, u, dt, out);
}
