/**
 * What a coordinator knows about the remote workers: who sent a heartbeat lately (and with how
 * many Workers, holding which chunks), which workers took or reported each chunk of its run. Used
 * to decide when a chunk is orphaned or no worker is connected, and to name the workers in errors.
 *
 * @module
 */
import { chunkMsgId, parseEvent, parseHeartbeat, type WorkerEvent } from "./protocol.ts";

/** A worker as its last heartbeat described it. */
export interface SeenWorker {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  /** Message ids of the chunks it was computing. */
  readonly busy: readonly string[];
  readonly intervalMs: number;
  /** `performance.now()` when the heartbeat arrived. */
  readonly lastSeen: number;
  readonly stopping: boolean;
}

/**
 * The workers one run's coordinator has heard from.
 *
 * @example Usage
 * ```ts
 * import { Fleet } from "./fleet.ts";
 * import assert from "node:assert/strict";
 * const fleet = new Fleet("r1");
 * const beat = { v: 1, worker: "w1", host: "h", pid: 1, concurrency: 2, busy: ["r1:0:3"], intervalMs: 2000 };
 * fleet.onHeartbeat(new TextEncoder().encode(JSON.stringify(beat)));
 * assert.deepStrictEqual(fleet.live().map((w) => w.id), ["w1"]);
 * assert.match(fleet.describe([{ index: 3, msgId: "r1:0:3" }]), /chunk 3: taken by w1/);
 * ```
 */
export class Fleet {
  readonly #run: string;
  readonly #workers = new Map<string, SeenWorker>();
  readonly #holders = new Map<string, Set<string>>();
  readonly #events = new Map<string, WorkerEvent[]>();

  /** @param run The run id whose chunks and reports it follows. */
  constructor(run: string) {
    this.#run = run;
  }

  /** Workers heard from at all (live or not). */
  get size(): number {
    return this.#workers.size;
  }

  /**
   * Workers whose last heartbeat is recent (within three of their periods and a second) and that
   * are not shutting down.
   */
  live(now = performance.now()): SeenWorker[] {
    return [...this.#workers.values()].filter((w) =>
      !w.stopping && now - w.lastSeen <= 3 * w.intervalMs + 1000
    );
  }

  /** Takes a heartbeat; anything that is not one is ignored. */
  onHeartbeat(data: Uint8Array): void {
    const h = parseHeartbeat(data);
    if (!h) return;
    this.#workers.set(h.worker, {
      id: h.worker,
      host: h.host,
      pid: h.pid,
      concurrency: h.concurrency,
      busy: h.busy,
      intervalMs: h.intervalMs,
      lastSeen: performance.now(),
      stopping: h.stopping === true,
    });
    for (const id of h.busy) {
      if (typeof id === "string" && id.startsWith(`${this.#run}:`)) this.#holder(id).add(h.worker);
    }
  }

  /** Takes a worker's report on a chunk of this run; anything else is ignored. */
  onEvent(data: Uint8Array): void {
    const e = parseEvent(data);
    if (!e || e.run !== this.#run) return;
    const id = chunkMsgId(this.#run, e.iteration, e.chunk);
    let list = this.#events.get(id);
    if (!list) this.#events.set(id, list = []);
    if (list.length < 20) list.push(e); // enough to explain a failure; a flood must not grow it
    this.#holder(id).add(e.worker);
  }

  /** Forgets what it knew about a chunk (its iteration is done). */
  forget(msgId: string): void {
    this.#events.delete(msgId);
    this.#holders.delete(msgId);
  }

  /**
   * Names, for each chunk, the workers that took it and what they reported, then the workers
   * connected now: the part of an error message that says "which workers".
   */
  describe(chunks: readonly { readonly index: number; readonly msgId: string }[]): string {
    const parts = chunks.map((c) => {
      const holders = [...(this.#holders.get(c.msgId) ?? [])];
      const events = (this.#events.get(c.msgId) ?? []).map((e) =>
        `${e.kind} by ${e.worker} (delivery ${e.delivery}): ${e.message}`
      );
      return `chunk ${c.index}: ${
        holders.length > 0 ? `taken by ${holders.join(", ")}` : "taken by no known worker"
      }${events.length > 0 ? `; ${events.join("; ")}` : ""}`;
    });
    const live = this.live().map((w) => w.id);
    return `${parts.join(" | ")} | workers connected: ${live.length > 0 ? live.join(", ") : "none"}`;
  }

  #holder(id: string): Set<string> {
    let set = this.#holders.get(id);
    if (!set) this.#holders.set(id, set = new Set());
    return set;
  }
}
