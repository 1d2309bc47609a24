/**
 * `deno task tune`: the toolkit's main job. Tunes controller gains with PSO on the robust control
 * cost (Workers), compares with the configured gains, checks robustness, and writes the gains JSON,
 * a results JSON, an HTML report with inline SVG, and (with --readme) README's results table.
 *
 * Every output path is checked before the tuning starts; a write that still fails afterwards
 * prints the gains JSON to stdout, so a finished tuning is never lost. Run with `--help` for the
 * options ({@linkcode TUNE_USAGE}). With `--nats <url>` the particles are evaluated by remote workers
 * (`deno task worker`) with the same result, a checkpoint is written after every iteration and
 * `--resume` continues an interrupted run from it (docs/distributed.md).
 *
 * @module
 */
import { type Config, ConfigError, CONTROLLER_TYPES, loadConfig } from "../config/mod.ts";
import { canonicalControllerType, UnknownControllerError } from "../factory/mod.ts";
import type { TunerProgress } from "../optimizer/mod.ts";
import {
  checkpointPath,
  DistributedError,
  type NatsTuning,
  type NatsTuningOptions,
  openNatsTuning,
} from "../distributed/mod.ts";
import {
  checkOutputPaths,
  type CliOptions,
  type CliValues,
  EXIT,
  formatOptions,
  intOption,
  type OutputPath,
  parseCli,
  type TextFileWriter,
  UsageError,
  writeTextFileCreatingFolders,
} from "./cli.ts";
import { checkReadmeSection, updateReadmeSection } from "./readme.ts";
import { reportHtml, resultsMarkdown, type TuneReport, type TuneRuns } from "./tune_report.ts";
import { tuneController, type TunedController, type TuneRecord, type TuneSettings } from "./tuning.ts";
import { NATS_TUNE_OPTIONS, readNatsTuneOptions } from "./tune_nats.ts";

/** The tune task's options: `parseArgs` reads this table and {@linkcode TUNE_USAGE} is made from it. */
export const TUNE_OPTIONS = {
  controller: { type: "string", arg: "<name>", description: "tune one controller (type or alias)" },
  all: { type: "boolean", description: "tune every controller type (default when --controller is absent)" },
  seed: { type: "string", arg: "<int>", description: "PSO seed (default pso.seed)" },
  particles: { type: "string", arg: "<int>", description: "swarm size (default pso.n_particles)" },
  iters: { type: "string", arg: "<int>", description: "iterations (default pso.iters)" },
  workers: {
    type: "string",
    arg: "<int>",
    description: "Workers; 0 runs on the main thread (default: number of cores)",
  },
  scenarios: {
    type: "string",
    arg: "<int>",
    description: "robust-cost scenarios per particle (default physics_uncertainty.n_evals)",
  },
  robustness: {
    type: "string",
    arg: "<int>",
    description: "runs per kind for the robustness check (default 100; 0 skips it)",
  },
  config: { type: "string", arg: "<path>", description: "config file (default config.yaml)" },
  out: { type: "string", arg: "<path>", description: "gains JSON (default out/gains.json)" },
  report: { type: "string", arg: "<path>", description: "HTML report (default out/report.html)" },
  json: { type: "string", arg: "<path>", description: "results JSON (default out/tune_results.json)" },
  readme: { type: "boolean", description: "rewrite README.md's results table from the results" },
  "readme-path": {
    type: "string",
    arg: "<path>",
    description: "the README that --readme rewrites (default README.md)",
  },
  quiet: { type: "boolean", description: "no progress output" },
  ...NATS_TUNE_OPTIONS,
  help: { type: "boolean", short: "h", description: "this text" },
} as const satisfies CliOptions;

/** Usage text printed by `--help` and on bad arguments, generated from {@linkcode TUNE_OPTIONS}. */
export const TUNE_USAGE = `Usage: deno task tune [options]

${formatOptions(TUNE_OPTIONS)}`;

/** Where output goes; tests replace it. */
export interface TuneIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTerminal: boolean;
  /** Aborting it interrupts the run as Ctrl-C does (for tests and for embedding the task). */
  readonly signal?: AbortSignal;
  /**
   * Writes each output file after the tuning (default: creates the missing folders, then writes).
   * Tests inject one that fails to prove the gains still reach stdout.
   */
  readonly writeTextFile?: TextFileWriter;
}

const defaultIO: TuneIO = {
  stdout: (line) => console.log(line),
  stderr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  isTerminal: Deno.stderr.isTerminal(),
};

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

/** The parsed request: what to tune, with which budget, and where the results go. */
interface TuneRequest {
  readonly config: Config;
  readonly types: readonly string[];
  readonly seed?: number;
  readonly particles?: number;
  readonly iterations?: number;
  readonly workers?: number;
  readonly scenarios?: number;
  readonly robustnessRuns: number;
  readonly quiet: boolean;
  readonly gains: OutputPath;
  readonly json: OutputPath;
  readonly html: OutputPath;
  /** The README to rewrite, or undefined without --readme. */
  readonly readme?: OutputPath;
  /** With --nats: the NATS run options (each controller's checkpoint is under its folder). */
  readonly nats?: NatsTuningOptions;
}

/** Reads the arguments and the config, and checks every output path; throws UsageError or ConfigError. */
async function readRequest(values: CliValues<typeof TUNE_OPTIONS>): Promise<TuneRequest> {
  if (values.controller !== undefined && values.all) {
    throw new UsageError("--controller and --all: give one, not both");
  }
  const types = values.controller !== undefined
    ? [canonicalControllerType(values.controller)]
    : [...CONTROLLER_TYPES];
  const request: TuneRequest = {
    types,
    seed: intOption("seed", values.seed, 0),
    particles: intOption("particles", values.particles, 1),
    iterations: intOption("iters", values.iters, 1),
    workers: intOption("workers", values.workers, 0),
    scenarios: intOption("scenarios", values.scenarios, 1),
    robustnessRuns: intOption("robustness", values.robustness, 0) ?? 100,
    config: loadConfig(values.config ?? "config.yaml"),
    quiet: values.quiet ?? false,
    gains: { flag: "--out", path: values.out ?? "out/gains.json" },
    json: { flag: "--json", path: values.json ?? "out/tune_results.json" },
    html: { flag: "--report", path: values.report ?? "out/report.html" },
    readme: values.readme ? { flag: "--readme-path", path: values["readme-path"] ?? "README.md" } : undefined,
    nats: readNatsTuneOptions(values),
  };
  // Before the tuning, not after it: a path that cannot be written used to end a finished run with
  // an uncaught error, and the gains were lost.
  const { gains, json, html, readme, nats } = request;
  const checkpoints: OutputPath[] = nats
    ? types.map((type) => ({ flag: "--checkpoint", path: checkpointPath(nats.checkpointDir, type) }))
    : [];
  await checkOutputPaths([...(readme ? [gains, json, html, readme] : [gains, json, html]), ...checkpoints]);
  if (readme) await checkReadmeSection(readme.flag, readme.path, "results");
  return request;
}

/**
 * Runs the tune task.
 *
 * Bad arguments, an unknown controller, a config that cannot be loaded and an output path that
 * cannot be written (a folder, a path under a regular file, a folder without write permission, a
 * README without its results block) are all reported before any tuning, with the usage text, and
 * return 2. A write that fails after the tuning prints the gains JSON to stdout and each failure to
 * stderr, and returns 1.
 *
 * @example Usage
 * ```ts ignore
 * const code = await main(["--controller", "sta", "--iters", "20"]);
 * ```
 *
 * @param args Command-line arguments.
 * @param io Output sinks (default: console and stderr), abort signal and file writer.
 * With `--nats`, a distributed evaluation that fails (server lost, no worker, a chunk that failed
 * everywhere, a bad result) stops the task with the message and the checkpoint to `--resume` from,
 * and returns 1; a checkpoint that does not fit the run returns 2.
 *
 * @returns The exit code ({@linkcode EXIT}): 0 done, 1 an output could not be written (the gains
 * are on stdout) or (`--nats`) the distributed evaluation failed, 2 bad arguments, config, output
 * path or checkpoint, 130 interrupted (best so far saved).
 */
export async function main(args: string[], io: TuneIO = defaultIO): Promise<number> {
  let request: TuneRequest;
  try {
    const values = parseCli(args, TUNE_OPTIONS);
    if (values.help) {
      io.stdout(TUNE_USAGE);
      return EXIT.ok;
    }
    request = await readRequest(values);
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof UnknownControllerError || error instanceof ConfigError
    ) {
      io.stderr(`${error.message}\n\n${TUNE_USAGE}\n`);
      return EXIT.usage;
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
  const runs = new Map<string, TunedController["runs"]>();
  let settings: TuneSettings | undefined;
  const natsWorkers = new Set<string>();
  try {
    for (const type of request.types) {
      if (abort.signal.aborted) break;
      let nats: NatsTuning | undefined;
      try {
        nats = request.nats && await openNatsTuning(request.nats, type, io.stderr);
      } catch (error) {
        if (!(error instanceof DistributedError)) throw error;
        io.stderr(`${type}: ${error.message}\n`);
        return EXIT.usage;
      }
      let tuned;
      try {
        tuned = await tuneController(request.config, type, {
          seed: request.seed,
          particles: request.particles,
          iterations: request.iterations,
          workers: request.workers,
          scenarios: request.scenarios,
          robustnessRuns: request.robustnessRuns,
          signal: abort.signal,
          onIteration: request.quiet ? undefined : progressReporter(io, type, nats?.describe),
          backend: nats?.backend,
          resumeFrom: nats?.resumeFrom,
          onCheckpoint: nats?.onCheckpoint,
        });
      } catch (error) {
        // Interrupted before this controller's first iteration finished: it has no best to save.
        if (abort.signal.aborted) break;
        if (nats) {
          const code = reportNatsFailure(io, type, nats, error);
          if (code !== undefined) return code;
        }
        throw error;
      } finally {
        for (const id of nats?.workerIds() ?? []) natsWorkers.add(id);
      }
      settings ??= tuned.settings;
      records.push(tuned.record);
      runs.set(tuned.record.controller, tuned.runs);
    }
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
    io.signal?.removeEventListener("abort", onSigint);
  }
  if (records.length === 0) {
    // Only an interrupt ends the loop with nothing done; writing empty files would clobber the
    // results of an earlier run.
    io.stderr("interrupted before any controller was tuned: nothing was written\n");
    return EXIT.interrupted;
  }

  const report: TuneReport = {
    command: `deno task tune ${args.join(" ")}`.trim(),
    date: new Date().toISOString(),
    settings: request.nats ? { ...settings!, natsWorkers: natsWorkers.size } : settings!,
    aborted: abort.signal.aborted,
    results: records,
  };
  const gainsJson =
    JSON.stringify(Object.fromEntries(records.map((r) => [r.controller, r.bestGains])), null, 2) + "\n";
  const failures = await writeOutputs(request, report, runs, gainsJson, io.writeTextFile);

  io.stdout("");
  io.stdout(resultsMarkdown(report));
  io.stdout("");
  if (failures.length > 0) {
    // The one output that cannot be recomputed cheaply goes where it cannot fail to arrive.
    io.stdout(gainsJson.trimEnd());
    io.stderr(failures.map((f) => `error: ${f}\n`).join("") + "the tuned gains are printed on stdout\n");
    return EXIT.failure;
  }
  io.stdout(`gains: ${request.gains.path}  results: ${request.json.path}  report: ${request.html.path}`);
  if (report.aborted) {
    io.stderr("interrupted: the best gains so far were saved\n");
    return EXIT.interrupted;
  }
  return EXIT.ok;
}

/**
 * Tells what stopped a `--nats` run and returns its exit code, or `undefined` for an error that is
 * not the distributed evaluation's (rethrown by the caller).
 */
function reportNatsFailure(io: TuneIO, type: string, nats: NatsTuning, error: unknown): number | undefined {
  if (nats.resumeFrom && error instanceof RangeError && /^(options|state)\./.test(error.message)) {
    // The engine refuses a state that does not fit the run (another swarm size, corrupt arrays).
    io.stderr(`${type}: --resume: ${nats.checkpointPath} does not fit this run: ${error.message}\n`);
    return EXIT.usage;
  }
  if (!(error instanceof DistributedError)) return undefined;
  io.stderr(`${type}: ${error.message}\n`);
  if (error.code === "config") return EXIT.usage;
  io.stderr(
    nats.hasCheckpoint()
      ? `${type}: the swarm state of the last completed iteration is in ${nats.checkpointPath}; rerun with --resume to continue\n`
      : `${type}: no iteration completed, so there is no checkpoint to resume from\n`,
  );
  return EXIT.failure;
}

/** Writes every output, gains first; returns one message per failed write (flag, path, reason). */
async function writeOutputs(
  request: TuneRequest,
  report: TuneReport,
  runs: TuneRuns,
  gainsJson: string,
  write: TextFileWriter = writeTextFileCreatingFolders,
): Promise<string[]> {
  const failures: string[] = [];
  const attempt = async ({ flag, path }: OutputPath, job: () => Promise<void>) => {
    try {
      await job();
    } catch (error) {
      failures.push(`${flag}: cannot write "${path}": ${(error as Error).message}`);
    }
  };
  await attempt(request.gains, () => write(request.gains.path, gainsJson));
  await attempt(request.json, () => write(request.json.path, JSON.stringify(report, null, 2) + "\n"));
  await attempt(request.html, () => write(request.html.path, reportHtml(report, runs)));
  const readme = request.readme;
  if (readme && !report.aborted) {
    await attempt(readme, () => updateReadmeSection(readme.path, "results", resultsMarkdown(report), write));
  }
  return failures;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
