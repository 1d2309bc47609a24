/**
 * A long-lived remote worker stays bounded: it keeps at most `setupsKept` run setups (each with an
 * evaluator in every local Worker), releases the least recently used, and computes a released
 * setup's chunks again, bit for bit, when a later run needs it.
 */
import assert from "node:assert/strict";
import { PSOTuner, type TunerResult } from "../../optimizer/mod.ts";
import { natsBackend, REMOTE_SETUPS_KEPT, startRemoteWorker } from "../../distributed/mod.ts";
import { SKIP_REASON, startNatsServer } from "./helpers.ts";

const RUN = { controllerType: "classical_smc", numParticles: 4, numIterations: 2, scenarios: 1 };

function outcome(r: TunerResult) {
  return { gains: r.bestGains, fitness: r.bestFitness, result: r.result };
}

Deno.test("startRemoteWorker() keeps 8 setups by default and refuses a setupsKept below 1", async () => {
  assert.equal(REMOTE_SETUPS_KEPT, 8);
  await assert.rejects(
    startRemoteWorker({ nats: { url: "nats://127.0.0.1:1" }, setupsKept: 0 }),
    /setupsKept: must be an integer ≥ 1, got 0/,
  );
});

Deno.test({
  name: "startRemoteWorker() releases the least recently used setups and rebuilds one a later run needs",
  ignore: SKIP_REASON !== undefined,
}, async () => {
  const server = await startNatsServer();
  try {
    const worker = await startRemoteWorker({
      nats: { url: server.url },
      concurrency: 1,
      setupsKept: 2,
      log: () => {},
    });
    try {
      const held: number[] = [];
      // Seed 1 is released while seeds 2 and 3 run; its last run needs it again under a new key
      // (a released key stays refused by the Workers, so reusing it would fail the run).
      for (const seed of [1, 2, 3, 1]) {
        const local = await new PSOTuner({ ...RUN, seed, numWorkers: 0 }).optimize();
        const remote = await new PSOTuner({
          ...RUN,
          seed,
          backend: natsBackend({ nats: { url: server.url }, chunkSize: 2 }),
        }).optimize();
        assert.deepStrictEqual(outcome(remote), outcome(local), `seed ${seed}`);
        held.push(worker.stats().setups);
      }
      assert.deepStrictEqual(held, [1, 2, 2, 2]);
      assert.equal(worker.stats().refused + worker.stats().failed, 0);
    } finally {
      await worker.stop();
    }
  } finally {
    await server.dispose();
  }
});
