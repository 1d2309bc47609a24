/**
 * The `controllers` section: one block per controller type. The four sliding-mode controllers
 * share the surface, saturation and equivalent-control parameters (docs/controllers.md); lqr has
 * its own design weights (docs/linear.md).
 *
 * @module
 */
import { type ControllerType } from "../gains/mod.ts";
import { CONFIG_LIMITS, FORCE_LIMIT_REASON } from "./limits.ts";
import { finite, nonNegative, number, positive } from "./numbers.ts";
import { boolean, gainVector, mapping, oneOf, vector } from "./rules.ts";

/** The actuator limit [N]: > 0 and at most `CONFIG_LIMITS.maxForce`. */
const maxForce = () => number({ ...positive, max: CONFIG_LIMITS.maxForce, limit: FORCE_LIMIT_REASON });

/** Smooth sign used in the boundary layer. */
const switchMethod = () => oneOf("tanh", "linear");
/** Plant model: the full Lagrangian model or its simplified (constant-M, no Coriolis) version. */
const plantModel = () => oneOf("full", "simplified");

/** The parameters every sliding-mode block has; `gains` overrides `controller_defaults.<type>.gains`. */
function common(type: ControllerType) {
  return {
    gains: gainVector(type).exactOptional(),
    boundary_layer: number(positive),
    switch_method: switchMethod(),
    max_force: maxForce(),
    cart_gain: number(nonNegative),
    cart_lambda: number(nonNegative),
    model: plantModel(),
    use_equivalent: boolean(),
    controllability_threshold: number(positive),
  };
}

const adaptive = mapping({
  ...common("adaptive_smc"),
  leak: number(nonNegative),
  dead_zone: number(nonNegative),
  adapt_rate_limit: number(positive),
  K_min: number(positive),
  K_max: number(positive),
  K_init: number(finite),
  alpha: number(nonNegative),
}, ({ K_min: min, K_max: max, K_init: init }, report) => {
  const path = "controllers.adaptive_smc";
  if (min === undefined || max === undefined) return;
  if (!(min < max)) {
    report("K_min", `must be less than ${path}.K_max (${max}), got ${min}`);
  } else if (init !== undefined && (init < min || init > max)) {
    report("K_init", `must be within [K_min, K_max] = [${min}, ${max}], got ${init}`);
  }
});

const hybrid = mapping({
  ...common("hybrid_adaptive_sta_smc"),
  k1_init: number(positive),
  k2_init: number(positive),
  gamma1: number(nonNegative),
  gamma2: number(nonNegative),
  k_max: number(positive),
  damping_gain: number(nonNegative),
  dead_zone: number(nonNegative),
  leak: number(nonNegative),
}, ({ k1_init: k1, k2_init: k2, k_max: kMax }, report) => {
  if (k1 !== undefined && k2 !== undefined && kMax !== undefined && !(kMax > Math.max(k1, k2))) {
    report("k_max", `must be greater than max(k1_init, k2_init) (${Math.max(k1, k2)}), got ${kMax}`);
  }
});

// u = −K·x with K from the continuous algebraic Riccati equation of the model linearised at the
// upright equilibrium, unless `gains` gives K explicitly.
const lqr = mapping({
  /** Diagonal of the state weight over [x, θ1, θ2, ẋ, θ̇1, θ̇2]. */
  Q: vector(6, nonNegative),
  /** Input weight. */
  R: number(positive),
  max_force: maxForce(),
  /** The model linearised for the design. */
  model: plantModel(),
  /** An explicit K (6 finite numbers, signs free); when absent K is designed from Q and R. */
  gains: gainVector("lqr").exactOptional(),
});

/**
 * Schema of the `controllers` section.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parse } from "yaml";
 * import { controllersSchema } from "./controllers_schema.ts";
 * const { controllers } = parse(await Deno.readTextFile("config.yaml"));
 * assert.equal(controllersSchema.parse(controllers).lqr.R, 0.1);
 * ```
 */
export const controllersSchema = mapping({
  classical_smc: mapping(common("classical_smc")),
  sta_smc: mapping(common("sta_smc")),
  adaptive_smc: adaptive,
  hybrid_adaptive_sta_smc: hybrid,
  lqr,
});
