/**
 * Runs without a disturbance, or with an all-zero one, are bit-identical to the runs of the code
 * before disturbances existed: tests/plant/golden/undisturbed.json holds those runs (SHA-256 of the
 * bytes of x, u and σ, and the first samples in decimal), written by tests/plant/golden/generate.ts
 * on that code.
 */
import assert from "assert";
import { DECIMAL_SAMPLES, digest, GOLDEN_CASES, runBatchCase, runCase } from "./golden/mod.ts";
import type { DisturbanceSpec, Trajectory } from "../../plant/mod.ts";

interface GoldenRun {
  name: string;
  status: string;
  failTime: number | null;
  steps: number;
  lowControllability: number;
  sha256: { x: string; u: string; sigma: string };
  x: number[];
  u: number[];
}
const golden: {
  cases: GoldenRun[];
  batch: { status: number[]; length: number[]; sha256: { x: string; u: string } };
} = JSON.parse(await Deno.readTextFile(new URL("./golden/undisturbed.json", import.meta.url)));

/** Zero disturbances of every kind, and zero noise: each must leave the run untouched. */
const ZERO: readonly DisturbanceSpec[] = [
  {},
  { force: { kind: "impulse", amplitude: 0, start: 0.5, duration: 0.1 } },
  { force: { kind: "step", amplitude: 0, start: 0 } },
  { force: { kind: "sine", amplitude: 0, frequency: 2, start: 0, phase: 1 } },
  { force: { kind: "random", std: 0, bandwidth: 5, seed: 3, start: 0 } },
  { noise: { std: [0, 0, 0, 0, 0, 0], seed: 11 } },
];

async function assertGolden(run: Trajectory, g: GoldenRun, what: string): Promise<void> {
  assert.equal(run.status, g.status, what);
  assert.equal(run.failTime, g.failTime, what);
  assert.equal(run.steps, g.steps, what);
  assert.equal(run.lowControllability, g.lowControllability, what);
  // The decimal prefix first: a mismatch there says which sample differs.
  const n = Math.min(DECIMAL_SAMPLES, run.steps + 1);
  for (let i = 0; i < n * 6; i++) assert.ok(Object.is(run.x[i], g.x[i]), `${what}: x[${i}]`);
  for (let i = 0; i < Math.min(DECIMAL_SAMPLES, run.steps); i++) {
    assert.ok(Object.is(run.u[i], g.u[i]), `${what}: u[${i}]`);
  }
  assert.equal(await digest(run.x), g.sha256.x, `${what}: x digest`);
  assert.equal(await digest(run.u), g.sha256.u, `${what}: u digest`);
  assert.equal(await digest(run.sigma), g.sha256.sigma, `${what}: σ digest`);
  assert.equal(run.disturbance, undefined, `${what}: no force recorded`);
}

Deno.test("simulate() without a disturbance is bit-identical to the golden runs of the undisturbed code", async () => {
  assert.equal(golden.cases.length, GOLDEN_CASES.length);
  for (const [i, c] of GOLDEN_CASES.entries()) {
    assert.equal(golden.cases[i].name, c.name);
    await assertGolden(runCase(c), golden.cases[i], c.name);
  }
});

Deno.test("simulate() with an all-zero force or noise is bit-identical to the golden runs", async () => {
  for (const [i, c] of GOLDEN_CASES.entries()) {
    for (const disturbance of ZERO) {
      await assertGolden(
        runCase(c, { disturbance }),
        golden.cases[i],
        `${c.name} ${JSON.stringify(disturbance)}`,
      );
    }
  }
});

Deno.test("simulateBatch() without or with a zero disturbance is bit-identical to the golden batch", async () => {
  for (const disturbance of [undefined, ...ZERO]) {
    const ws = runBatchCase({ disturbance });
    assert.deepEqual(Array.from(ws.status.subarray(0, ws.count)), golden.batch.status);
    assert.deepEqual(Array.from(ws.length.subarray(0, ws.count)), golden.batch.length);
    assert.equal(await digest(ws.x.subarray(0, ws.count * (ws.steps + 1) * 6)), golden.batch.sha256.x);
    assert.equal(await digest(ws.u.subarray(0, ws.count * ws.steps)), golden.batch.sha256.u);
  }
});

Deno.test("the golden comparison fails on a run that differs by one ulp of one force", async () => {
  // Proves the check can fail: a 1e-12 N step disturbance is enough to change the digests.
  const c = GOLDEN_CASES[0];
  const nudged = runCase(c, { disturbance: { force: { kind: "step", amplitude: 1e-12, start: 5 } } });
  await assert.rejects(() => assertGolden(nudged, golden.cases[0], c.name));
});
