/**
 * A small generic registry store of immutable, versioned snapshots (zod's registry shape: add / get /
 * has / remove, throwing on a duplicate id).
 *
 * Readers get a frozen snapshot and its version; a writer's `update(fn)` builds the next snapshot from
 * the current one on a private draft and publishes it with one assignment. A JavaScript isolate runs
 * synchronous code atomically, so no reader can observe a half-built snapshot, and Workers share
 * nothing mutable: no locks are needed or offered.
 *
 * @module
 */
import { deepFreeze, isThenable } from "../gains/mod.ts";

/**
 * Thrown by `add` when the id is already registered: a registry never replaces an entry silently.
 *
 * @example Adding an id twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRegistryStore, DuplicateEntryError } from "./registry.ts";
 * const store = createRegistryStore<number>([["a", 1]]);
 * assert.throws(() => store.update((draft) => draft.add("a", 2)), DuplicateEntryError);
 * ```
 */
export class DuplicateEntryError extends Error {
  /** The duplicated id. */
  readonly id: string;
  /**
   * @param id The id that is already present.
   * @param what What the registry holds, for the message.
   */
  constructor(id: string, what = "entry") {
    super(`Duplicate ${what} "${id}": an entry with this id is already registered; remove it first`);
    this.name = "DuplicateEntryError";
    this.id = id;
  }
}

/** A frozen, versioned view of the registry. */
export interface RegistrySnapshot<T> {
  /** Strictly increases with every published update. */
  readonly version: number;
  /** Ids in insertion order. */
  readonly ids: readonly string[];
  get(id: string): T | undefined;
  has(id: string): boolean;
}

/** The mutable draft an `update` callback edits; it is discarded if the callback throws. */
export interface RegistryDraft<T> {
  add(id: string, value: T): void;
  set(id: string, value: T): void;
  remove(id: string): boolean;
  get(id: string): T | undefined;
  has(id: string): boolean;
  readonly ids: readonly string[];
}

/** Exact access counts. */
export interface RegistryStats {
  readonly version: number;
  readonly reads: number;
  readonly writes: number;
  readonly size: number;
}

/** The store. */
export interface RegistryStore<T> {
  /** The current snapshot (counted as one read). */
  snapshot(): RegistrySnapshot<T>;
  /** Reads one entry from the current snapshot (counted as one read). */
  get(id: string): T | undefined;
  /**
   * Builds and publishes the next snapshot; returns it. Nested updates throw; so does an async
   * callback (nothing is published), and the draft refuses every use once the callback returned.
   */
  update(fn: (draft: RegistryDraft<T>) => void): RegistrySnapshot<T>;
  stats(): RegistryStats;
  /** Restores the initial snapshot (a new version) and zeroes the counts. For tests. Throws inside an update callback. */
  reset(): void;
}

function makeSnapshot<T>(version: number, entries: Map<string, T>): RegistrySnapshot<T> {
  // A private copy: the caller's map (an update's draft) must not be able to change a published
  // snapshot afterwards.
  const map = new Map(entries);
  const ids = Object.freeze([...map.keys()]);
  // Deep, into values already frozen too: a frozen entry may still hold mutable arrays (bounds'
  // lower/upper) that any reader could otherwise rewrite for all.
  for (const v of map.values()) deepFreeze(v);
  return Object.freeze({
    version,
    ids,
    get: (id: string) => map.get(id),
    has: (id: string) => map.has(id),
  });
}

/**
 * Creates a registry store holding `initial` as its first snapshot (version 1).
 *
 * Values are deeply frozen when published, so a reader can never mutate what others see.
 *
 * @example Usage
 * ```ts
 * import { createRegistryStore } from "./registry.ts";
 * const store = createRegistryStore<{ tag: number }>([["a", { tag: 1 }]]);
 * store.update((d) => d.add("b", { tag: 2 }));
 * console.log(store.snapshot().version, store.snapshot().ids); // 2 ["a", "b"]
 * ```
 *
 * @param initial Initial entries.
 * @param what What the registry holds, used in error messages.
 * @returns The store.
 */
export function createRegistryStore<T>(
  initial: Iterable<readonly [string, T]>,
  what = "entry",
): RegistryStore<T> {
  const initialEntries = [...initial];
  let version = 1;
  let current = makeSnapshot(version, new Map(initialEntries));
  let reads = 0, writes = 0;
  let updating = false;
  return {
    snapshot() {
      reads++;
      return current;
    },
    get(id) {
      reads++;
      return current.get(id);
    },
    update(fn) {
      // A nested update would build on a snapshot the outer update is about to replace and lose
      // the inner write: refuse it instead of deadlocking or dropping data.
      if (updating) {
        throw new Error(`Nested registry update: update() was called from inside an update callback`);
      }
      updating = true;
      // The draft works only while `fn` runs: a draft kept past it (stored, or used after an await
      // in an async callback) would otherwise edit a snapshot that readers already hold.
      let open = true;
      const live = () => {
        if (!open) {
          throw new Error("Registry draft used after its update() callback returned: edit it synchronously");
        }
        return map;
      };
      const map = new Map<string, T>();
      try {
        for (const id of current.ids) map.set(id, current.get(id)!);
        const draft: RegistryDraft<T> = {
          add(id, value) {
            if (live().has(id)) throw new DuplicateEntryError(id, what);
            map.set(id, value);
          },
          set(id, value) {
            live().set(id, value);
          },
          remove: (id) => live().delete(id),
          get: (id) => live().get(id),
          has: (id) => live().has(id),
          get ids() {
            return [...live().keys()];
          },
        };
        const returned: unknown = fn(draft);
        open = false;
        if (isThenable(returned)) {
          // Publishing now would release a half-edited snapshot; the callback's later draft edits
          // throw (the draft is closed), and that rejection is the error reported here.
          Promise.resolve(returned).catch(() => {});
          throw new TypeError(
            "Registry update callback returned a promise: update() publishes synchronously, got an async callback",
          );
        }
        version++;
        writes++;
        current = makeSnapshot(version, map);
        return current;
      } finally {
        open = false;
        updating = false;
      }
    },
    stats() {
      return { version, reads, writes, size: current.ids.length };
    },
    reset() {
      // Inside an update callback the outer update would publish over the reset and silently
      // undo it: refuse, as a nested update() does.
      if (updating) {
        throw new Error(`Nested registry update: reset() was called from inside an update callback`);
      }
      version++;
      current = makeSnapshot(version, new Map(initialEntries));
      reads = 0;
      writes = 0;
    },
  };
}
