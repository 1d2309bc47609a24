/**
 * The acceptance-target hinge penalty of the tuner's robust cost (`cost_function.constraints`).
 */
import assert from "assert";
import { loadConfig, validateConfig } from "../../config/mod.ts";
import { constraintPenaltyAt, costSettings, createEvaluator } from "../../optimizer/mod.ts";
import { STATUS_FELL, STATUS_OK } from "../../plant/mod.ts";

const config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const dt = 0.01, T = 10;
const settings = costSettings(config.cost_function, dt, T);
const W = config.cost_function.constraints.weight;

/** A run of n + 1 samples with θ1 = theta(k) and x = cart(k). */
function run(n: number, theta: (k: number) => number, cart: (k: number) => number = () => 0): Float64Array {
  const x = new Float64Array((n + 1) * 6);
  for (let k = 0; k <= n; k++) {
    x[k * 6] = cart(k);
    x[k * 6 + 1] = theta(k);
  }
  return x;
}

Deno.test("constraintPenaltyAt() leaves a run that meets the targets untouched", () => {
  // Settles at 1 s (sample 100 is the first inside the band for good), |x| ≤ 0.3 m.
  const x = run(1000, (k) => (k < 100 ? 0.05 : 0.001), (k) => 0.3 * Math.exp(-k / 200));
  assert.equal(constraintPenaltyAt(x, 0, 1000, STATUS_OK, settings, true), 0);
  assert.equal(constraintPenaltyAt(x, 0, 1000, STATUS_OK, settings, false), 0);
});

Deno.test("constraintPenaltyAt() charges late settling and a wide cart excursion by their excess", () => {
  const c = config.cost_function.constraints;
  // Leaves the band for the last time at sample 399 → settles at 4 s, after the settling_time target.
  const late = run(1000, (k) => (k < 400 ? 0.05 : 0));
  const expectedLate = W * (4 - c.settling_time) / T;
  assert.ok(Math.abs(constraintPenaltyAt(late, 0, 1000, STATUS_OK, settings, true) - expectedLate) < 1e-12);
  // A perturbed (non-nominal) scenario only has to be inside the band over the final window.
  assert.equal(constraintPenaltyAt(late, 0, 1000, STATUS_OK, settings, false), 0);
  const never = run(1000, () => 0.05);
  assert.ok(
    Math.abs(constraintPenaltyAt(never, 0, 1000, STATUS_OK, settings, false) - W * c.final_window / T) <
      1e-12,
  );
  const wide = run(1000, () => 0, (k) => (k === 500 ? -0.55 : 0));
  assert.ok(
    Math.abs(
      constraintPenaltyAt(wide, 0, 1000, STATUS_OK, settings, true) - W * (0.55 - c.max_cart_position),
    ) <
      1e-12,
  );
});

Deno.test("constraintPenaltyAt() charges a cart still away from home over the final window", () => {
  const c = config.cost_function.constraints;
  assert.equal(c.final_cart_position, 0.05);
  // Settled angles, cart at 0.3 m until 8.5 s then back at 0.12 m: the final window (8–10 s) sees 0.3 m.
  const away = run(1000, () => 0, (k) => (k < 850 ? 0.3 : 0.12));
  const expected = W * (0.3 - c.final_cart_position!);
  assert.ok(Math.abs(constraintPenaltyAt(away, 0, 1000, STATUS_OK, settings, true) - expected) < 1e-12);
  // Only the nominal run has the cart target, and null turns it off.
  assert.equal(constraintPenaltyAt(away, 0, 1000, STATUS_OK, settings, false), 0);
  const off = costSettings(
    { ...config.cost_function, constraints: { ...c, final_cart_position: null } },
    dt,
    T,
  );
  assert.equal(constraintPenaltyAt(away, 0, 1000, STATUS_OK, off, true), 0);
  // A wide excursion that is over before the final window pays only the max_cart_position term.
  const early = run(1000, () => 0, (k) => (k < 300 ? 0.5 : 0.01));
  assert.ok(
    Math.abs(
      constraintPenaltyAt(early, 0, 1000, STATUS_OK, settings, true) - W * (0.5 - c.max_cart_position),
    ) <
      1e-12,
  );
});

Deno.test("constraintPenaltyAt() treats a failed run as never settled, and is 0 with weight 0", () => {
  const c = config.cost_function.constraints;
  const x = run(300, () => 0);
  const expected = W * (c.final_window / T + (T - c.settling_time) / T);
  assert.ok(Math.abs(constraintPenaltyAt(x, 0, 300, STATUS_FELL, settings, true) - expected) < 1e-12);
  const off = costSettings({ ...config.cost_function, constraints: { ...c, weight: 0 } }, dt, T);
  assert.equal(constraintPenaltyAt(run(1000, () => 0.05), 0, 1000, STATUS_FELL, off, true), 0);
});

Deno.test("createEvaluator() adds the constraint penalty to each scenario's cost", () => {
  // Slow-settling classical gains: the nominal run settles after the settling_time target.
  const raw = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  const noConstraints = validateConfig({
    ...raw,
    cost_function: { ...raw.cost_function, constraints: { ...config.cost_function.constraints, weight: 0 } },
  }, { env: {} });
  const scenarios = [{ physics: config.physics, x0: config.simulation.initial_state }];
  const gains = [0.5, 2.3103, 11.0878, 16.0407, 1.2, 0.05];
  const withC = createEvaluator({ config, controllerType: "classical_smc", scenarios, penalty: 1e5 });
  const without = createEvaluator({
    config: noConstraints,
    controllerType: "classical_smc",
    scenarios,
    penalty: 1e5,
  });
  const a = withC.cost(gains), b = without.cost(gains);
  assert.ok(a > b, `constrained ${a} must exceed plain ${b} for a run that misses the targets`);
  // The shipped default gains meet every target (settling, |x|, cart home at the end): no penalty.
  const d = config.controller_defaults.classical_smc.gains;
  assert.equal(withC.cost(d), without.cost(d));
});
