/**
 * How the PSO engine evaluates its objective: the same result however the objective is evaluated,
 * failed or non-finite evaluations as the penalty, failing batch objectives, and infeasible
 * particles never evaluated.
 */
import assert from "assert";
import { DEFAULT_PENALTY, optimize, Prng, type PSOOptions } from "../../optimizer/mod.ts";
import { box, delay, rastrigin, sphere } from "./pso_helpers.ts";

Deno.test("optimize() gives the identical result however the objective is evaluated", async (t) => {
  const options: PSOOptions = {
    ...box(3, -5, 5),
    swarmSize: 12,
    maxIterations: 15,
    seed: 5,
    topology: "ring",
  };
  const f = (x: Float64Array) => rastrigin(x);
  const expected = await optimize(f, options);
  const rowsOf = (positions: Float64Array, count: number, dims: number) =>
    Array.from({ length: count }, (_, i) => positions.subarray(i * dims, (i + 1) * dims));

  await t.step("a batch that evaluates in reverse order", async () => {
    const batch = (positions: Float64Array, count: number, dims: number) => {
      const out = new Float64Array(count);
      const rows = rowsOf(positions, count, dims);
      for (let i = count - 1; i >= 0; i--) out[i] = f(rows[i]);
      return out;
    };
    assert.deepStrictEqual(await optimize({ batch }, options), expected);
  });
  await t.step(
    "an async batch that evaluates in a shuffled order, in chunks of 1, 2 and 4 workers",
    async () => {
      const shuffler = new Prng(99); // the test's own stream: the engine's draws must not depend on it
      for (const workers of [1, 2, 4]) {
        const batch = async (positions: Float64Array, count: number, dims: number) => {
          const out = new Array<number>(count);
          const order = Array.from({ length: count }, (_, i) => i);
          for (let i = count - 1; i > 0; i--) {
            const j = shuffler.nextInt(i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          const chunks = Array.from({ length: workers }, (_, w) => order.filter((_, k) => k % workers === w));
          await Promise.all(chunks.map(async (chunk) => {
            for (const i of chunk) {
              // A random number of microtask turns interleaves the chunks differently every time.
              for (let k = shuffler.nextInt(4); k > 0; k--) await Promise.resolve();
              out[i] = f(positions.subarray(i * dims, (i + 1) * dims));
            }
          }));
          return out;
        };
        assert.deepStrictEqual(await optimize({ batch }, options), expected);
      }
    },
  );
  await t.step("a per-particle async objective with random delays", async () => {
    const delays = new Prng(7);
    const objective = async (x: Float64Array) => {
      const copy = Float64Array.from(x);
      await delay(delays.nextInt(3));
      return f(copy);
    };
    assert.deepStrictEqual(await optimize(objective, options), expected);
  });
});

Deno.test("optimize() turns a throwing or non-finite evaluation into the penalty", async (t) => {
  await t.step("per-particle throws, rejections, NaN, Infinity and non-numbers", async () => {
    let calls = 0;
    const f = (x: Float64Array): number | Promise<number> => {
      calls++;
      if (x[0] > 0.5) throw new Error("simulation blew up");
      if (x[0] > 0.2) return Promise.reject(new Error("async blow-up"));
      if (x[0] > 0) return NaN;
      if (x[0] > -0.2) return Infinity;
      if (x[0] > -0.4) return "3" as unknown as number;
      if (x[0] > -0.5) return Promise.resolve(undefined as unknown as number);
      return Promise.resolve(sphere(x));
    };
    const r = await optimize(f, { ...box(2, -1, 1), swarmSize: 20, maxIterations: 30, penalty: 777 });
    assert.equal(r.exitReason, "maxIterations");
    assert.equal(r.evaluations, 600);
    assert.equal(calls, 600);
    assert.ok(r.bestPosition[0] <= -0.5 && r.bestCost < 777);
    assert.equal(sphere(r.bestPosition), r.bestCost);
    for (const [i, x] of r.finalSwarm.positions.entries()) {
      if (x[0] > -0.5) assert.equal(r.finalSwarm.costs[i], 777);
    }
  });
  await t.step("the default penalty is 1e10 and a run where everything fails still completes", async () => {
    assert.equal(DEFAULT_PENALTY, 1e10);
    const r = await optimize(() => {
      throw new Error("always");
    }, { ...box(1, -1, 1), swarmSize: 3, maxIterations: 4 });
    assert.deepStrictEqual([r.bestCost, r.iterations, r.evaluations], [1e10, 4, 12]);
  });
  await t.step("a non-finite batch cost is the penalty too", async () => {
    const r = await optimize({
      batch: (_p, count) => Array.from({ length: count }, (_, i) => (i === 0 ? NaN : i)),
    }, {
      ...box(1, -1, 1),
      swarmSize: 3,
      maxIterations: 1,
    });
    assert.deepStrictEqual(r.finalSwarm.costs, [1e10, 1, 2]);
    assert.equal(r.bestCost, 1);
  });
  await t.step("the objective gets a copy it may scribble on", async () => {
    const r = await optimize((x) => {
      const c = sphere(x);
      x.fill(1e9);
      return c;
    }, { ...box(2, -1, 1), swarmSize: 8, maxIterations: 30 });
    assert.equal(sphere(r.bestPosition), r.bestCost);
    assert.ok(r.bestCost < 1e-3);
  });
});

Deno.test("optimize() rejects when a batch objective fails", async (t) => {
  const options = { ...box(2, -1, 1), swarmSize: 4, maxIterations: 5 };
  await t.step("a synchronous throw", async () => {
    const error = new Error("worker pool is gone");
    await assert.rejects(
      optimize({
        batch: () => {
          throw error;
        },
      }, options),
      (e) => e === error,
    );
  });
  await t.step("a rejection", async () => {
    await assert.rejects(
      optimize({ batch: () => Promise.reject(new Error("worker crashed")) }, options),
      /worker crashed/,
    );
  });
  await t.step("the wrong number of costs", async () => {
    await assert.rejects(
      optimize({ batch: () => [1, 2, 3] }, options),
      /^RangeError: batch objective: must return one cost per position \(4\), got 3$/,
    );
    await assert.rejects(
      optimize({ batch: () => Promise.resolve(7 as unknown as number[]) }, options),
      /^TypeError: batch objective: must return an array of costs, got 7$/,
    );
  });
  await t.step("the batch gets a fresh buffer each time, its own to transfer", async () => {
    const seen = new Set<ArrayBuffer>();
    const r = await optimize({
      batch: (positions, count, dims) => {
        assert.ok(!seen.has(positions.buffer as ArrayBuffer));
        seen.add(positions.buffer as ArrayBuffer);
        const costs = Array.from(
          { length: count },
          (_, i) => sphere(positions.subarray(i * dims, (i + 1) * dims)),
        );
        structuredClone(positions.buffer, { transfer: [positions.buffer as ArrayBuffer] }); // detaches it
        return costs;
      },
    }, options);
    assert.equal(r.iterations, 5);
  });
});

Deno.test("optimize() never evaluates infeasible particles", async (t) => {
  await t.step("per-particle", async () => {
    let calls = 0;
    const r = await optimize((x) => {
      calls++;
      assert.ok(x[0] + x[1] <= 0, "an infeasible particle was evaluated");
      return sphere(x.map((v) => v - 0.3));
    }, {
      ...box(2, -1, 1),
      swarmSize: 10,
      maxIterations: 40,
      isFeasible: (x) => {
        const ok = x[0] + x[1] <= 0;
        x.fill(99); // a copy: scribbling on it cannot move the particle
        return ok;
      },
    });
    assert.equal(r.evaluations, calls);
    assert.ok(r.evaluations < 400);
    assert.ok(r.bestPosition[0] + r.bestPosition[1] <= 0);
    // The constrained optimum of |x − (0.3, 0.3)|² on x0 + x1 ≤ 0 is the origin.
    assert.ok(r.bestCost < 0.19, `${r.bestCost}`);
    r.finalSwarm.positions.forEach((x, i) => {
      if (x[0] + x[1] > 0) assert.equal(r.finalSwarm.costs[i], DEFAULT_PENALTY);
    });
  });
  await t.step(
    "batch: only the feasible rows are sent, and an all-infeasible iteration sends none",
    async () => {
      const counts: number[] = [];
      let iteration = 0;
      const r = await optimize({
        batch: (positions, count, dims) => {
          counts.push(count);
          return Array.from(
            { length: count },
            (_, i) => sphere(positions.subarray(i * dims, (i + 1) * dims)),
          );
        },
      }, {
        ...box(1, -1, 1),
        swarmSize: 8,
        maxIterations: 6,
        isFeasible: (x) => iteration === 2 ? false : x[0] < 0.5,
        onIteration: (info) => void (iteration = info.iteration),
      });
      assert.equal(counts.length, 5, "iteration 3 (all infeasible) sent no batch");
      assert.equal(r.evaluations, counts.reduce((a, b) => a + b, 0));
      assert.deepStrictEqual(r.history.best.length, 6);
    },
  );
  await t.step("a throwing rule is a bug and rejects", async () => {
    await assert.rejects(
      optimize(sphere, {
        ...box(1, -1, 1),
        swarmSize: 2,
        isFeasible: () => {
          throw new Error("rule bug");
        },
      }),
      /rule bug/,
    );
  });
});
