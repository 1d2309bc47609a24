/**
 * Every parameter of controllers.<type> reaches the sliding-mode controller and changes exactly the
 * outputs the documented law says it does; invalid values are rejected with their dot-path.
 */
import assert from "assert";
import { ConfigError, type SlidingModeType as ControllerType } from "../../config/mod.ts";
import { type Controller } from "../../controllers/mod.ts";
import { createController } from "../../factory/mod.ts";
import { close, CONFIG, S0, S1, TYPES, withParam, X0 } from "./smc_helpers.ts";
import { assertMatchesReference, referenceFor } from "./smc_reference.ts";

type Output = "u" | "sigma" | "low" | `state.${string}` | `initial.${string}`;
interface ParamCase {
  readonly type: ControllerType;
  readonly key: string;
  readonly value: unknown;
  /** State and internal state (default: the initial one) at which the effect shows. */
  readonly s?: readonly number[];
  readonly internal?: Record<string, number>;
  /** Outputs that must change between the shipped value and `value`. */
  readonly changes: readonly Output[];
}

/** Internal-state fields that depend on σ, on sat(σ, ε) or (hybrid anti-windup) on the force limit. */
const STATE_ON_SAT: Readonly<Record<ControllerType, readonly Output[]>> = {
  classical_smc: [],
  sta_smc: ["state.z"],
  adaptive_smc: [],
  hybrid_adaptive_sta_smc: ["state.uInt"],
};
const STATE_ON_SIGMA: Readonly<Record<ControllerType, readonly Output[]>> = {
  classical_smc: [],
  sta_smc: ["state.z"],
  adaptive_smc: ["state.K"],
  hybrid_adaptive_sta_smc: ["state.k1", "state.k2", "state.uInt"],
};

/**
 * The state on the ray of S1 at which the shipped controller of `type` has |σ| = `sigma` (σ is
 * linear in the state). A dead-zone case needs |σ| between the shipped and the tested dead zone,
 * whatever gains config.yaml ships: S1 itself is at |σ| 1.12 (adaptive) and 1.49 (hybrid).
 */
function withSigma(type: ControllerType, sigma: number): readonly number[] {
  const atS1 = Math.abs(createController(type, { config: CONFIG }).computeControl(S1).sigma);
  return S1.map((v) => v * sigma / atS1);
}

const COMMON_CASES = (type: ControllerType): ParamCase[] => [
  { type, key: "boundary_layer", value: 0.6, changes: ["u", ...STATE_ON_SAT[type]] },
  // At S1 |σ| (0.72–1.49) exceeds ε (0.3–0.4): the linear form saturates exactly at ±1, tanh does not.
  { type, key: "switch_method", value: "linear", changes: ["u", ...STATE_ON_SAT[type]] },
  // The hybrid's unclipped |u| exceeds 0.5 N, so its u_int is held (anti-windup).
  {
    type,
    key: "max_force",
    value: 0.5,
    changes: ["u", ...STATE_ON_SAT[type].filter((k) => k !== "state.z")],
  },
  { type, key: "cart_gain", value: 2, changes: ["sigma", "u", ...STATE_ON_SIGMA[type]] },
  { type, key: "cart_lambda", value: 3, changes: ["sigma", "u", ...STATE_ON_SIGMA[type]] },
  { type, key: "model", value: "full", changes: ["u"] },
  { type, key: "use_equivalent", value: false, changes: ["u"] },
  // Above every shipped d (0.81–1.30): the floor applies and u = (v − f)/threshold.
  { type, key: "controllability_threshold", value: 5, changes: ["u", "low"] },
];

const PARAM_CASES: readonly ParamCase[] = [
  ...TYPES.flatMap(COMMON_CASES),
  { type: "adaptive_smc", key: "leak", value: 0.5, internal: { K: 20 }, changes: ["state.K"] },
  // At a state with |σ| = 0.5, between the shipped dead zone (0.05) and 1: a dead zone of 1
  // contains it, so K freezes.
  {
    type: "adaptive_smc",
    key: "dead_zone",
    value: 1,
    s: withSigma("adaptive_smc", 0.5),
    changes: ["state.K"],
  },
  { type: "adaptive_smc", key: "adapt_rate_limit", value: 0.001, changes: ["state.K"] },
  // A K below K_min (e.g. carried over from a run with a lower K_min) is pulled up to K_min.
  { type: "adaptive_smc", key: "K_min", value: 1, internal: { K: 0.5 }, changes: ["state.K"] },
  { type: "adaptive_smc", key: "K_max", value: 10.0001, changes: ["state.K"] },
  { type: "adaptive_smc", key: "K_init", value: 20, changes: ["initial.K", "u", "state.K"] },
  { type: "adaptive_smc", key: "alpha", value: 2, changes: ["u"] },
  { type: "hybrid_adaptive_sta_smc", key: "k1_init", value: 8, changes: ["initial.k1", "u", "state.k1"] },
  {
    type: "hybrid_adaptive_sta_smc",
    key: "k2_init",
    value: 1,
    changes: ["initial.k2", "state.k2", "state.uInt"],
  },
  { type: "hybrid_adaptive_sta_smc", key: "gamma1", value: 5, changes: ["state.k1"] },
  { type: "hybrid_adaptive_sta_smc", key: "gamma2", value: 5, changes: ["state.k2"] },
  {
    type: "hybrid_adaptive_sta_smc",
    key: "k_max",
    value: 60,
    internal: { k1: 49.999, k2: 0.4, uInt: 0 },
    changes: ["state.k1"],
  },
  { type: "hybrid_adaptive_sta_smc", key: "damping_gain", value: 6, changes: ["u"] },
  {
    type: "hybrid_adaptive_sta_smc",
    key: "dead_zone",
    value: 1,
    s: withSigma("hybrid_adaptive_sta_smc", 0.5),
    internal: { k1: 10, k2: 1, uInt: 0 },
    changes: ["state.k1", "state.k2"],
  },
  // The leak acts inside the dead zone only: upright at rest σ = 0.
  {
    type: "hybrid_adaptive_sta_smc",
    key: "leak",
    value: 0.5,
    s: S0,
    internal: { k1: 10, k2: 1, uInt: 0 },
    changes: ["state.k1", "state.k2"],
  },
];

function outputs(ctrl: Controller, s: readonly number[], internal?: Record<string, number>) {
  const initial = ctrl.initialState();
  const out = ctrl.computeControl(s, internal ?? initial);
  const values: Record<string, number> = { u: out.u, sigma: out.sigma, low: Number(out.lowControllability) };
  for (const [k, v] of Object.entries(out.state)) values[`state.${k}`] = v;
  for (const [k, v] of Object.entries(initial)) values[`initial.${k}`] = v;
  return values;
}

for (const c of PARAM_CASES) {
  Deno.test(`${c.type}: controllers.${c.type}.${c.key} = ${JSON.stringify(c.value)} reaches the controller`, () => {
    const s = c.s ?? S1;
    const config = withParam(c.type, c.key, c.value);
    const ctrl = createController(c.type, { config });
    const base = createController(c.type, { config: CONFIG });
    assert.equal(ctrl.params[c.key], c.value);
    assert.notEqual(base.params[c.key], c.value);
    // Only that one parameter differs between the two controllers.
    assert.deepEqual({ ...ctrl.params, [c.key]: base.params[c.key] }, base.params);
    if (c.key === "max_force") assert.equal(ctrl.maxForce, c.value);
    // Both follow the documented law with their own parameters...
    for (const [cfg, ctl] of [[config, ctrl], [CONFIG, base]] as const) {
      const internal = c.internal ?? ctl.initialState();
      assertMatchesReference(ctl, referenceFor(c.type, cfg, s, internal), s, internal, `${c.type}.${c.key}`);
    }
    // ...and the outputs the law says depend on the parameter do change.
    const got = outputs(ctrl, s, c.internal), was = outputs(base, s, c.internal);
    for (const key of c.changes) {
      assert.ok(
        Math.abs(got[key] - was[key]) > 1e-6,
        `${key}: ${was[key]} → ${got[key]} should change`,
      );
    }
    for (const key of Object.keys(was)) {
      if (!c.changes.includes(key as Output)) {
        assert.equal(got[key], was[key], `${key} should not change`);
      }
    }
  });
}

Deno.test("switch_method linear saturates exactly beyond ε; max_force clips; use_equivalent false gives u = v/d", () => {
  const type = "classical_smc";
  const [, , , , K, kd] = CONFIG.controller_defaults.classical_smc.gains;
  const linear = createController(type, { config: withParam(type, "switch_method", "linear") });
  const out = linear.computeControl(S1);
  assert.ok(Math.abs(out.sigma) > CONFIG.controllers.classical_smc.boundary_layer);
  const ref = referenceFor(type, CONFIG, S1, {});
  // v with sat exactly −1 (σ < −ε): −K·(−1) − kd·σ.
  close(out.u, (K - kd * out.sigma - ref.f) / ref.d, "linear u");

  // Every type clips at exactly ±max_force, on both sides (S1 and its mirror image push opposite ways).
  for (const t of TYPES) {
    const clipped = createController(t, { config: withParam(t, "max_force", 0.5) });
    const mirror = S1.map((v) => -v);
    assert.ok(Math.abs(referenceFor(t, CONFIG, S1, clipped.initialState()).unclipped) > 0.5);
    assert.deepEqual(
      [clipped.computeControl(S1).u, clipped.computeControl(mirror).u].sort(),
      [-0.5, 0.5],
      `${t} clips both ways`,
    );
    for (const s of [X0, S1, [0.3, -0.4, 0.5, 1, -2, 3], [0, 1e-4, 0, 0, 0, 0]]) {
      assert.ok(Math.abs(clipped.computeControl(s).u) <= 0.5);
    }
  }

  const noEq = createController(type, { config: withParam(type, "use_equivalent", false) });
  close(noEq.computeControl(S1).u, ref.v / ref.d, "u = v/d");
  assert.ok(Math.abs(ref.f) > 0.1, "f is not negligible here, so dropping it matters");
});

Deno.test("model: full and simplified controllers agree whenever both angles are 0 and differ otherwise", () => {
  // At θ1 = θ2 = 0 the full M(q) equals the simplified M(0) and every Coriolis term carries a
  // sin θ, so d and f coincide whatever the velocities. The two models form M⁻¹ by different
  // operation orders (reciprocal vs division), so equality holds to rounding (≲ 1e-14 relative).
  for (const type of TYPES) {
    const full = createController(type, { config: withParam(type, "model", "full") });
    const simple = createController(type, { config: CONFIG });
    for (const s of [S0, [0.2, 0, 0, 0.5, -1.5, 2]]) {
      close(full.computeControl(s).u, simple.computeControl(s).u, `${type} at [${s}]`, 1e-12);
    }
    for (const s of [X0, S1]) {
      const a = full.computeControl(s).u, b = simple.computeControl(s).u;
      assert.ok(Math.abs(a - b) > 1e-3, `${type} at [${s}]: full ${a} vs simplified ${b}`);
    }
  }
});

Deno.test("config validation rejects an invalid value of every controllers.<type> parameter with its dot-path", () => {
  const common: [string, unknown][] = [
    ["boundary_layer", 0],
    ["boundary_layer", -0.3],
    ["switch_method", "sign"],
    ["max_force", -1],
    ["max_force", "150"],
    ["cart_gain", -0.5],
    ["cart_lambda", NaN],
    ["model", "exact"],
    ["use_equivalent", "yes"],
    ["controllability_threshold", 0],
    ["gains", "fast"],
  ];
  const specific: [ControllerType, string, unknown][] = [
    ["adaptive_smc", "leak", -1],
    ["adaptive_smc", "dead_zone", -0.1],
    ["adaptive_smc", "adapt_rate_limit", 0],
    ["adaptive_smc", "K_min", 0],
    ["adaptive_smc", "K_min", 200],
    ["adaptive_smc", "K_max", 0],
    ["adaptive_smc", "K_init", 1000],
    ["adaptive_smc", "K_init", Infinity],
    ["adaptive_smc", "alpha", -1],
    ["hybrid_adaptive_sta_smc", "k1_init", 0],
    ["hybrid_adaptive_sta_smc", "k2_init", -1],
    ["hybrid_adaptive_sta_smc", "gamma1", -1],
    ["hybrid_adaptive_sta_smc", "gamma2", "2"],
    ["hybrid_adaptive_sta_smc", "k_max", 3],
    ["hybrid_adaptive_sta_smc", "damping_gain", -3],
    ["hybrid_adaptive_sta_smc", "dead_zone", -1],
    ["hybrid_adaptive_sta_smc", "leak", Infinity],
  ];
  const cases: [ControllerType, string, unknown][] = [
    ...TYPES.flatMap((t) => common.map(([k, v]): [ControllerType, string, unknown] => [t, k, v])),
    ...specific,
  ];
  for (const [type, key, value] of cases) {
    const path = `controllers.${type}.${key}`;
    assert.throws(() => withParam(type, key, value), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${path}: ${e}`);
      assert.equal(e.issues.length, 1, `${path}: ${e.message}`);
      assert.equal(e.issues[0].path, path);
      assert.ok(e.message.includes(`${path}: `), e.message);
      return true;
    }, `${path} = ${String(value)} must be rejected`);
    // The factory never falls back to a default: the same plain object is rejected there too.
    const raw = structuredClone(CONFIG) as unknown as {
      controllers: Record<string, Record<string, unknown>>;
    };
    raw.controllers[type][key] = value;
    assert.throws(() => createController(type, { config: raw }), ConfigError);
  }
});
