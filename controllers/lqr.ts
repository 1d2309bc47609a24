/**
 * The linear-quadratic regulator as a controller: `u = −K·(s − s_ref)`, limited to ±max_force, with
 * K given or designed from `controllers.lqr.Q` (diagonal) and `R` on the controller's model
 * linearised at upright (docs/linear.md, section "The lqr controller").
 *
 * @module
 */
import type { LqrConfig, PhysicsConfig } from "../config/mod.ts";
import { type Complex, LinearAnalysisError, linearize, lqr } from "../linear/mod.ts";
import { type ControlKernel, createPlant, STATE_SIZE } from "../plant/mod.ts";
import { buildController, type Controller } from "./controller.ts";
import { assertValidGains, describeValue } from "../gains/mod.ts";

/**
 * A gain designed by {@linkcode designLqrGains}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { designLqrGains, type LqrDesign } from "./mod.ts";
 * import { DEFAULT_CONTROLLER_PARAMS, DEFAULT_PHYSICS } from "../factory/mod.ts";
 * const design: LqrDesign = designLqrGains(DEFAULT_PHYSICS, DEFAULT_CONTROLLER_PARAMS.lqr);
 * assert.equal(design.S.length, 6);
 * ```
 */
export interface LqrDesign {
  /** K over [x, θ1, θ2, ẋ, θ̇1, θ̇2]: the control is u = −K·s. */
  readonly K: readonly number[];
  /** The Riccati solution (6×6). */
  readonly S: readonly (readonly number[])[];
  /** Closed-loop poles of the linearised model, by decreasing real part. */
  readonly E: readonly Complex[];
}

/**
 * Options of {@linkcode createLQRController}.
 *
 * @example Usage
 * ```ts
 * import type { LqrControllerOptions } from "./mod.ts";
 * import { DEFAULT_CONTROLLER_PARAMS, DEFAULT_PHYSICS } from "../factory/mod.ts";
 * const options: LqrControllerOptions = {
 *   physics: DEFAULT_PHYSICS,
 *   params: DEFAULT_CONTROLLER_PARAMS.lqr,
 *   dt: 0.01,
 *   reference: [0.5, 0, 0, 0, 0, 0], // hold the cart at x = 0.5 m
 * };
 * ```
 */
export interface LqrControllerOptions {
  /** Explicit K (six finite numbers, signs free); when absent, K is designed from `params.Q`, `params.R`. */
  readonly gains?: readonly number[];
  /** Physics of the model linearised for the design (and held as the controller's model). */
  readonly physics: Readonly<PhysicsConfig>;
  /** `controllers.lqr`. */
  readonly params: LqrConfig;
  /** Default step of `computeControl` (the lqr has no internal state). */
  readonly dt: number;
  /** s_ref, the state regulated to; default upright at rest (all zeros). */
  readonly reference?: ArrayLike<number>;
}

function checkWeights(params: Pick<LqrConfig, "Q" | "R">): void {
  const { Q, R } = params;
  if (!Array.isArray(Q) || Q.length !== STATE_SIZE) {
    throw new RangeError(
      `controllers.lqr.Q: must be an array of 6 numbers (the diagonal over [x, θ1, θ2, ẋ, θ̇1, θ̇2]), got ${
        Array.isArray(Q) ? `${Q.length} values` : describeValue(Q)
      }`,
    );
  }
  Q.forEach((q, i) => {
    if (typeof q !== "number" || !Number.isFinite(q) || q < 0) {
      throw new RangeError(`controllers.lqr.Q[${i}]: must be a finite number ≥ 0, got ${describeValue(q)}`);
    }
  });
  if (typeof R !== "number" || !Number.isFinite(R) || !(R > 0)) {
    throw new RangeError(`controllers.lqr.R: must be a finite number > 0, got ${describeValue(R)}`);
  }
}

/**
 * Designs K for `controllers.lqr`: linearises the configured model (`params.model`) at upright with
 * `physics` and solves the LQR problem with Q = diag(params.Q) and R = params.R.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { designLqrGains } from "./lqr.ts";
 * import { DEFAULT_PHYSICS } from "../factory/mod.ts";
 * const { K, E } = designLqrGains(DEFAULT_PHYSICS, { Q: [10, 100, 100, 1, 10, 10], R: 0.1, model: "full" });
 * assert.equal(K.length, 6);
 * assert.ok(K[1] < 0 && K[2] > 0); // link 1 and link 2 weighted with opposite signs
 * assert.ok(E.every((p) => p.re < 0));
 * ```
 *
 * @param physics Physics of the design model.
 * @param params `Q` (six diagonal weights ≥ 0), `R` (> 0) and `model`.
 * @returns K, S and the closed-loop poles.
 * @throws {RangeError} for malformed Q or R, naming `controllers.lqr.Q[i]` or `controllers.lqr.R`.
 * @throws {LinearAnalysisError} when the weights admit no stabilising design (for example Q[0] = 0
 *   leaves the cart position unweighted: its pole at 0 cannot be placed).
 */
export function designLqrGains(
  physics: Readonly<PhysicsConfig>,
  params: Pick<LqrConfig, "Q" | "R" | "model">,
): LqrDesign {
  checkWeights(params);
  const { A, B } = linearize(createPlant(physics, { model: params.model }));
  const Q = params.Q.map((q, i) => params.Q.map((_, j) => (i === j ? q : 0)));
  try {
    const { K, S, E } = lqr(A, B, Q, params.R);
    return { K: K[0], S, E };
  } catch (error) {
    if (error instanceof LinearAnalysisError) {
      throw new LinearAnalysisError(
        error.argument,
        `controllers.lqr: no gain can be designed from Q = [${
          params.Q.join(", ")
        }], R = ${params.R}: ${error.message}`,
      );
    }
    throw error;
  }
}

/**
 * Creates the lqr controller `u = −K·(s − s_ref)`, limited to ±max_force. Stateless; σ is the
 * linear form `K·(s − s_ref)` (so u = −σ before the limit) and the controllability floor never
 * applies. The kernel allocates nothing per step.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLQRController } from "./lqr.ts";
 * import { DEFAULT_CONTROLLER_PARAMS, DEFAULT_PHYSICS } from "../factory/mod.ts";
 * const ctrl = createLQRController({ physics: DEFAULT_PHYSICS, params: DEFAULT_CONTROLLER_PARAMS.lqr, dt: 0.01 });
 * const { u, sigma } = ctrl.computeControl([0, 0.05, -0.03, 0, 0, 0]);
 * assert.equal(u, -sigma);
 * ```
 *
 * @param options Explicit gains or the config to design them from, physics, dt, reference.
 * @returns The controller.
 * @throws {GainValidationError} for explicit gains that are not six finite numbers.
 */
export function createLQRController(options: LqrControllerOptions): Controller {
  const { physics, params } = options;
  const gains = options.gains === undefined
    ? assertValidGains("lqr", [...designLqrGains(physics, params).K])
    : assertValidGains("lqr", options.gains);
  const ref = options.reference === undefined
    ? new Float64Array(STATE_SIZE)
    : Float64Array.from(options.reference);
  if (ref.length !== STATE_SIZE || !ref.every(Number.isFinite)) {
    throw new RangeError(
      `lqr reference: must hold 6 finite values [x, θ1, θ2, ẋ, θ̇1, θ̇2], got [${ref.join(", ")}]`,
    );
  }
  const [k0, k1, k2, k3, k4, k5] = gains;
  const [r0, r1, r2, r3, r4, r5] = ref;
  const maxForce = params.max_force;
  const kernel: ControlKernel = {
    internalSize: 0,
    maxForce,
    init() {},
    step(s, so, _internal, _io, _dt, out) {
      const sigma = k0 * (s[so] - r0) + k1 * (s[so + 1] - r1) + k2 * (s[so + 2] - r2) +
        k3 * (s[so + 3] - r3) + k4 * (s[so + 4] - r4) + k5 * (s[so + 5] - r5);
      const u = -sigma;
      out[0] = u > maxForce ? maxForce : u < -maxForce ? -maxForce : u;
      out[1] = sigma;
      out[2] = 0;
    },
  };
  const { gains: _configured, ...rest } = params;
  return buildController({
    type: "lqr",
    gains,
    params: { ...rest, reference: Array.from(ref) } as LqrParams,
    model: createPlant(physics, { model: params.model }),
    dt: options.dt,
    kernel,
    stateFields: [],
  });
}

type LqrParams = Omit<LqrConfig, "gains"> & { readonly reference: readonly number[] };
