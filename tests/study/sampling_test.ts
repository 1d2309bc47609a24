import assert from "node:assert/strict";
import { latinHypercube, MAX_SOBOL_DIMENSIONS, samplePoints, sobolPoints } from "../../study/mod.ts";

Deno.test("sobolPoints() reproduces the published unscrambled sequence", () => {
  // The first eight points of the 3-D Sobol sequence with Joe–Kuo direction numbers.
  const expected = [
    [0, 0, 0],
    [0.5, 0.5, 0.5],
    [0.75, 0.25, 0.25],
    [0.25, 0.75, 0.75],
    [0.375, 0.375, 0.625],
    [0.875, 0.875, 0.125],
    [0.625, 0.125, 0.875],
    [0.125, 0.625, 0.375],
  ];
  const p = sobolPoints(8, 3, 0, false);
  assert.deepEqual(Array.from(p), expected.flat());
});

Deno.test("sobolPoints() keeps each axis stratified after scrambling, for every dimension", () => {
  const n = 256, dims = MAX_SOBOL_DIMENSIONS;
  const p = sobolPoints(n, dims, 11);
  for (let d = 0; d < dims; d++) {
    const cells = new Set<number>();
    for (let i = 0; i < n; i++) cells.add(Math.floor(p[i * dims + d] * n));
    assert.equal(cells.size, n, `dimension ${d}`);
  }
  // The first two dimensions form a (0, 8, 2)-net: one point in each 1/16 × 1/16 box.
  const boxes = new Set<number>();
  for (let i = 0; i < n; i++) boxes.add(Math.floor(p[i * dims] * 16) * 16 + Math.floor(p[i * dims + 1] * 16));
  assert.equal(boxes.size, n);
});

Deno.test("sobolPoints() depends on the seed only through the shift, and is reproducible", () => {
  assert.deepEqual(sobolPoints(32, 4, 5), sobolPoints(32, 4, 5));
  assert.notDeepEqual(sobolPoints(32, 4, 5), sobolPoints(32, 4, 6));
  assert.throws(
    () => sobolPoints(4, MAX_SOBOL_DIMENSIONS + 1, 1),
    /sobol dimensions: must be an integer in 1\.\.\d+/,
  );
});

Deno.test("latinHypercube() has one point per stratum in every dimension and is seeded", () => {
  const n = 1000, dims = 16;
  const p = latinHypercube(n, dims, 42);
  for (let d = 0; d < dims; d++) {
    const strata = new Set<number>();
    for (let i = 0; i < n; i++) {
      const v = p[i * dims + d];
      assert.ok(v >= 0 && v < 1);
      strata.add(Math.floor(v * n));
    }
    assert.equal(strata.size, n, `dimension ${d}`);
  }
  assert.deepEqual(latinHypercube(50, 3, 42), latinHypercube(50, 3, 42));
  assert.notDeepEqual(latinHypercube(50, 3, 42), latinHypercube(50, 3, 43));
  // Pairing is random, not the identity: dimensions are not perfectly correlated.
  let same = 0;
  for (let i = 0; i < n; i++) if (Math.floor(p[i * dims] * n) === Math.floor(p[i * dims + 1] * n)) same++;
  assert.ok(same < 10, `${same} points share a stratum index across dimensions`);
});

Deno.test("samplePoints() rejects an unknown method and bad sizes", () => {
  assert.throws(
    () => samplePoints("halton" as "lhs", 4, 2, 1),
    /sampling: must be "lhs" or "sobol", got "halton"/,
  );
  assert.throws(() => latinHypercube(0, 2, 1), /lhs sample count: must be an integer >= 1, got 0/);
});
