/**
 * Tests of the control cost (docs/tuning.md#control-cost): the four integrals by hand on a 3-step trajectory,
 * the failure penalty and its ordering, the batch and single-run paths; the robust-cost scenarios and the
 * evaluator that combines them.
 */
import assert from "assert";
import fc from "fast-check";
import { type Config, loadConfig } from "../../config/mod.ts";
import { createController, validateGains } from "../../factory/mod.ts";
import {
  type ControlKernel,
  createPlant,
  simulate,
  simulateBatch,
  STATUS_DIVERGED,
  STATUS_FELL,
  STATUS_OFF_TRACK,
  STATUS_OK,
  stepCount,
  type Trajectory,
} from "../../plant/mod.ts";
import {
  controlCost,
  costAt,
  costOfBatchRun,
  costSettings,
  createEvaluator,
  createScenarios,
  Prng,
  type Scenario,
} from "../../optimizer/mod.ts";
import { PHYSICS_KEYS } from "../../config/mod.ts";

const config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const cf = config.cost_function;
const sim = config.simulation;
const PENALTY = cf.instability_penalty;

/** Asserts |a − b| ≤ tol·max(1, |b|). */
function close(actual: number, expected: number, tol = 1e-12, what = "value"): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what}: expected ${expected}, got ${actual}`,
  );
}

/** A stateless kernel applying `u = law(state)`; σ is recorded as 0. */
function kernel(law: (s: Float64Array, so: number, k: number) => number): { kernel: ControlKernel } {
  return {
    kernel: {
      internalSize: 1,
      maxForce: 150,
      init(internal, io) {
        internal[io] = 0;
      },
      step(s, so, internal, io, _dt, out) {
        out[0] = law(s, so, internal[io]++);
        out[1] = 0;
        out[2] = 0;
      },
    },
  };
}
const zeroForce = kernel(() => 0);

/**
 * The hand-checked trajectory: dt 0.5, 3 steps. Squared state norms of the three samples at which a
 * control is applied: 1, 5, 3 (the final sample, norm² 4, gets no control and is not integrated).
 */
function tiny(status: Trajectory["status"] = "ok", duration = 1.5): Trajectory {
  const dt = 0.5;
  return {
    t: Float64Array.of(0, 0.5, 1, 1.5),
    x: Float64Array.of(
      ...[1, 0, 0, 0, 0, 0],
      ...[0, 1, 2, 0, 0, 0],
      ...[0, 0, 0, 1, 1, 1],
      ...[0, 0, 0, 0, 0, 2],
    ),
    u: Float64Array.of(2, -1, 3),
    sigma: Float64Array.of(1, 2, -2),
    status,
    failTime: status === "ok" ? null : 1.5,
    steps: 3,
    lowControllability: 0,
    dt,
    duration,
  };
}

// By hand, dt = 0.5: ISE = 0.5·(1 + 5 + 3) = 4.5; U = 0.5·(4 + 1 + 9) = 7;
// DU = 0.5·(0² + (−3/0.5)² + (4/0.5)²) = 0.5·(0 + 36 + 64) = 50; S = 0.5·(1 + 4 + 4) = 4.5.
// Shipped weights / norms: 1/10, 0.1/100, 0.01/1000, 0/1.
const HAND = { stateError: 4.5 / 10, controlEffort: 0.1 * 7 / 100, controlRate: 0.01 * 50 / 1000 };

Deno.test("controlCost() matches each term computed by hand with the shipped weights and norms", () => {
  assert.equal(cf.weights.state_error, 1);
  assert.equal(cf.norms.state_error, 10);
  assert.equal(cf.weights.control_effort, 0.1);
  assert.equal(cf.norms.control_effort, 100);
  assert.equal(cf.weights.control_rate, 0.01);
  assert.equal(cf.norms.control_rate, 1000);
  assert.equal(cf.weights.sliding, 0);
  const c = controlCost(tiny(), cf);
  close(c.stateError, HAND.stateError, 1e-14, "stateError");
  close(c.controlEffort, HAND.controlEffort, 1e-14, "controlEffort");
  close(c.controlRate, HAND.controlRate, 1e-14, "controlRate");
  assert.equal(c.sliding, 0);
  assert.equal(c.failurePenalty, 0);
  close(c.total, HAND.stateError + HAND.controlEffort + HAND.controlRate, 1e-14, "total");
});

Deno.test("controlCost() integrates σ² when the sliding weight is on", () => {
  const c = controlCost(tiny(), {
    ...cf,
    weights: { ...cf.weights, sliding: 2 },
    norms: { ...cf.norms, sliding: 3 },
  });
  close(c.sliding, 2 * 4.5 / 3, 1e-14, "sliding");
  close(c.total, HAND.stateError + HAND.controlEffort + HAND.controlRate + 3, 1e-14, "total");
});

Deno.test("controlCost() with time_weighting linear weights the state term by t/T only", () => {
  const c = controlCost(tiny(), { ...cf, time_weighting: "linear" });
  // t/T at the three integrated samples: 0, 1/3, 2/3 → 0.5·(0·1 + 5/3 + 3·2/3) = 11/6.
  close(c.stateError, (11 / 6) / 10, 1e-14, "stateError");
  close(c.controlEffort, HAND.controlEffort, 1e-14, "controlEffort");
  close(c.controlRate, HAND.controlRate, 1e-14, "controlRate");
  assert.ok(c.stateError < HAND.stateError);
});

Deno.test("controlCost() takes the first control difference as 0", () => {
  const run = { ...tiny(), u: Float64Array.of(40, 40, 40) };
  const c = controlCost(run, cf);
  assert.equal(c.controlRate, 0);
  close(c.controlEffort, 0.1 * 0.5 * 3 * 1600 / 100, 1e-14, "controlEffort");
});

Deno.test("controlCost() breakdown parts sum to the total for ok, fell and off-track runs", () => {
  for (const status of ["ok", "fell", "off_track"] as const) {
    for (const time_weighting of ["none", "linear"] as const) {
      const c = controlCost(tiny(status, 10), {
        ...cf,
        time_weighting,
        weights: { ...cf.weights, sliding: 0.5 },
      });
      const sum = c.stateError + c.controlEffort + c.controlRate + c.sliding + c.failurePenalty;
      close(sum, c.total, 1e-14, `${status}/${time_weighting}`);
      assert.ok(c.stateError > 0 && c.controlEffort > 0 && c.controlRate > 0 && c.sliding > 0);
    }
  }
});

Deno.test("controlCost() adds penalty·(T − t_f)/T to a run that fails at t_f", () => {
  const ok = controlCost(tiny("ok", 10), cf);
  for (const status of ["fell", "off_track"] as const) {
    const failed = controlCost(tiny(status, 10), cf);
    // t_f = 3 steps · 0.5 s = 1.5 s of T = 10 s.
    close(failed.failurePenalty, PENALTY * (10 - 1.5) / 10, 1e-14, status);
    close(failed.total, ok.total + PENALTY * 0.85, 1e-14, status);
  }
  // A run that ends at the horizon pays no penalty even when its status is a failure.
  assert.equal(controlCost(tiny("fell", 1.5), cf).failurePenalty, 0);
});

Deno.test("controlCost() charges a diverged run the full penalty and nothing else", () => {
  const c = controlCost(tiny("diverged", 10), cf);
  assert.equal(c.total, PENALTY);
  assert.equal(c.failurePenalty, PENALTY);
  assert.equal(c.stateError + c.controlEffort + c.controlRate + c.sliding, 0);
  // A real one: the controller returns NaN at step 50.
  const plant = createPlant(config.physics, { model: "full" });
  const run = simulate({
    plant,
    controller: kernel((_s, _so, k) => (k < 50 ? 1 : NaN)),
    x0: sim.initial_state,
    dt: sim.dt,
    duration: sim.duration,
  });
  assert.equal(run.status, "diverged");
  assert.equal(run.steps, 50);
  assert.equal(controlCost(run, cf).total, PENALTY);
  const settings = costSettings(cf, sim.dt, sim.duration);
  assert.equal(costAt(run.x, 0, run.u, run.sigma, 0, run.steps, STATUS_DIVERGED, settings), PENALTY);
});

Deno.test("controlCost() never charges an empty run 0: it costs the penalty", () => {
  const plant = createPlant(config.physics, { model: "full" });
  // Starts beyond the fall angle: no control is ever applied.
  const fallen = simulate({
    plant,
    controller: zeroForce,
    x0: [0, 2, 0, 0, 0, 0],
    dt: sim.dt,
    duration: sim.duration,
  });
  assert.equal(fallen.status, "fell");
  assert.equal(fallen.steps, 0);
  assert.equal(fallen.failTime, 0);
  assert.equal(controlCost(fallen, cf).total, PENALTY);
  // Whatever the status claims, 0 steps cost the penalty, not the 0 of four empty sums.
  const empty: Trajectory = { ...fallen, status: "ok", failTime: null };
  const c = controlCost(empty, cf);
  assert.equal(c.total, PENALTY);
  assert.equal(c.failurePenalty, PENALTY);
  const settings = costSettings(cf, sim.dt, sim.duration);
  const none = new Float64Array(0);
  for (const status of [STATUS_OK, STATUS_FELL, STATUS_DIVERGED, STATUS_OFF_TRACK]) {
    assert.equal(costAt(Float64Array.of(0, 0, 0, 0, 0, 0), 0, none, none, 0, 0, status, settings), PENALTY);
  }
  // The batch kernel's empty run (0 steps) is no exception.
  const ws = simulateBatch({
    particles: [{ plant, kernel: zeroForce.kernel, x0: sim.initial_state }],
    dt: 0.01,
    steps: 0,
  });
  assert.equal(ws.status[0], STATUS_OK);
  assert.equal(costOfBatchRun(ws, 0, settings), PENALTY);
});

Deno.test("controlCost() charges an earlier fall more, for real zero-force runs", () => {
  const plant = createPlant(config.physics, { model: "full" });
  const run = (theta: number) =>
    simulate({
      plant,
      controller: zeroForce,
      x0: [0, theta, theta, 0, 0, 0],
      dt: sim.dt,
      duration: sim.duration,
    });
  const early = run(0.3), late = run(0.02);
  assert.equal(early.status, "fell");
  assert.equal(late.status, "fell");
  assert.ok(early.failTime! < late.failTime!, `fall times ${early.failTime} and ${late.failTime}`);
  const ce = controlCost(early, cf), cl = controlCost(late, cf);
  // The later fall accumulated more state error before falling, and still costs less.
  assert.ok(cl.stateError > ce.stateError);
  assert.ok(ce.total > cl.total, `early ${ce.total}, late ${cl.total}`);
  close(ce.failurePenalty, PENALTY * (sim.duration - early.failTime!) / sim.duration, 1e-12, "early penalty");
});

Deno.test("costAt() charges an earlier fall more whenever the integrand stays below penalty/T", () => {
  // With |x_j| ≤ 1, |u| ≤ 10 and dt = 0.01 the integrand per second is at most
  // 6/10 + 0.1·100/100 + 0.01·(20/0.01)²/1000 = 40.7 < penalty/T = 100.
  const dt = 0.01, T = 1;
  const settings = costSettings(cf, dt, T);
  const steps = Math.round(T / dt);
  fc.assert(
    fc.property(
      fc.float64Array({
        minLength: 6 * (steps + 1),
        maxLength: 6 * (steps + 1),
        min: -1,
        max: 1,
        noNaN: true,
      }),
      fc.float64Array({ minLength: steps, maxLength: steps, min: -10, max: 10, noNaN: true }),
      fc.integer({ min: 0, max: steps - 1 }),
      fc.integer({ min: 1, max: steps }),
      fc.constantFrom("none", "linear"),
      (x, u, a, gap, time_weighting) => {
        const early = a, late = Math.min(steps, a + gap);
        fc.pre(early < late);
        const s = { ...settings, timeWeighting: time_weighting as "none" | "linear" };
        const sigma = new Float64Array(steps);
        const cEarly = costAt(x, 0, u, sigma, 0, early, STATUS_FELL, s);
        const cLate = costAt(x, 0, u, sigma, 0, late, STATUS_FELL, s);
        return cEarly > cLate;
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("costOfBatchRun() equals controlCost() of the same run via simulate()", () => {
  const plant = createPlant(config.physics, { model: sim.plant_model });
  const steps = stepCount(sim.duration, sim.dt);
  const good = createController("classical_smc", { config });
  const cases = [
    { controller: good, x0: sim.initial_state },
    { controller: zeroForce, x0: [0, 0.1, -0.05, 0, 0, 0] },
    { controller: createController("sta_smc", { config }), x0: [0, -0.08, 0.04, 0, 0, 0] },
  ];
  const ws = simulateBatch({
    particles: cases.map((c) => ({ plant, kernel: c.controller.kernel, x0: c.x0 })),
    dt: sim.dt,
    steps,
    integrator: sim.integrator,
    fallAngle: sim.fall_angle,
  });
  for (const time_weighting of ["none", "linear"] as const) {
    const cfx = { ...cf, time_weighting };
    const settings = costSettings(cfx, sim.dt, sim.duration);
    cases.forEach((c, p) => {
      const run = simulate({ plant, controller: c.controller, x0: c.x0, dt: sim.dt, duration: sim.duration });
      assert.ok(Object.is(costOfBatchRun(ws, p, settings), controlCost(run, cfx).total), `particle ${p}`);
    });
  }
  // The cases really differ: one completes, the zero-force one falls.
  assert.equal(ws.status[0], STATUS_OK);
  assert.equal(ws.status[1], STATUS_FELL);
});

// ---------------------------------------------------------------------------------------------------
// Scenarios

/** A config copy with edited sections (createScenarios reads plain data). */
function edited(edit: (c: Record<string, Record<string, unknown>>) => void): Config {
  const copy = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  edit(copy);
  return copy as unknown as Config;
}

Deno.test("createScenarios() makes scenario 0 the nominal physics and initial state", () => {
  const scenarios = createScenarios(config, new Prng(7));
  assert.equal(scenarios.length, config.physics_uncertainty.n_evals);
  assert.deepEqual(scenarios[0].physics, { ...config.physics });
  assert.deepEqual(scenarios[0].x0, [...sim.initial_state]);
});

Deno.test("createScenarios() gives the same list for a seed and a different one for another seed", () => {
  const a = createScenarios(config, new Prng(7));
  const b = createScenarios(config, new Prng(7));
  const c = createScenarios(config, new Prng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(a[0], c[0]);
  for (let i = 1; i < a.length; i++) {
    assert.notEqual(a[i].physics.cart_mass, c[i].physics.cart_mass);
    assert.notEqual(a[i].x0[1], c[i].x0[1]);
  }
});

Deno.test("createScenarios() draws each parameter within ±pct of nominal and the angles within ±initial_angle", () => {
  const scenarios = createScenarios(config, new Prng(11), { count: 200 });
  assert.equal(scenarios.length, 200);
  const angle = config.uncertainty.initial_angle;
  for (const key of PHYSICS_KEYS) {
    const nominal = config.physics[key], pct = config.physics_uncertainty[key];
    const values = scenarios.slice(1).map((s) => s.physics[key]);
    for (const v of values) {
      assert.ok(Math.abs(v - nominal) <= pct * nominal * (1 + 1e-12), `${key} ${v} outside ±${pct}`);
    }
    if (pct === 0) {
      assert.ok(values.every((v) => v === nominal), `${key} must stay nominal`);
    } else {
      // The draws use the range, not a sliver of it: both halves are hit, some near the ends.
      assert.ok(values.some((v) => v > nominal * (1 + pct / 2)), `${key}: no draw above +pct/2`);
      assert.ok(values.some((v) => v < nominal * (1 - pct / 2)), `${key}: no draw below −pct/2`);
    }
  }
  assert.equal(config.physics_uncertainty.gravity, 0);
  for (const s of scenarios.slice(1)) {
    for (const j of [1, 2]) assert.ok(Math.abs(s.x0[j] - sim.initial_state[j]) <= angle + 1e-15);
    for (const j of [0, 3, 4, 5]) assert.equal(s.x0[j], sim.initial_state[j]);
  }
  assert.ok(scenarios.some((s) => Math.abs(s.x0[1] - sim.initial_state[1]) > angle / 2));
});

Deno.test("createScenarios() follows the configured percentages and angle", () => {
  const cfg = edited((c) => {
    c.physics_uncertainty.gravity = 0.2;
    c.physics_uncertainty.cart_mass = 0;
    c.uncertainty.initial_angle = 0;
  });
  const scenarios = createScenarios(cfg, new Prng(3), { count: 50 });
  assert.ok(scenarios.slice(1).some((s) => s.physics.gravity !== config.physics.gravity));
  for (const s of scenarios) {
    assert.equal(s.physics.cart_mass, config.physics.cart_mass);
    assert.ok(Math.abs(s.physics.gravity - 9.81) <= 0.2 * 9.81 + 1e-12);
    assert.deepEqual(s.x0, [...sim.initial_state]);
  }
  // Changing one percentage does not reshuffle the other draws.
  const base = createScenarios(config, new Prng(3), { count: 50 });
  for (let i = 1; i < 50; i++) {
    assert.equal(scenarios[i].physics.pendulum1_mass, base[i].physics.pendulum1_mass);
  }
});

Deno.test("createScenarios() honours count and rejects a count below 1", () => {
  assert.equal(createScenarios(config, new Prng(1), { count: 1 }).length, 1);
  assert.equal(createScenarios(config, new Prng(1), { count: 4 }).length, 4);
  for (const count of [0, -1, 2.5, NaN]) {
    assert.throws(
      () => createScenarios(config, new Prng(1), { count }),
      /scenario count: must be an integer ≥ 1/,
    );
  }
});

Deno.test("createScenarios() draws really change the simulated physics", () => {
  const [nominal, drawn] = createScenarios(config, new Prng(5), { count: 2 });
  const ctrl = createController("classical_smc", { config });
  const run = (s: Scenario) =>
    simulate({
      plant: createPlant(s.physics, { model: sim.plant_model }),
      controller: ctrl,
      x0: sim.initial_state, // same start: only the physics differs
      dt: sim.dt,
      duration: 2,
    });
  const a = run(nominal), b = run(drawn);
  let maxDiff = 0;
  for (let i = 0; i < a.x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.x[i] - b.x[i]));
  assert.ok(maxDiff > 1e-4, `trajectories differ by ${maxDiff} only`);
  // And the evaluator sees it: same x0, different physics, different cost.
  const ev = createEvaluator({
    config,
    controllerType: "classical_smc",
    scenarios: [nominal, { physics: drawn.physics, x0: nominal.x0 }],
    penalty: 1e4,
  });
  const costs = ev.scenarioCosts(config.controller_defaults.classical_smc.gains);
  assert.notEqual(costs[0], costs[1]);
});

// ---------------------------------------------------------------------------------------------------
// Evaluator

const staScenarios = createScenarios(config, new Prng(21), { count: 4 });

Deno.test("createEvaluator() cost is 0.7·mean + 0.3·max of the scenario costs", () => {
  const ev = createEvaluator({ config, controllerType: "sta_smc", scenarios: staScenarios, penalty: 1e4 });
  for (const gains of [config.controller_defaults.sta_smc.gains, [12, 3, 1, 3, 10, 8]]) {
    const costs = ev.scenarioCosts(gains);
    assert.equal(costs.length, 4);
    const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
    const max = Math.max(...costs);
    assert.ok(max > mean, "the scenarios must not all cost the same");
    close(ev.cost(gains), 0.7 * mean + 0.3 * max, 1e-14, `robust cost of ${gains}`);
  }
  // Scenario 0 is exactly the nominal run from simulation.initial_state.
  const nominalRun = simulate({
    plant: createPlant(config.physics, { model: sim.plant_model }),
    controller: createController("sta_smc", { config }),
    x0: sim.initial_state,
    dt: sim.dt,
    duration: sim.duration,
  });
  assert.ok(
    Object.is(
      ev.scenarioCosts(config.controller_defaults.sta_smc.gains)[0],
      controlCost(nominalRun, cf).total,
    ),
  );
});

Deno.test("createEvaluator() takes the combination weights from cost_function.combine_weights", () => {
  const cfg = edited((c) => {
    (c.cost_function as { combine_weights: unknown }).combine_weights = { mean: 0, max: 1 };
  });
  const gains = config.controller_defaults.sta_smc.gains;
  const worst = createEvaluator({
    config: cfg,
    controllerType: "sta_smc",
    scenarios: staScenarios,
    penalty: 1e4,
  });
  assert.equal(worst.cost(gains), Math.max(...worst.scenarioCosts(gains)));
});

Deno.test("createEvaluator() charges invalid gains (STA K1 ≤ K2) the penalty without simulating", () => {
  // A scenario with a NaN state would make any simulation throw: the penalty must come first.
  const poisoned: Scenario[] = [{ physics: config.physics, x0: [0, NaN, 0, 0, 0, 0] }];
  const ev = createEvaluator({ config, controllerType: "sta_smc", scenarios: poisoned, penalty: 12345.5 });
  for (const gains of [[5, 5, 1, 3, 10, 8], [4, 6, 1, 3, 10, 8]]) {
    assert.equal(validateGains("sta_smc", gains).ok, false);
    assert.equal(ev.cost(gains), 12345.5);
    assert.deepEqual([...ev.scenarioCosts(gains)], [12345.5]);
  }
  assert.throws(() => ev.cost([12, 3, 1, 3, 10, 8]), /x0/);
});

Deno.test("createEvaluator().evaluate() on a chunk equals cost() per row", () => {
  const ev = createEvaluator({ config, controllerType: "sta_smc", scenarios: staScenarios, penalty: 1e4 });
  const rows = [[12, 3, 1, 3, 10, 8], [3, 5, 1, 3, 10, 8], [...config.controller_defaults.sta_smc.gains], [
    30,
    2,
    5,
    9,
    2,
    30,
  ]];
  const positions = Float64Array.from(rows.flat());
  const out = new Float64Array(rows.length);
  ev.evaluate(positions, rows.length, 6, out);
  rows.forEach((row, i) => assert.ok(Object.is(out[i], ev.cost(row)), `row ${i}`));
  assert.equal(out[1], 1e4);
  assert.equal(new Set(out).size, rows.length);
});

Deno.test("createEvaluator() rejects an empty scenario list", () => {
  assert.throws(
    () => createEvaluator({ config, controllerType: "sta_smc", scenarios: [], penalty: 1 }),
    /scenarios: must hold at least one scenario, got 0/,
  );
});
