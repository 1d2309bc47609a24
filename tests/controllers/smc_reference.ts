/**
 * An independent re-implementation of the table in docs/controllers.md#reaching-laws, for the
 * sliding-mode controller tests: it builds σ from the gains, takes d and f from two evaluations of
 * the model's `derivatives` (q̈(u) is affine in u, so d = L·(q̈(1) − q̈(0)) and f = L·q̈(0) + Λ·q̇),
 * and applies each reaching law and internal-state update as written in docs/controllers.md. The
 * controllers compute d and f in closed form instead, so the two agree up to rounding only.
 */
import assert from "assert";
import {
  type CommonControllerConfig,
  type Config,
  type PhysicsConfig,
  type SlidingModeType as ControllerType,
} from "../../config/mod.ts";
import { type Controller, type ControllerState } from "../../controllers/mod.ts";
import { createPlant } from "../../plant/mod.ts";
import { close } from "./smc_helpers.ts";

/**
 * One control step of the reference: σ, d, f, the floor flag, v, u before and after the force
 * limit, and the next internal state.
 */
export interface Reference {
  readonly sigma: number;
  readonly d: number;
  readonly f: number;
  readonly low: boolean;
  readonly v: number;
  /** (v − f)/d before the force limit. */
  readonly unclipped: number;
  readonly u: number;
  readonly state: Record<string, number>;
}

/**
 * Surface weights L (rates) and Λ (positions) over [x, θ1, θ2], from the table in
 * docs/controllers.md#reaching-laws.
 */
export function surfaceWeights(
  type: ControllerType,
  gains: readonly number[],
  params: CommonControllerConfig,
): { L: number[]; Lam: number[] } {
  const kc = params.cart_gain, lc = params.cart_lambda;
  switch (type) {
    case "classical_smc": {
      // −k1·θ̇1 + k2·θ̇2 − λ1·θ1 + λ2·θ2
      const [k1, k2, l1, l2] = gains;
      return { L: [kc, -k1, k2], Lam: [kc * lc, -l1, l2] };
    }
    case "sta_smc": {
      // −k1·(θ̇1 + λ1·θ1) + k2·(θ̇2 + λ2·θ2)
      const [, , k1, k2, l1, l2] = gains;
      return { L: [kc, -k1, k2], Lam: [kc * lc, -k1 * l1, k2 * l2] };
    }
    case "adaptive_smc": {
      const [k1, k2, l1, l2] = gains;
      return { L: [kc, -k1, k2], Lam: [kc * lc, -k1 * l1, k2 * l2] };
    }
    case "hybrid_adaptive_sta_smc": {
      const [c1, l1, c2, l2] = gains;
      return { L: [kc, -c1, c2], Lam: [kc * lc, -c1 * l1, c2 * l2] };
    }
  }
}

/** sat(σ, ε) as documented: tanh(σ/ε) or clip(σ/ε, −1, 1). */
export function satRef(sigma: number, eps: number, method: string): number {
  return method === "tanh" ? Math.tanh(sigma / eps) : Math.min(1, Math.max(-1, sigma / eps));
}

/** `v` clipped to [lo, hi]. */
export function clipRef(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * One control step of `type` with `gains` and `params` at state `s` and internal state `state`,
 * computed from the documented law.
 */
export function reference(
  type: ControllerType,
  gains: readonly number[],
  params: CommonControllerConfig,
  physics: PhysicsConfig,
  s: readonly number[],
  state: ControllerState,
  dt: number,
): Reference {
  const { L, Lam } = surfaceWeights(type, gains, params);
  const sigma = L[0] * s[3] + L[1] * s[4] + L[2] * s[5] + Lam[0] * s[0] + Lam[1] * s[1] + Lam[2] * s[2];
  const model = createPlant(physics, { model: params.model });
  const a0 = model.derivatives(s, 0), a1 = model.derivatives(s, 1);
  let d = L[0] * (a1[3] - a0[3]) + L[1] * (a1[4] - a0[4]) + L[2] * (a1[5] - a0[5]);
  const f = params.use_equivalent
    ? L[0] * a0[3] + L[1] * a0[4] + L[2] * a0[5] + Lam[0] * s[3] + Lam[1] * s[4] + Lam[2] * s[5]
    : 0;
  const thr = params.controllability_threshold;
  const low = Math.abs(d) < thr;
  if (low) d = d < 0 ? -thr : thr;
  const sg = satRef(sigma, params.boundary_layer, params.switch_method);
  const abs = Math.abs(sigma);
  const p = params as unknown as Readonly<Record<string, number>>;
  let v: number;
  const next: Record<string, number> = {};
  switch (type) {
    case "classical_smc": {
      const [, , , , K, kd] = gains;
      v = -K * sg - kd * sigma;
      break;
    }
    case "sta_smc": {
      const [K1, K2] = gains;
      v = -K1 * Math.sqrt(abs) * sg + state.z;
      next.z = state.z - dt * K2 * sg;
      break;
    }
    case "adaptive_smc": {
      const gamma = gains[4];
      v = -state.K * sg - p.alpha * sigma;
      const kDot = abs > p.dead_zone
        ? clipRef(gamma * abs - p.leak * (state.K - p.K_init), -p.adapt_rate_limit, p.adapt_rate_limit)
        : 0;
      next.K = clipRef(state.K + dt * kDot, p.K_min, p.K_max);
      break;
    }
    case "hybrid_adaptive_sta_smc": {
      v = -state.k1 * Math.sqrt(abs) * sg + state.uInt - p.damping_gain * sigma;
      const outside = abs > p.dead_zone;
      const k1Dot = outside ? p.gamma1 * abs : -p.leak * (state.k1 - p.k1_init);
      const k2Dot = outside ? p.gamma2 * abs : -p.leak * (state.k2 - p.k2_init);
      next.k1 = clipRef(state.k1 + dt * k1Dot, 0, p.k_max);
      next.k2 = clipRef(state.k2 + dt * k2Dot, 0, p.k_max);
      break;
    }
  }
  const unclipped = (v - f) / d;
  if (type === "hybrid_adaptive_sta_smc") {
    next.uInt = Math.abs(unclipped) > params.max_force ? state.uInt : state.uInt - dt * state.k2 * sg;
  }
  const u = clipRef(unclipped, -params.max_force, params.max_force);
  return { sigma, d, f, low, v, unclipped, u, state: next };
}

/** Reference for a controller built from `config` (its gains and params come from the config). */
export function referenceFor(
  type: ControllerType,
  config: Config,
  s: readonly number[],
  state: ControllerState,
  dt = config.simulation.dt,
): Reference {
  const params = config.controllers[type];
  return reference(type, config.controller_defaults[type].gains, params, config.physics, s, state, dt);
}

/** The documented initial internal state of `type`. */
export function initialStateRef(
  type: ControllerType,
  params: CommonControllerConfig,
): Record<string, number> {
  const p = params as unknown as Readonly<Record<string, number>>;
  switch (type) {
    case "classical_smc":
      return {};
    case "sta_smc":
      return { z: 0 };
    case "adaptive_smc":
      return { K: p.K_init };
    case "hybrid_adaptive_sta_smc":
      return { k1: p.k1_init, k2: p.k2_init, uInt: 0 };
  }
}

/** Asserts one control step equals the reference: u, σ, the floor flag and the next state. */
export function assertMatchesReference(
  ctrl: Controller,
  expected: Reference,
  s: readonly number[],
  state: ControllerState,
  what: string,
): void {
  const out = ctrl.computeControl(s, state);
  close(out.sigma, expected.sigma, `${what} σ`);
  close(out.u, expected.u, `${what} u`);
  assert.equal(out.lowControllability, expected.low, `${what} lowControllability`);
  assert.deepEqual(Object.keys(out.state).sort(), Object.keys(expected.state).sort(), `${what} state fields`);
  for (const [k, v] of Object.entries(expected.state)) close(out.state[k], v, `${what} state.${k}`);
}
