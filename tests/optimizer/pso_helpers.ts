/**
 * Shared setup of the PSO engine tests (`pso_*_test.ts`): the benchmark objectives, a search box,
 * a synchronous ask/tell driver and the consistency checks every finished run must pass.
 */
import assert from "assert";
import { ParticleSwarm, type PSOResult } from "../../optimizer/mod.ts";

/** Options that silence Poli's stability warning, for runs that step outside it on purpose. */
export const quiet = { onWarning: () => {} };

/** The sphere function Σ x², minimum 0 at the origin. */
export function sphere(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return s;
}

/** The Rosenbrock function, minimum 0 at (1, …, 1) at the end of a curved valley. */
export function rosenbrock(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length - 1; j++) s += 100 * (x[j + 1] - x[j] * x[j]) ** 2 + (1 - x[j]) ** 2;
  return s;
}

/** The Rastrigin function, minimum 0 at the origin among a lattice of local minima. */
export function rastrigin(x: ArrayLike<number>): number {
  let s = 10 * x.length;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j] - 10 * Math.cos(2 * Math.PI * x[j]);
  return s;
}

/** The box [lo, hi]^dims as PSO bounds. */
export function box(dims: number, lo: number, hi: number): { lower: number[]; upper: number[] } {
  return { lower: new Array(dims).fill(lo), upper: new Array(dims).fill(hi) };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Drives a swarm with a synchronous objective until it is done (or for `maxSteps` iterations). */
export function drive(swarm: ParticleSwarm, f: (x: Float64Array) => number, maxSteps = Infinity): void {
  const n = swarm.swarmSize, d = swarm.dims;
  const costs = new Float64Array(n);
  for (let step = 0; !swarm.done && step < maxSteps; step++) {
    const x = swarm.ask();
    for (let i = 0; i < n; i++) costs[i] = f(x.subarray(i * d, (i + 1) * d));
    swarm.tell(costs);
  }
}

/** Asserts a best-cost history never rises. */
export function assertMonotone(best: number[]): void {
  for (let k = 1; k < best.length; k++) assert.ok(best[k] <= best[k - 1], `best rose at iteration ${k + 1}`);
}

/**
 * Asserts a result's best cost is f(bestPosition) and the last entry of a monotone history that
 * holds one entry per iteration.
 */
export function assertConsistent(result: PSOResult, f: (x: Float64Array) => number): void {
  assert.equal(f(Float64Array.from(result.bestPosition)), result.bestCost);
  assertMonotone(result.history.best);
  assert.equal(result.history.best.length, result.iterations);
  assert.equal(result.history.best.at(-1), result.bestCost);
}
