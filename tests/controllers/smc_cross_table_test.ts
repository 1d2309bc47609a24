/**
 * The cross-implementation table (docs/controllers.md#cross-implementation-check): each sliding-mode
 * controller with the nominal-table gains reproduces u(0) and the state at t = 2 s.
 */
import assert from "assert";
import { type SlidingModeType as ControllerType } from "../../config/mod.ts";
import { createController } from "../../factory/mod.ts";
import { createPlant, simulate } from "../../plant/mod.ts";
import { NOMINAL_TABLE_GAINS } from "../fixtures/robust_gains.ts";
import { CONFIG, TYPES, X0 } from "./smc_helpers.ts";

const CROSS_TABLE: Readonly<Record<ControllerType, { u0: number; x2: readonly number[] }>> = {
  classical_smc: {
    u0: 17.125918006,
    x2: [-0.219479280, 0.014242530, 0.014473623, 0.216028930, -0.041311150, -0.040260414],
  },
  sta_smc: {
    u0: 17.809210961,
    x2: [-0.210326992, 0.010533183, 0.011865917, 0.221428446, -0.046653337, -0.045255005],
  },
  adaptive_smc: {
    u0: 17.358159560,
    x2: [-0.230021780, 0.016035379, 0.015966012, 0.205627462, -0.038289840, -0.036981411],
  },
  hybrid_adaptive_sta_smc: {
    u0: 16.714931704,
    x2: [-0.293605702, 0.024918380, 0.025201804, 0.208211841, -0.046842185, -0.044222671],
  },
};

for (const type of TYPES) {
  Deno.test(`${type}: reproduces the cross-implementation u(0) and state at t = 2 s to 1e-6`, () => {
    // Shipped config: full-model plant, simplified-model controller, RK4, dt 0.01, x0 [0, 0.05, −0.03, 0, 0, 0].
    assert.equal(CONFIG.simulation.plant_model, "full");
    assert.equal(CONFIG.controllers[type].model, "simplified");
    assert.equal(CONFIG.simulation.integrator, "rk4");
    assert.equal(CONFIG.simulation.dt, 0.01);
    assert.deepEqual([...X0], [0, 0.05, -0.03, 0, 0, 0]);
    // The table is a property of the nominal-table gains, not of whatever config.yaml ships as
    // controller_defaults (re-tuned since): pass them explicitly.
    const gains = NOMINAL_TABLE_GAINS[type];
    const ctrl = createController(type, { config: CONFIG, gains });
    assert.deepEqual([...ctrl.gains], [...gains]);
    const plant = createPlant(CONFIG.physics, { model: CONFIG.simulation.plant_model });
    const run = simulate({
      plant,
      controller: ctrl,
      x0: X0,
      dt: CONFIG.simulation.dt,
      duration: 2,
      integrator: CONFIG.simulation.integrator,
    });
    assert.equal(run.status, "ok");
    assert.equal(run.steps, 200);
    // The table gives 9 decimals; an implementation of exactly docs/controllers.md matches to better than
    // 1e-6.
    const { u0, x2 } = CROSS_TABLE[type];
    assert.ok(Math.abs(run.u[0] - u0) < 1e-6, `u(0) = ${run.u[0]}, table ${u0}`);
    assert.equal(ctrl.computeControl(X0).u, run.u[0]);
    for (let j = 0; j < 6; j++) {
      const got = run.x[200 * 6 + j];
      assert.ok(Math.abs(got - x2[j]) < 1e-6, `state[${j}] at t = 2 s = ${got}, table ${x2[j]}`);
    }
  });
}
