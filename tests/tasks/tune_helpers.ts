/**
 * Shared setup of the tune task tests (`tune_*_test.ts`): `runTune(args, io)` (tasks/tune.ts) runs
 * in-process with captured output and tiny PSO settings, writing into a temporary directory.
 */
import type { TuneIO } from "../../tasks/mod.ts";

/** The shipped config.yaml's path. */
export const CONFIG = new URL("../../config.yaml", import.meta.url).pathname;

/** Tiny PSO settings (6 particles × 3 iterations, 2 scenarios, 5 robustness runs) on the shipped config. */
export const TINY = [
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

/** A TuneIO that records what main() prints. */
export interface Captured {
  readonly io: TuneIO;
  readonly out: string[];
  readonly err: string[];
}

/** Captures main()'s output; `onStderr` sees each stderr chunk as it is printed. */
export function capture(isTerminal = false, onStderr?: (text: string) => void): Captured {
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
export function outputs(dir: string) {
  const paths = {
    gains: `${dir}/out/gains.json`,
    json: `${dir}/out/results.json`,
    html: `${dir}/out/report.html`,
  };
  return { paths, args: ["--out", paths.gains, "--json", paths.json, "--report", paths.html] };
}

/** Table rows of a results Markdown (header and separator excluded). */
export const tableRows = (markdown: string) =>
  markdown.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| controller |"));
