import assert from "assert";
import {
  DEFAULT_PENALTY,
  isPoliStable,
  optimize,
  ParticleSwarm,
  poliLimit,
  Prng,
  PSO_DEFAULTS,
  type PSOOptions,
  type PSOResult,
  type PSOState,
} from "../../optimizer/mod.ts";

const quiet = { onWarning: () => {} };

function sphere(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return s;
}

function rosenbrock(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length - 1; j++) s += 100 * (x[j + 1] - x[j] * x[j]) ** 2 + (1 - x[j]) ** 2;
  return s;
}

function rastrigin(x: ArrayLike<number>): number {
  let s = 10 * x.length;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j] - 10 * Math.cos(2 * Math.PI * x[j]);
  return s;
}

function box(dims: number, lo: number, hi: number): { lower: number[]; upper: number[] } {
  return { lower: new Array(dims).fill(lo), upper: new Array(dims).fill(hi) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Drives a swarm with a synchronous objective until it is done (or for `maxSteps` iterations). */
function drive(swarm: ParticleSwarm, f: (x: Float64Array) => number, maxSteps = Infinity): void {
  const n = swarm.swarmSize, d = swarm.dims;
  const costs = new Float64Array(n);
  for (let step = 0; !swarm.done && step < maxSteps; step++) {
    const x = swarm.ask();
    for (let i = 0; i < n; i++) costs[i] = f(x.subarray(i * d, (i + 1) * d));
    swarm.tell(costs);
  }
}

function assertMonotone(best: number[]): void {
  for (let k = 1; k < best.length; k++) assert.ok(best[k] <= best[k - 1], `best rose at iteration ${k + 1}`);
}

function assertConsistent(result: PSOResult, f: (x: Float64Array) => number): void {
  assert.equal(f(Float64Array.from(result.bestPosition)), result.bestCost);
  assertMonotone(result.history.best);
  assert.equal(result.history.best.length, result.iterations);
  assert.equal(result.history.best.at(-1), result.bestCost);
}

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

Deno.test("optimize() stops with each exit reason", async (t) => {
  await t.step("maxIterations", async () => {
    const r = await optimize(sphere, { ...box(2, -1, 1), swarmSize: 7, maxIterations: 13 });
    assert.deepStrictEqual([r.exitReason, r.iterations, r.evaluations, r.history.best.length], [
      "maxIterations",
      13,
      91,
      13,
    ]);
  });
  await t.step("maxEvaluations, never exceeding the budget", async () => {
    const r = await optimize(sphere, {
      ...box(2, -1, 1),
      swarmSize: 10,
      maxIterations: 100,
      maxEvaluations: 95,
    });
    assert.deepStrictEqual([r.exitReason, r.iterations, r.evaluations], ["maxEvaluations", 9, 90]);
    const exact = await optimize(sphere, { ...box(2, -1, 1), swarmSize: 10, maxEvaluations: 100 });
    assert.deepStrictEqual([exact.exitReason, exact.evaluations], ["maxEvaluations", 100]);
  });
  await t.step("stall, with the MATLAB relative-change formula", async () => {
    const flat = await optimize(() => 1, { ...box(2, -1, 1), swarmSize: 5, stallIterations: 4 });
    // The best has not changed over 4 iterations once 5 have run.
    assert.deepStrictEqual([flat.exitReason, flat.iterations], ["stall", 5]);
    const r = await optimize(sphere, {
      ...box(3, -1, 1),
      swarmSize: 10,
      maxIterations: 10_000,
      stallIterations: 10,
      stallTolerance: 1e-6,
    });
    assert.equal(r.exitReason, "stall");
    assert.ok(r.iterations < 10_000);
    const b = r.history.best, k = b.length - 1;
    assert.ok(Math.abs(b[k - 10] - b[k]) / Math.max(1, Math.abs(b[k])) < 1e-6);
    assert.ok(
      Math.abs(b[k - 11] - b[k - 1]) / Math.max(1, Math.abs(b[k - 1])) >= 1e-6,
      "it stopped at the first stall",
    );
  });
  await t.step("targetCost", async () => {
    const r = await optimize(sphere, {
      ...box(3, -1, 1),
      swarmSize: 10,
      maxIterations: 1000,
      targetCost: 1e-3,
    });
    assert.equal(r.exitReason, "targetCost");
    assert.ok(r.bestCost <= 1e-3);
    assert.ok(r.history.best.at(-2)! > 1e-3, "it stopped at the first iteration below the target");
  });
  await t.step("maxTime, finishing the iteration in progress", async () => {
    const start = performance.now();
    const r = await optimize(async (x) => {
      await delay(2);
      return sphere(x);
    }, { ...box(2, -1, 1), swarmSize: 4, maxIterations: 10_000, maxTimeMs: 40 });
    const elapsed = performance.now() - start;
    assert.equal(r.exitReason, "maxTime");
    assert.ok(r.iterations >= 1 && r.iterations < 40, `iterations ${r.iterations}`);
    assert.ok(elapsed >= 40 && elapsed < 1000, `elapsed ${elapsed}`);
  });
  await t.step("aborted mid-run with a synchronous objective", async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30);
    const r = await optimize(sphere, {
      ...box(2, -1, 1),
      swarmSize: 10,
      maxIterations: Infinity,
      signal: controller.signal,
    });
    clearTimeout(timer);
    assert.equal(r.exitReason, "aborted");
    assert.ok(r.iterations > 1);
    assertConsistent(r, sphere);
  });
  await t.step("aborted during an evaluation, without waiting for it", async () => {
    const controller = new AbortController();
    let release: (() => void) | undefined;
    let calls = 0;
    const batch = (positions: Float64Array, count: number, dims: number) => {
      const costs = Array.from(
        { length: count },
        (_, i) => sphere(positions.subarray(i * dims, (i + 1) * dims)),
      );
      if (++calls === 1) return costs;
      // The second batch hangs until the test releases it; the abort must not wait for it.
      queueMicrotask(() => controller.abort(new Error("user stop")));
      return new Promise<number[]>((resolve) => release = () => resolve(costs));
    };
    const r = await optimize({ batch }, { ...box(2, -1, 1), swarmSize: 6, signal: controller.signal });
    release!();
    assert.deepStrictEqual([r.exitReason, r.iterations, r.evaluations, calls], ["aborted", 1, 6, 2]);
    assertConsistent(r, sphere);
  });
  await t.step("aborted before any iteration completes: rejects with the reason", async () => {
    const early = new AbortController();
    early.abort(new Error("stopped early"));
    await assert.rejects(optimize(sphere, { ...box(1, -1, 1), signal: early.signal }), /stopped early/);
    const during = new AbortController();
    let release: (() => void) | undefined;
    const pending = optimize({
      batch: (_p, count) => {
        queueMicrotask(() => during.abort(new Error("stopped during the first iteration")));
        return new Promise<number[]>((resolve) => release = () => resolve(new Array(count).fill(0)));
      },
    }, { ...box(1, -1, 1), swarmSize: 3, signal: during.signal });
    await assert.rejects(pending, /stopped during the first iteration/);
    release!();
  });
});

Deno.test("ParticleSwarm.fromState() resumes to the bit-identical result", async (t) => {
  const options: PSOOptions = {
    ...box(3, -2, 2),
    swarmSize: 9,
    maxIterations: 40,
    seed: 11,
    topology: "ring",
    inertia: "linear",
    w: 0.9,
    wFinal: 0.4,
    boundHandling: "random",
    isFeasible: (x) => x[0] + x[1] < 3,
    ...quiet,
  };
  const f = (x: Float64Array) => rosenbrock(x) + 0 * x[2];
  const uninterrupted = new ParticleSwarm(options);
  drive(uninterrupted, f);
  const expected = uninterrupted.result();

  await t.step("optimize() and a hand-driven swarm agree", async () => {
    assert.deepStrictEqual(await optimize(f, options), expected);
  });
  for (const cut of [0, 1, 7, 39]) {
    await t.step(`through JSON after ${cut} iterations`, () => {
      const first = new ParticleSwarm(options);
      drive(first, f, cut);
      const text = JSON.stringify(first.getState());
      const resumed = ParticleSwarm.fromState(JSON.parse(text), options);
      assert.equal(resumed.iteration, cut);
      drive(resumed, f);
      assert.deepStrictEqual(resumed.result(), expected);
    });
  }
  await t.step("between ask() and tell()", () => {
    const first = new ParticleSwarm(options);
    drive(first, f, 5);
    first.ask();
    const resumed = ParticleSwarm.fromState(JSON.parse(JSON.stringify(first.getState())), options);
    drive(resumed, f);
    assert.deepStrictEqual(resumed.result(), expected);
  });
  await t.step("a finished run continued with a larger budget equals the longer run", () => {
    const constant = { ...options, inertia: "constant" as const, w: PSO_DEFAULTS.w };
    const long = new ParticleSwarm({ ...constant, maxIterations: 30 });
    drive(long, f);
    const short = new ParticleSwarm({ ...constant, maxIterations: 12 });
    drive(short, f);
    assert.equal(short.exitReason, "maxIterations");
    const again = ParticleSwarm.fromState(short.getState(), { ...constant, maxIterations: 12 });
    assert.equal(again.exitReason, "maxIterations", "the same budget keeps it finished");
    const resumed = ParticleSwarm.fromState(short.getState(), { ...constant, maxIterations: 30 });
    assert.equal(resumed.done, false);
    drive(resumed, f);
    assert.deepStrictEqual(resumed.result(), long.result());
  });
  await t.step("the state is plain JSON and keeps non-finite and negative-zero values", () => {
    const swarm = new ParticleSwarm({ lower: [-1, -1], upper: [0, 0], swarmSize: 2, ...quiet });
    const state = swarm.getState();
    assert.deepStrictEqual(JSON.parse(JSON.stringify(state)), state);
    assert.deepStrictEqual(state.personalBestCost, ["Infinity", "Infinity"]);
    swarm.ask();
    swarm.tell([-0, Infinity]);
    const after = JSON.parse(JSON.stringify(swarm.getState())) as PSOState;
    assert.deepStrictEqual(after.costs, ["-0", 1e10]);
    const restored = ParticleSwarm.fromState(after, { lower: [-1, -1], upper: [0, 0], ...quiet });
    assert.ok(Object.is(restored.bestCost, -0));
    assert.deepStrictEqual(restored.getState(), after);
  });
  await t.step("mismatched options and malformed states are refused", () => {
    const swarm = new ParticleSwarm(options);
    drive(swarm, f, 3);
    const state = swarm.getState();
    const bad: [unknown, PSOOptions, RegExp][] = [
      [null, options, /state: must be a PSOState object, got null/],
      [{ ...state, version: 2 }, options, /state.version: must be 1, got 2/],
      [
        state,
        { ...options, swarmSize: 10 },
        /options.swarmSize: must match the state's swarm size \(9\), got 10/,
      ],
      [state, { ...options, seed: 12 }, /options.seed: must match the state's seed \(11\), got 12/],
      [
        state,
        { ...options, ...box(3, -2, 3) },
        /options.lower\/upper\[0\]: must match the state's bounds \[-2, 2\], got \[-2, 3\]/,
      ],
      [state, { ...options, ...box(2, -2, 2) }, /state.dims: must match the options' bounds \(2\), got 3/],
      [
        { ...state, seed: 0.5 },
        { ...options, seed: undefined },
        /state.seed: must be a safe integer, got 0.5/,
      ],
      [
        { ...state, positions: state.positions.slice(1) },
        options,
        /state.positions: must be an array of 27 numbers/,
      ],
      [
        { ...state, velocities: [...state.velocities.slice(1), "x"] },
        options,
        /state.velocities\[26\]: must be a number, got "x"/,
      ],
      [{ ...state, phase: "done" }, options, /state.phase: must be "evaluate" or "move", got "done"/],
      [{ ...state, iteration: -1 }, options, /state.iteration: must be a non-negative integer, got -1/],
      [{ ...state, bestIndex: 9 }, options, /state.bestIndex: must be an integer in \[0, 9\), got 9/],
      [
        { ...state, feasible: state.feasible.map(() => 2) },
        options,
        /state.feasible: must be an array of 9 zeros and ones/,
      ],
      [{ ...state, history: null }, options, /state.history: must be an object, got null/],
      [
        { ...state, history: { ...state.history, best: state.history.best.slice(1) } },
        options,
        /state.history: must hold one entry per iteration \(3\), got 2, 3, 3/,
      ],
      [
        { ...state, prng: { algorithm: "xoshiro128**", s: [0, 0, 0, 0] } },
        options,
        /PRNG state.s: must not be all zero/,
      ],
    ];
    for (const [s, o, message] of bad) {
      assert.throws(() => ParticleSwarm.fromState(s as PSOState, o), message);
    }
    assert.throws(
      () => ParticleSwarm.fromState(state, null as unknown as PSOOptions),
      /options: must be an object, got null/,
    );
  });
});

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

Deno.test("optimize() warns once outside Poli's stability region", async (t) => {
  await t.step("the limits match Poli (2009)", () => {
    assert.equal(poliLimit(0.7).toFixed(2), "3.50");
    assert.equal(+poliLimit(PSO_DEFAULTS.w).toFixed(4), 3.3475);
    assert.equal(isPoliStable(0.7, 2, 2), false);
    assert.equal(isPoliStable(PSO_DEFAULTS.w, PSO_DEFAULTS.c1, PSO_DEFAULTS.c2), true);
    assert.equal(isPoliStable(1, 0.5, 0.5), false);
    assert.equal(isPoliStable(0.5, 0, 0), false);
  });
  await t.step("w = 0.7, c1 = c2 = 2 warns once", async () => {
    const warnings: string[] = [];
    await optimize(sphere, {
      ...box(2, -1, 1),
      swarmSize: 5,
      maxIterations: 20,
      w: 0.7,
      c1: 2,
      c2: 2,
      onWarning: (m) => warnings.push(m),
    });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /outside Poli's stability region: c1 \+ c2 = 4 must be in \(0, 24·\(1 − w²\)\/\(7 − 5·w\)\) = \(0, 3\.4971\) for w = 0\.7/,
    );
  });
  await t.step("the defaults do not warn", async () => {
    const warnings: string[] = [];
    await optimize(sphere, {
      ...box(2, -1, 1),
      swarmSize: 5,
      maxIterations: 5,
      onWarning: (m) => warnings.push(m),
    });
    assert.deepStrictEqual(warnings, []);
  });
  await t.step("a linear schedule is checked at both ends", async () => {
    const warnings: string[] = [];
    const options = { ...box(2, -1, 1), swarmSize: 5, maxIterations: 5, inertia: "linear" as const };
    await optimize(sphere, { ...options, w: 0.9, wFinal: 0.4, onWarning: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /for w = 0\.9/);
    await optimize(sphere, { ...options, w: 0.7298, wFinal: 1.2, onWarning: (m) => warnings.push(m) });
    assert.match(warnings[1], /= \(0, none \(\|w\| must be below 1\)\) for w = 1\.2/);
  });
  await t.step("the default goes to console.warn", async () => {
    const original = console.warn;
    const seen: unknown[] = [];
    console.warn = (...args: unknown[]) => void seen.push(...args);
    try {
      await optimize(sphere, { ...box(1, -1, 1), swarmSize: 3, maxIterations: 2, w: 0.7, c1: 2, c2: 2 });
    } finally {
      console.warn = original;
    }
    assert.equal(seen.length, 1);
  });
});

Deno.test("optimize() rejects bad options with clear errors", async () => {
  const ok = box(2, -1, 1);
  const cases: [unknown, RegExp][] = [
    [null, /options: must be an object, got null$/],
    [{ upper: [1] }, /lower: must be an array of numbers, got undefined$/],
    [{ lower: [0], upper: "1" }, /upper: must be an array of numbers, got "1"$/],
    [{ lower: [], upper: [] }, /lower: must hold at least one bound, got an empty array$/],
    [{ lower: [0, 0], upper: [1] }, /upper: must have the same length as lower \(2\), got length 1$/],
    [{ lower: [0, NaN], upper: [1, 1] }, /lower\[1\]: must be a finite number, got NaN$/],
    [{ lower: [0, 0], upper: [1, Infinity] }, /upper\[1\]: must be a finite number, got Infinity$/],
    [{ lower: [0, 0, 3], upper: [1, 1, 1] }, /lower\[2\]: must be less than upper\[2\] \(1\), got 3$/],
    [{ lower: [1], upper: [1] }, /lower\[0\]: must be less than upper\[0\] \(1\), got 1$/],
    [{ lower: [-1e308], upper: [1e308] }, /upper\[0\] - lower\[0\]: must be finite, got Infinity$/],
    [{ ...ok, swarmSize: 0 }, /swarmSize: must be an integer in \[1, 1000000\], got 0$/],
    [{ ...ok, swarmSize: 2.5 }, /swarmSize: must be an integer in \[1, 1000000\], got 2.5$/],
    [
      { ...ok, swarmSize: 1e8 },
      /^RangeError: swarmSize: must be an integer in \[1, 1000000\], got 100000000$/,
    ],
    [
      { lower: new Float64Array(1000), upper: new Float64Array(1000).fill(1), swarmSize: 1_000_000 },
      /^RequestTooLargeError: swarm buffers: swarmSize × \(5 × dims \+ 3\) doubles = 1000000 × 5003 doubles = 38169\.9 MB exceeds the 1024 MB limit \(lower swarmSize or the number of bounds\)$/,
    ],
    [{ ...ok, maxIterations: 0 }, /maxIterations: must be a positive integer or Infinity, got 0$/],
    [
      { ...ok, maxEvaluations: 10 },
      /maxEvaluations: must be at least swarmSize \(40\) to evaluate the initial swarm, got 10$/,
    ],
    [{ ...ok, maxEvaluations: -1 }, /maxEvaluations: must be a positive integer or Infinity, got -1$/],
    [{ ...ok, seed: 1.5 }, /seed: must be a safe integer, got 1.5$/],
    [{ ...ok, w: NaN }, /w: must be a finite number, got NaN$/],
    [{ ...ok, c1: -1 }, /c1: must be a finite number >= 0, got -1$/],
    [{ ...ok, c2: "2" }, /c2: must be a finite number >= 0, got "2"$/],
    [{ ...ok, inertia: "exponential" }, /inertia: must be "constant" or "linear", got "exponential"$/],
    [{ ...ok, wFinal: Infinity }, /wFinal: must be a finite number, got Infinity$/],
    [{ ...ok, topology: "star" }, /topology: must be "global" or "ring", got "star"$/],
    [{ ...ok, neighbours: 0 }, /neighbours: must be a positive integer, got 0$/],
    [{ ...ok, neighbours: 1.5 }, /neighbours: must be a positive integer, got 1.5$/],
    [
      { ...ok, velocityClamp: 0 },
      /velocityClamp: must be a positive fraction of the range or Infinity, got 0$/,
    ],
    [
      { ...ok, boundHandling: "nearest" },
      /boundHandling: must be one of "clip", "reflect", "random", "periodic", got "nearest"$/,
    ],
    [{ ...ok, stallIterations: 0 }, /stallIterations: must be a positive integer or Infinity, got 0$/],
    [{ ...ok, stallTolerance: -1e-6 }, /stallTolerance: must be a finite number >= 0, got -0.000001$/],
    [{ ...ok, targetCost: NaN }, /targetCost: must be a number, got NaN$/],
    [{ ...ok, maxTimeMs: -5 }, /maxTimeMs: must be a number >= 0, got -5$/],
    [{ ...ok, penalty: NaN }, /penalty: must be a number \(not NaN\), got NaN$/],
    [{ ...ok, signal: {} }, /signal: must be an AbortSignal, got object$/],
    [
      { ...ok, maxIterations: Infinity },
      /maxIterations: must be finite unless maxEvaluations, maxTimeMs or signal can end the run, got Infinity$/,
    ],
    [
      { ...ok, maxIterations: Infinity, maxTimeMs: 10, inertia: "linear" },
      /maxIterations: must be finite with inertia "linear"/,
    ],
    [{ ...ok, initialPositions: [1, 2] }, /initialPositions\[0\]: must be an array of 2 numbers, got 1$/],
    [{ ...ok, initialPositions: {} }, /initialPositions: must be an array of positions, got object$/],
    [
      { ...ok, swarmSize: 1, initialPositions: [[0, 0], [1, 1]] },
      /initialPositions: must hold at most swarmSize \(1\) rows, got 2$/,
    ],
    [
      { ...ok, initialPositions: [[0, 0], [0, NaN]] },
      /initialPositions\[1\]\[1\]: must be a finite number, got NaN$/,
    ],
    [
      { ...ok, initialPositions: [[0, 0, 0]] },
      /initialPositions\[0\]: must be an array of 2 numbers, got an array of length 3$/,
    ],
    [{ ...ok, isFeasible: true }, /isFeasible: must be a function, got true$/],
    [{ ...ok, onIteration: "log" }, /onIteration: must be a function, got "log"$/],
    [{ ...ok, onWarning: 1 }, /onWarning: must be a function, got 1$/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(optimize(sphere, options as PSOOptions), message, String(message));
    assert.throws(() => new ParticleSwarm(options as PSOOptions), message);
  }
  await assert.rejects(
    optimize(42 as unknown as () => number, ok),
    /^TypeError: objective: must be a function or an object with a batch\(\) method, got 42$/,
  );
  await assert.rejects(
    optimize({ batch: 1 } as unknown as () => number, ok),
    /objective: must be a function/,
  );
  // Typed arrays are accepted as bounds.
  await optimize(sphere, {
    lower: Float64Array.of(-1),
    upper: Float64Array.of(1),
    swarmSize: 2,
    maxIterations: 2,
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

Deno.test("optimize() starts from the given initial positions", async () => {
  const seen: number[][] = [];
  const r = await optimize((x) => {
    if (seen.length < 5) seen.push(Array.from(x));
    return rosenbrock(x);
  }, { ...box(2, -2, 2), swarmSize: 5, maxIterations: 3, initialPositions: [[1, 1], [5, -7], [0.5, 0.25]] });
  assert.deepStrictEqual(seen.slice(0, 3), [[1, 1], [2, -2], [0.5, 0.25]]);
  assert.deepStrictEqual([r.bestPosition, r.bestCost, r.history.best[0]], [[1, 1], 0, 0]);
  // The remaining particles keep their random positions (the same as without initial positions).
  const plain: number[][] = [];
  await optimize((x) => {
    if (plain.length < 5) plain.push(Array.from(x));
    return 0;
  }, { ...box(2, -2, 2), swarmSize: 5, maxIterations: 1 });
  assert.deepStrictEqual(seen.slice(3), plain.slice(3));
});

Deno.test("optimize() reports progress through onIteration", async () => {
  const infos: { iteration: number; bestCost: number; evaluations: number; elapsedMs: number }[] = [];
  const r = await optimize(sphere, {
    ...box(2, -1, 1),
    swarmSize: 6,
    maxIterations: 8,
    onIteration: (i) => infos.push(i),
  });
  assert.deepStrictEqual(infos.map((i) => i.iteration), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepStrictEqual(infos.map((i) => i.evaluations), [6, 12, 18, 24, 30, 36, 42, 48]);
  assert.deepStrictEqual(infos.map((i) => i.bestCost), r.history.best);
  for (let k = 1; k < infos.length; k++) assert.ok(infos[k].elapsedMs >= infos[k - 1].elapsedMs);
  await assert.rejects(
    optimize(sphere, {
      ...box(1, -1, 1),
      swarmSize: 2,
      onIteration: () => {
        throw new Error("callback bug");
      },
    }),
    /callback bug/,
  );
});

Deno.test("optimize() follows the linear inertia schedule", async () => {
  // One particle, no attraction (c1 = c2 = 0): each move multiplies the velocity by the inertia.
  const swarm = new ParticleSwarm({
    lower: [-1],
    upper: [1],
    swarmSize: 1,
    maxIterations: 5,
    c1: 0,
    c2: 0,
    w: 0.9,
    wFinal: 0.4,
    inertia: "linear",
    velocityClamp: 0.01,
    initialPositions: [[0]],
    ...quiet,
  });
  const velocities: number[] = [];
  while (!swarm.done) {
    swarm.ask();
    velocities.push(swarm.getState().velocities[0] as number);
    swarm.tell([0]);
  }
  assert.equal(velocities.length, 5);
  const ratios = velocities.slice(1).map((v, k) => v / velocities[k]);
  const expected = [0.9, 0.9 - 0.5 / 3, 0.9 - 1 / 3, 0.4];
  ratios.forEach((r, k) =>
    assert.ok(Math.abs(r - expected[k]) < 1e-12, `move ${k + 1}: ${r} vs ${expected[k]}`)
  );
  const constant = await optimize(sphere, { ...box(2, -1, 1), swarmSize: 5, maxIterations: 10, ...quiet });
  const linear = await optimize(sphere, {
    ...box(2, -1, 1),
    swarmSize: 5,
    maxIterations: 10,
    inertia: "linear",
    ...quiet,
  });
  assert.notDeepStrictEqual(linear.history.best, constant.history.best);
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

Deno.test('ParticleSwarm ends with "aborted" when its signal aborts between iterations', () => {
  const controller = new AbortController();
  const swarm = new ParticleSwarm({
    lower: [-1],
    upper: [1],
    swarmSize: 2,
    signal: controller.signal,
    ...quiet,
  });
  drive(swarm, sphere, 3);
  controller.abort();
  assert.equal(swarm.done, false);
  drive(swarm, sphere, 1);
  assert.deepStrictEqual([swarm.exitReason, swarm.iteration], ["aborted", 4]);
});

Deno.test("ParticleSwarm refuses out-of-order ask() and tell() calls", async (t) => {
  const options = { lower: [-1], upper: [1], swarmSize: 3, maxIterations: 2, ...quiet };
  await t.step("tell() twice for the same positions", () => {
    const swarm = new ParticleSwarm(options);
    swarm.tell([1, 2, 3]);
    assert.throws(
      () => swarm.tell([1, 2, 3]),
      /^Error: tell\(\): must follow ask\(\), got a second tell\(\) for the same positions$/,
    );
  });
  await t.step("costs of the wrong length", () => {
    const swarm = new ParticleSwarm(options);
    assert.throws(
      () => swarm.tell([1, 2]),
      /^RangeError: tell\(\): costs must hold one cost per particle \(3\), got length 2$/,
    );
    assert.throws(
      () => swarm.tell(null as unknown as number[]),
      /costs must hold one cost per particle \(3\), got null/,
    );
  });
  await t.step("after the run ended", () => {
    const swarm = new ParticleSwarm(options);
    drive(swarm, sphere);
    assert.throws(
      () => swarm.ask(),
      /^Error: ask\(\): must be called while the run is going, got a call after it ended \(maxIterations\)$/,
    );
    assert.throws(() => swarm.tell([1, 2, 3]), /tell\(\): must be called while the run is going/);
  });
  await t.step("result() before the end, or before any tell()", () => {
    const swarm = new ParticleSwarm(options);
    assert.throws(
      () => swarm.result(),
      /^Error: result\(\): must be called after the run ended \(or after stop\(\)\), got a running swarm$/,
    );
    swarm.stop();
    assert.throws(() => swarm.result(), /result\(\): must follow at least one tell\(\)/);
  });
  await t.step("ask() twice returns the same positions; stop() keeps the first reason", () => {
    const swarm = new ParticleSwarm(options);
    swarm.tell([3, 1, 2]);
    const a = Array.from(swarm.ask());
    assert.deepStrictEqual(Array.from(swarm.ask()), a);
    assert.equal(swarm.bestCost, 1);
    assert.equal(swarm.bestPosition.length, 1);
    assert.equal(swarm.evaluations, 3);
    swarm.stop("maxTime");
    swarm.stop("aborted");
    assert.equal(swarm.exitReason, "maxTime");
  });
});
