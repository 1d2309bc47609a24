import assert from "node:assert/strict";
import { basinAxis, type BasinLabel, summarizeBasin } from "../../study/mod.ts";

function grid(n: number, label: (i: number, j: number) => BasinLabel): BasinLabel[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => label(i, j)));
}

Deno.test("basinAxis() is symmetric with an exact 0 in the middle", () => {
  const a = basinAxis(0.5, 41);
  assert.equal(a.length, 41);
  assert.equal(a[20], 0);
  assert.equal(a[0], -0.5);
  assert.equal(a[40], 0.5);
  for (let i = 0; i < 41; i++) assert.ok(a[i] === -a[40 - i], `a[${i}] = ${a[i]}`);
  assert.throws(() => basinAxis(0.5, 1), /basin grid: must be an integer >= 2, got 1/);
  assert.throws(() => basinAxis(-1, 5), /basin range: must be a finite number > 0, got -1/);
});

Deno.test("summarizeBasin() finds the largest centred square of a disc-shaped basin", () => {
  const axis = basinAxis(0.5, 21); // step 0.05
  // Settled inside the disc of radius 0.3: the largest square inside it has half-width ≤ 0.3/√2 ≈ 0.212,
  // so on this grid 0.2 (the 0.25 ring has corners at radius 0.354).
  const labels = grid(21, (i, j) => (Math.hypot(axis[i], axis[j]) <= 0.3 + 1e-12 ? "settled" : "fell"));
  const s = summarizeBasin(axis, axis, labels);
  assert.ok(Math.abs(s.largestSquare - 0.2) < 1e-12, `largest square ${s.largestSquare}`);
  let inside = 0;
  for (const row of labels) for (const l of row) if (l === "settled") inside++;
  assert.equal(s.areaFraction, inside / 441);
  assert.equal(s.counts.settled + s.counts.fell + s.counts.not_settled, 441);
});

Deno.test("summarizeBasin() stops at the first ring with an unsettled point", () => {
  const axis = basinAxis(0.4, 9);
  const all = summarizeBasin(axis, axis, grid(9, () => "settled"));
  assert.equal(all.largestSquare, 0.4);
  assert.equal(all.areaFraction, 1);
  // One not-settled point on the second ring limits the square to the first ring.
  const holed = summarizeBasin(
    axis,
    axis,
    grid(9, (i, j) => (i === 2 && j === 4 ? "not_settled" : "settled")),
  );
  assert.ok(Math.abs(holed.largestSquare - 0.1) < 1e-15, `largest square ${holed.largestSquare}`);
  const centreFalls = summarizeBasin(
    axis,
    axis,
    grid(9, (i, j) => (i === 4 && j === 4 ? "fell" : "settled")),
  );
  assert.equal(centreFalls.largestSquare, 0);
});

Deno.test("summarizeBasin() handles an even grid and rejects a ragged one", () => {
  const axis = basinAxis(0.3, 4); // -0.3, -0.1, 0.1, 0.3
  const inner = summarizeBasin(
    axis,
    axis,
    grid(4, (i, j) => (i >= 1 && i <= 2 && j >= 1 && j <= 2 ? "settled" : "fell")),
  );
  assert.ok(Math.abs(inner.largestSquare - 0.1) < 1e-15);
  assert.throws(() => summarizeBasin(axis, axis, [["settled"]]), /labels must be a 4 × 4 grid/);
});
