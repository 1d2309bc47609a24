/**
 * Gain metadata: the controller types, the names of each type's gains, and the one gain validator
 * used by controller creation, config loading and PSO pre-filtering. It imports nothing from outside
 * gains/, so config/ and controllers/ can both depend on it without a cycle.
 *
 * @module
 */
import { describeValue } from "./values.ts";

/**
 * The canonical controller types: four sliding-mode controllers and the linear-quadratic
 * regulator (see docs/controllers.md, "The lqr controller").
 *
 * @example Usage
 * ```ts
 * import type { ControllerType } from "./gains.ts";
 * const type: ControllerType = "lqr";
 * ```
 */
export type ControllerType =
  | "classical_smc"
  | "sta_smc"
  | "adaptive_smc"
  | "hybrid_adaptive_sta_smc"
  | "lqr";

/**
 * The canonical controller types, sorted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTROLLER_TYPES } from "./gains.ts";
 * assert.ok(CONTROLLER_TYPES.includes("lqr"));
 * ```
 */
export const CONTROLLER_TYPES: readonly ControllerType[] = Object.freeze([
  "adaptive_smc",
  "classical_smc",
  "hybrid_adaptive_sta_smc",
  "lqr",
  "sta_smc",
]);

/**
 * The sliding-mode controller types: every type but lqr. They share the surface and saturation
 * parameters and each has shipped default gains (`controller_defaults.<type>`).
 *
 * @example Usage
 * ```ts
 * import type { SlidingModeType } from "./gains.ts";
 * const type: SlidingModeType = "sta_smc";
 * ```
 */
export type SlidingModeType = Exclude<ControllerType, "lqr">;

/**
 * The sliding-mode controller types, sorted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTROLLER_TYPES, SLIDING_MODE_TYPES } from "./gains.ts";
 * assert.deepEqual(SLIDING_MODE_TYPES, CONTROLLER_TYPES.filter((t) => t !== "lqr"));
 * ```
 */
export const SLIDING_MODE_TYPES: readonly SlidingModeType[] = Object.freeze([
  "adaptive_smc",
  "classical_smc",
  "hybrid_adaptive_sta_smc",
  "sta_smc",
]);

/**
 * One problem found in a gain vector.
 *
 * @example Usage
 * ```ts
 * import type { GainIssue } from "./gains.ts";
 * const issue: GainIssue = { index: 1, name: "K2", message: "sta_smc gain K2 (index 1): must be finite, got NaN" };
 * ```
 */
export interface GainIssue {
  /** Index of the offending gain, or -1 for a problem with the whole vector (its length). */
  readonly index: number;
  /** Name of the offending gain ("gains" for the whole vector). */
  readonly name: string;
  /** What is wrong, with the value given and what is allowed. */
  readonly message: string;
}

/**
 * Result of {@linkcode validateGainVector}.
 *
 * @example Usage
 * ```ts
 * import type { GainValidation } from "./gains.ts";
 * const passed: GainValidation = { ok: true, errors: [] };
 * ```
 */
export interface GainValidation {
  readonly ok: boolean;
  readonly errors: readonly GainIssue[];
}

/**
 * Gain names of each controller type, in the order the gain vector holds them. The lqr gains are
 * the entries of the state-feedback row K over [x, θ1, θ2, ẋ, θ̇1, θ̇2] (u = −K·x).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { GAIN_NAMES } from "./gains.ts";
 * assert.deepEqual(GAIN_NAMES.hybrid_adaptive_sta_smc, ["c1", "lambda1", "c2", "lambda2"]);
 * assert.equal(GAIN_NAMES.lqr.length, 6);
 * ```
 */
export const GAIN_NAMES: Readonly<Record<ControllerType, readonly string[]>> = Object.freeze({
  classical_smc: Object.freeze(["k1", "k2", "lambda1", "lambda2", "K", "kd"]),
  sta_smc: Object.freeze(["K1", "K2", "k1", "k2", "lambda1", "lambda2"]),
  adaptive_smc: Object.freeze(["k1", "k2", "lambda1", "lambda2", "gamma"]),
  hybrid_adaptive_sta_smc: Object.freeze(["c1", "lambda1", "c2", "lambda2"]),
  lqr: Object.freeze(["k_x", "k_theta1", "k_theta2", "k_xdot", "k_theta1dot", "k_theta2dot"]),
});

// A state-feedback row has gains of either sign (the cart gain of an inverted pendulum's LQR is
// negative), so lqr gains only need to be finite; every sliding-mode gain must be positive.
const SIGN_FREE: ReadonlySet<string> = new Set<ControllerType>(["lqr"]);

/**
 * Checks a gain vector against the rules of its controller type: the right count, every gain a
 * finite number, greater than 0 for every type but lqr (whose gains are signed), and for
 * super-twisting K1 > K2 (the condition under which the super-twisting law converges).
 *
 * Never throws: it returns every problem at once, each with the gain's index and name.
 *
 * @example Usage
 * ```ts
 * import { validateGainVector } from "./gains.ts";
 * const result = validateGainVector("sta_smc", [4, 8, 1, 2, 3, 4]);
 * console.log(result.ok, result.errors[0].message);
 * // false "sta_smc gain K2 (index 1): must be smaller than K1 (4) for super-twisting stability, got 8"
 * console.log(validateGainVector("lqr", [-1, 90, -120, -2, 5, -15]).ok); // true
 * ```
 *
 * @param type The canonical controller type (or a custom type with `names`).
 * @param gains The candidate gains (any value; non-arrays are reported).
 * @param names Gain names in order; defaults to the built-in type's {@linkcode GAIN_NAMES}.
 * @returns `{ ok, errors }`.
 */
export function validateGainVector(
  type: ControllerType | string,
  gains: unknown,
  names: readonly string[] = GAIN_NAMES[type as ControllerType] ?? [],
): GainValidation {
  const errors: GainIssue[] = [];
  if (!Array.isArray(gains) && !ArrayBuffer.isView(gains)) {
    errors.push({
      index: -1,
      name: "gains",
      message: `${type} gains: must be an array of ${names.length} numbers (${names.join(", ")}), got ${
        describeValue(gains)
      }`,
    });
    return { ok: false, errors };
  }
  const values = Array.from(gains as ArrayLike<unknown>);
  if (values.length !== names.length) {
    errors.push({
      index: -1,
      name: "gains",
      message: `${type} gains: must have ${names.length} values (${names.join(", ")}), got ${values.length}`,
    });
  }
  const n = Math.min(values.length, names.length);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const where = `${type} gain ${names[i]} (index ${i})`;
    if (typeof v !== "number") {
      errors.push({
        index: i,
        name: names[i],
        message: `${where}: must be a number, got ${describeValue(v)}`,
      });
    } else if (!Number.isFinite(v)) {
      errors.push({ index: i, name: names[i], message: `${where}: must be finite, got ${v}` });
    } else if (v <= 0 && !SIGN_FREE.has(type)) {
      errors.push({ index: i, name: names[i], message: `${where}: must be greater than 0, got ${v}` });
    }
  }
  if (type === "sta_smc" && values.length >= 2) {
    const [k1, k2] = values;
    if (
      typeof k1 === "number" && typeof k2 === "number" && Number.isFinite(k1) && Number.isFinite(k2) &&
      k1 > 0 && k2 > 0 && !(k1 > k2)
    ) {
      errors.push({
        index: 1,
        name: "K2",
        message:
          `${type} gain K2 (index 1): must be smaller than K1 (${k1}) for super-twisting stability, got ${k2}`,
      });
    }
  }
  return { ok: errors.length === 0, errors };
}

/**
 * Thrown when a gain vector fails {@linkcode validateGainVector}; carries every problem.
 *
 * @example Usage
 * ```ts
 * import { GainValidationError, validateGainVector } from "./gains.ts";
 * const v = validateGainVector("classical_smc", [1, 2]);
 * const err = new GainValidationError("classical_smc", v.errors);
 * console.log(err.name); // "GainValidationError"
 * ```
 */
export class GainValidationError extends Error {
  /** The controller type whose gains were rejected. */
  readonly controllerType: string;
  /** Every problem found. */
  readonly errors: readonly GainIssue[];
  /**
   * @param controllerType The controller type.
   * @param errors The problems; the message lists one per line.
   * @param prefix Optional context such as the config path the gains came from.
   */
  constructor(controllerType: string, errors: readonly GainIssue[], prefix?: string) {
    const lines = errors.map((e) => (prefix ? `${prefix}: ${e.message}` : e.message));
    super(lines.join("\n"));
    this.name = "GainValidationError";
    this.controllerType = controllerType;
    this.errors = errors;
  }
}

/**
 * Validates gains and returns a frozen copy, or throws a {@linkcode GainValidationError}.
 *
 * @example Usage
 * ```ts
 * import { assertValidGains } from "./gains.ts";
 * const gains = assertValidGains("hybrid_adaptive_sta_smc", [0.5, 22.7, 2.5, 6.7]);
 * ```
 *
 * @param type Controller type.
 * @param gains Candidate gains.
 * @param prefix Optional context (e.g. a config path) prefixed to each message.
 * @returns The gains as a frozen number array.
 */
export function assertValidGains(type: ControllerType, gains: unknown, prefix?: string): readonly number[] {
  const result = validateGainVector(type, gains);
  if (!result.ok) throw new GainValidationError(type, result.errors, prefix);
  return Object.freeze(Array.from(gains as ArrayLike<number>));
}
