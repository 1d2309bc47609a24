/**
 * The sliding-mode controller contract: input checks on the state and the internal state, no hidden
 * state, and invalid gains refused by the constructors.
 */
import assert from "assert";
import { type SlidingModeType as ControllerType } from "../../config/mod.ts";
import {
  type ControllerState,
  createAdaptiveSMC,
  createClassicalSMC,
  createHybridAdaptiveSTASMC,
  createSuperTwistingSMC,
  GainValidationError,
} from "../../controllers/mod.ts";
import { createController } from "../../factory/mod.ts";
import { close, CONFIG, S1, TYPES, X0 } from "./smc_helpers.ts";
import { referenceFor } from "./smc_reference.ts";

Deno.test("computeControl() throws a RangeError naming the index for a non-finite or wrong-length state", () => {
  for (const type of TYPES) {
    const ctrl = createController(type);
    assert.throws(() => ctrl.computeControl([0, 0.05, -0.03, 0, 0]), {
      name: "RangeError",
      message: "x: must hold 6 values [x, θ1, θ2, ẋ, θ̇1, θ̇2], got length 5",
    });
    assert.throws(() => ctrl.computeControl([0, 0, 0, 0, 0, 0, 0]), {
      name: "RangeError",
      message: /got length 7/,
    });
    assert.throws(() => ctrl.computeControl(null as unknown as number[]), {
      name: "RangeError",
      message: /x: must hold 6 values .*got null/,
    });
    for (const [i, bad] of [[0, NaN], [2, Infinity], [5, -Infinity]] as const) {
      const s = [0, 0.05, -0.03, 0, 0, 0];
      s[i] = bad;
      assert.throws(() => ctrl.computeControl(s), {
        name: "RangeError",
        message: `x[${i}]: must be a finite number, got ${bad}`,
      });
    }
    assert.throws(() => ctrl.computeControl([0, "0.05", 0, 0, 0, 0] as unknown as number[]), {
      name: "RangeError",
      message: "x[1]: must be a finite number, got 0.05",
    });
    assert.throws(() => ctrl.computeControl(X0, undefined, 0), {
      name: "RangeError",
      message: /dt: .*got 0/,
    });
    assert.throws(() => ctrl.computeControl(X0, undefined, NaN), {
      name: "RangeError",
      message: /dt: .*got NaN/,
    });
  }
});

Deno.test("computeControl() rejects an internal state with a missing or non-finite field, naming it", () => {
  const cases: [ControllerType, unknown, string][] = [
    ["sta_smc", {}, "sta_smc state.z: must be a finite number, got undefined"],
    ["sta_smc", { z: NaN }, "sta_smc state.z: must be a finite number, got NaN"],
    ["sta_smc", { z: "0" }, "sta_smc state.z: must be a finite number, got 0"],
    ["adaptive_smc", { K: Infinity }, "adaptive_smc state.K: must be a finite number, got Infinity"],
    ["adaptive_smc", 5, "adaptive_smc state.K: must be a finite number, got undefined"],
    [
      "hybrid_adaptive_sta_smc",
      { k1: 4, k2: 0.4 },
      "hybrid_adaptive_sta_smc state.uInt: must be a finite number, got undefined",
    ],
  ];
  for (const [type, state, message] of cases) {
    const ctrl = createController(type);
    assert.throws(() => ctrl.computeControl(X0, state as ControllerState), { name: "RangeError", message });
  }
});

Deno.test("a controller holds no hidden state: same inputs give the same output, inputs are not mutated", () => {
  for (const type of TYPES) {
    const ctrl = createController(type, { config: CONFIG });
    assert.ok(Object.isFrozen(ctrl) && Object.isFrozen(ctrl.gains) && Object.isFrozen(ctrl.params));
    assert.equal(ctrl.model.model, "simplified");
    const st = ctrl.initialState();
    const copy = { ...st };
    const x = Float64Array.from(S1);
    const a = ctrl.computeControl(x, st);
    ctrl.computeControl([0.3, 0.1, -0.2, 0.4, 0.5, -0.6], a.state);
    const b = ctrl.computeControl(x, st);
    assert.deepEqual(b, a);
    assert.deepEqual(st, copy);
    assert.deepEqual([...x], S1);
    // Without a state computeControl starts from initialState(), a fresh object each time.
    assert.deepEqual(ctrl.computeControl(x), a);
    assert.notEqual(ctrl.initialState(), ctrl.initialState());
    // The default dt is the controller's; an explicit dt changes only the internal update.
    assert.equal(ctrl.dt, CONFIG.simulation.dt);
    const slow = ctrl.computeControl(x, st, 0.02);
    assert.equal(slow.u, a.u);
    for (const [k, v] of Object.entries(referenceFor(type, CONFIG, S1, st, 0.02).state)) {
      close(slow.state[k], v, `${type} state.${k} with dt 0.02`);
    }
  }
});

Deno.test("the controller constructors reject invalid gains with a GainValidationError", () => {
  const physics = CONFIG.physics, dt = 0.01, c = CONFIG.controllers;
  const attempts: [() => unknown, string][] = [
    [
      () => createClassicalSMC({ gains: [1, 2, 3], physics, params: c.classical_smc, dt }),
      "classical_smc gains: must have 6 values (k1, k2, lambda1, lambda2, K, kd), got 3",
    ],
    [
      () => createSuperTwistingSMC({ gains: [4, 8, 1, 2, 3, 4], physics, params: c.sta_smc, dt }),
      "sta_smc gain K2 (index 1): must be smaller than K1 (4) for super-twisting stability, got 8",
    ],
    [
      () => createAdaptiveSMC({ gains: [1, 1, 1, 1, 0], physics, params: c.adaptive_smc, dt }),
      "adaptive_smc gain gamma (index 4): must be greater than 0, got 0",
    ],
    [
      () =>
        createHybridAdaptiveSTASMC({ gains: [1, NaN, 1, 1], physics, params: c.hybrid_adaptive_sta_smc, dt }),
      "hybrid_adaptive_sta_smc gain lambda1 (index 1): must be finite, got NaN",
    ],
  ];
  for (const [attempt, message] of attempts) {
    assert.throws(attempt, (e: unknown) => {
      assert.ok(e instanceof GainValidationError);
      assert.equal(e.message, message);
      return true;
    });
  }
});
