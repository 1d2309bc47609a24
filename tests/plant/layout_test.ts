/**
 * Tests of the buffer layout helpers and the size limits (plant/layout.ts): a run or a batch too
 * large for its buffers is refused up front with a SimulationSizeError, never an allocator crash.
 */
import assert from "assert";
import {
  batchBytes,
  checkRunSize,
  type ControlKernel,
  createBatchWorkspace,
  createPlant,
  MAX_BATCH_SAMPLES,
  MAX_TRAJECTORY_SAMPLES,
  simulate,
  simulateBatch,
  SimulationSizeError,
  stateOffset,
  trajectoryLength,
} from "../../plant/mod.ts";
import { DEFAULT_PHYSICS } from "../../factory/mod.ts";
import { CONFIG_LIMITS, maxRunsPerBatch } from "../../config/mod.ts";

const plant = createPlant(DEFAULT_PHYSICS);
const X0 = [0, 0.05, -0.03, 0, 0, 0];
const zero: ControlKernel = {
  internalSize: 0,
  maxForce: 150,
  init() {},
  step(_s, _so, _i, _io, _dt, out) {
    out[0] = out[1] = out[2] = 0;
  },
};

Deno.test("stateOffset() and trajectoryLength() address the batch rows that simulateBatch() writes", () => {
  assert.equal(trajectoryLength(1000), 6006);
  assert.equal(stateOffset(1000, 0), 0);
  assert.equal(stateOffset(1000, 2, 10), 2 * 6006 + 60);
  const particles = [0.01, 0.02, 0.03].map((a) => ({ plant, kernel: zero, x0: [0, a, -a, 0, 0, 0] }));
  const ws = simulateBatch({ particles, dt: 0.01, steps: 50 });
  for (let p = 0; p < 3; p++) {
    const one = simulate({
      plant,
      controller: { kernel: zero },
      x0: particles[p].x0,
      dt: 0.01,
      duration: 0.5,
    });
    assert.deepEqual(ws.x.subarray(stateOffset(50, p), stateOffset(50, p + 1)), one.x);
    assert.equal(ws.x[stateOffset(50, p, 0) + 1], particles[p].x0[1]);
  }
  assert.equal(ws.x.length, 3 * trajectoryLength(50));
  assert.equal(batchBytes(1, 1000), (6006 + 2000) * 8);
});

Deno.test("simulate() refuses a horizon past the sample limit with a SimulationSizeError naming duration / dt", () => {
  // The DIP__SIMULATION__DURATION=1e7 case: 1e9 steps. Refused before any allocation (an attempt
  // would take 48 GB or die in the allocator).
  const t0 = performance.now();
  let caught: unknown;
  try {
    simulate({ plant, controller: { kernel: zero }, x0: X0, dt: 0.01, duration: 1e7 });
  } catch (e) {
    caught = e;
  }
  const e = caught;
  assert.ok(e instanceof SimulationSizeError, `got ${e}`);
  assert.ok(e instanceof RangeError, "a RangeError, as callers of the plant already expect");
  assert.equal(e.field, "duration / dt");
  assert.equal(e.samples, 1_000_000_001);
  assert.equal(e.bytes, batchBytes(1, 1e9));
  assert.equal(e.limit, MAX_TRAJECTORY_SAMPLES);
  assert.match(
    e.message,
    /^duration \/ dt: 10000000 s \/ 0\.01 s = 1000000000 steps needs 1000000001 state samples \(64000000048 bytes of buffers\), more than the limit of 1000000 samples per trajectory$/,
  );
  assert.ok(performance.now() - t0 < 1000, "refused up front");
  // Right at the limit is allowed by the check; one more step is not.
  checkRunSize(1, MAX_TRAJECTORY_SAMPLES - 1);
  assert.throws(() => checkRunSize(1, MAX_TRAJECTORY_SAMPLES), SimulationSizeError);
});

Deno.test("simulateBatch() and createBatchWorkspace() refuse batches past the limits, naming steps or particles", () => {
  const particles = Array.from({ length: 10 }, () => ({ plant, kernel: zero, x0: X0 }));
  assert.throws(
    () => simulateBatch({ particles: particles.slice(0, 1), dt: 0.01, steps: 2_000_000 }),
    /^SimulationSizeError: steps: 2000000 steps needs 2000001 state samples .* per trajectory$/,
  );
  // 10 × 500 001 samples is more than the 4 000 000 of a batch, though each run is within its own limit.
  assert.throws(
    () => simulateBatch({ particles, dt: 0.01, steps: 500_000 }),
    (e: unknown) =>
      e instanceof SimulationSizeError && e.field === "particles" && e.samples === 5_000_010 &&
      e.limit === MAX_BATCH_SAMPLES && /10 particles × 500001 samples/.test(e.message) &&
      /per batch$/.test(e.message),
  );
  assert.throws(() => createBatchWorkspace(1, 1e9), SimulationSizeError);
  // Within the limits it runs.
  assert.equal(simulateBatch({ particles, dt: 0.01, steps: 10 }).length[9], 11);
});

Deno.test("SimulationSizeError says when the allocator, not a limit, refused the buffers", () => {
  const e = new SimulationSizeError(
    "steps",
    "1 particles × 11 samples",
    11,
    960,
    4_000_000,
    "per batch",
    "Array buffer allocation failed",
  );
  assert.equal(
    e.message,
    "steps: 1 particles × 11 samples needs 11 state samples (960 bytes of buffers), which the allocator refused (Array buffer allocation failed)",
  );
  assert.equal(e.name, "SimulationSizeError");
  assert.match(
    new SimulationSizeError("steps", "x", 2, 16, 1, "per trajectory").message,
    /more than the limit of 1 samples per trajectory$/,
  );
});

Deno.test("MAX_BATCH_SAMPLES is the config's batch limit, so a config that loads fits its scenario batch", () => {
  assert.equal(MAX_BATCH_SAMPLES, CONFIG_LIMITS.maxBatchSamples);
  assert.equal(MAX_TRAJECTORY_SAMPLES, CONFIG_LIMITS.maxSimulationSamples);
  // The config's largest count fits the plant's check; one more is refused by both.
  const most = maxRunsPerBatch(1001);
  checkRunSize(most, 1000);
  assert.throws(() => checkRunSize(most + 1, 1000), SimulationSizeError);
});

Deno.test("simulateBatch() names what the batch is made of when it is too large", () => {
  const particles = Array.from({ length: 10 }, () => ({ plant, kernel: zero, x0: X0 }));
  assert.throws(
    () => simulateBatch({ particles, dt: 0.01, steps: 500_000, particlesName: "scenarios" }),
    (e: unknown) =>
      e instanceof SimulationSizeError && e.field === "scenarios" &&
      /^scenarios: 10 scenarios × 500001 samples needs 5000010 state samples .* per batch$/.test(e.message),
  );
  assert.throws(
    () => createBatchWorkspace(5000, 1000, undefined, false, "robustness runs"),
    /^SimulationSizeError: robustness runs: 5000 robustness runs × 1001 samples/,
  );
});
