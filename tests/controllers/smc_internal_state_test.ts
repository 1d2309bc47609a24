/**
 * The internal states of the stateful sliding-mode controllers, one family at a time (explicit
 * Euler with the simulation's dt, docs/controllers.md#internal-states): sta_smc's z, adaptive_smc's
 * K, hybrid_adaptive_sta_smc's k1, k2 and u_int.
 */
import assert from "assert";
import { createController } from "../../factory/mod.ts";
import { close, CONFIG, S0, S1, withParam, X0 } from "./smc_helpers.ts";
import { referenceFor } from "./smc_reference.ts";

Deno.test("sta_smc: after one step from the initial state z == −dt·K2·sat(σ0, ε) exactly", () => {
  const ctrl = createController("sta_smc", { config: CONFIG });
  const [, K2, k1, k2, l1, l2] = ctrl.gains;
  const eps = CONFIG.controllers.sta_smc.boundary_layer, dt = CONFIG.simulation.dt;
  assert.deepEqual(ctrl.initialState(), { z: 0 });
  // σ0 at x0 = [0, 0.05, −0.03, 0, 0, 0]: only the angle terms are non-zero.
  const sigma0 = -k1 * l1 * 0.05 + k2 * l2 * -0.03;
  const out = ctrl.computeControl(X0);
  assert.equal(out.sigma, sigma0);
  assert.equal(out.state.z, -dt * K2 * Math.tanh(sigma0 / eps));
  // The control of step k uses z_k: step 0 has z = 0, so v = −K1·√|σ|·sat(σ).
  const again = ctrl.computeControl(X0, out.state);
  assert.equal(again.state.z, out.state.z - dt * K2 * Math.tanh(sigma0 / eps));
  close(again.u - out.u, out.state.z / referenceFor("sta_smc", CONFIG, X0, { z: 0 }).d, "u shift by z/d");
});

Deno.test("adaptive_smc: K moves by the clipped, leaky law outside the dead zone and stays inside it", () => {
  const ctrl = createController("adaptive_smc", { config: CONFIG });
  const p = CONFIG.controllers.adaptive_smc;
  const gamma = ctrl.gains[4], dt = CONFIG.simulation.dt;
  const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  assert.deepEqual(ctrl.initialState(), { K: p.K_init });
  for (const K of [p.K_init, 20, 3]) {
    const out = ctrl.computeControl(S1, { K });
    const abs = Math.abs(out.sigma);
    assert.ok(abs > p.dead_zone);
    const kDot = clip(gamma * abs - p.leak * (K - p.K_init), -p.adapt_rate_limit, p.adapt_rate_limit);
    assert.equal(out.state.K, clip(K + dt * kDot, p.K_min, p.K_max), `K = ${K}`);
  }
  // Inside the dead zone (σ = 0 upright at rest) K is frozen, even away from K_init.
  for (const K of [p.K_init, 20, 3]) assert.equal(ctrl.computeControl(S0, { K }).state.K, K);
  // The rate limit binds: from K = K_max far above K_init the leak alone would exceed it.
  const hiK = ctrl.computeControl(S1, { K: 100 });
  assert.equal(
    hiK.state.K,
    clip(100 + dt * clip(gamma * Math.abs(hiK.sigma) - p.leak * 90, -10, 10), 0.1, 100),
  );
});

Deno.test("hybrid_adaptive_sta_smc: k1, k2 grow by γi·|σ| outside the dead zone and leak toward init inside", () => {
  const ctrl = createController("hybrid", { config: CONFIG });
  const p = CONFIG.controllers.hybrid_adaptive_sta_smc, dt = CONFIG.simulation.dt;
  const init = ctrl.initialState();
  assert.deepEqual(init, { k1: p.k1_init, k2: p.k2_init, uInt: 0 });
  const out = ctrl.computeControl(S1, init);
  const abs = Math.abs(out.sigma);
  assert.ok(abs > p.dead_zone);
  assert.equal(out.state.k1, p.k1_init + dt * (p.gamma1 * abs));
  assert.equal(out.state.k2, p.k2_init + dt * (p.gamma2 * abs));
  assert.equal(out.state.uInt, 0 - dt * p.k2_init * Math.tanh(out.sigma / p.boundary_layer));
  // Inside the dead zone each gain relaxes toward its initial value with the leak rate.
  const inside = ctrl.computeControl(S0, { k1: 10, k2: 1, uInt: 0.5 });
  assert.equal(inside.sigma, 0);
  assert.equal(inside.state.k1, 10 + dt * (-p.leak * (10 - p.k1_init)));
  assert.equal(inside.state.k2, 1 + dt * (-p.leak * (1 - p.k2_init)));
  assert.ok(inside.state.k1 < 10 && inside.state.k1 > p.k1_init);
  // sat(0) = 0: u_int holds, and v = u_int.
  assert.equal(inside.state.uInt, 0.5);
  // Both gains are capped at k_max.
  const capped = ctrl.computeControl(S1, { k1: p.k_max, k2: p.k_max, uInt: 0 });
  assert.deepEqual([capped.state.k1, capped.state.k2], [p.k_max, p.k_max]);
});

Deno.test("hybrid_adaptive_sta_smc: u_int is frozen while the unclipped |u| exceeds max_force and integrates otherwise", () => {
  const config = withParam("hybrid_adaptive_sta_smc", "max_force", 1);
  const ctrl = createController("hybrid_adaptive_sta_smc", { config });
  const free = createController("hybrid_adaptive_sta_smc", { config: CONFIG });
  const st = { k1: 4, k2: 0.4, uInt: 0.25 };
  // From x0 the unclipped u is ≈ 28 N with the shipped gains: above 1 N, so u is clipped and u_int
  // is held.
  const clipped = ctrl.computeControl(X0, st);
  assert.equal(Math.abs(clipped.u), 1);
  assert.ok(Math.abs(referenceFor("hybrid_adaptive_sta_smc", config, X0, st).unclipped) > 1);
  assert.equal(clipped.state.uInt, 0.25);
  // With the shipped 150 N the same step integrates.
  const integrating = free.computeControl(X0, st);
  assert.ok(Math.abs(integrating.u) < 150);
  assert.equal(integrating.state.uInt, 0.25 - 0.01 * 0.4 * Math.tanh(integrating.sigma / 0.35));
  // A state whose unclipped |u| is below 1 N integrates under the 1 N limit too.
  const small = [0, 0.001, 0.001, 0, 0, 0];
  const quiet = ctrl.computeControl(small, { k1: 4, k2: 0.4, uInt: 0 });
  assert.ok(Math.abs(quiet.u) < 1);
  assert.notEqual(quiet.state.uInt, 0);
  close(quiet.state.uInt, -0.01 * 0.4 * Math.tanh(quiet.sigma / 0.35), "u_int");
});
