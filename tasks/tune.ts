/**
 * `deno task tune`: the toolkit's main job. Tunes controller gains with PSO on the robust control
 * cost (Workers), compares with the configured gains, checks robustness, and writes the gains JSON,
 * a results JSON, an HTML report with inline SVG, and (with --readme) README's results table.
 *
 * ```
 * deno task tune [--controller <name> | --all] [--seed S] [--particles N] [--iters N] [--workers N]
 *                [--scenarios N] [--robustness N] [--config config.yaml] [--out out/gains.json]
 *                [--report out/report.html] [--json out/tune_results.json] [--readme]
 *                [--readme-path README.md] [--quiet] [--nats nats://host:4222 [--resume] …]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Config, ConfigError, CONTROLLER_TYPES, loadConfig } from "../config/mod.ts";
import { canonicalControllerType, createController, UnknownControllerError } from "../factory/mod.ts";
import {
  controlCost,
  createEvaluator,
  PSOTuner,
  robustnessCheck,
  type RobustnessResult,
  type TunerProgress,
  type TunerResult,
} from "../optimizer/mod.ts";
import { createPlant, runSettings, simulate, type Trajectory } from "../plant/mod.ts";
import { type ClosedLoopMetrics, closedLoopMetrics } from "./metrics.ts";
import { updateReadmeSection } from "./readme.ts";
import {
  checkNatsTuneFlags,
  DistributedError,
  NATS_TUNE_FLAGS,
  NATS_TUNE_USAGE,
  type NatsTuning,
  openNatsTuning,
} from "../distributed/mod.ts";
import { escapeXml, stackedChartsSvg } from "./svg.ts";

/** Usage text printed on bad arguments. */
export const TUNE_USAGE = `Usage: deno task tune [options]

  --controller <name>   tune one controller (type or alias)
  --all                 tune all four controllers (default when --controller is absent)
  --seed <int>          PSO seed (default pso.seed)
  --particles <int>     swarm size (default pso.n_particles)
  --iters <int>         iterations (default pso.iters)
  --workers <int>       Workers; 0 runs on the main thread (default: number of cores)
  --scenarios <int>     robust-cost scenarios per particle (default physics_uncertainty.n_evals)
  --robustness <int>    runs per kind for the robustness check (default 100; 0 skips it)
  --config <path>       config file (default config.yaml)
  --out <path>          gains JSON (default out/gains.json)
  --report <path>       HTML report (default out/report.html)
  --json <path>         results JSON (default out/tune_results.json)
  --readme              rewrite README.md's results table from the results
  --readme-path <path>  the README that --readme rewrites (default README.md)
  --quiet               no progress output
  -h, --help            this text
${NATS_TUNE_USAGE}`;

/** One controller's outcome, as written to the results JSON. */
export interface TuneRecord {
  readonly controller: string;
  readonly defaultGains: number[];
  readonly defaultCost: number;
  readonly bestGains: number[];
  readonly bestCost: number;
  readonly exitReason: string;
  readonly iterations: number;
  readonly evaluations: number;
  readonly elapsedMs: number;
  readonly tuned: ClosedLoopMetrics & { nominalCost: number };
  readonly baseline: ClosedLoopMetrics & { nominalCost: number };
  readonly robustness: RobustnessResult | null;
  readonly history: TunerResult["history"];
}

/** The results JSON. */
export interface TuneReport {
  readonly command: string;
  readonly date: string;
  readonly settings: {
    readonly particles: number;
    readonly iterations: number;
    readonly scenarios: number;
    readonly workers: number;
    readonly seed: number;
    readonly robustnessRuns: number;
  };
  readonly aborted: boolean;
  readonly results: TuneRecord[];
}

/** Where output goes; tests replace it. */
export interface TuneIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTerminal: boolean;
  /** Aborting it interrupts the run as Ctrl-C does (for tests and for embedding the task). */
  readonly signal?: AbortSignal;
}

const defaultIO: TuneIO = {
  stdout: (line) => console.log(line),
  stderr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  isTerminal: Deno.stderr.isTerminal(),
};

class UsageError extends Error {}

function intArg(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name}: must be an integer ≥ ${min}, got "${value}"`);
  }
  return n;
}

function progressReporter(io: TuneIO, label: string, suffix?: () => string): (p: TunerProgress) => void {
  let lastPrinted = -1;
  return (p) => {
    const frac = p.iteration / p.maxIterations;
    const rate = p.evaluations / Math.max(1e-3, p.elapsedMs / 1000);
    const eta = p.iteration > 0 ? (p.elapsedMs / 1000) * (1 / frac - 1) : NaN;
    const text = `${label} it ${p.iteration}/${p.maxIterations} best ${p.bestCost.toPrecision(6)} ` +
      `${rate.toFixed(0)} eval/s ETA ${Number.isFinite(eta) ? eta.toFixed(1) : "?"} s${suffix?.() ?? ""}`;
    if (io.isTerminal) {
      const width = 24, filled = Math.round(frac * width);
      io.stderr(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${text}\x1b[K`);
      if (p.iteration >= p.maxIterations) io.stderr("\n");
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== lastPrinted) {
        lastPrinted = decile;
        io.stderr(text + "\n");
      }
    }
  };
}

function nominalRun(config: Config, type: string, gains: readonly number[]): Trajectory {
  const sim = config.simulation;
  return simulate({
    plant: createPlant(config.physics, { model: sim.plant_model }),
    controller: createController(type, { config, gains }),
    x0: sim.initial_state,
    ...runSettings(sim),
  });
}

const fmt = (v: number | null, digits = 3) => v === null ? "—" : v.toFixed(digits);

/**
 * Renders the results as the Markdown table README.md shows.
 *
 * @example Usage
 * ```ts ignore
 * console.log(resultsMarkdown(report));
 * ```
 *
 * @param report The results JSON.
 * @returns Markdown.
 */
export function resultsMarkdown(report: TuneReport): string {
  const s = report.settings;
  const lines = [
    `Produced by \`${report.command}\` on ${
      report.date.slice(0, 10)
    } (${s.particles} particles × ${s.iterations} ` +
    `iterations, ${s.scenarios} scenarios per particle, seed ${s.seed}, ${s.workers} Workers). Costs are the robust ` +
    `cost (0.7·mean + 0.3·max over the scenarios); metrics are the nominal full-model run from ` +
    `simulation.initial_state; robustness counts runs that never fall and stay within 0.02 rad over the last 2 s.`,
    "",
    "| controller | default cost | tuned cost | tuned gains | status | settling [s] | max \\|θ1\\| [rad] | max \\|θ2\\| [rad] | max \\|x\\| [m] | max \\|u\\| [N] | robustness (physics / angles) | time [s] |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of report.results) {
    const rb = r.robustness
      ? `${r.robustness.physics.passed}/${r.robustness.physics.total} / ${r.robustness.initialAngles.passed}/${r.robustness.initialAngles.total} (${
        (100 * r.robustness.passRate).toFixed(1)
      } %)`
      : "not run";
    lines.push(
      `| ${r.controller} | ${r.defaultCost.toFixed(4)} | ${r.bestCost.toFixed(4)} | ${
        r.bestGains.map((g) => g.toFixed(4)).join(", ")
      } | ${r.tuned.status} | ${fmt(r.tuned.settlingTime, 2)} | ${fmt(r.tuned.maxTheta1)} | ${
        fmt(r.tuned.maxTheta2)
      } | ${fmt(r.tuned.maxX)} | ${fmt(r.tuned.maxU, 1)} | ${rb} | ${(r.elapsedMs / 1000).toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

function reportHtml(
  report: TuneReport,
  runs: Map<string, { tuned: Trajectory; baseline: Trajectory }>,
): string {
  const sections = report.results.map((r) => {
    const it = r.history.best.map((_, i) => i);
    const history = stackedChartsSvg([{
      // Costs fall by orders of magnitude once the swarm stops falling over: a log scale keeps the
      // late, small improvements visible.
      title: `${r.controller}: cost per iteration (log10)`,
      xLabel: "iteration",
      yLabel: "log10 cost",
      series: [
        { name: "best", t: it, y: r.history.best.map(Math.log10) },
        { name: "mean personal best", t: it, y: r.history.meanPersonalBest.map(Math.log10) },
      ],
    }]);
    const { tuned, baseline } = runs.get(r.controller)!;
    const col = (run: Trajectory, j: number) => {
      const n = run.t.length, out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = run.x[k * 6 + j];
      return out;
    };
    const pair = (title: string, j: number) => ({
      title,
      xLabel: "t [s]",
      series: [
        { name: "default gains", t: baseline.t, y: col(baseline, j) },
        { name: "tuned gains", t: tuned.t, y: col(tuned, j) },
      ],
    });
    const trajectories = stackedChartsSvg([
      { ...pair("θ1 [rad]", 1), guides: [{ y: 0.02, label: "+0.02" }, { y: -0.02, label: "−0.02" }] },
      { ...pair("θ2 [rad]", 2), guides: [{ y: 0.02, label: "+0.02" }, { y: -0.02, label: "−0.02" }] },
      pair("x [m]", 0),
      {
        title: "u [N]",
        xLabel: "t [s]",
        series: [
          { name: "default gains", t: baseline.t, y: baseline.u },
          { name: "tuned gains", t: tuned.t, y: tuned.u },
        ],
      },
    ]);
    return `<section><h2>${escapeXml(r.controller)}</h2>
<p>Robust cost: default ${r.defaultCost.toFixed(5)}, tuned ${r.bestCost.toFixed(5)} (${
      escapeXml(r.exitReason)
    }, ${r.evaluations} evaluations, ${(r.elapsedMs / 1000).toFixed(1)} s).
Tuned gains: <code>${r.bestGains.map((g) => g.toFixed(6)).join(", ")}</code>.
Nominal run: ${escapeXml(r.tuned.status)}, settling ${fmt(r.tuned.settlingTime, 2)} s, max |x| ${
      fmt(r.tuned.maxX)
    } m,
max |u| ${fmt(r.tuned.maxU, 1)} N.</p>
${history}
${trajectories}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dip-smc-pso tuning report</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}code{font-size:90%}</style></head>
<body><h1>dip-smc-pso tuning report</h1>
<p><code>${escapeXml(report.command)}</code>, ${escapeXml(report.date)}</p>
${sections.join("\n")}
</body></html>
`;
}

async function writeFile(path: string, text: string): Promise<void> {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(path, text);
}

/**
 * Runs the tune task.
 *
 * @example Usage
 * ```ts ignore
 * const code = await main(["--controller", "sta", "--iters", "20"]);
 * ```
 *
 * @param args Command-line arguments.
 * @param io Output sinks (default: console and stderr).
 * @returns The exit code: 0 done, 1 distributed evaluation failed (--nats), 2 bad arguments or config,
 * 130 interrupted (best so far saved).
 */
export async function main(args: string[], io: TuneIO = defaultIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        controller: { type: "string" },
        all: { type: "boolean" },
        seed: { type: "string" },
        particles: { type: "string" },
        iters: { type: "string" },
        workers: { type: "string" },
        scenarios: { type: "string" },
        robustness: { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
        report: { type: "string" },
        json: { type: "string" },
        readme: { type: "boolean" },
        "readme-path": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...NATS_TUNE_FLAGS,
      },
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${TUNE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(TUNE_USAGE);
    return 0;
  }
  let config: Config, types: string[], seed, particles, iters, workers, scenarios, robustnessRuns: number;
  let useNats: boolean;
  try {
    if (values.controller !== undefined && values.all) {
      throw new UsageError("--controller and --all: give one, not both");
    }
    types = values.controller !== undefined
      ? [canonicalControllerType(values.controller)]
      : [...CONTROLLER_TYPES];
    seed = intArg("seed", values.seed, 0);
    particles = intArg("particles", values.particles, 1);
    iters = intArg("iters", values.iters, 1);
    workers = intArg("workers", values.workers, 0);
    scenarios = intArg("scenarios", values.scenarios, 1);
    robustnessRuns = intArg("robustness", values.robustness, 0) ?? 100;
    config = loadConfig(values.config ?? "config.yaml");
    useNats = checkNatsTuneFlags(values);
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof UnknownControllerError ||
      error instanceof ConfigError ||
      (error instanceof DistributedError && error.code === "config")
    ) {
      io.stderr(`${error.message}\n\n${TUNE_USAGE}\n`);
      return 2;
    }
    throw error;
  }

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    listening = true;
  } catch { /* no signal support (e.g. Windows without a console): Ctrl-C then ends the process */ }
  io.signal?.addEventListener("abort", onSigint, { once: true });
  if (io.signal?.aborted) onSigint();

  const records: TuneRecord[] = [];
  const runs = new Map<string, { tuned: Trajectory; baseline: Trajectory }>();
  let settings: TuneReport["settings"] | undefined;
  try {
    for (const type of types) {
      if (abort.signal.aborted) break;
      let nats: NatsTuning | undefined;
      try {
        nats = useNats ? await openNatsTuning(values, type, io.stderr) : undefined;
      } catch (error) {
        if (!(error instanceof DistributedError)) throw error;
        io.stderr(`${type}: ${error.message}\n`);
        return error.code === "config" ? 2 : 1;
      }
      const tuner = new PSOTuner({
        controllerType: type,
        config,
        seed,
        numParticles: particles,
        numIterations: iters,
        numWorkers: workers,
        scenarios,
        signal: abort.signal,
        onIteration: values.quiet ? undefined : progressReporter(io, type, nats?.describe),
        backend: nats?.backend,
        resumeFrom: nats?.resumeFrom,
        onCheckpoint: nats?.onCheckpoint,
      });
      settings ??= {
        particles: tuner.numParticles,
        iterations: tuner.numIterations,
        scenarios: tuner.scenarios.length,
        workers: tuner.numWorkers,
        seed: tuner.seed,
        robustnessRuns,
      };
      let result: TunerResult;
      try {
        result = await tuner.optimize();
      } catch (error) {
        // Interrupted before this controller's first iteration finished: it has no best to save.
        if (abort.signal.aborted) break;
        if (error instanceof DistributedError) {
          io.stderr(
            `${type}: ${error.message}\n` +
              `${type}: the swarm state of the last completed iteration is in ${nats!.checkpointPath}; ` +
              `rerun with --resume to continue\n`,
          );
          return error.code === "config" ? 2 : 1;
        }
        throw error;
      } finally {
        await nats?.close();
      }
      const t = type as (typeof CONTROLLER_TYPES)[number];
      const defaultGains = [...(config.controllers[t].gains ?? config.controller_defaults[t].gains)];
      const defaultCost = createEvaluator(tuner.setup).cost(defaultGains);
      const tunedRun = nominalRun(config, type, result.bestGains);
      const baseRun = nominalRun(config, type, defaultGains);
      runs.set(type, { tuned: tunedRun, baseline: baseRun });
      records.push({
        controller: type,
        defaultGains,
        defaultCost,
        bestGains: result.bestGains,
        bestCost: result.bestFitness,
        exitReason: result.exitReason,
        iterations: result.iterations,
        evaluations: result.evaluations,
        elapsedMs: result.elapsedMs,
        tuned: {
          ...closedLoopMetrics(tunedRun),
          nominalCost: controlCost(tunedRun, config.cost_function).total,
        },
        baseline: {
          ...closedLoopMetrics(baseRun),
          nominalCost: controlCost(baseRun, config.cost_function).total,
        },
        robustness: robustnessRuns > 0
          ? robustnessCheck({ config, controllerType: type, gains: result.bestGains, runs: robustnessRuns })
          : null,
        history: result.history,
      });
    }
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
    io.signal?.removeEventListener("abort", onSigint);
  }
  if (records.length === 0) {
    // Only an interrupt ends the loop with nothing done; writing empty files would clobber the
    // results of an earlier run.
    io.stderr("interrupted before any controller was tuned: nothing was written\n");
    return 130;
  }

  const report: TuneReport = {
    command: `deno task tune ${args.join(" ")}`.trim(),
    date: new Date().toISOString(),
    settings: settings!,
    aborted: abort.signal.aborted,
    results: records,
  };
  const gainsPath = values.out ?? "out/gains.json";
  const jsonPath = values.json ?? "out/tune_results.json";
  const htmlPath = values.report ?? "out/report.html";
  await writeFile(
    gainsPath,
    JSON.stringify(Object.fromEntries(records.map((r) => [r.controller, r.bestGains])), null, 2) + "\n",
  );
  await writeFile(jsonPath, JSON.stringify(report, null, 2) + "\n");
  await writeFile(htmlPath, reportHtml(report, runs));
  if (values.readme && !report.aborted) {
    await updateReadmeSection(values["readme-path"] ?? "README.md", "results", resultsMarkdown(report));
  }

  io.stdout("");
  io.stdout(resultsMarkdown(report));
  io.stdout("");
  io.stdout(`gains: ${gainsPath}  results: ${jsonPath}  report: ${htmlPath}`);
  if (report.aborted) {
    io.stderr("interrupted: the best gains so far were saved\n");
    return 130;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
