/**
 * Tests of PSOTuner's determinism (docs/tuning.md#the-tuner): bit-identical results whatever the number
 * of Workers, for a built-in and a registered custom controller, and an abort that keeps exactly the
 * uninterrupted run's best so far; every Worker it starts is terminated.
 */
import assert from "assert";
import { getControllerInfo, registerController } from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { PSOTuner, type TunerProgress } from "../../optimizer/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import { config, essence, STA_RUN, staReference } from "./tuner_helpers.ts";

Deno.test({
  name: "concurrent: PSOTuner gives bit-identical results with 0, 1, 2, 4 and 8 Workers and closes its pools",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const base = await staReference();
    using workers = trackWorkers();
    for (const numWorkers of [1, 2, 4, 8]) {
      const result = await new PSOTuner({ ...STA_RUN, numWorkers }).optimize();
      // deepStrictEqual compares numbers with Object.is: bit-identical, -0 and NaN included.
      assert.deepStrictEqual(essence(result), essence(base), `numWorkers ${numWorkers}`);
      assert.equal(workers.live, 0, `numWorkers ${numWorkers}: Workers left running`);
    }
    assert.equal(workers.created, 1 + 2 + 4 + 8);
    // A different seed gives a different run (the comparison above is not vacuous).
    const other = await new PSOTuner({ ...STA_RUN, seed: 6, numWorkers: 0 }).optimize();
    assert.notDeepStrictEqual(other.bestGains, base.bestGains);
  },
});

Deno.test({
  name: "concurrent: PSOTuner stops on an AbortSignal with exit reason aborted and the best so far",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const full = await staReference();
    using workers = trackWorkers();
    for (const numWorkers of [0, 2]) {
      const abort = new AbortController();
      const seen: TunerProgress[] = [];
      const result = await new PSOTuner({
        ...STA_RUN,
        numWorkers,
        signal: abort.signal,
        onIteration: (p) => {
          seen.push(p);
          if (p.iteration === 3) abort.abort();
        },
      }).optimize();
      assert.equal(result.exitReason, "aborted");
      assert.equal(result.iterations, 3);
      // The best so far is the uninterrupted run's best after 3 iterations.
      assert.deepStrictEqual(result.history.best, full.history.best.slice(0, 3));
      assert.equal(result.bestFitness, full.history.best[2]);
      assert.ok(result.bestFitness > full.bestFitness, "the abort did not cut anything off");
      assert.deepEqual(seen.map((p) => p.iteration), [1, 2, 3]);
      for (const p of seen) {
        assert.equal(p.maxIterations, 8);
        assert.equal(p.bestCost, full.history.best[p.iteration - 1]);
        assert.ok(p.evaluations > 0 && p.elapsedMs >= 0);
      }
      assert.equal(workers.live, 0, `numWorkers ${numWorkers}`);
    }
  },
});

Deno.test({
  name: "concurrent: PSOTuner rejects with the reason of a signal aborted before the first iteration",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    using workers = trackWorkers();
    const reason = new Error("stop now");
    await assert.rejects(
      new PSOTuner({ ...STA_RUN, numWorkers: 1, signal: AbortSignal.abort(reason) }).optimize(),
      (error) => error === reason,
    );
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: PSOTuner tunes a registered custom controller in Workers as on the main thread",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const module = new URL("../fixtures/custom_controller.ts", import.meta.url).href;
    const { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } = await import(module);
    try {
      await registerController({
        type: "state_feedback",
        module,
        export: "createStateFeedback",
        gainNames: STATE_FEEDBACK_GAIN_NAMES,
        defaultGains: STATE_FEEDBACK_DEFAULTS,
        stateful: false,
      });
      const info = getControllerInfo("state_feedback");
      const options = {
        controllerType: "state_feedback",
        config,
        numParticles: 6,
        numIterations: 3,
        scenarios: 2,
        seed: 4,
      };
      const inline = await new PSOTuner({ ...options, numWorkers: 0 }).optimize();
      using workers = trackWorkers();
      const remote = await new PSOTuner({ ...options, numWorkers: 2 }).optimize();
      assert.deepStrictEqual(essence(remote), essence(inline));
      assert.equal(workers.live, 0);
      // Bounds came from the registry entry, and the result lies inside them.
      inline.bestGains.forEach((g, i) => assert.ok(g >= info.bounds.lower[i] && g <= info.bounds.upper[i]));
      assert.ok(inline.bestFitness < 10 * config.cost_function.instability_penalty);
    } finally {
      resetRegistryForTests();
    }
  },
});
