/**
 * The factory under real concurrency: controllers created at once on Workers (each with its own
 * registry, fed plain data) and on the main thread (async tasks that await between steps), checked
 * property by property and against a sequential main-thread run (docs/concurrency.md#scenarios, numbers 1, 2
 * and 9, and the basic pool, isolation and crash scenarios).
 *
 * @module
 */
import assert from "assert";
import { GAIN_NAMES } from "../../controllers/mod.ts";
import {
  controllerRegistry,
  createController,
  DEFAULT_BOUNDS,
  DEFAULT_GAINS,
  getControllerInfo,
  listAvailableControllers,
  validateGains,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { WorkerCrashedError, WorkerPool } from "../../optimizer/mod.ts";
import {
  createAndProbe,
  createAndSimulate,
  type CreationRequest,
  type CreationSummary,
  PROBE_STATES,
  type SimulationSummary,
} from "../fixtures/factory_cases.ts";
import { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } from "../fixtures/custom_controller.ts";
import { isDeeplyFrozen } from "../fixtures/registry_checks.ts";
import {
  allReady,
  closeAndCheck,
  CONFIG,
  FACTORY_WORKER,
  fixture,
  plainConfig,
  seededRandom,
  tick,
  within,
} from "./helpers.ts";

const TYPES = ["classical_smc", "sta_smc", "adaptive_smc", "hybrid_adaptive_sta_smc"] as const;
type Type = (typeof TYPES)[number];
const BOUNDARY_LAYER: Record<Type, number> = {
  classical_smc: 0.3,
  sta_smc: 0.3,
  adaptive_smc: 0.4,
  hybrid_adaptive_sta_smc: 0.35,
};

interface Created {
  readonly summary: CreationSummary;
  readonly worker: string;
}

/** Creates on the main thread as an async task: it yields before and after, so tasks interleave. */
async function createOnMain(request: CreationRequest): Promise<Created> {
  await tick();
  const summary = createAndProbe(request);
  await tick();
  return { summary, worker: "main" };
}

Deno.test({
  name: "concurrent: 100 classical_smc creations over 4 Workers and 50 async tasks get exactly the gains, " +
    "max force and boundary layer requested or configured",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const explicit = [10, 5, 8, 3, 15, 2];
    // The seed's explicit gains do not stabilise the plant (k2/k1 < 1.4) but they are valid gains.
    assert.deepEqual(validateGains("classical_smc", explicit), { ok: true, errors: [] });
    const shipped = plainConfig();
    const configured = CONFIG.controller_defaults.classical_smc.gains;
    // Four ways to ask, rotating; the edited configs differ per request, so a mix-up between
    // concurrent creations shows as a wrong limit or gain on some controller.
    const cases = Array.from({ length: 100 }, (_, i) => {
      const edited = plainConfig() as { controllers: { classical_smc: Record<string, unknown> } };
      const block = edited.controllers.classical_smc;
      block.max_force = 100 + i;
      block.boundary_layer = 0.05 + 0.01 * (i % 20);
      const ownGains = [0.5 + 0.01 * i, 2.3, 11, 16, 6.6, 1.9];
      if (i % 4 === 3) block.gains = ownGains;
      const request: CreationRequest = [
        { type: "classical_smc", gains: explicit, config: shipped },
        { type: "classical_smc", config: shipped },
        { type: "smc_classical", gains: explicit, config: edited },
        { type: " Classic-SMC ", config: edited },
      ][i % 4];
      const expected = [
        { gains: explicit, maxForce: 150, boundaryLayer: 0.3 },
        { gains: [...configured], maxForce: 150, boundaryLayer: 0.3 },
        { gains: explicit, maxForce: 100 + i, boundaryLayer: block.boundary_layer as number },
        { gains: ownGains, maxForce: 100 + i, boundaryLayer: block.boundary_layer as number },
      ][i % 4];
      return { request, expected };
    });

    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 4, name: "classical-100" });
    try {
      await allReady(pool);
      const results = await within(
        30_000,
        "100 creations",
        Promise.all(
          cases.map(({ request }, i) =>
            i % 2 === 0 ? pool.run<Created>("create", request) : createOnMain(request)
          ),
        ),
      );
      for (const [i, { summary }] of results.entries()) {
        const { expected, request } = cases[i];
        const where = `creation ${i} (${request.type}, ${i % 2 === 0 ? "Worker" : "main"})`;
        assert.equal(summary.type, "classical_smc", where);
        assert.deepEqual(summary.gains, expected.gains, where);
        assert.equal(summary.maxForce, expected.maxForce, where);
        assert.equal(summary.boundaryLayer, expected.boundaryLayer, where);
        assert.equal(summary.dt, CONFIG.simulation.dt, where);
        for (const out of summary.outputs) assert.ok(Math.abs(out.u) <= expected.maxForce, where);
        // The same request run alone on the main thread gives the same numbers, bit for bit.
        assert.deepEqual(summary, createAndProbe(request), where);
      }
      const workers = new Set(results.filter((_, i) => i % 2 === 0).map((r) => r.worker));
      assert.ok(workers.size >= 2, `the Worker half ran on ${workers.size} Worker(s): ${[...workers]}`);
      assert.equal(pool.stats().completed, 50);
      assert.equal(pool.stats().failed, 0);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: 80 mixed creations (20 of each type) on Workers and async tasks equal a sequential run",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const aliases: Record<Type, string> = {
      classical_smc: "smc_v1",
      sta_smc: "Super-Twisting",
      adaptive_smc: "adaptive",
      hybrid_adaptive_sta_smc: "hybrid_sta",
    };
    const requests: CreationRequest[] = Array.from({ length: 80 }, (_, i) => {
      const type = TYPES[i % 4];
      const round = Math.floor(i / 4);
      // Scaling all gains together keeps super-twisting's K1 > K2.
      const gains = DEFAULT_GAINS[type].map((g) => g * (1 + 0.02 * round));
      return {
        type: round % 3 === 0 ? aliases[type] : type,
        gains,
        config: round % 2 === 0 ? plainConfig() : undefined,
        dt: round % 5 === 0 ? 0.005 : undefined,
      };
    });
    // The reference: the same requests, one after the other, on the main thread.
    const sequential = requests.map(createAndProbe);

    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 4, name: "mixed-80" });
    try {
      const results = await within(
        30_000,
        "80 creations",
        Promise.all(
          requests.map((request, i) =>
            i % 2 === 0 ? pool.run<Created>("create", request) : createOnMain(request)
          ),
        ),
      );
      const perType = new Map<string, number>();
      for (const [i, { summary }] of results.entries()) {
        const type = TYPES[i % 4];
        const where = `creation ${i} (${requests[i].type})`;
        perType.set(summary.type, (perType.get(summary.type) ?? 0) + 1);
        assert.equal(summary.type, type, where);
        assert.deepEqual(summary.gains, requests[i].gains, where);
        assert.equal(summary.maxForce, 150, where);
        assert.equal(summary.boundaryLayer, BOUNDARY_LAYER[type], where);
        assert.equal(summary.dt, requests[i].dt ?? 0.01, where);
        assert.equal(summary.outputs.length, PROBE_STATES.length, where);
        // u, sigma and the carried internal state, exactly as the sequential run computed them.
        assert.deepEqual(summary, sequential[i], where);
      }
      assert.deepEqual(Object.fromEntries(perType), Object.fromEntries(TYPES.map((t) => [t, 20])));
      // A stateful controller's state really moved, so the comparison covers it.
      const sta = sequential[1].outputs.map((o) => o.state.z);
      assert.equal(new Set(sta).size, sta.length);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name:
    "concurrent: 100 mixed factory operations (create, info, list) on Workers and async tasks all succeed " +
    "with the right outcome",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    type Op =
      | { kind: "create"; request: CreationRequest; expected: { type: Type; gains: readonly number[] } }
      | { kind: "info"; name: string; type: Type }
      | { kind: "list" };
    const createNames = ["classical_smc", "sta", "classic_smc", "super_twisting", "SMC-Classical"];
    const infoNames = [
      "classical_smc",
      "sta",
      "Adaptive",
      "hybrid",
      "hybrid_sta",
      "smc_v1",
      "super twisting",
    ];
    const canonical = (name: string) => getControllerInfo(name).type as Type;
    const ops: Op[] = [];
    for (let i = 0; i < 50; i++) {
      const name = createNames[i % createNames.length];
      const type = canonical(name);
      const explicit = i % 3 === 0 ? undefined : DEFAULT_GAINS[type].map((g) => g * (1 + i / 100));
      ops.push({
        kind: "create",
        request: { type: name, gains: explicit, config: plainConfig() },
        expected: { type, gains: explicit ?? CONFIG.controller_defaults[type].gains },
      });
    }
    for (let i = 0; i < 25; i++) {
      const name = infoNames[i % infoNames.length];
      ops.push({ kind: "info", name, type: canonical(name) });
    }
    for (let i = 0; i < 25; i++) ops.push({ kind: "list" });
    // A seeded shuffle, so creations, look-ups and listings are interleaved.
    const random = seededRandom(9);
    for (let i = ops.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ops[i], ops[j]] = [ops[j], ops[i]];
    }

    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 3, name: "mixed-ops" });
    const run = async (op: Op, onWorker: boolean): Promise<unknown> => {
      if (!onWorker) await tick();
      switch (op.kind) {
        case "create":
          return onWorker
            ? (await pool.run<Created>("create", op.request)).summary
            : createAndProbe(op.request);
        case "info": {
          if (onWorker) return await pool.run("info", op.name);
          const info = getControllerInfo(op.name);
          return { info, deeplyFrozen: isDeeplyFrozen(info) };
        }
        case "list":
          return onWorker ? await pool.run("list") : listAvailableControllers();
      }
    };
    try {
      const outcomes = await within(
        30_000,
        "100 operations",
        Promise.all(ops.map((op, i) => run(op, i % 2 === 0))),
      );
      const counts = { create: 0, info: 0, list: 0 };
      for (const [i, op] of ops.entries()) {
        const where = `operation ${i} (${op.kind}${"name" in op ? ` ${op.name}` : ""})`;
        counts[op.kind]++;
        if (op.kind === "create") {
          const summary = outcomes[i] as CreationSummary;
          assert.equal(summary.type, op.expected.type, where);
          assert.deepEqual(summary.gains, [...op.expected.gains], where);
          assert.equal(summary.maxForce, CONFIG.controllers[op.expected.type].max_force, where);
          assert.equal(summary.boundaryLayer, BOUNDARY_LAYER[op.expected.type], where);
        } else if (op.kind === "info") {
          const { info, deeplyFrozen } = outcomes[i] as {
            info: ReturnType<typeof getControllerInfo>;
            deeplyFrozen: boolean;
          };
          assert.ok(deeplyFrozen, `${where}: info is not deeply frozen`);
          assert.equal(info.type, op.type, where);
          assert.deepEqual(info.gainNames, GAIN_NAMES[op.type], where);
          assert.equal(info.gainCount, GAIN_NAMES[op.type].length, where);
          assert.deepEqual(info.defaultGains, DEFAULT_GAINS[op.type], where);
          assert.deepEqual(info.bounds, DEFAULT_BOUNDS[op.type], where);
          assert.equal(info.stateful, op.type !== "classical_smc", where);
          const normalized = op.name.trim().toLowerCase().replace(/[- ]/g, "_");
          assert.ok(normalized === op.type || info.aliases.includes(normalized), where);
          assert.ok(info.description.length > 0, where);
        } else {
          assert.deepEqual(outcomes[i], [
            "adaptive_smc",
            "classical_smc",
            "hybrid_adaptive_sta_smc",
            "lqr",
            "sta_smc",
          ], where);
        }
      }
      assert.deepEqual(counts, { create: 50, info: 25, list: 25 });
      assert.equal(pool.stats().completed, 50);
      assert.equal(pool.stats().failed, 0);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name: "concurrent: 100 closed-loop runs on an 8-Worker pool equal the same runs done sequentially",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const requests = Array.from({ length: 100 }, (_, i) => {
      const type = TYPES[i % 4];
      return {
        type,
        gains: CONFIG.controller_defaults[type].gains.map((g) => g * (1 + 0.005 * (i % 10))),
        config: plainConfig(),
        duration: 1,
      };
    });
    const sequential = requests.map(createAndSimulate);
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 8, name: "runs-100" });
    try {
      await allReady(pool);
      const results = await within(30_000, "100 runs", pool.map<SimulationSummary>("simulate", requests));
      assert.equal(results.length, 100);
      for (const [i, result] of results.entries()) {
        assert.deepEqual(result, sequential[i], `run ${i}`);
        assert.equal(result.status, "ok", `run ${i}`);
        assert.equal(result.steps, 100, `run ${i}`);
      }
      const stats = pool.stats();
      assert.equal(stats.completed, 100);
      assert.equal(stats.completedPerWorker.reduce((a, b) => a + b, 0), 100);
      assert.ok(stats.completedPerWorker.filter((n) => n > 0).length >= 2, `${stats.completedPerWorker}`);
    } finally {
      await closeAndCheck(pool);
    }
  },
});

Deno.test({
  name:
    "concurrent: controllers and registries are isolated per Worker: state and registrations in one Worker " +
    "do not reach another or the main thread",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const a = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 1, name: "isolated-a" });
    const b = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 1, name: "isolated-b" });
    try {
      // The same key in both Workers, different gains: each Worker keeps its own controller.
      const gainsA = [...DEFAULT_GAINS.sta_smc];
      const gainsB = DEFAULT_GAINS.sta_smc.map((g) => 1.5 * g);
      const xA = [0, 0.08, -0.05, 0, 0.1, -0.1];
      const xB = [0.02, -0.03, 0.04, 0.05, -0.2, 0.2];
      await Promise.all([
        a.run("open", { key: "ctrl", request: { type: "sta_smc", gains: gainsA, config: plainConfig() } }),
        b.run("open", { key: "ctrl", request: { type: "sta_smc", gains: gainsB, config: plainConfig() } }),
      ]);
      type Advanced = { state: Record<string, number>; u: number; steps: number };
      const drive = async (pool: WorkerPool, x: number[], rounds: number, steps: number) => {
        let last: Advanced | undefined;
        for (let r = 0; r < rounds; r++) {
          last = await pool.run<Advanced>("advance", { key: "ctrl", x, steps });
        }
        return last!;
      };
      const [endA, endB] = await within(
        20_000,
        "interleaved advances",
        Promise.all([drive(a, xA, 6, 5), drive(b, xB, 4, 3)]),
      );
      // Reference: each controller driven alone on the main thread.
      const alone = (gains: number[], x: number[], steps: number) => {
        const c = createController("sta_smc", { gains, config: CONFIG });
        let state = c.initialState(), u = 0;
        for (let k = 0; k < steps; k++) ({ state, u } = c.computeControl(x, state));
        return { state: { ...state }, u, steps };
      };
      assert.deepEqual(endA, alone(gainsA, xA, 30));
      assert.deepEqual(endB, alone(gainsB, xB, 12));
      assert.notDeepEqual(endA.state, endB.state);

      // A registration lives in the registry of the Worker that made it, and nowhere else.
      const before = listAvailableControllers();
      const registered = await a.run<{ version: number; types: string[] }>("register", {
        type: "state_feedback",
        module: fixture("custom_controller.ts").href,
        export: "createStateFeedback",
        gainNames: [...STATE_FEEDBACK_GAIN_NAMES],
        defaultGains: [...STATE_FEEDBACK_DEFAULTS],
        stateful: false,
      });
      assert.ok(registered.types.includes("state_feedback"));
      const [inA, inB] = await Promise.all([
        a.run<{ writes: number; types: string[] }>("registry"),
        b.run<{ writes: number; types: string[] }>("registry"),
      ]);
      assert.equal(inA.writes, 1);
      assert.deepEqual(inB, { ...inB, writes: 0, types: before });
      assert.deepEqual(listAvailableControllers(), before);
      assert.equal(controllerRegistry.stats().writes, 0);
      // A custom controller built inside Worker A works there.
      const made = await a.run<Created>("create", { type: "state_feedback" });
      assert.equal(made.summary.type, "state_feedback");
      assert.deepEqual(made.summary.gains, STATE_FEEDBACK_DEFAULTS);
      await assert.rejects(
        b.run("create", { type: "state_feedback" }),
        /Unknown controller type "state_feedback"/,
      );
    } finally {
      await closeAndCheck(a);
      await closeAndCheck(b);
    }
  },
});

Deno.test({
  name: "concurrent: a Worker crashing mid-task fails only that task (WorkerCrashedError); the pool recovers",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const requests: CreationRequest[] = Array.from({ length: 30 }, (_, i) => ({
      type: TYPES[i % 4],
      gains: DEFAULT_GAINS[TYPES[i % 4]].map((g) => g * (1 + i / 50)),
    }));
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 3, name: "crashing" });
    try {
      const first = requests.slice(0, 10).map((r) => pool.run<Created>("create", r));
      const crash = pool.run("crashSoon", { ms: 30 });
      const rest = requests.slice(10).map((r) => pool.run<Created>("create", r));
      await assert.rejects(within(20_000, "crashing task", crash), (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError, `got ${error}`);
        assert.match(error.reason, /fixture: factory worker crashed mid-task/);
        assert.ok(error.workerIndex >= 0 && error.workerIndex < 3);
        return true;
      });
      const results = await within(20_000, "tasks around the crash", Promise.all([...first, ...rest]));
      for (const [i, { summary }] of results.entries()) {
        assert.deepEqual(summary, createAndProbe(requests[i]));
      }
      // Later tasks run, the replacement Worker included.
      const later = await within(
        20_000,
        "tasks after the crash",
        Promise.all(requests.slice(0, 12).map((r) => pool.run<Created>("create", r))),
      );
      for (const [i, { summary }] of later.entries()) assert.deepEqual(summary, createAndProbe(requests[i]));
      const stats = pool.stats();
      assert.equal(stats.replaced, 1);
      assert.equal(stats.failed, 1);
      assert.equal(stats.completed, 42);
      assert.equal(stats.live, 3);
    } finally {
      await closeAndCheck(pool);
    }
  },
});
