/** When a coordinator publishes a missing chunk again, decided without a server. */
import assert from "node:assert/strict";
import {
  type ChunkState,
  cutChunks,
  defaultChunkSize,
  dueForRepublish,
  type SeenWorker,
} from "../../distributed/mod.ts";

const TEMPLATE = {
  v: 1 as const,
  run: "r1",
  maxDeliver: 5,
  ackWaitMs: 30_000,
  configHash: "a".repeat(64),
  setupHash: "b".repeat(64),
  controllerType: "sta_smc",
  seed: 1,
  scenarioCount: 1,
};
const LIMITS = { deadlineMs: 60_000, maxRepublish: 2 };

function worker(busy: string[], lastSeen: number, concurrency = 1): SeenWorker {
  return { id: "w", host: "h", pid: 1, concurrency, busy, intervalMs: 250, lastSeen, stopping: false };
}

function oneChunk(publishedAt: number): ChunkState {
  const [chunk] = cutChunks(TEMPLATE, 0, Float64Array.of(1, 2), 1, 2, 1);
  chunk.publishedAt = publishedAt;
  return chunk;
}

Deno.test("dueForRepublish() copies a chunk that stays out of reach while a worker sits idle, then gives up", () => {
  const chunk = oneChunk(0);
  const pending = new Set([0]);
  // Idle heartbeats after the chunk was published: the orphan clock starts, 1.5 s must pass.
  assert.deepStrictEqual(dueForRepublish([chunk], pending, [worker([], 1000)], 1000, LIMITS).copies, []);
  assert.equal(chunk.orphanSince, 1000);
  assert.deepStrictEqual(dueForRepublish([chunk], pending, [worker([], 2400)], 2400, LIMITS).copies, []);
  assert.deepStrictEqual(dueForRepublish([chunk], pending, [worker([], 2600)], 2600, LIMITS).copies, [chunk]);
  chunk.republishes = LIMITS.maxRepublish;
  assert.deepStrictEqual(dueForRepublish([chunk], pending, [worker([], 2600)], 2600, LIMITS).exhausted, [
    chunk,
  ]);
});

Deno.test("dueForRepublish() leaves a chunk alone while a worker holds it or every worker is busy", () => {
  const chunk = oneChunk(0);
  const pending = new Set([0]);
  for (const now of [1000, 2000, 3000, 4000]) {
    const held = dueForRepublish([chunk], pending, [worker([chunk.msgId], now)], now, LIMITS);
    assert.deepStrictEqual([held.copies, held.again], [[], []]);
  }
  // Busy with other chunks (queued behind them): past the deadline it goes out under its own id,
  // which never counts towards failing the run.
  const busy = dueForRepublish([chunk], pending, [worker(["r9:0:0"], 61_000)], 61_000, LIMITS);
  assert.deepStrictEqual([busy.copies, busy.again, busy.exhausted], [[], [chunk], []]);
  // A chunk with its result is never due.
  assert.deepStrictEqual(dueForRepublish([chunk], new Set(), [worker([], 90_000)], 90_000, LIMITS).again, []);
});

Deno.test("defaultChunkSize() cuts two chunks per connected Worker, eight when none is known", () => {
  assert.equal(defaultChunkSize(40, []), 5);
  assert.equal(defaultChunkSize(40, [worker([], 0, 2), worker([], 0, 2)]), 5);
  assert.equal(defaultChunkSize(40, [worker([], 0, 1)]), 20);
  assert.equal(defaultChunkSize(3, [worker([], 0, 4)]), 1);
});
