/**
 * The ask/tell protocol of ParticleSwarm and its state: resume from getState() through JSON to the
 * bit-identical result, refused states and options, and out-of-order calls.
 */
import assert from "assert";
import {
  optimize,
  ParticleSwarm,
  PSO_DEFAULTS,
  type PSOOptions,
  type PSOState,
} from "../../optimizer/mod.ts";
import { box, drive, quiet, rosenbrock, sphere } from "./pso_helpers.ts";

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
