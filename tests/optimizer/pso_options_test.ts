/**
 * The PSO engine's options: Poli's stability warning, validation of every option with a clear
 * error, initial positions, onIteration progress and the linear inertia schedule.
 */
import assert from "assert";
import {
  isPoliStable,
  optimize,
  ParticleSwarm,
  poliLimit,
  PSO_DEFAULTS,
  type PSOOptions,
} from "../../optimizer/mod.ts";
import { box, quiet, rosenbrock, sphere } from "./pso_helpers.ts";

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
