/**
 * The PSO engine on the benchmark functions (docs/acceptance.md#pso-benchmarks): sphere,
 * Rosenbrock and Rastrigin in 10 dimensions within tolerance and budget, and a result consistent
 * with its own history.
 */
import assert from "assert";
import { DEFAULT_PENALTY, optimize, type PSOResult } from "../../optimizer/mod.ts";
import { assertConsistent, box, rastrigin, rosenbrock, sphere } from "./pso_helpers.ts";

/**
 * The benchmark acceptance (docs/acceptance.md#pso-benchmarks): 10 dimensions, seed 42, default parameters (w
 * 0.7298, c1 = c2 = 1.49618, 40 particles, clip) except where noted; `budget` is the evaluation budget
 * (maxIterations × 40). Over seeds 0–19 at these budgets: sphere ≤ 7.6e-12 (20/20), Rosenbrock ≤ 0.15
 * (20/20), Rastrigin ≤ 7.96 (20/20; the global optimum 0 on 1 seed out of 20).
 */
const BENCHMARKS = {
  sphere: { f: sphere, bounds: box(10, -5.12, 5.12), tolerance: 1e-8, budget: 10_000, extra: {} },
  rosenbrock: {
    f: rosenbrock,
    bounds: box(10, -5, 10),
    tolerance: 0.5,
    budget: 200_000,
    // The global-best swarm lands in the local minimum near f ≈ 3.99 on 2 seeds out of 20; the
    // lbest ring does not.
    extra: { topology: "ring" } as const,
  },
  rastrigin: { f: rastrigin, bounds: box(10, -5.12, 5.12), tolerance: 10, budget: 40_000, extra: {} },
};

async function benchmark(name: keyof typeof BENCHMARKS): Promise<PSOResult> {
  const { f, bounds, tolerance, budget, extra } = BENCHMARKS[name];
  const result = await optimize(f, { ...bounds, seed: 42, maxIterations: budget / 40, ...extra });
  assert.ok(result.bestCost <= tolerance, `${name}: ${result.bestCost} > ${tolerance}`);
  assert.ok(result.evaluations <= budget);
  assertConsistent(result, f);
  return result;
}

Deno.test("optimize() finds the sphere minimum in 10 dimensions", async () => {
  const result = await benchmark("sphere");
  assert.equal(result.exitReason, "maxIterations");
  assert.equal(result.evaluations, 10_000);
  for (const x of result.bestPosition) assert.ok(Math.abs(x) < 1e-4);
});

Deno.test("optimize() reaches the Rosenbrock valley floor in 10 dimensions", async () => {
  const result = await benchmark("rosenbrock");
  for (const x of result.bestPosition) assert.ok(Math.abs(x - 1) < 0.5, `x = ${result.bestPosition}`);
});

Deno.test("optimize() reaches the Rastrigin tolerance in 10 dimensions", async () => {
  await benchmark("rastrigin");
});

Deno.test("optimize() returns a best cost equal to f(bestPosition) and a monotone history", async () => {
  const noisy = (x: Float64Array) => rastrigin(x) + (x[0] > 1 ? NaN : 0);
  for (const topology of ["global", "ring"] as const) {
    const result = await optimize(noisy, {
      ...box(4, -5, 5),
      swarmSize: 15,
      maxIterations: 60,
      topology,
      seed: 3,
    });
    assertConsistent(result, noisy);
    assert.equal(result.seed, 3);
    assert.equal(result.finalSwarm.positions.length, 15);
    assert.equal(result.finalSwarm.costs.length, 15);
    // The final swarm's costs are the costs of its positions (penalties included).
    result.finalSwarm.positions.forEach((x, i) => {
      const c = noisy(Float64Array.from(x));
      assert.equal(result.finalSwarm.costs[i], Number.isFinite(c) ? c : DEFAULT_PENALTY);
    });
    for (let k = 0; k < result.iterations; k++) {
      assert.ok(result.history.meanPersonalBest[k] >= result.history.best[k]);
      assert.ok(result.history.diversity[k] >= 0);
    }
  }
  const sph = await optimize(sphere, { ...box(3, -1, 1), swarmSize: 20, maxIterations: 150 });
  assert.ok(sph.history.diversity[0] > 0.2, "a random swarm is spread out");
  assert.ok(sph.history.diversity.at(-1)! < 1e-3, "a converged swarm has contracted");
});
