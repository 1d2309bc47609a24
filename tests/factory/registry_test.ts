/**
 * Tests of the registry store (docs/factory.md#the-registry): immutable, versioned snapshots, atomic
 * publication, exact access counts, and the controller registry built on it.
 */
import assert from "assert";
import {
  controllerRegistry,
  createController,
  createRegistryStore,
  DEFAULT_BOUNDS,
  DuplicateEntryError,
  getControllerInfo,
  listAvailableControllers,
  registerController,
  type RegistryStore,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } from "../fixtures/custom_controller.ts";
import { createInPlaceStore } from "../fixtures/in_place_registry.ts";
import { isDeeplyFrozen } from "../fixtures/registry_checks.ts";

interface Tagged {
  tag: number;
  nested: { values: number[] };
}

const entry = (tag: number): Tagged => ({ tag, nested: { values: [tag, tag + 1] } });

function seeded() {
  return createRegistryStore<Tagged>([["a", entry(1)], ["b", entry(2)]], "widget");
}

Deno.test("createRegistryStore() starts at version 1 with the initial entries in order", () => {
  const store = seeded();
  const snap = store.snapshot();
  assert.equal(snap.version, 1);
  assert.deepEqual(snap.ids, ["a", "b"]);
  assert.deepEqual(snap.get("a"), entry(1));
  assert.equal(snap.has("b"), true);
  assert.equal(snap.has("c"), false);
  assert.equal(snap.get("c"), undefined);
  assert.deepEqual(store.get("b"), entry(2));
});

Deno.test("registry snapshots and their entries are deeply frozen: mutation throws", () => {
  const store = seeded();
  const snap = store.snapshot();
  assert.ok(Object.isFrozen(snap) && Object.isFrozen(snap.ids));
  assert.throws(() => {
    (snap as { version: number }).version = 99;
  }, TypeError);
  assert.throws(() => (snap.ids as string[]).push("c"), TypeError);
  const a = snap.get("a")!;
  assert.throws(() => {
    a.tag = 5;
  }, TypeError);
  assert.throws(() => a.nested.values.push(3), TypeError);
  assert.throws(() => {
    a.nested.values[0] = 7;
  }, TypeError);
  assert.deepEqual(store.get("a"), entry(1));
  // Values added by an update are frozen on publication, so a writer cannot change them later.
  const mine = entry(3);
  store.update((d) => d.add("c", mine));
  assert.ok(Object.isFrozen(mine.nested.values));
  assert.throws(() => {
    mine.tag = 0;
  }, TypeError);
  // Object.freeze is shallow: a value frozen only at its top level is frozen all the way down too.
  const shallow = Object.freeze({ tag: 4, nested: { values: [4, 5] } });
  store.update((d) => d.add("d", shallow));
  assert.throws(() => store.get("d")!.nested.values.push(6), TypeError);
  assert.deepEqual(shallow.nested.values, [4, 5]);
  // Shared and cyclic structures are fine.
  const cyclic: Record<string, unknown> = { tag: 5 };
  cyclic.self = cyclic;
  store.update((d) => d.add("e", cyclic as unknown as Tagged));
  assert.ok(Object.isFrozen(cyclic));
});

Deno.test("update() builds on the current snapshot and publishes a new one; old snapshots never change", () => {
  const store = seeded();
  const v1 = store.snapshot();
  const v2 = store.update((d) => {
    assert.deepEqual(d.ids, ["a", "b"]);
    assert.deepEqual(d.get("a"), entry(1));
    d.add("c", entry(3));
    d.set("a", entry(10));
    assert.equal(d.remove("b"), true);
    assert.equal(d.remove("zz"), false);
    assert.equal(d.has("b"), false);
    assert.deepEqual(d.ids, ["a", "c"]);
  });
  assert.equal(v2.version, 2);
  assert.deepEqual(v2.ids, ["a", "c"]);
  assert.equal(v2.get("a")!.tag, 10);
  assert.equal(store.snapshot(), v2);
  // The earlier snapshot is untouched: readers holding it keep a consistent view.
  assert.equal(v1.version, 1);
  assert.deepEqual(v1.ids, ["a", "b"]);
  assert.equal(v1.get("a")!.tag, 1);
  assert.equal(v1.has("c"), false);
  // Nothing the draft does is visible before the callback returns.
  store.update((d) => {
    d.add("d", entry(4));
    assert.equal(store.snapshot().has("d"), false);
    assert.equal(store.get("d"), undefined);
  });
  assert.equal(store.snapshot().has("d"), true);
});

/**
 * Takes a snapshot of `store` (seeded with `a` → 1, `b` → 2), holds it across a write (`a` → 10,
 * `b` removed, `c` added), and lists what is wrong: the held snapshot must still show the old
 * state, frozen, and a new snapshot the new state.
 */
function heldAcrossWrite(store: RegistryStore<Tagged>): string[] {
  const problems: string[] = [];
  const held = store.snapshot();
  const { version } = held;
  const a = held.get("a");
  store.update((d) => {
    d.set("a", entry(10));
    d.remove("b");
    d.add("c", entry(3));
  });
  if (held.version !== version) problems.push(`held version moved ${version} → ${held.version}`);
  if (held.ids.join() !== "a,b") problems.push(`held ids became ${held.ids}`);
  if (held.get("a") !== a || held.get("a")?.tag !== 1) problems.push(`held "a" became ${held.get("a")?.tag}`);
  if (!held.has("b") || held.get("b")?.tag !== 2) problems.push('held "b" is gone');
  if (held.has("c")) problems.push('held snapshot shows the new "c"');
  if (!isDeeplyFrozen(held) || !isDeeplyFrozen(held.get("a"))) problems.push("held snapshot not frozen");
  const fresh = store.snapshot();
  if (!(fresh.version > version)) problems.push(`new version ${fresh.version} after ${version}`);
  if (fresh.ids.join() !== "a,c" || fresh.get("a")?.tag !== 10 || fresh.get("c")?.tag !== 3) {
    problems.push(`new snapshot shows ${fresh.ids.map((id) => `${id}=${fresh.get(id)?.tag}`)}`);
  }
  if (!isDeeplyFrozen(fresh)) problems.push("new snapshot not frozen");
  return problems;
}

Deno.test("a snapshot held across a write keeps the old state, frozen; a new snapshot shows the write", () => {
  assert.deepEqual(heldAcrossWrite(seeded()), []);
  // A store that edits its map in place and hands out live views fails the same check: the held
  // "snapshot" shows the write (its version moved, "b" is gone, "c" appeared).
  const live = heldAcrossWrite(createInPlaceStore<Tagged>([["a", entry(1)], ["b", entry(2)]]));
  assert.deepEqual(live, [
    "held version moved 1 → 2",
    "held ids became a,c",
    'held "a" became 10',
    'held "b" is gone',
    'held snapshot shows the new "c"',
  ]);
});

Deno.test("controllerRegistry snapshots and look-ups held across a registration keep the old state", async () => {
  resetRegistryForTests();
  try {
    const held = controllerRegistry.snapshot();
    const version = held.version;
    const ids = [...held.ids];
    const sta = held.get("sta_smc");
    const info = getControllerInfo("sta");
    const list = listAvailableControllers();
    await registerController({
      type: "held_sf",
      module: new URL("../fixtures/custom_controller.ts", import.meta.url),
      export: "createStateFeedback",
      gainNames: STATE_FEEDBACK_GAIN_NAMES,
      defaultGains: STATE_FEEDBACK_DEFAULTS,
      aliases: ["held_alias"],
    });
    // What was read before the write still shows the state before it, and cannot be changed.
    assert.equal(held.version, version);
    assert.deepEqual(held.ids, ids);
    assert.equal(held.has("held_sf"), false);
    assert.equal(held.get("sta_smc"), sta);
    assert.ok(isDeeplyFrozen(held) && isDeeplyFrozen(sta) && isDeeplyFrozen(info));
    assert.throws(() => (held.ids as string[]).push("held_sf"), TypeError);
    assert.deepEqual(list, ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "lqr", "sta_smc"]);
    assert.equal(info.type, "sta_smc");
    // A new snapshot, and every look-up after the write, show it.
    const fresh = controllerRegistry.snapshot();
    assert.equal(fresh.version, version + 1);
    assert.ok(fresh.has("held_sf"));
    assert.equal(fresh.get("sta_smc"), sta, "an untouched entry is shared, not copied");
    assert.ok(listAvailableControllers().includes("held_sf"));
    assert.equal(getControllerInfo("held_alias").type, "held_sf");
    assert.equal(createController("held_sf").type, "state_feedback");
  } finally {
    resetRegistryForTests();
  }
});

Deno.test("registry versions strictly increase over updates and resets", () => {
  const store = seeded();
  const seen = [store.snapshot().version];
  for (let i = 0; i < 20; i++) {
    if (i % 7 === 6) store.reset();
    else store.update((d) => d.set("a", entry(i)));
    seen.push(store.snapshot().version);
  }
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `versions ${seen}`);
  assert.equal(store.stats().version, seen.at(-1));
});

Deno.test("a throwing update publishes nothing and leaves the store usable", () => {
  const store = seeded();
  const before = store.snapshot();
  const boom = new Error("writer failed half-way");
  assert.throws(() =>
    store.update((d) => {
      d.add("c", entry(3));
      d.remove("a");
      throw boom;
    }), (e: unknown) => e === boom);
  assert.equal(store.snapshot(), before);
  assert.equal(store.stats().version, 1);
  assert.equal(store.stats().writes, 0);
  assert.deepEqual(store.snapshot().ids, ["a", "b"]);
  // A duplicate add inside an update is such a throw too.
  assert.throws(() => store.update((d) => d.add("a", entry(9))), (e: unknown) => {
    assert.ok(e instanceof DuplicateEntryError);
    assert.equal(e.name, "DuplicateEntryError");
    assert.equal(e.id, "a");
    assert.equal(
      e.message,
      'Duplicate widget "a": an entry with this id is already registered; remove it first',
    );
    return true;
  });
  assert.equal(store.snapshot(), before);
  // The failed updates released the store: the next one publishes.
  assert.equal(store.update((d) => d.add("c", entry(3))).version, 2);
});

Deno.test("a nested update throws instead of losing a write", () => {
  const store = seeded();
  let inner: unknown;
  const snap = store.update((d) => {
    d.add("outer", entry(1));
    try {
      store.update((d2) => d2.add("inner", entry(2)));
    } catch (e) {
      inner = e;
    }
  });
  assert.ok(inner instanceof Error);
  assert.equal(
    (inner as Error).message,
    "Nested registry update: update() was called from inside an update callback",
  );
  assert.deepEqual(snap.ids, ["a", "b", "outer"]);
  assert.equal(snap.version, 2);
  // Uncaught, the nested error aborts the outer update as a whole.
  assert.throws(() => store.update(() => store.update(() => {})), /Nested registry update/);
  assert.equal(store.stats().version, 2);
  assert.equal(store.update((d) => d.set("a", entry(0))).version, 3);
});

Deno.test("stats() counts reads and writes exactly", () => {
  const store = seeded();
  assert.deepEqual(store.stats(), { version: 1, reads: 0, writes: 0, size: 2 });
  for (let i = 0; i < 7; i++) store.snapshot();
  for (let i = 0; i < 5; i++) store.get(i % 2 ? "a" : "missing");
  store.update((d) => d.add("c", entry(3)));
  store.update((d) => d.remove("a"));
  assert.throws(() =>
    store.update(() => {
      throw new Error("no");
    })
  );
  // Reads through a snapshot already held are not store reads; stats() itself is not a read.
  const held = store.snapshot();
  for (let i = 0; i < 10; i++) held.get("b");
  store.stats();
  assert.deepEqual(store.stats(), { version: 3, reads: 13, writes: 2, size: 2 });
});

Deno.test("reset() restores the initial entries as a new version and zeroes the counts", () => {
  const store = seeded();
  store.update((d) => {
    d.remove("a");
    d.add("z", entry(26));
  });
  store.snapshot();
  store.reset();
  const snap = store.snapshot();
  assert.deepEqual(snap.ids, ["a", "b"]);
  assert.deepEqual(snap.get("a"), entry(1));
  assert.equal(snap.version, 3);
  assert.deepEqual(store.stats(), { version: 3, reads: 1, writes: 0, size: 2 });
  // add still refuses duplicates after a reset.
  assert.throws(() => store.update((d) => d.add("b", entry(0))), DuplicateEntryError);
});

Deno.test("readers interleaved with async writers never see a mixed snapshot or a version going back", async () => {
  // Each writer tags every entry with its own number; a snapshot must carry one tag throughout.
  const ids = ["p", "q", "r", "s"];
  const store = createRegistryStore<Tagged>(ids.map((id) => [id, entry(0)]));
  const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  const writer = async (w: number) => {
    for (let i = 0; i < 10; i++) {
      store.update((d) => {
        for (const id of d.ids) d.set(id, entry(w * 100 + i));
      });
      await tick();
    }
  };
  let snapshotsRead = 0;
  const reader = async () => {
    let last = 0;
    for (let i = 0; i < 25; i++) {
      const snap = store.snapshot();
      snapshotsRead++;
      assert.ok(snap.version >= last);
      last = snap.version;
      const tags = new Set(snap.ids.map((id) => snap.get(id)!.tag));
      assert.equal(tags.size, 1, `mixed snapshot at version ${snap.version}: ${[...tags]}`);
      await tick();
    }
  };
  await Promise.all([writer(1), writer(2), writer(3), reader(), reader(), reader(), reader()]);
  assert.deepEqual(store.stats(), { version: 31, reads: snapshotsRead, writes: 30, size: 4 });
});

// ------------------------------------------------------------------------------------------------
// The controller registry

Deno.test("controllerRegistry entries are frozen and every factory call reads one snapshot", () => {
  const snap = controllerRegistry.snapshot();
  for (const id of snap.ids) {
    const e = snap.get(id)!;
    assert.ok(Object.isFrozen(e) && Object.isFrozen(e.gainNames) && Object.isFrozen(e.defaultGains));
    assert.ok(Object.isFrozen(e.bounds.lower) && Object.isFrozen(e.aliases) && Object.isFrozen(e.source));
  }
  // A reader can rewrite neither the aliases nor the PSO bounds that every other reader sees.
  const info = getControllerInfo("sta");
  assert.throws(() => (info.aliases as string[]).push("x"), TypeError);
  assert.throws(() => {
    (info.bounds.lower as number[])[0] = 999;
  }, TypeError);
  assert.equal(getControllerInfo("sta_smc").bounds.lower[0], 1);
  assert.equal(DEFAULT_BOUNDS.sta_smc.lower[0], 1);
  const reads = () => controllerRegistry.stats().reads;
  for (
    const call of [
      () => createController("sta_smc"),
      () => listAvailableControllers(),
      () => getControllerInfo("hybrid"),
    ]
  ) {
    const r0 = reads();
    call();
    assert.equal(reads() - r0, 1);
  }
});

Deno.test("resetRegistryForTests() drops custom controllers and restores the built-in snapshot", async () => {
  const builtins = listAvailableControllers();
  try {
    const writes = controllerRegistry.stats().writes;
    const v = await registerController({
      type: "fixture_sf",
      module: new URL("../fixtures/custom_controller.ts", import.meta.url),
      export: "createStateFeedback",
      gainNames: STATE_FEEDBACK_GAIN_NAMES,
      defaultGains: STATE_FEEDBACK_DEFAULTS,
    });
    assert.equal(controllerRegistry.stats().writes, writes + 1);
    assert.ok(controllerRegistry.snapshot().has("fixture_sf"));
    resetRegistryForTests();
    assert.ok(controllerRegistry.stats().version > v);
    assert.deepEqual(controllerRegistry.stats(), {
      version: controllerRegistry.stats().version,
      reads: 0,
      writes: 0,
      size: 5,
    });
    assert.deepEqual(listAvailableControllers(), builtins);
    assert.equal(controllerRegistry.snapshot().has("fixture_sf"), false);
  } finally {
    resetRegistryForTests();
  }
});
