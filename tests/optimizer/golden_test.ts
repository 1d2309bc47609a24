/**
 * Golden tests: the PRNG's derived streams, short optimize() runs and a short PSOTuner run
 * recomputed and compared bit for bit with the fixtures in `golden/` (made by
 * `golden/generate.ts` from the code before the optimiser was split into modules). A refactor that
 * changes a single draw, a single floating-point operation's order or the stream derivation fails
 * here.
 */
import assert from "assert";
import { ParticleSwarm, type PSOState, PSOTuner, TUNER_WORKER_URL, WorkerPool } from "../../optimizer/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import {
  computeOptimizeGolden,
  computePrngGolden,
  computeTunerGolden,
  GOLDEN_FILES,
  OPTIMIZE_CASES,
  type OptimizeGolden,
  type PrngGolden,
  rosenbrock,
  TUNER_CASES,
  tunerGolden,
  type TunerGoldens,
  tunerOptions,
} from "./golden/mod.ts";

const read = <T>(url: URL): T => JSON.parse(Deno.readTextFileSync(url)) as T;
const PRNG: PrngGolden = read(GOLDEN_FILES.prng);
const OPTIMIZE: OptimizeGolden = read(GOLDEN_FILES.optimize);
const TUNER: TunerGoldens = read(GOLDEN_FILES.tuner);

Deno.test("Prng root and derived streams equal the stored golden outputs", () => {
  const now = computePrngGolden();
  // 4 seeds × (root + 9 labels): a mismatch names the stream.
  assert.equal(now.streams.length, 40);
  now.streams.forEach((stream, i) => {
    assert.deepStrictEqual(stream, PRNG.streams[i], `seed ${stream.seed}, label ${String(stream.label)}`);
  });
  assert.deepStrictEqual(now.chained, PRNG.chained);
});

Deno.test("optimize() on Rosenbrock equals the stored golden runs bit for bit", async () => {
  const now = await computeOptimizeGolden();
  for (const name of Object.keys(OPTIMIZE_CASES)) {
    // deepStrictEqual compares numbers with Object.is: positions and costs to the last bit.
    assert.deepStrictEqual(now.runs[name], OPTIMIZE.runs[name], name);
  }
  assert.deepStrictEqual(now.batch, OPTIMIZE.batch);
  assert.deepStrictEqual(
    now.batch,
    OPTIMIZE.runs.global_clip,
    "the batch form differs from the function form",
  );
  assert.deepStrictEqual(now.state, OPTIMIZE.state);
  // The cases cover what they claim: a stall exit, infeasible particles, an improving best.
  assert.equal(OPTIMIZE.runs.periodic_stall.exitReason, "stall");
  assert.ok(OPTIMIZE.runs.random_feasible_seeded.evaluations < 9 * 15);
  assert.ok(OPTIMIZE.runs.global_clip.bestCost < OPTIMIZE.runs.global_clip.history.best[0]);
});

Deno.test("ParticleSwarm.fromState() of the stored golden state finishes the stored golden run", () => {
  const options = { ...OPTIMIZE_CASES.ring_reflect_linear, onWarning: () => {} };
  const swarm = ParticleSwarm.fromState(structuredClone(OPTIMIZE.state) as PSOState, options);
  const costs = new Float64Array(swarm.swarmSize);
  while (!swarm.done) {
    const x = swarm.ask();
    for (let i = 0; i < swarm.swarmSize; i++) costs[i] = rosenbrock(x.subarray(i * 4, (i + 1) * 4));
    swarm.tell(costs);
  }
  const r = swarm.result();
  const golden = OPTIMIZE.runs.ring_reflect_linear;
  assert.deepStrictEqual(
    { bestPosition: r.bestPosition, bestCost: r.bestCost, history: r.history, finalSwarm: r.finalSwarm },
    {
      bestPosition: golden.bestPosition,
      bestCost: golden.bestCost,
      history: golden.history,
      finalSwarm: golden.finalSwarm,
    },
  );
});

Deno.test("PSOTuner on the main thread equals the stored golden run bit for bit", async () => {
  const now = await computeTunerGolden();
  assert.deepStrictEqual(now.seeded, TUNER.seeded);
  assert.deepStrictEqual(now.unseeded, TUNER.unseeded);
  // Not vacuous: without the configured gains the swarm found its own, better best over the run.
  assert.ok(TUNER.unseeded.bestFitness < TUNER.unseeded.history.best[0]);
  assert.notDeepStrictEqual(TUNER.unseeded.bestGains, TUNER.seeded.bestGains);
});

Deno.test({
  name: "concurrent: PSOTuner on 2 Workers equals the stored golden run bit for bit, on its own pool " +
    "and on a reused pool with 2 tasks in flight per Worker",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    using workers = trackWorkers();
    for (const [name, extra] of Object.entries(TUNER_CASES)) {
      const own = await new PSOTuner({ ...tunerOptions(), ...extra, numWorkers: 2 }).optimize();
      assert.deepStrictEqual(tunerGolden(own), TUNER[name as keyof TunerGoldens], name);
    }
    assert.equal(workers.created, 4);
    assert.equal(workers.live, 0);
    const pool = new WorkerPool({
      moduleUrl: TUNER_WORKER_URL,
      size: 2,
      maxInFlightPerWorker: 2,
      name: "golden",
    });
    try {
      for (const [name, extra] of Object.entries(TUNER_CASES)) {
        const shared = await new PSOTuner({ ...tunerOptions(), ...extra, numWorkers: 2, pool, chunkSize: 2 })
          .optimize();
        assert.deepStrictEqual(
          tunerGolden(shared),
          TUNER[name as keyof TunerGoldens],
          `${name}, shared pool`,
        );
      }
    } finally {
      await pool.close();
    }
    assert.equal(workers.live, 0);
  },
});
