/**
 * The common contract of every controller and the wrapper that turns an allocation-free kernel
 * into it.
 *
 * @module
 */
import { checkState, type ControlKernel, type Plant } from "../plant/mod.ts";

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

/** The common contract of every controller (docs/controllers.md#the-controller-contract). */
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

/** Per-type parts a controller supplies to {@linkcode buildController}. */
export interface ControllerParts {
  readonly type: string;
  readonly gains: readonly number[];
  /** The controller's parameters; `max_force` is the force limit. */
  readonly params: { readonly max_force: number };
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
