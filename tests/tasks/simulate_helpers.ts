/**
 * Shared setup of the simulate task tests (`simulate_*_test.ts`): main() (tasks/simulate.ts) run
 * in-process with captured output, nothing spawned, and a check of the SVG documents it writes.
 */
import assert from "assert";
import { EXIT, runSimulate as main, type SimulateTaskDeps } from "../../tasks/mod.ts";

/** The shipped config.yaml's path. */
export const CONFIG = new URL("../../config.yaml", import.meta.url).pathname;

/** What one main() run returned and printed. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main() with `args`, capturing its output (stdout and stderr lines joined by newlines). */
export async function run(
  args: string[],
  extra: Pick<SimulateTaskDeps, "cost" | "writeTextFile"> = {},
): Promise<Captured> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { ...extra, stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Runs main() with `args --config <shipped> --json`, asserts exit 0 and returns the parsed report. */
export async function runJson(args: string[]): Promise<Record<string, unknown>> {
  const r = await run([...args, "--config", CONFIG, "--json"]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  return JSON.parse(r.stdout);
}

/** Checks an SVG document and returns its polylines' coordinates. */
export function checkSvg(svg: string): number[][] {
  assert.ok(svg.startsWith("<svg"), "starts with <svg");
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal(
    (svg.match(/<svg[\s>]/g) ?? []).length,
    (svg.match(/<\/svg>/g) ?? []).length,
    "balanced <svg>",
  );
  assert.ok(!/NaN|Infinity|undefined/.test(svg), "no NaN, Infinity or undefined anywhere");
  const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
    (m[1] === "" ? [] : m[1].split(" ")).flatMap((pair) => {
      const xy = pair.split(",").map(Number);
      assert.equal(xy.length, 2, `point "${pair}"`);
      for (const v of xy) assert.ok(Number.isFinite(v), `coordinate in "${pair}"`);
      return xy;
    })
  );
  return polylines;
}
