/**
 * Tests of the simulate task's plots (tasks/simulate.ts --plot and its SVG writer tasks/svg.ts): the
 * standalone SVG and its panels, the disturbance force panel, ticks and charts, and --plot paths that
 * cannot be written, before or after the run.
 */
import assert from "assert";
import { escapeXml, EXIT, lineChartSvg, niceTicks, stackedChartsSvg } from "../../tasks/mod.ts";
import { checkSvg, CONFIG, run } from "./simulate_helpers.ts";

Deno.test("main() --plot writes a standalone SVG with one polyline per panel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/run.svg`;
    const r = await run(["--controller", "adaptive_smc", "--config", CONFIG, "--plot", file]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    assert.ok(r.stdout.includes(file));
    const svg = await Deno.readTextFile(file);
    const lines = checkSvg(svg);
    assert.equal(lines.length, 4);
    assert.equal((svg.match(/<path[\s>]/g) ?? []).length, 0);
    // θ1, θ2 and x have one point per sample; u is a staircase, two points per step.
    assert.deepEqual(lines.map((l) => l.length / 2), [1001, 1001, 1001, 2000]);
    for (const title of ["θ1", "θ2", "cart position x", "control force u"]) {
      assert.ok(svg.includes(title), title);
    }
    // Every point lies inside the 720 px wide, 4 × 240 px tall canvas.
    for (const l of lines) {
      for (let i = 0; i < l.length; i += 2) {
        assert.ok(l[i] >= 0 && l[i] <= 720 && l[i + 1] >= 0 && l[i + 1] <= 960);
      }
    }
    // Missing folders are created, as for the tune task's outputs.
    const nested = await run([
      "--controller",
      "sta",
      "--config",
      CONFIG,
      "--plot",
      `${dir}/missing/dir/x.svg`,
    ]);
    assert.equal(nested.code, EXIT.ok, nested.stderr);
    assert.equal(checkSvg(await Deno.readTextFile(`${dir}/missing/dir/x.svg`)).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() --plot adds the disturbance force as a fifth panel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/hit.svg`;
    const r = await run([
      "--controller",
      "classical_smc",
      "--config",
      CONFIG,
      "--disturbance",
      "impulse",
      "--plot",
      file,
    ]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    const svg = await Deno.readTextFile(file);
    const lines = checkSvg(svg);
    assert.equal(lines.length, 5);
    assert.deepEqual(lines.map((l) => l.length / 2), [1001, 1001, 1001, 2000, 2000]);
    assert.ok(svg.includes("disturbance force d on the cart"));
    // The force panel is flat except over the pulse: its staircase has exactly two distinct heights.
    const heights = new Set<number>();
    for (let i = 1; i < lines[4].length; i += 2) heights.add(lines[4][i]);
    assert.equal(heights.size, 2);
    // Noise alone has no force panel.
    const quiet = `${dir}/noise.svg`;
    assert.equal(
      (await run(["--controller", "sta", "--config", CONFIG, "--noise", "0.001", "--plot", quiet])).code,
      EXIT.ok,
    );
    assert.equal(checkSvg(await Deno.readTextFile(quiet)).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("niceTicks() steps by 1, 2 or 5 × 10^k inside the range", () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.17, 0.09, 5), [-0.15, -0.1, -0.05, 0, 0.05]);
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  for (const [lo, hi] of [[-123, 4567], [1e-5, 3e-5], [0.3, 0.7]]) {
    const ticks = niceTicks(lo, hi);
    assert.ok(ticks.length >= 3 && ticks.length <= 11, `${lo}..${hi}: ${ticks}`);
    for (const t of ticks) assert.ok(t >= lo - 1e-12 && t <= hi + 1e-12);
  }
});

Deno.test("lineChartSvg() draws axes, a legend and escaped text, and survives degenerate data", () => {
  const svg = lineChartSvg({
    title: 'a < b & "c"',
    xLabel: "t [s]",
    yLabel: "y",
    guides: [{ y: 2, label: "limit" }],
    series: [
      { name: "flat", t: [0, 1, 2], y: [1, 1, 1] },
      { name: "gappy", t: [0, 1, 2, 3], y: [NaN, 2, Infinity, 0], color: "#000000" },
    ],
  });
  const lines = checkSvg(svg);
  assert.equal(lines.length, 2);
  assert.equal(lines[1].length, 4, "the non-finite points are dropped");
  assert.ok(svg.includes("a &lt; b &amp; &quot;c&quot;"));
  assert.ok(svg.includes(">flat</text>") && svg.includes(">gappy</text>"), "legend entries");
  assert.ok(svg.includes('stroke-dasharray="4 3"'), "guide");
  assert.equal(escapeXml("'"), "&apos;");
  // A constant series and an all-NaN series still get a usable scale.
  checkSvg(lineChartSvg({ title: "c", series: [{ name: "c", t: [0, 1], y: [0, 0] }] }));
  assert.deepEqual(
    checkSvg(lineChartSvg({ title: "n", series: [{ name: "n", t: [0, 1], y: [NaN, NaN] }] })),
    [[]],
  );
  assert.throws(() => lineChartSvg({ title: "x", series: [] }), /series: must hold at least one series/);
  assert.throws(
    () => lineChartSvg({ title: "x", series: [{ name: "a", t: [0], y: [0] }], width: 10 }),
    /width/,
  );
  assert.throws(() => stackedChartsSvg([]), /charts: must hold at least one chart/);
});

Deno.test("main() refuses a --plot path it cannot write before the run, with exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const cases: [string, RegExp][] = [
      [`${dir}/file/x.svg`, /--plot: cannot write ".*\/file\/x\.svg": ".*\/file" is a file, not a folder/],
      [dir, /--plot: cannot write ".*": it is a folder, give a file path/],
    ];
    for (const [path, message] of cases) {
      let simulated = false;
      const r = await run(["--controller", "sta", "--config", CONFIG, "--plot", path], {
        cost: () => (simulated = true, 0),
      });
      assert.equal(r.code, EXIT.usage, path);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.includes("Usage: deno task simulate"), path);
      assert.equal(r.stdout, "");
      assert.equal(simulated, false, `${path}: the run was simulated before the path was refused`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() still prints the metrics when the plot write fails after the run, and exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/run.svg`;
    const writeTextFile = () => Promise.reject(new Error("No space left on device (os error 28)"));
    for (const json of [false, true]) {
      const args = ["--controller", "sta", "--config", CONFIG, "--plot", file, ...(json ? ["--json"] : [])];
      const r = await run(args, { writeTextFile });
      assert.equal(r.code, EXIT.failure);
      assert.equal(r.stderr, `error: --plot: cannot write "${file}": No space left on device (os error 28)`);
      if (json) {
        const report = JSON.parse(r.stdout);
        assert.equal(report.status, "ok");
        assert.equal("plot" in report, false, "the JSON names a plot that was not written");
      } else {
        assert.match(r.stdout, /^status +ok$/m);
        assert.ok(!r.stdout.includes("plot "), "the text names a plot that was not written");
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
