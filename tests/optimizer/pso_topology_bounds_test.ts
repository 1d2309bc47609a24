/**
 * The PSO engine's neighbourhoods and search box: ring and global topologies, and every bound
 * handling mode, a diverging swarm included.
 */
import assert from "assert";
import { optimize, ParticleSwarm, type PSOOptions } from "../../optimizer/mod.ts";
import { assertConsistent, box, quiet, rastrigin } from "./pso_helpers.ts";

Deno.test("optimize() with a ring topology follows neighbourhood bests", async (t) => {
  // Six particles on a line at 0 … 5; only the social term acts (w = c1 = 0, c2 = 1, no clamp), so each
  // particle moves to x + r2·(informant − x) with r2 in [0, 1).
  const base: PSOOptions = {
    lower: [-10],
    upper: [10],
    swarmSize: 6,
    w: 0,
    c1: 0,
    c2: 1,
    velocityClamp: Infinity,
    initialPositions: [[0], [1], [2], [3], [4], [5]],
    ...quiet,
  };
  const costs = [5, 1, 5, 5, 0, 5]; // particle 4 is the global best; particle 1 the best of 0, 1, 2
  function moved(options: PSOOptions): number[] {
    const swarm = new ParticleSwarm(options);
    swarm.ask();
    swarm.tell(costs);
    return Array.from(swarm.ask());
  }
  function assertToward(from: number, to: number, x: number) {
    if (from === to) assert.equal(x, from);
    else {
      const r = (x - from) / (to - from);
      assert.ok(r > 0 && r < 1, `${from} → ${x} is not a move toward ${to}`);
    }
  }
  await t.step("k = 2: each particle follows the best of i − 1, i, i + 1", () => {
    const x = moved({ ...base, topology: "ring" });
    const informant = [1, 1, 1, 4, 4, 4]; // neighbourhoods {5,0,1} {0,1,2} {1,2,3} {2,3,4} {3,4,5} {4,5,0}
    x.forEach((xi, i) => assertToward(i, informant[i], xi));
  });
  await t.step("k = 4: the neighbourhood widens to i ± 2", () => {
    const x = moved({ ...base, topology: "ring", neighbours: 4 });
    const informant = [4, 1, 4, 4, 4, 4]; // particle 1 sees {5,0,1,2,3}: itself is the best there
    x.forEach((xi, i) => assertToward(i, informant[i], xi));
  });
  await t.step("k = 3: one before and two after", () => {
    const x = moved({ ...base, topology: "ring", neighbours: 3 });
    const informant = [1, 1, 4, 4, 4, 4]; // {5,0,1,2} {0,1,2,3} {1,2,3,4} {2,3,4,5} {3,4,5,0} {4,5,0,1}
    x.forEach((xi, i) => assertToward(i, informant[i], xi));
  });
  await t.step("global: every particle follows particle 4", () => {
    const x = moved({ ...base, topology: "global" });
    x.forEach((xi, i) => assertToward(i, 4, xi));
  });
  await t.step("a ring covering the whole swarm is the global topology", async () => {
    const options = { ...box(4, -3, 3), swarmSize: 10, maxIterations: 40, seed: 2 };
    const global = await optimize(rastrigin, options);
    for (const neighbours of [9, 10, 12, 100]) {
      assert.deepStrictEqual(await optimize(rastrigin, { ...options, topology: "ring", neighbours }), global);
    }
    const even = { ...options, swarmSize: 9 };
    assert.deepStrictEqual(
      await optimize(rastrigin, { ...even, topology: "ring", neighbours: 8 }),
      await optimize(rastrigin, even),
    );
  });
});

Deno.test("optimize() handles the bounds in every mode", async (t) => {
  // The optimum (−1 at (3, 2)) sits in a corner, so the swarm keeps pushing against the bounds.
  // Periodic wraps an overshooting particle to the far side, so it approaches a corner slowly.
  const corner = (x: Float64Array) => -x[0] + x[1];
  const reach = { clip: -1, reflect: -0.99, random: -0.95, periodic: -0.5 };
  for (const boundHandling of ["clip", "reflect", "random", "periodic"] as const) {
    await t.step(boundHandling, async () => {
      const seen: number[] = [];
      const r = await optimize((x) => {
        seen.push(x[0], x[1]);
        return corner(x);
      }, {
        lower: [-1, 2],
        upper: [3, 4],
        swarmSize: 10,
        maxIterations: 60,
        boundHandling,
        velocityClamp: 2,
        ...quiet,
      });
      for (let k = 0; k < seen.length; k += 2) {
        assert.ok(
          seen[k] >= -1 && seen[k] <= 3 && seen[k + 1] >= 2 && seen[k + 1] <= 4,
          `(${seen[k]}, ${seen[k + 1]})`,
        );
      }
      assert.ok(r.bestCost <= reach[boundHandling], `${boundHandling}: ${r.bestCost}`);
      if (boundHandling === "clip") assert.deepStrictEqual(r.bestPosition, [3, 2]);
    });
  }
});

Deno.test("optimize() keeps a diverging swarm without a velocity clamp inside the bounds", async () => {
  for (const boundHandling of ["clip", "reflect", "random", "periodic"] as const) {
    const seen: number[] = [];
    const r = await optimize((x) => {
      seen.push(...x);
      return rastrigin(x);
    }, {
      ...box(2, -1, 2),
      swarmSize: 6,
      maxIterations: 30,
      w: 1e200,
      velocityClamp: Infinity,
      boundHandling,
      ...quiet,
    });
    assert.ok(seen.every((x) => x >= -1 && x <= 2), boundHandling);
    assertConsistent(r, rastrigin);
  }
});
