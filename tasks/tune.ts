/**
 * `deno task tune`: the toolkit's main job. Tunes controller gains with PSO on the robust control
 * cost (Workers), compares with the configured gains, checks robustness, and writes the gains JSON,
 * a results JSON, an HTML report with inline SVG, and (with --readme) README's results table.
 *
 * Every flag and output path is checked before the tuning starts; a failure afterwards (a write, a
 * later controller, the measurements of a finished tuning) prints the gains JSON to stdout, so a
 * finished tuning is never lost. Run with `--help` for the options ({@linkcode TUNE_USAGE}). With
 * `--nats <url>` the particles are evaluated by remote workers (`deno task worker`) with the same
 * result, a checkpoint is written after every iteration and `--resume` continues an interrupted
 * run from it (docs/distributed.md).
 *
 * @module
 */
import {
  type Config,
  CONFIG_LIMITS,
  ConfigError,
  CONTROLLER_TYPES,
  maxRunsPerBatch,
  simulationSamples,
} from "../config/mod.ts";
import { canonicalControllerType, UnknownControllerError } from "../factory/mod.ts";
import { MAX_WORKERS, type TunerProgress } from "../optimizer/mod.ts";
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
  createProgressLine,
  EXIT,
  formatOptions,
  intOption,
  loadConfigFlag,
  type OutputPath,
  parseCli,
  type TextFileWriter,
  UsageError,
  writeTextFileCreatingFolders,
} from "./cli.ts";
import { checkReadmeSection, updateReadmeSection } from "./readme.ts";
import { reportHtml, resultsMarkdown, type TuneReport, type TuneRuns } from "./tune_report.ts";
import {
  checkTuning,
  maxRobustnessRuns,
  tuneController,
  type TunedController,
  TuneFollowUpError,
  type TuneRecord,
  type TuneSettings,
} from "./tuning.ts";
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
  /**
   * The pipeline of one controller (default {@linkcode tuneController}). Tests inject one that fails
   * after a tuning to prove that what finished is still written.
   */
  readonly tuneController?: typeof tuneController;
}

const defaultIO: TuneIO = {
  stdout: (line) => console.log(line),
  stderr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  isTerminal: Deno.stderr.isTerminal(),
};

function progressReporter(io: TuneIO, label: string, suffix?: () => string): (p: TunerProgress) => void {
  const show = createProgressLine(io);
  return (p) => {
    const frac = p.iteration / p.maxIterations;
    const rate = p.evaluations / Math.max(1e-3, p.elapsedMs / 1000);
    const eta = p.iteration > 0 ? (p.elapsedMs / 1000) * (1 / frac - 1) : NaN;
    show(
      frac,
      `${label} it ${p.iteration}/${p.maxIterations} best ${p.bestCost.toPrecision(6)} ` +
        `${rate.toFixed(0)} eval/s ETA ${Number.isFinite(eta) ? eta.toFixed(1) : "?"} s${suffix?.() ?? ""}`,
    );
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

/**
 * Reads the numeric flags against the limits the config and the tuner use (the config's for
 * `--particles`, `--iters`, `--scenarios`; the tuner's for `--workers`; one batch of runs for
 * `--scenarios` and `--robustness`), so a request past them is a usage error naming the flag, not a
 * silent hour-long run or a crash after the tuning.
 */
function readBudget(values: CliValues<typeof TUNE_OPTIONS>, config: Config) {
  const samples = simulationSamples(config.simulation.duration, config.simulation.dt);
  const batch = `× ${samples} samples per run must fit the ${CONFIG_LIMITS.maxBatchSamples} state ` +
    "samples of one batch";
  const maxScenarios = Math.min(CONFIG_LIMITS.maxScenarioEvaluations, maxRunsPerBatch(samples));
  const maxRobustness = maxRobustnessRuns(config);
  const robustnessReason = `runs per kind ${batch}`;
  if (values.robustness === undefined && DEFAULT_ROBUSTNESS_RUNS > maxRobustness) {
    throw new UsageError(
      `--robustness: the default of ${DEFAULT_ROBUSTNESS_RUNS} runs does not fit this config's runs: give ` +
        `an integer in [0, ${maxRobustness}] (${robustnessReason})`,
    );
  }
  return {
    seed: intOption("seed", values.seed, 0),
    particles: intOption("particles", values.particles, 1, CONFIG_LIMITS.maxParticles, "as pso.n_particles"),
    iterations: intOption("iters", values.iters, 1, CONFIG_LIMITS.maxIterations, "as pso.iters"),
    workers: intOption("workers", values.workers, 0, MAX_WORKERS),
    scenarios: intOption(
      "scenarios",
      values.scenarios,
      1,
      maxScenarios,
      `as physics_uncertainty.n_evals; scenarios ${batch}`,
    ),
    robustnessRuns: intOption("robustness", values.robustness, 0, maxRobustness, robustnessReason) ??
      DEFAULT_ROBUSTNESS_RUNS,
  };
}

/** Runs per kind of the robustness check without `--robustness`. */
const DEFAULT_ROBUSTNESS_RUNS = 100;

/** Reads the arguments and the config, and checks every output path; throws UsageError or ConfigError. */
async function readRequest(values: CliValues<typeof TUNE_OPTIONS>): Promise<TuneRequest> {
  if (values.controller !== undefined && values.all) {
    throw new UsageError("--controller and --all: give one, not both");
  }
  const config = loadConfigFlag(values.config);
  const types = values.controller !== undefined
    ? [canonicalControllerType(values.controller)]
    : [...CONTROLLER_TYPES];
  const request: TuneRequest = {
    types,
    ...readBudget(values, config),
    config,
    quiet: values.quiet ?? false,
    gains: { flag: "--out", path: values.out ?? "out/gains.json" },
    json: { flag: "--json", path: values.json ?? "out/tune_results.json" },
    html: { flag: "--report", path: values.report ?? "out/report.html" },
    readme: values.readme ? { flag: "--readme-path", path: values["readme-path"] ?? "README.md" } : undefined,
    nats: readNatsTuneOptions(values),
  };
  // Whatever the flags left to the tuner (its own range and buffer checks) is refused here too,
  // before any Worker starts.
  for (const type of types) {
    try {
      checkTuning(config, type, request);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`cannot tune ${type}: ${error.message}`);
      throw error;
    }
  }
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
 * Bad arguments (a numeric flag past the limits the config and the tuner use, named with its
 * allowed range), an unknown controller, a config file that cannot be read and an output path that
 * cannot be written (a folder, a path under a regular file, a folder without write permission, a
 * README without its results block) are all reported before any tuning, with the usage text, and
 * return 2; an invalid config prints its problems alone and returns 2 too. After a tuning finished,
 * nothing is lost: a write that fails, or a controller whose tuning or measurements fail, prints
 * the gains JSON of what finished to stdout (and writes the files it can) and each failure to
 * stderr, and returns 1.
 *
 * With `--nats`, a distributed evaluation that fails (server lost, no worker, a chunk that failed
 * everywhere, a bad result) is such a failure, and the message names the checkpoint to `--resume`
 * from; a checkpoint that does not fit the run (unreadable, another setup, swarm size or chunk size)
 * is reported the same way but returns 2.
 *
 * @example Usage
 * ```ts ignore
 * const code = await main(["--controller", "sta", "--iters", "20"]);
 * ```
 *
 * @param args Command-line arguments.
 * @param io Output sinks (default: console and stderr), abort signal, file writer and pipeline.
 * @returns The exit code ({@linkcode EXIT}): 0 done, 1 a failure after the work started (the gains
 * of what finished are on stdout), 2 bad arguments, config, output path or (`--nats`) checkpoint,
 * 130 interrupted (best so far saved).
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
    if (error instanceof ConfigError) {
      // The config's problems alone: the usage text is for flag errors.
      io.stderr(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof UnknownControllerError) {
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
  // A failure ends the loop, never the task: what finished is still written (below).
  let failure: Failure | undefined;
  // With --nats: every remote worker whose results were used, over all controllers.
  const natsWorkers = new Set<string>();
  // Controllers whose tuning finished but whose measurements failed: their gains are saved too.
  const unmeasured: Record<string, number[]> = {};
  const tune = io.tuneController ?? tuneController;
  try {
    for (const type of request.types) {
      if (abort.signal.aborted) break;
      let nats: NatsTuning | undefined;
      try {
        nats = request.nats && await openNatsTuning(request.nats, type, io.stderr);
      } catch (error) {
        failure = { type, error };
        break;
      }
      let tuned;
      try {
        tuned = await tune(request.config, type, {
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
        if (error instanceof TuneFollowUpError) unmeasured[error.controller] = error.result.bestGains;
        // Interrupted before this controller's first iteration finished: it has no best to save.
        if (abort.signal.aborted && !(error instanceof TuneFollowUpError)) break;
        failure = { type, error, nats };
        break;
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
  const tunedGains = {
    ...Object.fromEntries(records.map((r) => [r.controller, r.bestGains])),
    ...unmeasured,
  };
  const problem = failure === undefined ? undefined : failureMessage(failure, request.types);
  const failed = failure !== undefined && badCheckpoint(failure) ? EXIT.usage : EXIT.failure;
  if (Object.keys(tunedGains).length === 0) {
    // Nothing finished: writing empty files would clobber the results of an earlier run.
    if (problem !== undefined) {
      io.stderr(`error: ${problem}\nno controller was tuned: nothing was written\n`);
      return failed;
    }
    io.stderr("interrupted before any controller was tuned: nothing was written\n");
    return EXIT.interrupted;
  }

  // Without a measured controller there is no results table (a tuning whose measurements failed
  // has only its gains): then only the gains file is written.
  const report: TuneReport | undefined = records.length === 0 ? undefined : {
    command: `deno task tune ${args.join(" ")}`.trim(),
    date: new Date().toISOString(),
    settings: request.nats ? { ...settings!, natsWorkers: natsWorkers.size } : settings!,
    aborted: abort.signal.aborted,
    results: records,
  };
  const gainsJson = JSON.stringify(tunedGains, null, 2) + "\n";
  const failures = await writeOutputs(
    request,
    report,
    runs,
    gainsJson,
    io.writeTextFile,
    problem === undefined,
  );

  io.stdout("");
  if (report !== undefined) io.stdout(resultsMarkdown(report));
  io.stdout("");
  if (failures.length > 0 || problem !== undefined) {
    // The one output that cannot be recomputed cheaply goes where it cannot fail to arrive.
    io.stdout(gainsJson.trimEnd());
    const lines = [...failures, ...(problem === undefined ? [] : [problem])];
    io.stderr(lines.map((f) => `error: ${f}\n`).join("") + "the tuned gains are printed on stdout\n");
    return problem === undefined ? EXIT.failure : failed;
  }
  io.stdout(`gains: ${request.gains.path}  results: ${request.json.path}  report: ${request.html.path}`);
  if (abort.signal.aborted) {
    io.stderr("interrupted: the best gains so far were saved\n");
    return EXIT.interrupted;
  }
  return EXIT.ok;
}

/** The failure that ended the tuning: the controller, the error, and its NATS run with `--nats`. */
interface Failure {
  readonly type: string;
  readonly error: unknown;
  readonly nats?: NatsTuning;
}

/**
 * Whether a `--nats` failure is the request's fault, not the run's: a file that is no checkpoint,
 * one written for another setup, swarm size or chunk size (the engine refuses the state, naming the
 * field), or a chunk too big for the server.
 */
function badCheckpoint({ error, nats }: Failure): boolean {
  return (error instanceof DistributedError && error.code === "config") ||
    (nats?.resumeFrom !== undefined && error instanceof RangeError &&
      /^(options|state)\./.test(error.message));
}

/** What to say about the failure that ended the tuning, and which controllers it left untuned. */
function failureMessage(failure: Failure, types: readonly string[]): string {
  const { type, error, nats } = failure;
  let why = error instanceof TuneFollowUpError
    ? `${error.message}; its gains are saved, it has no results`
    : `tuning ${type} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  if (nats && error instanceof RangeError && badCheckpoint(failure)) {
    why = `tuning ${type} failed: --resume: ${nats.checkpointPath} does not fit this run: ${error.message}`;
  } else if (nats && error instanceof DistributedError && error.code !== "config") {
    why += nats.hasCheckpoint()
      ? `\nerror: the swarm state of ${type}'s last completed iteration is in ${nats.checkpointPath}; rerun with --resume to continue`
      : `\nerror: no iteration of ${type} completed, so there is no checkpoint to resume from`;
  }
  const skipped = types.slice(types.indexOf(type) + 1);
  return skipped.length === 0 ? why : `${why}\nerror: not tuned: ${skipped.join(", ")}`;
}

/**
 * Writes every output, gains first (without a report only the gains; the README only for a
 * complete, successful run); returns one message per failed write (flag, path, reason).
 */
async function writeOutputs(
  request: TuneRequest,
  report: TuneReport | undefined,
  runs: TuneRuns,
  gainsJson: string,
  write: TextFileWriter = writeTextFileCreatingFolders,
  succeeded = true,
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
  if (report === undefined) return failures;
  await attempt(request.json, () => write(request.json.path, JSON.stringify(report, null, 2) + "\n"));
  await attempt(request.html, () => write(request.html.path, reportHtml(report, runs)));
  const readme = request.readme;
  if (readme && !report.aborted && succeeded) {
    await attempt(readme, () => updateReadmeSection(readme.path, "results", resultsMarkdown(report), write));
  }
  return failures;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
