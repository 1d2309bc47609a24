/**
 * Shared pieces of the concurrency suite: deadlines that fail a test instead of hanging it, the
 * shipped config as plain data, the pool leak check, and a pool that records what it dispatched.
 *
 * @module
 */
import assert from "assert";
import { type Config, loadConfig } from "../../config/mod.ts";
import { type RunOptions, WorkerPool } from "../../optimizer/mod.ts";
import { assertPoolClosed } from "../fixtures/pool_assertions.ts";

/** The suite's fixtures folder. */
export const fixture = (name: string): URL => new URL(`../fixtures/${name}`, import.meta.url);

/** The factory Worker module (tests/fixtures/factory_worker.ts). */
export const FACTORY_WORKER: URL = fixture("factory_worker.ts");

/** Whether `globalThis.gc` is exposed (`--v8-flags=--expose-gc`, as deno.json's test tasks pass). */
export const HAS_GC: boolean = typeof (globalThis as { gc?: unknown }).gc === "function";

/** Yields to the event loop (a macrotask turn), so other async tasks interleave here. */
export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Resolves after `ms`. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Settles like `promise`, or rejects after `ms` naming `what`: a hang fails the test with a message
 * instead of stalling the suite. The timer is cleared either way (the ops sanitizer is on).
 */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not settled within ${ms} ms (deadlock or hang)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The shipped config.yaml, loaded once (deeply frozen), without environment overrides. */
export const CONFIG: Config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });

/** A structured clone of the shipped config: plain, unfrozen data as a Worker receives it. */
export function plainConfig(): Record<string, unknown> {
  return structuredClone(CONFIG) as unknown as Record<string, unknown>;
}

/**
 * Waits until every Worker of `pool` has loaded. A pool dispatches to whichever Worker is ready, so
 * short tasks sent at once all land on the first Worker to load; a test that wants the work spread
 * over Workers starts after this.
 *
 * The deadline only keeps a broken pool from hanging the suite; it is not a speed check. A Worker
 * loads in ≈ 0.25 s on an idle 2-core machine, but ten Workers loading a cold module graph (zod, the
 * factory, linear/) on a loaded machine took over 20 s once, hence 60 s.
 */
export async function allReady(pool: WorkerPool, ms = 60_000): Promise<void> {
  const end = performance.now() + ms;
  while (pool.stats().ready < pool.stats().size) {
    if (performance.now() > end) throw new Error(`pool "${pool.name}": Workers not ready within ${ms} ms`);
    await delay(5);
  }
}

/** Closes `pool` and asserts it is closed with 0 live Workers and 0 pending tasks. */
export async function closeAndCheck(pool: WorkerPool): Promise<void> {
  await pool.close();
  assertPoolClosed(pool);
  const { live, pending } = pool.stats();
  assert.equal(live, 0);
  assert.equal(pending, 0);
}

/**
 * Heap growth per cycle of a heap series sampled every `spacing` cycles: the Theil–Sen slope, the
 * median of the slopes between every pair of samples.
 *
 * Why not compare two samples, or two window medians: one reading can jump by half a megabyte (a
 * late optimised compile, a page the collector keeps for a while) and fall back at the next one
 * without anything being kept; CI failed on such single readings (541 KB and 556 KB). A least-squares
 * slope over many samples dilutes a spike but still moves with it (a 541 KB spike at one end of 41
 * samples 25 cycles apart shifts it by ≈ 77 B a cycle); the median of pairwise slopes ignores up to
 * ≈ 29 % of wild samples outright, while a real leak, which raises every later sample, sets every
 * pairwise slope and so the median. See {@linkcode leastSquaresSlope} for the comparison.
 *
 * @param heaps Heap in use after a forced GC, in bytes, in order.
 * @param spacing Cycles between two consecutive samples.
 * @returns Bytes per cycle.
 */
export function heapSlope(heaps: readonly number[], spacing: number): number {
  if (heaps.length < 2) throw new RangeError(`heapSlope(): needs at least 2 samples, got ${heaps.length}`);
  const slopes: number[] = [];
  for (let i = 0; i < heaps.length; i++) {
    for (let j = i + 1; j < heaps.length; j++) slopes.push((heaps[j] - heaps[i]) / ((j - i) * spacing));
  }
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}

/**
 * The ordinary least-squares slope of a heap series sampled every `spacing` cycles, in bytes per
 * cycle: reported beside {@linkcode heapSlope} in failure messages, never used as the gate (one
 * spike moves it).
 *
 * @param heaps Heap samples in bytes, in order.
 * @param spacing Cycles between two consecutive samples.
 * @returns Bytes per cycle.
 */
export function leastSquaresSlope(heaps: readonly number[], spacing: number): number {
  const n = heaps.length;
  const meanX = ((n - 1) * spacing) / 2;
  const meanY = heaps.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i * spacing - meanX) * (heaps[i] - meanY);
    sxx += (i * spacing - meanX) ** 2;
  }
  return sxy / sxx;
}

export { seededRandom } from "../fixtures/seeded_random.ts";

/** One task a {@linkcode RecordingPool} ran. */
export interface RecordedTask {
  readonly kind: string;
  readonly payload: unknown;
  readonly result: unknown;
  readonly workerIndex: number;
  /** The value of {@linkcode RecordingPool.phase} when the task was dispatched. */
  readonly phase: number;
}

/**
 * A WorkerPool that records every task it runs (payload, result, Worker slot), in completion
 * order, and the most tasks it ever had in flight at once. Handed to `PSOTuner` as its `pool`, it
 * shows exactly how the tuner fanned the swarm out.
 */
export class RecordingPool extends WorkerPool {
  /** Completed tasks, in completion order. */
  readonly tasks: RecordedTask[] = [];
  /** The most tasks in flight at once, sampled at every dispatch. */
  maxInFlight = 0;
  /** A label the test advances (for example once per PSO iteration) to group the tasks. */
  phase = 0;
  /**
   * Called right after each task has been handed to the pool (so it is queued or in flight), with
   * the current phase: a test can abort or close at a precise point instead of after a guessed delay.
   */
  onDispatch?: (phase: number) => void;

  override async run<T = unknown>(
    kind: string,
    payload?: unknown,
    options?: readonly Transferable[] | RunOptions,
  ): Promise<T> {
    const phase = this.phase;
    const pending = this.runWithInfo<T>(kind, payload, options);
    this.maxInFlight = Math.max(this.maxInFlight, this.stats().inFlight);
    this.onDispatch?.(phase);
    const { result, workerIndex } = await pending;
    this.tasks.push({ kind, payload, result, workerIndex, phase });
    return result;
  }
}

/**
 * Growth of a memory series: the median of its last `k` samples minus the median of its first `k`.
 * Medians, because one sample can jump by half a megabyte (a late optimised compile, a page the
 * collector keeps for a while) and fall back at the next one without anything being kept; a leak
 * grows every sample, so it moves the two medians apart by all the samples between them.
 */
export function windowDrift(samples: readonly number[], k: number): number {
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return median(samples.slice(-k)) - median(samples.slice(0, k));
}
