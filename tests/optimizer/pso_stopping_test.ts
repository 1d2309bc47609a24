/**
 * The PSO engine's stopping rules: every exit reason of optimize(), and an abort between
 * iterations of a hand-driven ParticleSwarm.
 */
import assert from "assert";
import { optimize, ParticleSwarm } from "../../optimizer/mod.ts";
import { assertConsistent, box, delay, drive, quiet, sphere } from "./pso_helpers.ts";

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
