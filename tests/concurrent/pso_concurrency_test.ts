/**
 * PSO under concurrency (docs/concurrency.md#scenarios, numbers 4, 5 and 8, and the basic abort, close and
 * leak scenarios): fitness evaluations fanned out to Worker pools by `PSOTuner`, compared with runs on one
 * Worker and on the main thread, with what every Worker saw recorded.
 *
 * @module
 */
import assert from "assert";
import {
  controllerRegistry,
  DEFAULT_GAINS,
  listAvailableControllers,
  registerController,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import {
  type EvaluateTask,
  PoolClosedError,
  PSOTuner,
  TUNER_WORKER_URL,
  type TunerResult,
  WorkerPool,
} from "../../optimizer/mod.ts";
import { createAndProbe, type CreationRequest, type CreationSummary } from "../fixtures/factory_cases.ts";
import { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } from "../fixtures/custom_controller.ts";
import { assertPoolClosed } from "../fixtures/pool_assertions.ts";
import type { SeenReport } from "../fixtures/recording_tuner_worker.ts";
import { shiftedSphere, SPHERE_TARGET } from "../fixtures/sphere_fitness.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import {
  allReady,
  closeAndCheck,
  CONFIG,
  delay,
  FACTORY_WORKER,
  fixture,
  plainConfig,
  RecordingPool,
  tick,
  within,
} from "./helpers.ts";

const SPHERE = Object.freeze({ module: fixture("sphere_fitness.ts").href, export: "shiftedSphere" });
const SLOW_SPHERE = Object.freeze({ module: SPHERE.module, export: "slowShiftedSphere" });

/** What must be identical between two runs of the same seed. */
const essence = (r: TunerResult) => ({
  bestGains: r.bestGains,
  bestFitness: r.bestFitness,
  history: r.history,
  evaluations: r.evaluations,
  iterations: r.iterations,
  exitReason: r.exitReason,
  finalSwarm: r.result.finalSwarm,
});

/** The rows of a task's `count × dims` positions, as arrays. */
const rowsOf = (task: EvaluateTask) =>
  Array.from(
    { length: task.count },
    (_, p) => Array.from(task.positions.subarray(p * task.dims, (p + 1) * task.dims)),
  );

Deno.test({
  name:
    "concurrent: PSO fitness evaluations run concurrently on 4 Workers, converge, and equal 1 Worker and " +
    "the main thread bit for bit",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const run = {
      controllerType: "classical_smc",
      config: CONFIG,
      numParticles: 20,
      numIterations: 40,
      seed: 123,
    };
    const pool = new RecordingPool({ moduleUrl: TUNER_WORKER_URL, size: 4, name: "pso-4" });
    using workers = trackWorkers();
    try {
      await allReady(pool);
      const four = await within(
        30_000,
        "4 Workers",
        new PSOTuner({ ...run, numWorkers: 4, pool }).optimize(SPHERE),
      );
      const one = await within(30_000, "1 Worker", new PSOTuner({ ...run, numWorkers: 1 }).optimize(SPHERE));
      const main = await new PSOTuner({ ...run, numWorkers: 0 }).optimize(shiftedSphere);
      assert.deepStrictEqual(essence(four), essence(one));
      assert.deepStrictEqual(essence(four), essence(main));

      // Converged: the best cost is tiny and the best gains sit on the target.
      assert.ok(four.bestFitness < 1e-4, `best fitness ${four.bestFitness}`);
      for (let i = 0; i < SPHERE_TARGET.length; i++) {
        assert.ok(Math.abs(four.bestGains[i] - SPHERE_TARGET[i]) < 0.05 * SPHERE_TARGET[i], `gain ${i}`);
      }
      assert.ok(four.history.best.every((b, k) => k === 0 || b <= four.history.best[k - 1]));
      assert.ok(four.history.best.at(-1)! < four.history.best[0] / 100);

      // Really concurrent: every Worker evaluated, several tasks were in flight at once, and the
      // tasks covered exactly the evaluations the engine counted.
      assert.deepEqual([...new Set(pool.tasks.map((t) => t.workerIndex))].sort(), [0, 1, 2, 3]);
      assert.ok(pool.maxInFlight >= 2, `at most ${pool.maxInFlight} task(s) in flight`);
      const evaluated = pool.tasks.reduce((n, t) => n + (t.payload as EvaluateTask).count, 0);
      assert.equal(evaluated, four.evaluations);
      assert.equal(four.fitnessFailures, 0);
    } finally {
      await closeAndCheck(pool);
    }
    // The 1-Worker run's own pool was closed by the tuner.
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: PSO particle isolation: each of 10 Workers evaluates only the particles it was sent, " +
    "and every iteration's swarm is evaluated exactly once",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const run = {
      controllerType: "classical_smc",
      config: CONFIG,
      numParticles: 30,
      numIterations: 8,
      seed: 456,
      chunkSize: 3,
    };
    // The reference swarms, iteration by iteration, from a run on the main thread.
    const swarms: string[][] = [[]];
    const reference = await new PSOTuner({ ...run, numWorkers: 0, onIteration: () => swarms.push([]) })
      .optimize((gains) => {
        swarms.at(-1)!.push(JSON.stringify(gains));
        return shiftedSphere(gains);
      });
    swarms.pop();

    const pool = new RecordingPool({
      moduleUrl: fixture("recording_tuner_worker.ts"),
      size: 10,
      name: "isolation",
    });
    try {
      await allReady(pool);
      const result = await within(
        30_000,
        "tuning on 10 Workers",
        new PSOTuner({ ...run, numWorkers: 10, pool, onIteration: () => pool.phase++ }).optimize(SPHERE),
      );
      assert.deepStrictEqual(essence(result), essence(reference));
      assert.equal(swarms.length, 8);

      const perWorker = new Map<
        number,
        { tasks: number; particles: number; sum: number; last?: SeenReport }
      >();
      for (const [k, task] of pool.tasks.entries()) {
        const sent = task.payload as EvaluateTask;
        const { seen } = task.result as { seen: SeenReport };
        // The Worker's fitness was called with exactly the rows it was sent, in order, nothing else.
        assert.deepStrictEqual(seen.particles, rowsOf(sent), `task ${k}`);
        assert.equal(seen.worker, `isolation#${task.workerIndex}`, `task ${k}`);
        const mine = perWorker.get(task.workerIndex) ?? { tasks: 0, particles: 0, sum: 0 };
        mine.tasks++;
        mine.particles += sent.count;
        for (const row of seen.particles) for (const g of row) mine.sum += g;
        mine.last = seen;
        perWorker.set(task.workerIndex, mine);
      }
      // Each Worker's private running totals match what the pool sent that Worker and no other.
      for (const [index, mine] of perWorker) {
        assert.equal(mine.last!.tasks, mine.tasks, `worker ${index}`);
        assert.equal(mine.last!.particlesTotal, mine.particles, `worker ${index}`);
        assert.equal(mine.last!.coordinateSum, mine.sum, `worker ${index}`);
      }
      assert.ok(perWorker.size >= 5, `only ${perWorker.size} of 10 Workers used`);

      // Per iteration, the union of what the Workers evaluated is the swarm, each particle once.
      for (let k = 0; k < swarms.length; k++) {
        const seen = pool.tasks.filter((t) => t.phase === k)
          .flatMap((t) => (t.result as { seen: SeenReport }).seen.particles.map((g) => JSON.stringify(g)));
        assert.equal(new Set(seen).size, seen.length, `iteration ${k}: a particle was evaluated twice`);
        assert.deepStrictEqual(seen.sort(), [...swarms[k]].sort(), `iteration ${k}`);
        assert.equal(seen.length, 30);
      }
    } finally {
      await closeAndCheck(pool);
    }
  },
});

/** One controller creation done beside a PSO run: where, and when it completed. */
interface Creation {
  readonly request: CreationRequest;
  readonly summary: CreationSummary;
  readonly where: "Worker" | "main";
  readonly at: number;
}

/** The creations of each kind that completed strictly between the run's first and last iteration. */
function creationsDuringRun(iterationTimes: readonly number[], creations: readonly Creation[]) {
  const first = iterationTimes[0], last = iterationTimes[iterationTimes.length - 1];
  const inside = creations.filter((c) => c.at > first && c.at < last);
  return {
    onWorkers: inside.filter((c) => c.where === "Worker").length,
    onMain: inside.filter((c) => c.where === "main").length,
  };
}

/** Asserts that at least `n` creations on Workers and `n` on async tasks overlapped the run. */
function assertOverlapped(iterationTimes: readonly number[], creations: readonly Creation[], n: number) {
  const { onWorkers, onMain } = creationsDuringRun(iterationTimes, creations);
  assert.ok(
    onWorkers >= n && onMain >= n,
    `only ${onWorkers} Worker and ${onMain} main-thread creations completed during the PSO run (need ${n} each)`,
  );
}

const creationRequest = (i: number): CreationRequest => ({
  type: i % 2 === 0 ? "classical_smc" : "sta",
  gains: DEFAULT_GAINS[i % 2 === 0 ? "classical_smc" : "sta_smc"].map((g) => g * (1 + (i % 50) / 100)),
  config: plainConfig(),
});

Deno.test({
  name: "concurrent: controllers are created on Workers and async tasks while a PSO run is in flight " +
    "(at least 10 of each between its first and last iteration); both finish, and the run equals the same " +
    "run alone",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const run = {
      controllerType: "sta_smc",
      config: CONFIG,
      numParticles: 8,
      numIterations: 10,
      seed: 11,
      scenarios: 2,
    };
    const aloneTimes: number[] = [];
    const alone = await new PSOTuner({
      ...run,
      numWorkers: 0,
      onIteration: () => aloneTimes.push(performance.now()),
    }).optimize();
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 2, name: "beside-pso" });
    using workers = trackWorkers();
    try {
      await allReady(pool);
      // One unmeasured creation per Worker first: a Worker's first createController() compiles the
      // factory and designs lqr's default K, which under --coverage took longer than the whole run
      // (CI saw 0 Worker creations inside it). The overlap measured below is steady-state work.
      await Promise.all(
        Array.from({ length: pool.stats().size }, (_, i) => pool.run("create", creationRequest(i))),
      );
      const iterationTimes: number[] = [];
      const creations: Creation[] = [];
      let running = true, next = 0;
      const deadline = performance.now() + 60_000;
      // A creation lane keeps going for as long as the run does (and no longer than the test's
      // deadline, so a run that never ends cannot keep it looping).
      const lane = async (where: Creation["where"]) => {
        while (running && performance.now() < deadline) {
          const request = creationRequest(next++);
          let summary: CreationSummary;
          if (where === "Worker") {
            summary = (await pool.run<{ summary: CreationSummary }>("create", request)).summary;
          } else {
            await tick();
            summary = createAndProbe(request);
          }
          creations.push({ request, summary, where, at: performance.now() });
        }
      };
      let creating: Promise<unknown> | undefined;
      const tuning = new PSOTuner({
        ...run,
        numWorkers: 2,
        onIteration: () => {
          iterationTimes.push(performance.now());
          // The lanes start once the run is iterating (its Workers loaded): one per pool Worker,
          // and four async tasks on the main thread.
          creating ??= Promise.all([
            lane("Worker"),
            lane("Worker"),
            ...Array.from({ length: 4 }, () => lane("main")),
          ]);
        },
      }).optimize();
      const stopped = tuning.then(() => {
        running = false;
      }, () => {
        running = false;
      });
      // A registry write on the main thread while the tuner reads the registry for every particle.
      const registering = registerController({
        type: "state_feedback",
        module: fixture("custom_controller.ts"),
        export: "createStateFeedback",
        gainNames: STATE_FEEDBACK_GAIN_NAMES,
        defaultGains: STATE_FEEDBACK_DEFAULTS,
      });
      const [tuned] = await within(
        60_000,
        "PSO run beside creations",
        Promise.all([tuning, registering, stopped]),
      );
      await within(10_000, "creation lanes", creating ?? Promise.resolve());
      assert.deepStrictEqual(essence(tuned), essence(alone));
      assert.equal(iterationTimes.length, 10);
      // The two really overlapped: creations of both kinds completed while the run was iterating.
      assertOverlapped(iterationTimes, creations, 10);
      for (const [i, { request, summary }] of creations.entries()) {
        assert.equal(summary.type, request.type === "sta" ? "sta_smc" : "classical_smc", `creation ${i}`);
        assert.deepEqual(summary.gains, request.gains, `creation ${i}`);
        assert.deepEqual(summary, createAndProbe(request), `creation ${i}`);
      }
      assert.ok(listAvailableControllers().includes("state_feedback"));

      // The check can fail: creations made after a run (the run alone, then the same lanes) did
      // not overlap it.
      const after: Creation[] = [];
      for (let i = 0; i < 10; i++) {
        const request = creationRequest(i);
        after.push({ request, summary: createAndProbe(request), where: "main", at: performance.now() });
        const made = await pool.run<{ summary: CreationSummary }>("create", request);
        after.push({ request, summary: made.summary, where: "Worker", at: performance.now() });
      }
      assert.equal(aloneTimes.length, 10);
      assert.deepEqual(creationsDuringRun(aloneTimes, after), { onWorkers: 0, onMain: 0 });
      assert.throws(() => assertOverlapped(aloneTimes, after, 10), assert.AssertionError);
    } finally {
      await closeAndCheck(pool);
      resetRegistryForTests();
    }
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: PSOTuner tunes a custom controller on Workers running 2 tasks each at once, " +
    "bit for bit as on the main thread (each Worker registers the type once)",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    using workers = trackWorkers();
    const pool = new RecordingPool({
      moduleUrl: TUNER_WORKER_URL,
      size: 2,
      maxInFlightPerWorker: 2,
      name: "custom-2-in-flight",
    });
    try {
      await registerController({
        type: "state_feedback",
        module: fixture("custom_controller.ts"),
        export: "createStateFeedback",
        gainNames: STATE_FEEDBACK_GAIN_NAMES,
        defaultGains: STATE_FEEDBACK_DEFAULTS,
      });
      const run = {
        controllerType: "state_feedback",
        config: CONFIG,
        numParticles: 8,
        numIterations: 3,
        scenarios: 2,
        seed: 4,
      };
      const inline = await new PSOTuner({ ...run, numWorkers: 0 }).optimize();
      // Both Workers loaded first, so the first iteration's 8 one-particle tasks go out 2 per Worker
      // at once: each Worker receives two tasks for a type it has not registered yet.
      await allReady(pool);
      const remote = await within(
        30_000,
        "custom controller, 2 tasks in flight per Worker",
        new PSOTuner({ ...run, numWorkers: 2, pool, chunkSize: 1 }).optimize(),
      );
      assert.deepStrictEqual(essence(remote), essence(inline));
      assert.equal(pool.maxInFlight, 4, "never 2 tasks in flight on each Worker");
      assert.deepEqual([...new Set(pool.tasks.map((t) => t.workerIndex))].sort(), [0, 1]);
      const evaluated = pool.tasks.reduce((n, t) => n + (t.payload as EvaluateTask).count, 0);
      assert.equal(evaluated, remote.evaluations);
    } finally {
      await closeAndCheck(pool);
      resetRegistryForTests();
    }
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: a nested registry update throws instead of hanging or losing a write, while readers run",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const start = controllerRegistry.stats();
    let stop = false;
    // Readers keep going throughout; every snapshot they see must be whole.
    const reader = async () => {
      let last = 0, reads = 0;
      while (!stop) {
        const snap = controllerRegistry.snapshot();
        assert.ok(snap.version >= last);
        last = snap.version;
        const marks = new Set(snap.ids.map((id) => snap.get(id)!.description.startsWith("outer")));
        assert.equal(marks.size, 1, `mixed snapshot at version ${snap.version}`);
        reads++;
        await tick();
      }
      return reads;
    };
    const readers = Promise.all([reader(), reader(), reader()]);
    const nested: unknown[] = [];
    let registration: Promise<number> | undefined;
    const outcome = within(
      10_000,
      "nested updates",
      (async () => {
        await tick();
        const snap = controllerRegistry.update((draft) => {
          for (const id of draft.ids) draft.set(id, { ...draft.get(id)!, description: `outer ${id}` });
          // A synchronous nested write would be lost under the outer one: it must throw.
          try {
            controllerRegistry.update((inner) => inner.remove("sta_smc"));
          } catch (error) {
            nested.push(error);
          }
          try {
            resetRegistryForTests();
          } catch (error) {
            nested.push(error);
          }
          // An asynchronous one runs after the outer update has published, on top of it.
          registration = registerController({
            type: "state_feedback",
            module: fixture("custom_controller.ts"),
            export: "createStateFeedback",
            gainNames: STATE_FEEDBACK_GAIN_NAMES,
            defaultGains: STATE_FEEDBACK_DEFAULTS,
            description: "outer state_feedback",
          });
        });
        const registered = await registration!;
        return { snap, registered };
      })(),
    );
    try {
      const { snap, registered } = await outcome;
      assert.equal(nested.length, 2);
      for (const error of nested) assert.match(String(error), /Nested registry update/);
      assert.equal(snap.version, start.version + 1);
      assert.ok(snap.has("sta_smc"), "the refused nested removal leaked into the outer snapshot");
      assert.equal(registered, start.version + 2);
      // Both writes are there: the outer tags and the registration published on top of them.
      const now = controllerRegistry.snapshot();
      assert.equal(now.get("sta_smc")!.description, "outer sta_smc");
      assert.ok(now.has("state_feedback"));
      // Nothing is stuck: the next update publishes at once.
      assert.equal(controllerRegistry.update(() => {}).version, start.version + 3);
      assert.equal(controllerRegistry.stats().writes, start.writes + 3);
    } finally {
      stop = true;
      const reads = await within(5_000, "readers", readers);
      assert.ok(reads.every((n) => n > 0));
      resetRegistryForTests();
    }
  },
});

Deno.test({
  name:
    "concurrent: aborting a PSO run while Workers evaluate returns the best so far (aborted) and leaves " +
    "no Worker or task behind",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const run = {
      controllerType: "classical_smc",
      config: CONFIG,
      numParticles: 8,
      numIterations: 20,
      seed: 5,
    };
    const full = await new PSOTuner({ ...run, numWorkers: 0 }).optimize(shiftedSphere);
    const pool = new RecordingPool({ moduleUrl: TUNER_WORKER_URL, size: 2, name: "abort-mid" });
    try {
      await allReady(pool);
      const abort = new AbortController();
      // Abort as soon as the 4th iteration's first task is on its way to a Worker: the abort lands
      // while that iteration is being evaluated (each task takes at least 4 × 15 ms).
      pool.onDispatch = (phase) => {
        if (phase === 3 && !abort.signal.aborted) abort.abort();
      };
      const tuning = new PSOTuner({
        ...run,
        numWorkers: 2,
        pool,
        chunkSize: 4,
        signal: abort.signal,
        onIteration: () => pool.phase++,
      }).optimize(SLOW_SPHERE);
      const result = await within(20_000, "aborted run", tuning);
      assert.equal(result.exitReason, "aborted");
      assert.equal(result.iterations, 3);
      assert.deepStrictEqual(result.history.best, full.history.best.slice(0, 3));
      assert.equal(result.bestFitness, full.history.best[2]);
      // The 4th iteration was abandoned mid-flight: its tasks were still running.
      assert.ok(pool.stats().pending > 0, "nothing was in flight at the abort");
      assert.ok(pool.tasks.every((t) => t.phase < 3));
    } finally {
      // Closing rejects the abandoned tasks; the tuner swallowed them, so nothing is unhandled.
      await closeAndCheck(pool);
    }

    // With its own pool, the tuner closes it on the way out, abandoned tasks and all.
    using workers = trackWorkers();
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const own = await within(
      20_000,
      "aborted run on the tuner's own pool",
      new PSOTuner({
        ...run,
        numWorkers: 2,
        chunkSize: 4,
        signal: abort.signal,
        onIteration: (p) => {
          if (p.iteration === 1) timer = setTimeout(() => abort.abort(), 20);
        },
      }).optimize(SLOW_SPHERE),
    );
    clearTimeout(timer);
    assert.equal(own.exitReason, "aborted");
    assert.ok(own.iterations >= 1 && own.iterations < 20, `${own.iterations} iterations`);
    assert.deepStrictEqual(own.history.best, full.history.best.slice(0, own.iterations));
    assert.equal(workers.created, 2);
    assert.equal(workers.live, 0);
  },
});

Deno.test({
  name: "concurrent: closing the pool under a running PSO tuner rejects the run with PoolClosedError, " +
    "without hanging",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const pool = new RecordingPool({ moduleUrl: TUNER_WORKER_URL, size: 2, name: "closed-under" });
    try {
      let closing: Promise<void> | undefined;
      // Close while the 3rd iteration's tasks are in flight.
      pool.onDispatch = (phase) => {
        if (phase === 2) closing ??= pool.close();
      };
      const tuning = new PSOTuner({
        controllerType: "classical_smc",
        config: CONFIG,
        numParticles: 8,
        numIterations: 50,
        seed: 3,
        numWorkers: 2,
        pool,
        onIteration: () => pool.phase++,
      }).optimize(SLOW_SPHERE);
      await assert.rejects(within(20_000, "run on a closed pool", tuning), PoolClosedError);
      await closing;
      assert.ok(pool.stats().failed > 0, "no task was in flight at the close");
      assert.ok(pool.tasks.every((t) => t.phase < 2));
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name:
    "concurrent: the leak check fails on a pool left open with work pending, which Deno's sanitizers let pass",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    using workers = trackWorkers();
    const pool = new WorkerPool({ moduleUrl: fixture("echo_worker.ts"), size: 2, name: "left-open" });
    const hanging = [pool.run("hang"), pool.run("hang")];
    await allReady(pool);
    await delay(20);
    assert.throws(
      () => assertPoolClosed(pool),
      /Worker pool "left-open" leaked: .* got closed=false, live=2, pending=2$/,
    );
    assert.equal(workers.live, 2);
    await pool.close();
    for (const task of hanging) await assert.rejects(task, PoolClosedError);
    assertPoolClosed(pool);
    assert.equal(workers.live, 0);
  },
});
