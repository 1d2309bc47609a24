/**
 * The controller registry under concurrent readers and writers (docs/concurrency.md#scenarios, numbers 6 and
 * 7): async tasks on the main thread that await between steps, and Workers reading their own registries.
 *
 * @module
 */
import assert from "assert";
import {
  type ControllerEntry,
  controllerRegistry,
  getControllerInfo,
  type RegistryDraft,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { WorkerPool } from "../../optimizer/mod.ts";
import { createInPlaceStore } from "../fixtures/in_place_registry.ts";
import { type RaceReport, readWhileWriting } from "../fixtures/registry_race.ts";
import { checkRegistryEntry } from "../fixtures/registry_checks.ts";
import { allReady, closeAndCheck, FACTORY_WORKER, seededRandom, tick, within } from "./helpers.ts";

const TYPES = ["classical_smc", "sta_smc", "adaptive_smc", "hybrid_adaptive_sta_smc"];

/** A report with no problem, from reads that really raced the writers, counted exactly. */
function assertSound(report: RaceReport, reads: number, where: string): void {
  assert.deepEqual(report.problems, [], where);
  assert.equal(report.reads, reads, where);
  assert.equal(report.storeReads, reads, `${where}: store reads`);
  assert.equal(report.storeWrites, report.writes, `${where}: store writes`);
  // The writers really ran during the reads: most reads held their snapshot across a write, and
  // the reads saw many versions, not one.
  assert.ok(report.writes >= 20, `${where}: only ${report.writes} writes`);
  assert.ok(report.overlapped >= reads / 2, `${where}: only ${report.overlapped} reads overlapped a write`);
  assert.ok(report.versionsSeen >= 10, `${where}: reads saw ${report.versionsSeen} version(s)`);
}

/** A report from the broken store: its held snapshots changed under their readers. */
function assertCaught(report: RaceReport, where: string): void {
  assert.throws(() => assertSound(report, report.reads, where), assert.AssertionError, `${where} passed`);
  assert.ok(
    report.problems.some((p) => /held snapshot's version moved/.test(p)),
    `${where}: ${report.problems.slice(0, 3)}`,
  );
}

Deno.test({
  name: "concurrent: 1000 registry reads on async tasks, and 1000 in Workers, racing async writers, each " +
    "return a consistent, frozen snapshot that never goes back (and an in-place store fails the same reads)",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 4, name: "reads" });
    try {
      await allReady(pool);
      // Each Worker races its own readers and writers on its own registry while the main thread
      // races its own: 2000 reads at once over five isolates.
      const inWorkers = pool.map<RaceReport>(
        "registryRace",
        [1, 2, 3, 4].map((seed) => ({ reads: 250, readers: 25, writers: 2, seed, store: "registry" })),
      );
      const onMain = readWhileWriting(controllerRegistry, {
        reads: 1000,
        readers: 50,
        writers: 3,
        random: seededRandom(6),
      });
      const [main, workers] = await within(20_000, "2000 racing reads", Promise.all([onMain, inWorkers]));
      assertSound(main, 1000, "main thread");
      for (const [w, report] of workers.entries()) assertSound(report, 250, `Worker task ${w}`);
      // The registry moved on by exactly the main thread's writes: the Workers' writes went to
      // their own registries.
      assert.equal(controllerRegistry.stats().writes, main.writes);

      // The same race on a store that edits one map in place and hands out live views fails,
      // on the main thread and in a Worker.
      resetRegistryForTests();
      const builtins = controllerRegistry.snapshot();
      const broken = createInPlaceStore(builtins.ids.map((id) => [id, builtins.get(id)!] as const));
      const [mainBroken, workerBroken] = await within(
        20_000,
        "racing reads on the in-place store",
        Promise.all([
          readWhileWriting(broken, { reads: 200, readers: 20, writers: 2, random: seededRandom(6) }),
          pool.run<RaceReport>("registryRace", {
            reads: 200,
            readers: 20,
            writers: 2,
            seed: 1,
            store: "in-place",
          }),
        ]),
      );
      assertCaught(mainBroken, "in-place store, main thread");
      assertCaught(workerBroken, "in-place store, Worker");
      // The real registry was not touched by the broken store's race.
      assert.equal(controllerRegistry.snapshot(), builtins);
    } finally {
      await closeAndCheck(pool);
      resetRegistryForTests();
    }
  },
});

/** The tag a writer puts on every entry: the version its snapshot is published as. */
const tagOf = (entry: ControllerEntry | undefined) => entry?.description.match(/^tag (\d+)$/)?.[1];

Deno.test({
  name: "concurrent: 500 mixed registry operations (every 10th a write): no reader sees a mixed or stale " +
    "snapshot or a version going back, and stats() counts exactly",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const start = controllerRegistry.stats();
    const untagged = controllerRegistry.snapshot();
    let published = untagged.version;
    let reads = 1, writes = 0;
    const random = seededRandom(7);
    const waits = Array.from({ length: 500 }, () => Math.floor(random() * 4));

    /** Every entry of a snapshot carries the tag of its version (or none, for the first one). */
    const assertWhole = (snap: ReturnType<typeof controllerRegistry.snapshot>, where: string) => {
      const tags = new Set(snap.ids.map((id) => tagOf(snap.get(id))));
      const expected = snap.version === untagged.version ? undefined : String(snap.version);
      assert.deepEqual([...tags], [expected], `${where}: mixed snapshot at version ${snap.version}`);
      for (const id of snap.ids) assert.equal(checkRegistryEntry(id, snap.get(id)), undefined, where);
    };

    const write = async (i: number) => {
      await tick();
      const snap = controllerRegistry.update((draft) => {
        const tag = controllerRegistry.stats().version + 1;
        for (const id of draft.ids) draft.set(id, { ...draft.get(id)!, description: `tag ${tag}` });
      });
      writes++;
      assert.ok(snap.version > published, `write ${i}: version ${snap.version} after ${published}`);
      published = snap.version;
      assertWhole(snap, `write ${i}`);
      await tick();
    };

    const readOp = async (i: number) => {
      let last = 0;
      for (let step = 0; step < 2; step++) {
        const snap = controllerRegistry.snapshot();
        reads++;
        // Never stale: a read returns the latest published snapshot; never backwards for a reader.
        assert.equal(snap.version, published, `read ${i}.${step}: stale snapshot`);
        assert.ok(snap.version >= last, `read ${i}.${step}: version went back`);
        last = snap.version;
        await tick();
        // Held across the await (writers ran meanwhile), the snapshot is still whole.
        assertWhole(snap, `read ${i}.${step}`);
      }
      const info = getControllerInfo(TYPES[i % 4]);
      reads++;
      const current = published === untagged.version
        ? untagged.get(info.type)!.description
        : `tag ${published}`;
      assert.equal(info.description, current, `read ${i}: info from a stale snapshot`);
    };

    await within(
      20_000,
      "500 operations",
      Promise.all(Array.from({ length: 500 }, async (_, i) => {
        for (let w = 0; w < waits[i]; w++) await tick();
        return i % 10 === 9 ? write(i) : readOp(i);
      })),
    );
    assert.equal(writes, 50);
    assert.deepEqual(controllerRegistry.stats(), {
      version: start.version + 50,
      reads: start.reads + reads,
      writes: start.writes + 50,
      size: 5,
    });
    assert.equal(reads, 1 + 450 * 3);

    // Two ways a writer could publish a half-tagged snapshot are refused. An async callback
    // publishes nothing, even once its awaited edit runs:
    const before = controllerRegistry.snapshot();
    assert.throws(
      () =>
        controllerRegistry.update(async (draft) => {
          draft.set("sta_smc", { ...draft.get("sta_smc")!, description: "tag 0" });
          await tick();
          draft.set("adaptive_smc", { ...draft.get("adaptive_smc")!, description: "tag 0" });
        }),
      { name: "TypeError", message: /callback returned a promise/ },
    );
    await tick();
    await tick();
    assert.equal(controllerRegistry.snapshot(), before);
    assertWhole(before, "after an async writer");
    // and a draft kept past its callback cannot edit the snapshot it produced:
    let leaked: RegistryDraft<ControllerEntry> | undefined;
    const snap = controllerRegistry.update((draft) => {
      leaked = draft;
    });
    assert.throws(() => leaked!.set("sta_smc", { ...before.get("sta_smc")!, description: "tag 0" }), {
      message: /draft used after its update\(\) callback returned/,
    });
    await tick();
    assert.equal(snap.version, before.version + 1);
    assert.equal(snap.get("sta_smc"), before.get("sta_smc"));
    assert.equal(controllerRegistry.stats().writes, start.writes + 51);
    resetRegistryForTests();
  },
});
