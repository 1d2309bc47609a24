/**
 * What happens when things go wrong on NATS: a worker process killed while it holds a chunk, a
 * poison chunk, the server stopped in the middle of a run (and the run resumed from its
 * checkpoint), no worker at all.
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { type PSOState, PSOTuner, type TunerResult } from "../../optimizer/mod.ts";
import {
  CHUNK_STREAM,
  DistributedError,
  type NatsBackend,
  natsBackend,
  RESULT_BUCKET,
  startRemoteWorker,
  WORKER_CONSUMER,
} from "../../distributed/mod.ts";
import { SKIP_REASON, startNatsServer, startWorkerProcess, type WorkerProcess } from "./helpers.ts";

const FITNESS = new URL("../fixtures/slow_sphere_fitness.ts", import.meta.url);
const POISON = new URL("../fixtures/poison_fitness.ts", import.meta.url);
const ignore = SKIP_REASON !== undefined;

function outcome(r: TunerResult) {
  return { gains: r.bestGains, fitness: r.bestFitness, result: r.result, failures: r.fitnessFailures };
}

function isDistributed(code: DistributedError["code"], pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DistributedError, `a DistributedError, got ${error}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test({
  name:
    "natsBackend() finishes a run whose worker process is killed while holding a chunk, with the same result",
  ignore,
}, async () => {
  const run = { controllerType: "classical_smc", numParticles: 8, numIterations: 4, seed: 5 };
  const fitness = { module: FITNESS.href, export: "slowSphere" };
  const local = await new PSOTuner({ ...run, numWorkers: 2 }).optimize(fitness);
  const server = await startNatsServer();
  const flags = ["--concurrency", "1", "--verbose", "--allow-module", FITNESS.pathname];
  const workers: WorkerProcess[] = [];
  try {
    workers.push(await startWorkerProcess(server.url, flags), await startWorkerProcess(server.url, flags));
    const [victim, survivor] = workers;
    const backend = natsBackend({ nats: { url: server.url }, chunkSize: 2, ackWaitMs: 1000 });
    const running = new PSOTuner({ ...run, backend }).optimize(fitness);
    const taken = await victim.waitFor(/taking chunk \S+:1:\d+ /);
    const status = await victim.kill("SIGKILL");
    assert.equal(status.signal, "SIGKILL");
    const chunk = taken.match(/taking chunk (\S+) /)![1];
    const remote = await running;
    assert.deepStrictEqual(outcome(remote), outcome(local));
    // The chunk the victim died with was redelivered and computed by the survivor.
    await survivor.waitFor(new RegExp(`taking chunk ${chunk} \\(delivery [2-9]\\)`), 1000);
    assert.ok(
      survivor.lines.some((l) => l.includes(`done chunk ${chunk} `)),
      `the survivor computed ${chunk}`,
    );
    assert.ok(
      !victim.lines.some((l) => l.includes(`done chunk ${chunk} `)),
      `the victim died holding ${chunk}`,
    );
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await server.dispose();
  }
});

Deno.test({
  name: "natsBackend() ends a run with a poison chunk with a clear error, and leaves nothing on the server",
  ignore,
}, async () => {
  const server = await startNatsServer();
  try {
    const worker = await startRemoteWorker({
      nats: { url: server.url },
      concurrency: 1,
      allowModules: [POISON.pathname],
      log: () => {},
    });
    let stopped = false;
    try {
      const backend = natsBackend({ nats: { url: server.url }, chunkSize: 2, maxDeliver: 2 });
      const started = performance.now();
      // The tuner closes the back end when the run fails, which purges the run from the server.
      await assert.rejects(
        new PSOTuner({
          controllerType: "classical_smc",
          numParticles: 6,
          numIterations: 3,
          seed: 1,
          backend,
        })
          .optimize({ module: POISON.href, export: "poison" }),
        isDistributed(
          "chunk_failed",
          new RegExp(`chunk \\d of iteration 0 failed .*${worker.id}.*poison fitness`),
        ),
      );
      assert.ok(performance.now() - started < 20_000, "it fails instead of hanging");
      assert.ok(worker.stats().failed >= 2);
      await worker.stop();
      stopped = true;
      const nc = await connect({ servers: server.url });
      try {
        const jsm = await jetstreamManager(nc);
        assert.equal((await jsm.streams.info(CHUNK_STREAM)).state.messages, 0, "no chunk left in the stream");
        const consumer = await jsm.consumers.info(CHUNK_STREAM, WORKER_CONSUMER);
        assert.equal(consumer.num_pending + consumer.num_ack_pending, 0, "nothing pending for the workers");
        const keys = await (await new Kvm(nc).open(RESULT_BUCKET)).keys();
        const left: string[] = [];
        for await (const key of keys) left.push(key);
        assert.deepStrictEqual(left, [], "no result left in the bucket");
      } finally {
        await nc.close();
      }
    } finally {
      if (!stopped) await worker.stop();
    }
  } finally {
    await server.dispose();
  }
});

Deno.test({
  name:
    "natsBackend() reports a stopped server; resumed from the last checkpoint the run gives the same result",
  ignore,
}, async () => {
  const run = { controllerType: "sta_smc", numParticles: 8, numIterations: 6, scenarios: 2, seed: 9 };
  const local = await new PSOTuner({ ...run, numWorkers: 2 }).optimize();
  const server = await startNatsServer();
  const worker = await startWorkerProcess(server.url, ["--concurrency", "1"]);
  try {
    const checkpoints: string[] = [];
    const warnings: string[] = [];
    let stopping: Promise<void> | undefined;
    let first: NatsBackend | undefined;
    try {
      await assert.rejects(
        new PSOTuner({
          ...run,
          backend: natsBackend({
            nats: { url: server.url },
            chunkSize: 2,
            serverTimeoutMs: 1000,
            onWarning: (w) => warnings.push(w),
            onOpen: (b) => void (first = b),
          }),
          onIteration: (p) => {
            if (p.iteration === 3) stopping ??= server.stop();
          },
          onCheckpoint: (state) => void checkpoints.push(JSON.stringify(state)),
        }).optimize(),
        isDistributed("server_lost", /NATS server|publish/),
      );
    } finally {
      await stopping;
    }
    assert.ok(first, "the factory opened a back end");
    // The stop signal goes out at the end of iteration 3; the server may still serve the next one
    // while it shuts down, but the run cannot finish.
    assert.ok(
      checkpoints.length >= 3 && checkpoints.length < run.numIterations,
      `${checkpoints.length} checkpoints`,
    );
    checkpoints.forEach((c, i) => assert.equal((JSON.parse(c) as PSOState).iteration, i + 1));
    assert.match(warnings.join("\n"), /unreachable/);
    await server.restart();
    const second = natsBackend({
      nats: { url: server.url },
      runId: first.runId,
      expectedSetupHash: first.setupHash,
      chunkSize: 2,
    });
    const resumedFrom = JSON.parse(checkpoints.at(-1)!) as PSOState;
    const resumed = await new PSOTuner({ ...run, backend: second, resumeFrom: resumedFrom }).optimize();
    assert.deepStrictEqual(outcome(resumed), outcome(local));
    // A factory with a fixed run id serves one run: a second would share the first one's names.
    await assert.rejects(
      new PSOTuner({ ...run, backend: second, resumeFrom: resumedFrom }).optimize(),
      isDistributed("config", /fixed run id .* serves one run, got a second/),
    );
  } finally {
    await worker.kill();
    await server.dispose();
  }
});

Deno.test({
  name: "natsBackend() fails with no_worker when no worker connects, instead of waiting forever",
  ignore,
}, async () => {
  const server = await startNatsServer();
  try {
    const backend = natsBackend({ nats: { url: server.url }, noWorkerTimeoutMs: 800 });
    await assert.rejects(
      new PSOTuner({ controllerType: "sta_smc", numParticles: 4, numIterations: 2, seed: 1, backend })
        .optimize(),
      isDistributed("no_worker", /no worker connected .* deno task worker --nats nats:\/\/127\.0\.0\.1/),
    );
  } finally {
    await server.dispose();
  }
});
