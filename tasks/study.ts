/**
 * `deno task study`: compares every controller under the same stress — nominal run, disturbance
 * scenarios, Monte-Carlo robustness, basin of attraction — and writes `DIR/study.json` and
 * `DIR/study.html` (docs/study.md).
 *
 * @module
 */
import { join } from "node:path";
import { type Config, CONFIG_LIMITS, ConfigError } from "../config/mod.ts";
import { canonicalControllerType, GainValidationError, UnknownControllerError } from "../factory/mod.ts";
import { runStudy, type StudyProgress, type StudyResult } from "../study/mod.ts";
import {
  checkOutputPaths,
  type CliOptions,
  createProgressLine,
  EXIT,
  formatOptions,
  intOption,
  loadConfigFlag,
  parseCli,
  UsageError,
  writeTextFileCreatingFolders,
} from "./cli.ts";
import { readGainsFile } from "./gains_file.ts";
import { checkReadmeSection, updateReadmeSection } from "./readme.ts";
import { comparisonMarkdown, studyHtml } from "./study_report.ts";

/** Where output goes; tests replace it. */
export interface StudyIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTerminal: boolean;
  /** Aborting it interrupts the study as Ctrl-C does. */
  readonly signal?: AbortSignal;
}

const defaultIO: StudyIO = {
  stdout: (line) => console.log(line),
  stderr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  isTerminal: Deno.stderr.isTerminal(),
};

/** The most study Workers `--workers` starts. */
const MAX_STUDY_WORKERS = 256;

/** The study's options: `parseCli` reads this table and {@linkcode STUDY_USAGE} is made from it. */
export const STUDY_OPTIONS = {
  controllers: {
    type: "string",
    arg: "a,b,…",
    description: "controllers or aliases (default study.controllers)",
  },
  "gains-file": {
    type: "string",
    arg: "<path>",
    description: 'JSON { "<controller>": [gains…] } as written by `deno task tune`',
  },
  mc: {
    type: "string",
    arg: "<int>",
    description: "Monte-Carlo runs per controller (default study.monte_carlo.runs)",
  },
  sampling: {
    type: "string",
    arg: "lhs|sobol",
    description: "Monte-Carlo sampler (default study.monte_carlo.sampling)",
  },
  grid: {
    type: "string",
    arg: "<int>",
    description: "basin grid points per axis (default study.basin.grid)",
  },
  range: { type: "string", arg: "<rad>", description: "basin half-width (default study.basin.range)" },
  seed: {
    type: "string",
    arg: "<int>",
    description: "seed of every draw (default study.seed, else global_seed)",
  },
  workers: {
    type: "string",
    arg: "<int>",
    description: "study Workers; 0 runs on the main thread (default 2)",
  },
  config: { type: "string", arg: "<path>", description: "config file (default config.yaml)" },
  out: {
    type: "string",
    arg: "<dir>",
    description: "output folder for study.json and study.html (default out/study)",
  },
  readme: { type: "boolean", description: "rewrite README.md's study table from the result" },
  "readme-path": {
    type: "string",
    arg: "<path>",
    description: "the README that --readme rewrites (default README.md)",
  },
  quiet: { type: "boolean", description: "no progress output" },
  help: { type: "boolean", short: "h", description: "show this help" },
} as const satisfies CliOptions;

/** The usage text, generated from {@linkcode STUDY_OPTIONS}. */
export const STUDY_USAGE = `Usage: deno task study [options]

Compares controllers under the same stress: nominal run, disturbance scenarios, Monte-Carlo
robustness and basin of attraction; writes <dir>/study.json and <dir>/study.html.

Options:
${formatOptions(STUDY_OPTIONS)}

Exit codes: 0 done, 1 failed, 2 bad arguments, config or output path, 130 interrupted (the finished
parts are written).`;

function progressReporter(io: StudyIO): (p: StudyProgress) => void {
  const started = performance.now();
  const show = createProgressLine(io);
  return (p) => {
    const frac = p.done / p.total;
    const elapsed = (performance.now() - started) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : NaN;
    show(
      frac,
      `study ${p.part} ${p.done}/${p.total} runs ETA ${Number.isFinite(eta) ? eta.toFixed(1) : "?"} s`,
      p.part,
    );
  };
}

/**
 * Runs the study task.
 *
 * @example Usage
 * ```ts ignore
 * const code = await main(["--controllers", "classical,lqr", "--mc", "100", "--grid", "11"]);
 * ```
 *
 * @param args Command-line arguments.
 * @param io Output sinks.
 * @returns The exit code: 0 done, 1 failed, 2 bad arguments or config, 130 interrupted.
 */
export async function main(args: string[], io: StudyIO = defaultIO): Promise<number> {
  let values;
  try {
    values = parseCli(args, STUDY_OPTIONS);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${STUDY_USAGE}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(STUDY_USAGE);
    return EXIT.ok;
  }
  let config: Config, gains: Record<string, number[]> | undefined, controllers: string[] | undefined;
  let mc, grid, seed, workers, range: number | undefined;
  const outDir = values.out ?? join("out", "study");
  try {
    // The same limits as the config's study section. Run size needs no flag limit: the runs go in
    // chunks that fit one batch whatever --mc, --grid and the run length.
    mc = intOption("mc", values.mc, 1, CONFIG_LIMITS.maxMonteCarloRuns, "as study.monte_carlo.runs");
    grid = intOption(
      "grid",
      values.grid,
      CONFIG_LIMITS.minBasinGrid,
      CONFIG_LIMITS.maxBasinGrid,
      "points per axis, as study.basin.grid",
    );
    seed = intOption("seed", values.seed, 0);
    workers = intOption("workers", values.workers, 0, MAX_STUDY_WORKERS);
    if (values.range !== undefined) {
      range = Number(values.range);
      if (!(range > 0 && range <= CONFIG_LIMITS.maxBasinRange)) {
        throw new UsageError(
          `--range: must be a number in (0, ${CONFIG_LIMITS.maxBasinRange}], got "${values.range}"`,
        );
      }
    }
    config = loadConfigFlag(values.config);
    controllers = values.controllers?.split(",").map((s) => canonicalControllerType(s));
    gains = values["gains-file"] === undefined ? undefined : readGainsFile(values["gains-file"]);
    if (values.sampling !== undefined && values.sampling !== "lhs" && values.sampling !== "sobol") {
      throw new UsageError(`--sampling: must be "lhs" or "sobol", got "${values.sampling}"`);
    }
    const readmePath = values["readme-path"] ?? "README.md";
    await checkOutputPaths([
      { flag: "--out", path: join(outDir, "study.json") },
      { flag: "--out", path: join(outDir, "study.html") },
      ...(values.readme ? [{ flag: "--readme-path", path: readmePath }] : []),
    ]);
    if (values.readme) await checkReadmeSection("--readme-path", readmePath, "study");
  } catch (error) {
    if (error instanceof ConfigError) {
      // The config's problems alone: the usage text is for flag errors.
      io.stderr(`${error.message}\n`);
      return EXIT.usage;
    }
    if (
      error instanceof UsageError || error instanceof UnknownControllerError ||
      error instanceof GainValidationError
    ) {
      io.stderr(`${error.message}\n\n${STUDY_USAGE}\n`);
      return EXIT.usage;
    }
    throw error;
  }

  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("interrupted (SIGINT)"));
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    listening = true;
  } catch { /* no signal support here: Ctrl-C then ends the process */ }
  io.signal?.addEventListener("abort", onSigint, { once: true });
  if (io.signal?.aborted) onSigint();

  let result: StudyResult;
  try {
    const study = await runStudy(config, {
      controllers,
      gains,
      monteCarloRuns: mc,
      sampling: values.sampling as "lhs" | "sobol" | undefined,
      grid,
      range,
      seed,
      workers,
      signal: abort.signal,
      onProgress: values.quiet ? undefined : progressReporter(io),
    });
    result = study.result;
    await writeTextFileCreatingFolders(join(outDir, "study.json"), JSON.stringify(result, null, 1) + "\n");
    await writeTextFileCreatingFolders(join(outDir, "study.html"), studyHtml(result, study.recordings));
  } catch (error) {
    if (error instanceof GainValidationError) {
      io.stderr(`${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`study failed: ${(error as Error).message}\n`);
    return EXIT.failure;
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
  }
  const table = comparisonMarkdown(result);
  const produced = `Produced by \`deno task study${args.length ? " " + args.join(" ") : ""}\` on ${
    new Date().toISOString().slice(0, 10)
  } (seed ${result.seed}, ${result.settings.monteCarlo.runs} Monte-Carlo runs (${result.settings.monteCarlo.sampling}), ${result.settings.basin.grid} × ${result.settings.basin.grid} basin grid over ±${result.settings.basin.range} rad, ${
    (result.elapsedMs / 1000).toFixed(1)
  } s).`;
  io.stdout(
    `${produced}\n\n${table}\n\nstudy: ${join(outDir, "study.json")}  page: ${join(outDir, "study.html")}`,
  );
  if (!result.complete) {
    io.stderr(
      `interrupted: finished parts (${result.partsDone.join(", ") || "none"}) written to ${outDir}\n`,
    );
    return EXIT.interrupted;
  }
  if (values.readme) {
    await updateReadmeSection(values["readme-path"] ?? "README.md", "study", `${produced}\n\n${table}`);
  }
  return EXIT.ok;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
