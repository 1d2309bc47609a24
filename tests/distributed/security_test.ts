/**
 * A remote worker runs only what it was started with, and a coordinator never uses a result that
 * does not answer its chunk: refusals (another config, a module not allowed) and bad results (a
 * rogue worker's non-finite, short or misaddressed results) each end the run with a clear error.
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { loadConfig } from "../../config/mod.ts";
import { PSOTuner } from "../../optimizer/mod.ts";
import {
  CHUNK_STREAM,
  DistributedError,
  natsBackend,
  parseChunk,
  RESULT_BUCKET,
  resultKey,
  startRemoteWorker,
  WORKER_CONSUMER,
} from "../../distributed/mod.ts";
import { SKIP_REASON, startNatsServer } from "./helpers.ts";

const POISON = new URL("../fixtures/poison_fitness.ts", import.meta.url);
const FITNESS = new URL("../fixtures/slow_sphere_fitness.ts", import.meta.url);
const ignore = SKIP_REASON !== undefined;
const RUN = { controllerType: "classical_smc", numParticles: 4, numIterations: 2, seed: 2 };

function isDistributed(code: DistributedError["code"], pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DistributedError, `a DistributedError, got ${error}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test({
  name: "startRemoteWorker() refuses a chunk of a config it was not started with, and the run says so",
  ignore,
}, async () => {
  const server = await startNatsServer();
  try {
    const base = loadConfig();
    const other = { ...base, pso: { ...base.pso, w: 0.7 } };
    const worker = await startRemoteWorker({
      nats: { url: server.url },
      concurrency: 1,
      configs: [other],
      log: () => {},
    });
    try {
      const backend = natsBackend({ nats: { url: server.url }, maxDeliver: 2 });
      await assert.rejects(
        new PSOTuner({ ...RUN, config: base, backend }).optimize(),
        isDistributed(
          "refused",
          /refused on its last delivery by .*config hash [0-9a-f]{12} is not one this worker/,
        ),
      );
      assert.ok(worker.stats().refused >= 2);
      assert.equal(worker.stats().completed, 0);
    } finally {
      await worker.stop();
    }
  } finally {
    await server.dispose();
  }
});

Deno.test({
  name: "startRemoteWorker() refuses a module it was not allowed, without importing it",
  ignore,
}, async () => {
  const server = await startNatsServer();
  try {
    // Allowed: another module. The poison module throws when imported, so a refusal that names the
    // allow list (and not the poison's error) shows that it was never imported.
    const worker = await startRemoteWorker({
      nats: { url: server.url },
      concurrency: 1,
      allowModules: [FITNESS.pathname],
      log: () => {},
    });
    try {
      const backend = natsBackend({ nats: { url: server.url }, maxDeliver: 2 });
      const rejection = await new PSOTuner({ ...RUN, backend })
        .optimize({ module: POISON.href, export: "poison" })
        .then(() => undefined, (error) => error);
      isDistributed("refused", /fitness module poison_fitness\.ts \(sha256 [0-9a-f]{12}\) is not allowed/)(
        rejection,
      );
      assert.doesNotMatch((rejection as Error).message, /always throws/);
    } finally {
      await worker.stop();
    }
  } finally {
    await server.dispose();
  }
});

/** Plays a rogue worker: takes the first chunk and writes what `forge` makes of it as its result. */
async function rogueRun(forge: (chunk: Record<string, unknown>) => string, pattern: RegExp): Promise<void> {
  const server = await startNatsServer();
  try {
    const opened = Promise.withResolvers<void>();
    const backend = natsBackend({ nats: { url: server.url }, onOpen: () => opened.resolve() });
    const nc = await connect({ servers: server.url });
    try {
      const running = new PSOTuner({ ...RUN, backend }).optimize();
      // The run's back end sets up the queue and the bucket when the tuner opens it.
      await Promise.race([opened.promise, running]);
      const consumer = await jetstream(nc).consumers.get(CHUNK_STREAM, WORKER_CONSUMER);
      const results = await new Kvm(nc).open(RESULT_BUCKET);
      const m = await consumer.next({ expires: 10_000 });
      assert.ok(m, "the coordinator published a chunk");
      const { chunk } = parseChunk(m.data);
      await results.put(
        resultKey(chunk.run, chunk.iteration, chunk.chunk),
        forge(chunk as unknown as Record<string, unknown>),
      );
      m.ack();
      await assert.rejects(running, isDistributed("invalid_result", pattern));
    } finally {
      await nc.close();
    }
  } finally {
    await server.dispose();
  }
}

function honest(chunk: Record<string, unknown>, costs: unknown[]) {
  return {
    v: 1,
    run: chunk.run,
    iteration: chunk.iteration,
    chunk: chunk.chunk,
    configHash: chunk.configHash,
    positionsHash: chunk.positionsHash,
    worker: "rogue",
    costs,
    failures: 0,
    elapsedMs: 1,
  };
}

Deno.test(
  { name: "natsBackend() rejects a non-finite result from a rogue worker", ignore },
  async () => {
    await rogueRun(
      // 1e999 is valid JSON and reads as Infinity: it must not reach the swarm.
      (chunk) => JSON.stringify(honest(chunk, Array(chunk.count).fill(0.5))).replace("0.5", "1e999"),
      /from rogue: costs\[0\] must be a finite number or null, got Infinity/,
    );
  },
);

Deno.test(
  { name: "natsBackend() rejects a result of the wrong length or for other gains", ignore },
  async () => {
    await rogueRun(
      (chunk) => JSON.stringify(honest(chunk, Array((chunk.count as number) - 1).fill(0.5))),
      /costs must be an array of \d+ costs/,
    );
    await rogueRun(
      (chunk) =>
        JSON.stringify({ ...honest(chunk, Array(chunk.count).fill(0.5)), positionsHash: "0".repeat(64) }),
      /positionsHash must be "[0-9a-f]{64}"/,
    );
    await rogueRun((_chunk) => "{not json", /result: must be JSON/);
  },
);
