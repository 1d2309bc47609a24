/**
 * Tests of the tune task (tasks/tune.ts and its pipeline tasks/tuning.ts): `runTune(args, io)` with
 * captured output and tiny PSO settings, writing into a temporary directory, and
 * `tuneController()` on its own. The files the task writes are read back and checked for what a
 * user relies on: loadable gains, consistent results, a report that renders, a README block
 * rewritten in place, exit code 2 with the usage text on bad arguments or output paths (before any
 * tuning), and the gains on stdout when a write fails after the tuning. The tuned gains themselves
 * are held to the acceptance targets of docs/acceptance.md.
 */
import assert from "assert";
import { CONTROLLER_TYPES, loadConfig, validateConfig } from "../../config/mod.ts";
import { createController, getControllerInfo, validateGains } from "../../factory/mod.ts";
import {
  EXIT,
  maxRobustnessRuns,
  resultsMarkdown,
  runTune as main,
  TUNE_USAGE,
  tuneController,
  type TunedController,
  TuneFollowUpError,
  type TuneIO,
  type TuneRecord,
  type TuneReport,
} from "../../tasks/mod.ts";
import type { TunerResult } from "../../optimizer/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";

const CONFIG = new URL("../../config.yaml", import.meta.url).pathname;
const TINY = [
  "--particles",
  "6",
  "--iters",
  "3",
  "--scenarios",
  "2",
  "--robustness",
  "5",
  "--config",
  CONFIG,
];

interface Captured {
  readonly io: TuneIO;
  readonly out: string[];
  readonly err: string[];
}

function capture(isTerminal = false, onStderr?: (text: string) => void): Captured {
  const out: string[] = [], err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (line) => out.push(line),
      stderr: (text) => {
        err.push(text);
        onStderr?.(text);
      },
      isTerminal,
    },
  };
}

/** Output paths inside `dir`, in a sub-folder that does not exist yet (main creates it). */
function outputs(dir: string) {
  const paths = {
    gains: `${dir}/out/gains.json`,
    json: `${dir}/out/results.json`,
    html: `${dir}/out/report.html`,
  };
  return { paths, args: ["--out", paths.gains, "--json", paths.json, "--report", paths.html] };
}

/** Table rows of a results Markdown (header and separator excluded). */
const tableRows = (markdown: string) =>
  markdown.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| controller |"));

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

Deno.test("tune main() returns 2 with the usage text on bad arguments and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string[], RegExp][] = [
      [["--bogus"], /Unknown option '--bogus'/],
      [["stray"], /positional/i],
      [
        ["--particles", "0"],
        /--particles: must be an integer in \[1, 10000\] \(as pso\.n_particles\), got "0"/,
      ],
      [["--iters", "2.5"], /--iters: must be an integer in \[1, 100000\] \(as pso\.iters\), got "2\.5"/],
      [["--workers=-1"], /--workers: must be an integer in \[0, 1024\], got "-1"/],
      [["--seed", "x"], /--seed: must be an integer ≥ 0, got "x"/],
      [["--controller", "pid"], /Unknown controller type "pid"/],
      [["--controller", "sta", "--all"], /--controller and --all: give one, not both/],
      [["--config", `${dir}/missing.yaml`], /^--config: cannot read ".*missing\.yaml": file not found/],
    ];
    for (const [bad, message] of cases) {
      const { io, out, err } = capture();
      const code = await main([...bad, ...outputs(dir).args], io);
      assert.equal(code, 2, bad.join(" "));
      const text = err.join("");
      assert.match(text, message);
      assert.ok(text.includes(TUNE_USAGE), `${bad.join(" ")}: no usage text`);
      assert.deepEqual(out, []);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "a rejected run wrote files");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tune main() --help prints the usage text and exits 0", async () => {
  const { io, out, err } = capture();
  assert.equal(await main(["--help"], io), 0);
  assert.deepEqual(out, [TUNE_USAGE]);
  assert.deepEqual(err, []);
  for (const flag of ["--controller", "--all", "--readme-path", "--workers", "--robustness"]) {
    assert.ok(TUNE_USAGE.includes(flag), flag);
  }
});

Deno.test({
  name: "concurrent: tune main() interrupted saves the best so far, skips the README and exits 130",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { paths, args } = outputs(dir);
      const readme = `${dir}/README.md`;
      const original = "<!-- results:start -->\nkeep\n<!-- results:end -->\n";
      await Deno.writeTextFile(readme, original);
      const abort = new AbortController();
      // The first progress line comes after the first iteration: interrupt there, as Ctrl-C would.
      const { io, err } = capture(false, () => abort.abort());
      using workers = trackWorkers();
      const long = [
        "--particles",
        "6",
        "--iters",
        "400",
        "--scenarios",
        "1",
        "--robustness",
        "0",
        "--config",
        CONFIG,
      ];
      const code = await main(
        ["--all", ...long, "--workers", "1", "--readme", "--readme-path", readme, ...args],
        { ...io, signal: abort.signal },
      );
      assert.equal(code, 130);
      assert.ok(err.join("").includes("interrupted: the best gains so far were saved"));
      assert.equal(workers.live, 0);
      const report = JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport;
      assert.equal(report.aborted, true);
      // The first controller stopped after one iteration; the others never started.
      assert.equal(report.results.length, 1);
      const [first] = report.results;
      assert.equal(first.exitReason, "aborted");
      assert.equal(first.iterations, 1);
      assert.equal(first.robustness, null);
      const gains = JSON.parse(await Deno.readTextFile(paths.gains));
      assert.deepEqual(gains, { [first.controller]: first.bestGains });
      assert.equal(await Deno.readTextFile(readme), original);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "concurrent: tune main() interrupted before a first iteration writes nothing and exits 130",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      using workers = trackWorkers();
      const Tracked = globalThis.Worker;
      for (const when of ["before the start", "during the first iteration"]) {
        const abort = new AbortController();
        const { io, err } = capture();
        if (when === "before the start") abort.abort();
        // The tuner starts its Worker when the first iteration begins: interrupt right there, before
        // any particle has a cost.
        globalThis.Worker = class extends Tracked {
          constructor(...args: ConstructorParameters<typeof Worker>) {
            super(...args);
            abort.abort();
          }
        };
        try {
          const code = await main(["--all", ...TINY, "--workers", "1", ...outputs(dir).args], {
            ...io,
            signal: abort.signal,
          });
          assert.equal(code, EXIT.interrupted, when);
        } finally {
          globalThis.Worker = Tracked;
        }
        assert.deepEqual(err, ["interrupted before any controller was tuned: nothing was written\n"], when);
        assert.deepEqual([...Deno.readDirSync(dir)], [], `${when}: files were written`);
      }
      assert.equal(workers.created, 1);
      assert.equal(workers.live, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
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

// ---------------------------------------------------------------------------------------------
// tuneController() and the acceptance targets

/**
 * The acceptance targets of docs/acceptance.md for a tuned controller: the nominal run never
 * falls (status "ok"), settles within 3 s, keeps |x| < 0.5 m, and at least 95 % of the robustness
 * check's runs pass.
 */
function assertAccepted(r: TuneRecord): void {
  const m = r.tuned;
  assert.equal(m.status, "ok", `${r.controller}: the tuned nominal run ended "${m.status}"`);
  assert.ok(
    m.settlingTime !== null && m.settlingTime <= 3,
    `${r.controller}: settling time ${m.settlingTime} s, want ≤ 3 s`,
  );
  assert.ok(m.maxX < 0.5, `${r.controller}: max |x| ${m.maxX} m, want < 0.5 m`);
  assert.ok(r.robustness !== null, `${r.controller}: no robustness check`);
  assert.ok(
    r.robustness.passRate >= 0.95,
    `${r.controller}: robustness ${(100 * r.robustness.passRate).toFixed(1)} %, want ≥ 95 %`,
  );
}

// 20 particles × 20 iterations on 4 scenarios is about a second per controller; it meets the targets
// with a margin for these two (settling ≈ 2.3–2.4 s, |x| ≈ 0.37–0.39 m, 99–100 % of 2 × 50 runs),
// while the configured gains pass only 93 % of the same check. The adaptive and hybrid controllers
// need about 30 × 50 to bring |x| under 0.5 m, too slow for this test.
const REAL_BUDGET = { particles: 20, iterations: 20, scenarios: 4, workers: 1, robustnessRuns: 50 };

Deno.test({
  name: "concurrent: tuneController() tunes classical_smc and sta_smc to the acceptance targets",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const config = loadConfig(CONFIG);
    using workers = trackWorkers();
    for (const type of ["classical_smc", "sta_smc"]) {
      const { record, settings, runs } = await tuneController(config, type, REAL_BUDGET);
      assert.equal(record.controller, type);
      assert.deepEqual(settings, { ...REAL_BUDGET, seed: config.pso.seed });
      assert.equal(record.robustness?.physics.total, 50);
      assert.equal(runs.tuned.status, record.tuned.status);
      assertAccepted(record);
    }
    assert.equal(workers.live, 0);
  },
});

Deno.test("assertAccepted() rejects gains from a budget that cannot tune (2 particles × 1 iteration, bad bounds)", async () => {
  const config = loadConfig(CONFIG);
  // Bounds far below the configured gains (which are then not seeded into the swarm): surfaces and
  // switching gains too weak to hold the pendulum up.
  const weak = structuredClone(config) as unknown as Record<string, Record<string, Record<string, unknown>>>;
  weak.pso.bounds.classical_smc = {
    lower: [0.1, 0.1, 0.5, 0.5, 1, 0.01],
    upper: [0.2, 0.2, 1, 1, 1.5, 0.05],
  };
  const { record } = await tuneController(validateConfig(weak), "classical_smc", {
    particles: 2,
    iterations: 1,
    scenarios: 1,
    workers: 0,
    robustnessRuns: 10,
  });
  assert.throws(() => assertAccepted(record), assert.AssertionError);
  // And with the real budget the same bounds still cannot be tuned: the targets are not met by
  // whatever the swarm finds, the assertion really reads the gains.
  const { record: again } = await tuneController(validateConfig(weak), "classical_smc", {
    ...REAL_BUDGET,
    workers: 0,
  });
  assert.throws(() => assertAccepted(again), assert.AssertionError);
});

Deno.test("tuneController() returns the record main() writes for the same seed and budget", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { paths, args } = outputs(dir);
    const { io } = capture();
    const code = await main(["--controller", "sta", ...TINY, "--workers", "0", "--quiet", ...args], io);
    assert.equal(code, EXIT.ok);
    const written = (JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport).results[0];
    const { record } = await tuneController(loadConfig(CONFIG), "sta", {
      particles: 6,
      iterations: 3,
      scenarios: 2,
      workers: 0,
      robustnessRuns: 5,
    });
    const comparable = (r: TuneRecord) => ({ ...JSON.parse(JSON.stringify(r)), elapsedMs: 0 });
    assert.deepEqual(comparable(record), comparable(written));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tuneController() rejects a robustness run count out of range before tuning", async () => {
  const config = loadConfig(CONFIG);
  for (const robustnessRuns of [-1, 1.5, 3997, 5000, 1e8]) {
    let iterations = 0;
    await assert.rejects(
      tuneController(config, "sta", {
        particles: 2,
        iterations: 1,
        scenarios: 1,
        workers: 0,
        robustnessRuns,
        onIteration: () => iterations++,
      }),
      new RegExp(
        `^RangeError: robustnessRuns: must be an integer in \\[0, 3996\\] .*, got ${robustnessRuns}$`,
      ),
    );
    // It used to tune first and then die in the robustness check, losing the result.
    assert.equal(iterations, 0, `${robustnessRuns}: the tuning ran`);
  }
  assert.equal(maxRobustnessRuns(config), 3996);
});

Deno.test("tune main() refuses every numeric flag past its limit before any work, naming flag, value and range", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const long = `${dir}/long.yaml`;
    // 500 s runs: 50 001 samples each, so at most 79 robustness runs (and scenarios) fit one batch.
    await Deno.writeTextFile(
      long,
      (await Deno.readTextFile(CONFIG)).replace("duration: 10.0", "duration: 500.0"),
    );
    const range = (flag: string, lo: number, hi: number, value: string) =>
      new RegExp(`^--${flag}: must be an integer in \\[${lo}, ${hi}\\].*, got "${value}"\n`);
    const cases: [string[], RegExp][] = [
      [["--particles", "100000"], range("particles", 1, 10000, "100000")],
      [["--particles", "10001"], range("particles", 1, 10000, "10001")],
      [["--iters", "1000000000"], range("iters", 1, 100000, "1000000000")],
      [["--workers", "100000"], range("workers", 0, 1024, "100000")],
      [["--scenarios", "20000"], range("scenarios", 1, 3996, "20000")],
      [
        ["--scenarios", "3997"],
        /^--scenarios: .*\(as physics_uncertainty\.n_evals; scenarios × 1001 samples per run must fit the 4000000 state samples of one batch\)/,
      ],
      [["--robustness", "5000"], range("robustness", 0, 3996, "5000")],
      [["--robustness", "100000000"], range("robustness", 0, 3996, "100000000")],
      [["--config", long, "--robustness", "80"], range("robustness", 0, 79, "80")],
      [["--config", long, "--scenarios", "80", "--robustness", "5"], range("scenarios", 1, 79, "80")],
      [
        ["--config", long],
        /^--robustness: the default of 100 runs does not fit this config's runs: give an integer in \[0, 79\]/,
      ],
    ];
    using workers = trackWorkers();
    for (const [bad, message] of cases) {
      const { io, out, err } = capture();
      // Pre-aborted: a request that got past the checks would end "interrupted" (130), not hang.
      const signal = AbortSignal.abort();
      const args = ["--controller", "classical_smc", "--config", CONFIG, ...bad, ...outputs(dir).args];
      const code = await main(args, { ...io, signal });
      assert.equal(code, EXIT.usage, `${bad.join(" ")}: ${err.join("")}`);
      assert.match(err.join(""), message, bad.join(" "));
      assert.ok(err.join("").includes(TUNE_USAGE), `${bad.join(" ")}: no usage text`);
      assert.deepEqual(out, []);
    }
    // At the limits the same checks pass (the pre-aborted run then ends as interrupted).
    for (
      const ok of [[
        "--particles",
        "10000",
        "--scenarios",
        "3996",
        "--robustness",
        "3996",
        "--workers",
        "1024",
      ]]
    ) {
      const { io } = capture();
      const code = await main([
        "--controller",
        "classical_smc",
        "--config",
        CONFIG,
        ...ok,
        ...outputs(dir).args,
      ], {
        ...io,
        signal: AbortSignal.abort(),
      });
      assert.equal(code, EXIT.interrupted, ok.join(" "));
    }
    assert.equal(workers.created, 0, "a Worker was started for a refused request");
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["long.yaml"],
      "a refused run wrote files",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tune main() prints an invalid config's problems without the usage text, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/config.yaml`;
    // The DIP__PHYSICS_UNCERTAINTY__N_EVALS=5000 case, in the file: refused at load, naming both numbers.
    await Deno.writeTextFile(cfg, (await Deno.readTextFile(CONFIG)).replace("n_evals: 10", "n_evals: 5000"));
    const { io, out, err } = capture();
    const code = await main(["--controller", "classical_smc", "--config", cfg, ...outputs(dir).args], io);
    assert.equal(code, EXIT.usage);
    assert.match(
      err.join(""),
      /^Invalid configuration in .*config\.yaml \(1 problem\):\n {2}physics_uncertainty\.n_evals: 5000 scenarios × 1001 samples per run .* = 5005000 state samples, more than the 4000000/,
    );
    assert.ok(!err.join("").includes("Usage:"), err.join(""));
    assert.deepEqual(out, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tune main() saves what finished when a later controller fails, and exits 1 without a stack trace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { paths, args } = outputs(dir);
    const tiny = ["--all", ...TINY, "--workers", "0", "--quiet", ...args];
    const cases: { name: string; fail: (type: string, tuned: TunedController) => never; message: RegExp }[] =
      [
        {
          // The measurements of a finished tuning fail: its gains are saved, without results.
          name: "after classical_smc's tuning",
          fail: (type, tuned) => {
            throw new TuneFollowUpError(
              type,
              { bestGains: tuned.record.bestGains, bestFitness: tuned.record.bestCost } as TunerResult,
              "the robustness check",
              new RangeError("robustness runs: too many"),
            );
          },
          message:
            /^error: classical_smc: tuned \(best cost [\d.e+-]+\), then the robustness check failed: RangeError: robustness runs: too many; its gains are saved, it has no results\n/m,
        },
        {
          // A tuning itself fails (a Worker crash, say): what finished before it is saved.
          name: "during classical_smc's tuning",
          fail: () => {
            throw new Error("Worker 3 crashed");
          },
          message: /^error: tuning classical_smc failed: Error: Worker 3 crashed\n/m,
        },
      ];
    for (const c of cases) {
      await Deno.remove(`${dir}/out`, { recursive: true }).catch(() => {});
      const { io, out, err } = capture();
      const code = await main(tiny, {
        ...io,
        tuneController: async (cfg, type, options) => {
          const tuned = await tuneController(cfg, type, options);
          return type === "classical_smc" ? c.fail(type, tuned) : tuned;
        },
      });
      const text = err.join("");
      assert.equal(code, EXIT.failure, `${c.name}: ${text}`);
      assert.match(text, c.message, c.name);
      assert.match(text, /^error: not tuned: hybrid_adaptive_sta_smc, lqr, sta_smc$/m, c.name);
      assert.ok(!/\n\s+at /.test(text), `${c.name}: a stack trace was printed`);
      const saved = JSON.parse(await Deno.readTextFile(paths.gains)) as Record<string, number[]>;
      const printed = JSON.parse(out.at(-1)!) as Record<string, number[]>;
      assert.deepEqual(printed, saved, c.name);
      const expected = c.name.startsWith("after") ? ["adaptive_smc", "classical_smc"] : ["adaptive_smc"];
      assert.deepEqual(Object.keys(saved), expected, c.name);
      for (const [type, gains] of Object.entries(saved)) assert.ok(validateGains(type, gains).ok, type);
      // The measured controller's results are written too.
      const report = JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport;
      assert.deepEqual(report.results.map((r) => r.controller), ["adaptive_smc"], c.name);
      assert.ok(!out.some((line) => line.startsWith("gains: ")), "claims every file was written");
    }
    // Nothing finished at all: exit 1 with the reason, and nothing written.
    await Deno.remove(`${dir}/out`, { recursive: true }).catch(() => {});
    const { io, err } = capture();
    const code = await main(["--controller", "lqr", ...TINY, "--workers", "0", "--quiet", ...args], {
      ...io,
      tuneController: () => Promise.reject(new Error("Worker 1 crashed")),
    });
    assert.equal(code, EXIT.failure);
    assert.equal(
      err.join(""),
      "error: tuning lqr failed: Error: Worker 1 crashed\nno controller was tuned: nothing was written\n",
    );
    await assert.rejects(() => Deno.stat(`${dir}/out`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Output paths

/** A folder that the current user cannot write into, or undefined when there is none to be had. */
async function unwritableFolder(dir: string): Promise<string | undefined> {
  if (Deno.uid() !== 0) {
    const folder = `${dir}/read-only`;
    await Deno.mkdir(folder, { mode: 0o555 });
    return folder;
  }
  // root ignores permission bits; sysfs refuses new files even to root.
  try {
    return (await Deno.stat("/sys")).isDirectory ? "/sys" : undefined;
  } catch {
    return undefined;
  }
}

Deno.test({
  name: "concurrent: tune main() refuses an output path it cannot write before tuning, naming the flag",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/file`, folder = `${dir}/folder`, plain = `${dir}/plain.md`;
      await Deno.writeTextFile(file, "");
      await Deno.mkdir(folder);
      await Deno.writeTextFile(plain, "# no generated block\n");
      const ok = outputs(`${dir}/ok`).paths;
      const unwritable = await unwritableFolder(dir);
      if (unwritable === undefined) console.log("skipping the unwritable-folder case: no such folder here");
      const cases: [string[], RegExp][] = [
        [
          ["--out", `${file}/g.json`],
          /^--out: cannot write ".*\/file\/g\.json": ".*\/file" is a file, not a folder/,
        ],
        [
          ["--json", `${file}/a/b/r.json`],
          /^--json: cannot write ".*\/file\/a\/b\/r\.json": ".*\/file" is a file/,
        ],
        [["--report", folder], /^--report: cannot write ".*\/folder": it is a folder, give a file path/],
        [["--out", ok.json], /^--out and --json: both name ".*results\.json", give two files/],
        [
          ["--readme", "--readme-path", `${dir}/missing.md`],
          /^--readme-path: cannot rewrite ".*missing\.md": .*No such file/,
        ],
        [
          ["--readme", "--readme-path", plain],
          /^--readme-path: cannot rewrite ".*plain\.md": README section "results"/,
        ],
        ...(unwritable === undefined ? [] : [[
          ["--out", `${unwritable}/g.json`],
          /^--out: cannot write ".*\/g\.json": folder ".*" is not writable/,
        ] as [string[], RegExp]]),
      ];
      using workers = trackWorkers();
      for (const [bad, message] of cases) {
        const { io, out, err } = capture();
        const args = ["--out", ok.gains, "--json", ok.json, "--report", ok.html, ...bad];
        const code = await main(["--controller", "sta", ...TINY, "--workers", "1", ...args], io);
        assert.equal(code, EXIT.usage, bad.join(" "));
        assert.equal(err.length, 1, `${bad.join(" ")}: progress was printed, so tuning started`);
        assert.match(err[0], message);
        assert.ok(err[0].includes(TUNE_USAGE), `${bad.join(" ")}: no usage text`);
        assert.deepEqual(out, []);
      }
      assert.equal(workers.created, 0, "a Worker was started for a rejected run");
      const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(left, ["file", "folder", "plain.md", ...(Deno.uid() !== 0 ? ["read-only"] : [])]);
      assert.deepEqual([...Deno.readDirSync(folder)], []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tune main() prints the gains on stdout and exits 1 when a write fails after the tuning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { paths, args } = outputs(dir);
    const readme = `${dir}/README.md`;
    const original = "<!-- results:start -->\nold\n<!-- results:end -->\n";
    await Deno.writeTextFile(readme, original);
    for (const failing of [paths.gains, readme]) {
      // Passes the checks, then fails: as a disk that fills up or a folder removed mid-run would.
      const writeTextFile = async (path: string, text: string) => {
        if (path === failing) throw new Error("No space left on device (os error 28)");
        await Deno.mkdir(`${dir}/out`, { recursive: true });
        await Deno.writeTextFile(path, text);
      };
      const { io, out, err } = capture();
      const tiny = ["--controller", "classic_smc", ...TINY, "--workers", "0", "--quiet"];
      const code = await main([...tiny, "--readme", "--readme-path", readme, ...args], {
        ...io,
        writeTextFile,
      });
      assert.equal(code, EXIT.failure, failing);
      const flag = failing === readme ? "--readme-path" : "--out";
      assert.ok(
        err.join("").includes(
          `error: ${flag}: cannot write "${failing}": No space left on device (os error 28)\n`,
        ),
        err.join(""),
      );
      const report = JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport;
      const printed = out.at(-1)!;
      assert.deepEqual(JSON.parse(printed), { classical_smc: report.results[0].bestGains });
      assert.ok(!out.some((line) => line.startsWith("gains: ")), "claims the files were written");
      // The other outputs are still written: only the failing one is missing.
      const rewritten = await Deno.readTextFile(readme);
      assert.equal(rewritten === original, failing === readme);
      await Deno.writeTextFile(readme, original);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
