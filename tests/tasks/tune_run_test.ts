/**
 * Tests of a tune task run (tasks/tune.ts and its pipeline tasks/tuning.ts) and what it writes: loadable
 * gains, consistent results, a report that renders, a README block rewritten in place, progress on
 * stderr as lines or as a bar, and the results table of resultsMarkdown().
 */
import assert from "assert";
import { CONTROLLER_TYPES } from "../../config/mod.ts";
import { createController, getControllerInfo, validateGains } from "../../factory/mod.ts";
import { resultsMarkdown, runTune as main, type TuneReport } from "../../tasks/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import { capture, outputs, tableRows, TINY } from "./tune_helpers.ts";

Deno.test({
  name: "concurrent: tune main() tunes all controllers and writes gains, results and an HTML report",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async (t) => {
    const dir = await Deno.makeTempDir();
    try {
      const { paths, args } = outputs(dir);
      const { io, out, err } = capture();
      using workers = trackWorkers();
      const code = await main(["--all", ...TINY, "--workers", "1", ...args], io);

      await t.step("exits 0 and leaves no Worker running", () => {
        assert.equal(code, 0, err.join(""));
        assert.equal(workers.created, CONTROLLER_TYPES.length);
        assert.equal(workers.live, 0);
      });

      await t.step("gains JSON holds every controller with valid gains of its gain count", async () => {
        const gains = JSON.parse(await Deno.readTextFile(paths.gains)) as Record<string, number[]>;
        assert.deepEqual(Object.keys(gains).sort(), [...CONTROLLER_TYPES].sort());
        for (const type of CONTROLLER_TYPES) {
          assert.equal(gains[type].length, getControllerInfo(type).gainCount, type);
          assert.ok(validateGains(type, gains[type]).ok, type);
          assert.deepEqual(createController(type, { gains: gains[type] }).gains, gains[type]);
        }
      });

      const report = JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport;
      await t.step(
        "results JSON has the settings and, per controller, the run's record and its history",
        () => {
          assert.deepEqual(report.settings, {
            particles: 6,
            iterations: 3,
            scenarios: 2,
            workers: 1,
            seed: 42,
            robustnessRuns: 5,
          });
          assert.equal(report.aborted, false);
          assert.ok(report.command.startsWith("deno task tune --all --particles 6"));
          assert.ok(!Number.isNaN(Date.parse(report.date)));
          assert.deepEqual(report.results.map((r) => r.controller), [...CONTROLLER_TYPES]);
          for (const r of report.results) {
            assert.equal(r.exitReason, "maxIterations");
            assert.equal(r.iterations, 3);
            assert.equal(r.history.best.length, 3);
            assert.equal(r.history.best[2], r.bestCost);
            assert.ok(r.evaluations > 0 && r.evaluations <= 18);
            assert.ok(r.elapsedMs >= 0);
            assert.equal(r.defaultGains.length, r.bestGains.length);
            for (const m of [r.tuned, r.baseline]) {
              assert.ok(["ok", "fell", "diverged", "off_track"].includes(m.status));
              assert.ok(Number.isFinite(m.nominalCost) && m.nominalCost > 0);
              assert.ok(typeof m.maxU === "number" && m.maxU <= 150);
            }
            assert.ok(r.robustness !== null);
            assert.equal(r.robustness.physics.total, 5);
            assert.equal(r.robustness.initialAngles.total, 5);
          }
        },
      );

      await t.step("HTML report has inline SVG polylines for each controller and no NaN", async () => {
        const html = await Deno.readTextFile(paths.html);
        assert.ok(html.startsWith("<!doctype html>"));
        assert.ok(!html.includes("NaN"), "NaN in the report");
        const svgs = html.match(/<svg[\s>]/g) ?? [];
        assert.ok(svgs.length >= 2 * CONTROLLER_TYPES.length, `${svgs.length} <svg> elements`);
        const polylines = html.match(/<polyline [^>]*points="[^"]+"/g) ?? [];
        // Per controller: 2 cost-history series and 2 series in each of 4 trajectory charts.
        assert.ok(polylines.length >= 10 * CONTROLLER_TYPES.length, `${polylines.length} polylines`);
        for (const type of CONTROLLER_TYPES) assert.ok(html.includes(`<h2>${type}</h2>`), type);
      });

      await t.step("stdout shows the results table with one row per controller and the paths", () => {
        const text = out.join("\n");
        const rows = tableRows(text);
        assert.equal(rows.length, CONTROLLER_TYPES.length);
        CONTROLLER_TYPES.forEach((type, i) => assert.ok(rows[i].startsWith(`| ${type} |`), rows[i]));
        assert.equal(text.includes(resultsMarkdown(report)), true);
        assert.ok(text.includes(`gains: ${paths.gains}  results: ${paths.json}  report: ${paths.html}`));
      });

      await t.step("progress goes to stderr as plain lines when stderr is not a terminal", () => {
        assert.ok(err.length >= CONTROLLER_TYPES.length);
        for (const chunk of err) {
          assert.ok(chunk.endsWith("\n") && !chunk.slice(0, -1).includes("\n"), JSON.stringify(chunk));
          assert.ok(!chunk.includes("\r") && !chunk.includes("\x1b"), JSON.stringify(chunk));
        }
        for (const type of CONTROLLER_TYPES) {
          assert.ok(err.some((l) => l.startsWith(`${type} it 3/3 best `)), `${type}: no final progress line`);
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tune main() --readme rewrites only the results block of the README at --readme-path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { paths, args } = outputs(dir);
    const readme = `${dir}/README.md`;
    const before = "# dip-smc-pso\n\n<!-- bench:start -->\nbench\n<!-- bench:end -->\n\n## Results\n\n";
    const after = "\n\n## License\n\nMIT\n";
    await Deno.writeTextFile(
      readme,
      `${before}<!-- results:start -->\nstale table\n<!-- results:end -->${after}`,
    );
    const { io, err } = capture();
    const code = await main(
      [
        "--controller",
        "classic_smc",
        ...TINY,
        "--workers",
        "0",
        "--quiet",
        "--readme",
        "--readme-path",
        readme,
        ...args,
      ],
      io,
    );
    assert.equal(code, 0);
    assert.deepEqual(err, [], "--quiet printed progress");
    const report = JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport;
    assert.deepEqual(report.results.map((r) => r.controller), ["classical_smc"]);
    assert.equal(report.settings.workers, 0);
    const text = await Deno.readTextFile(readme);
    assert.equal(
      text,
      `${before}<!-- results:start -->\n${resultsMarkdown(report)}\n<!-- results:end -->${after}`,
    );
    assert.equal(tableRows(text).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tune main() draws a progress bar on a terminal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { io, err } = capture(true);
    const code = await main(["--controller", "hybrid", ...TINY, "--workers", "0", ...outputs(dir).args], io);
    assert.equal(code, 0);
    const bars = err.filter((c) => c.startsWith("\r["));
    assert.equal(bars.length, 3); // one redraw per iteration
    for (const bar of bars) {
      {
        assert.match(bar, /^\r\[[# ]{24}\] hybrid_adaptive_sta_smc it \d\/3 best /);
        assert.ok(bar.endsWith("\x1b[K"), JSON.stringify(bar)); // clears the rest of the line
      }
    }
    assert.ok(bars[2].startsWith(`\r[${"#".repeat(24)}]`));
    assert.equal(err.at(-1), "\n"); // the finished bar is ended with a newline
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resultsMarkdown() renders one row per controller, with placeholders for missing values", () => {
  const record = (controller: string, robustness: TuneReport["results"][number]["robustness"]) => ({
    controller,
    defaultGains: [1, 2],
    defaultCost: 2.5,
    bestGains: [1.23456, 2],
    bestCost: 1.25,
    exitReason: "maxIterations",
    iterations: 1,
    evaluations: 6,
    elapsedMs: 1500,
    tuned: {
      status: "fell" as const,
      failTime: 1,
      settled: false,
      settlingTime: null,
      band: 0.02,
      maxTheta1: 1.6,
      maxTheta2: 0.5,
      maxX: 0.25,
      maxU: 150,
      controlEnergy: 10,
      samples: 101,
      simulatedTime: 1,
      nominalCost: 900,
    },
    baseline: {
      status: "ok" as const,
      failTime: null,
      settled: true,
      settlingTime: 1.5,
      band: 0.02,
      maxTheta1: 0.05,
      maxTheta2: 0.03,
      maxX: 0.3,
      maxU: 17,
      controlEnergy: 10,
      samples: 1001,
      simulatedTime: 10,
      nominalCost: 0.2,
    },
    robustness,
    history: { best: [1.25], meanPersonalBest: [2], diversity: [0.5] },
  });
  const report: TuneReport = {
    command: "deno task tune --x",
    date: "2026-01-02T03:04:05.000Z",
    settings: { particles: 6, iterations: 1, scenarios: 2, workers: 1, seed: 7, robustnessRuns: 0 },
    aborted: false,
    results: [
      record("a_smc", null),
      record("b_smc", {
        physics: { passed: 3, total: 4, failed: 1 },
        initialAngles: { passed: 4, total: 4, failed: 0 },
        passRate: 7 / 8,
      }),
    ],
  };
  const md = resultsMarkdown(report);
  assert.ok(md.startsWith("Produced by `deno task tune --x` on 2026-01-02 (6 particles × 1 iterations"));
  const rows = tableRows(md);
  assert.equal(rows.length, 2);
  const cells = (row: string) => row.slice(2, -2).split(" | ");
  const a = cells(rows[0]), b = cells(rows[1]);
  const header = cells(md.split("\n").find((l) => l.startsWith("| controller |"))!);
  assert.equal(a.length, header.length);
  assert.deepEqual(a.slice(0, 6), ["a_smc", "2.5000", "1.2500", "1.2346, 2.0000", "fell", "—"]);
  assert.equal(a[10], "not run");
  assert.equal(a[11], "1.5");
  assert.equal(b[0], "b_smc");
  assert.equal(b[10], "3/4 / 4/4 (87.5 %)");
});
