/**
 * Shared setup of the WorkerPool tests: the fixture Worker modules, a deadline that fails a test
 * instead of letting a hung pool hang it, polling, and the close-and-check every test ends with.
 */
import assert from "assert";
import { WorkerPool } from "../../workers/mod.ts";
import { assertPoolClosed } from "../fixtures/pool_assertions.ts";

/** The URL of a module in tests/fixtures. */
export const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
/** The test Worker with ordinary task kinds (square, echo, sleep, hang, spin, fail, probe, …). */
export const ECHO = fixture("echo_worker.ts");
/**
 * The test Worker whose tasks kill it: an uncaught error, an unhandled rejection, self.close(),
 * Deno.exit(), a crash while idle.
 */
export const CRASH = fixture("crash_worker.ts");

/** Fails the test instead of hanging it when the pool never settles `promise`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms, the pool hangs`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds, failing after `ms`. */
export async function eventually(ms: number, what: string, check: () => boolean): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`${what}: still false after ${ms} ms`);
    await delay(10);
  }
}

/** Closes the pool and asserts it left no live Worker and no pending task behind. */
export async function closeAndCheck(pool: WorkerPool): Promise<void> {
  await pool.close();
  assertPoolClosed(pool);
  assert.equal(pool.stats().live, 0);
  assert.equal(pool.stats().pending, 0);
}
