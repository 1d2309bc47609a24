/**
 * The controller registry under concurrent readers and writers (SPEC 8, scenarios 6 and 7): async
 * tasks on the main thread that await between steps, and Workers reading their own registries.
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
import { checkRegistryEntry, isDeeplyFrozen } from "../fixtures/registry_checks.ts";
import { allReady, closeAndCheck, FACTORY_WORKER, seededRandom, tick, within } from "./helpers.ts";

const TYPES = ["classical_smc", "sta_smc", "adaptive_smc", "hybrid_adaptive_sta_smc"];
const ALIASES = ["smc_v1", "sta", "adaptive", "hybrid"];

Deno.test({
  name: "concurrent: 1000 registry reads on async tasks, and 1000 in Workers, each return a consistent, " +
    "frozen entry",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    resetRegistryForTests();
    const pool = new WorkerPool({ moduleUrl: FACTORY_WORKER, size: 4, name: "reads" });
    try {
      await allReady(pool);
      const reference = controllerRegistry.snapshot();
      const before = controllerRegistry.stats();
      const random = seededRandom(6);
      const waits = Array.from({ length: 1000 }, () => Math.floor(random() * 3));
      const inWorkers = pool.map<{ reads: number; versions: number[]; failures: string[] }>(
        "registryReads",
        [250, 250, 250, 250].map((n) => ({ n })),
      );
      // Exactly one store read per task; each task holds what it read across awaits before checking.
      const read = async (i: number): Promise<void> => {
        for (let w = 0; w < waits[i]; w++) await tick();
        const id = TYPES[i % 4];
        const version = controllerRegistry.stats().version;
        if (i % 3 === 2) {
          const info = getControllerInfo(ALIASES[i % 4]);
          await tick();
          assert.ok(isDeeplyFrozen(info), `read ${i}: info not deeply frozen`);
          const { create: _create, ...expected } = reference.get(id)!;
          assert.deepEqual(info, expected, `read ${i}`);
          assert.equal(info.defaultGains, expected.defaultGains, `read ${i}: defaults copied`);
          return;
        }
        let entry: ControllerEntry | undefined;
        if (i % 3 === 0) {
          const snap = controllerRegistry.snapshot();
          await tick();
          assert.equal(snap.version, version, `read ${i}: the version moved without a writer`);
          entry = snap.get(id);
        } else {
          entry = controllerRegistry.get(id);
        }
        await tick();
        const problem = checkRegistryEntry(id, entry);
        assert.equal(problem, undefined, `read ${i}: ${problem}`);
        // With no writer, every read of an id returns the very same frozen object.
        assert.equal(entry, reference.get(id), `read ${i}: a different object for ${id}`);
        // Mutation is refused (module code is strict), so no reader can disturb another.
        assert.throws(() => {
          (entry!.defaultGains as number[])[0] = -1;
        }, TypeError);
      };
      await within(20_000, "1000 reads", Promise.all(Array.from({ length: 1000 }, (_, i) => read(i))));
      const after = controllerRegistry.stats();
      assert.deepEqual(after, { ...before, reads: before.reads + 1000 });

      const workers = await within(20_000, "1000 reads in Workers", inWorkers);
      for (const result of workers) {
        assert.deepEqual(result.failures, []);
        // Each Worker counted its own 250 reads on its own registry, which never changed.
        assert.equal(result.reads, 250);
        assert.deepEqual(result.versions, [1]);
      }
      // Worker reads are not main-thread reads.
      assert.equal(controllerRegistry.stats().reads, after.reads);
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
      size: 4,
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
