/**
 * `deno task study`: compares every controller under the same stress — nominal run, disturbance
 * scenarios, Monte-Carlo robustness, basin of attraction — and writes `DIR/study.json` and
 * `DIR/study.html` (docs/study.md).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { type Config, ConfigError, loadConfig } from "../config/mod.ts";
import { canonicalControllerType, GainValidationError, UnknownControllerError } from "../factory/mod.ts";
import { runStudy, type StudyProgress, type StudyResult } from "../study/mod.ts";
import { updateReadmeSection } from "./readme.ts";
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

/** The study's flags: one table for the parser and the usage text, so they cannot disagree. */
const FLAGS = {
  controllers: { type: "string", arg: "a,b,…", help: "controllers or aliases (default: study.controllers)" },
  "gains-file": {
    type: "string",
    arg: "f",
    help: "gains per controller, e.g. out/gains.json from deno task tune",
  },
  mc: { type: "string", arg: "N", help: "Monte-Carlo runs per controller (default study.monte_carlo.runs)" },
  sampling: {
    type: "string",
    arg: "lhs|sobol",
    help: "Monte-Carlo sampler (default study.monte_carlo.sampling)",
  },
  grid: { type: "string", arg: "N", help: "basin grid points per axis (default study.basin.grid)" },
  range: { type: "string", arg: "R", help: "basin half-width in rad (default study.basin.range)" },
  seed: { type: "string", arg: "S", help: "seed of every draw (default study.seed, else global_seed)" },
  workers: { type: "string", arg: "N", help: "study Workers, 0 = this thread (default 2)" },
  config: { type: "string", arg: "f", help: "configuration file (default config.yaml)" },
  out: { type: "string", arg: "DIR", help: "output folder (default out/study)" },
  readme: { type: "boolean", help: "write the comparison table into README.md" },
  "readme-path": { type: "string", arg: "f", help: "README to update (default README.md)" },
  quiet: { type: "boolean", help: "no progress output" },
  help: { type: "boolean", help: "this text" },
} as const;

/** The usage text, generated from the flag table. */
export const STUDY_USAGE = `Usage: deno task study [options]\n\n${
  Object.entries(FLAGS).map(([name, f]) => `  --${name}${"arg" in f ? ` ${f.arg}` : ""}`.padEnd(30) + f.help)
    .join("\n")
}\n\nExit codes: 0 done, 1 failed, 2 bad arguments or config, 130 interrupted (finished parts written).`;

class UsageError extends Error {}

function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name}: must be an integer in ${min}..${max}, got "${value}"`);
  }
  return n;
}

async function readGainsFile(path: string): Promise<Record<string, number[]>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`--gains-file: cannot read "${path}": ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--gains-file: "${path}" is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `--gains-file: "${path}" must hold an object of controller → gains, got ${typeof parsed}`,
    );
  }
  const out: Record<string, number[]> = {};
  for (const [key, gains] of Object.entries(parsed)) {
    if (!Array.isArray(gains) || !gains.every((g) => typeof g === "number" && Number.isFinite(g))) {
      throw new UsageError(`--gains-file: "${path}" entry ${key} must be an array of finite numbers`);
    }
    out[canonicalControllerType(key)] = gains;
  }
  return out;
}

function progressReporter(io: StudyIO): (p: StudyProgress) => void {
  const started = performance.now();
  let lastDecile = -1, lastPart = "";
  return (p) => {
    const frac = p.done / p.total;
    const elapsed = (performance.now() - started) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : NaN;
    const text = `study ${p.part} ${p.done}/${p.total} runs ETA ${
      Number.isFinite(eta) ? eta.toFixed(1) : "?"
    } s`;
    if (io.isTerminal) {
      const width = 24, filled = Math.round(frac * width);
      io.stderr(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${text}\x1b[K`);
      if (p.done >= p.total) io.stderr("\n");
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== lastDecile || p.part !== lastPart) {
        lastDecile = decile;
        lastPart = p.part;
        io.stderr(text + "\n");
      }
    }
  };
}

/** Refuses an output folder that cannot be created or written before any work starts. */
async function prepareOutDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = join(dir, ".write-check");
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (error) {
    throw new UsageError(`--out: cannot write to "${dir}": ${(error as Error).message}`);
  }
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
    ({ values } = parseArgs({ args, strict: true, allowPositionals: false, options: FLAGS }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${STUDY_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(STUDY_USAGE);
    return 0;
  }
  let config: Config, gains: Record<string, number[]> | undefined, controllers: string[] | undefined;
  let mc, grid, seed, workers, range: number | undefined;
  const outDir = values.out ?? join("out", "study");
  try {
    config = loadConfig(values.config ?? "config.yaml");
    controllers = values.controllers?.split(",").map((s) => canonicalControllerType(s));
    gains = values["gains-file"] === undefined ? undefined : await readGainsFile(values["gains-file"]);
    mc = intFlag("mc", values.mc, 1, 1_000_000);
    grid = intFlag("grid", values.grid, 2, 401);
    seed = intFlag("seed", values.seed, 0, Number.MAX_SAFE_INTEGER);
    workers = intFlag("workers", values.workers, 0, 256);
    if (values.range !== undefined) {
      range = Number(values.range);
      if (!(range > 0 && range <= Math.PI / 2)) {
        throw new UsageError(`--range: must be a number in (0, ${Math.PI / 2}], got "${values.range}"`);
      }
    }
    if (values.sampling !== undefined && values.sampling !== "lhs" && values.sampling !== "sobol") {
      throw new UsageError(`--sampling: must be "lhs" or "sobol", got "${values.sampling}"`);
    }
    await prepareOutDir(outDir);
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof UnknownControllerError ||
      error instanceof ConfigError ||
      error instanceof GainValidationError
    ) {
      io.stderr(`${error.message}\n\n${STUDY_USAGE}\n`);
      return 2;
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
    await Deno.writeTextFile(join(outDir, "study.json"), JSON.stringify(result, null, 1) + "\n");
    await Deno.writeTextFile(join(outDir, "study.html"), studyHtml(result, study.recordings));
  } catch (error) {
    if (error instanceof GainValidationError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    io.stderr(`study failed: ${(error as Error).message}\n`);
    return 1;
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
    return 130;
  }
  if (values.readme) {
    await updateReadmeSection(values["readme-path"] ?? "README.md", "study", `${produced}\n\n${table}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
