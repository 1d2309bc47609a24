import assert from "node:assert/strict";
import { join } from "node:path";
import { EXIT, runStudyTask, STUDY_OPTIONS, STUDY_USAGE } from "../../tasks/mod.ts";

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], signal?: AbortSignal): Promise<Captured> {
  let stdout = "", stderr = "";
  const code = await runStudyTask(args, {
    stdout: (line) => (stdout += line + "\n"),
    stderr: (text) => (stderr += text),
    isTerminal: false,
    signal,
  });
  return { code, stdout, stderr };
}

const SMALL = ["--mc", "8", "--grid", "3", "--workers", "0", "--quiet"];

Deno.test("study main() writes study.json and study.html and prints the comparison table", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await run(["--controllers", "classical,lqr", ...SMALL, "--out", join(dir, "new", "folder")]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "new", "folder", "study.json")));
    assert.deepEqual(Object.keys(json.controllers), ["classical_smc", "lqr"]);
    assert.equal(json.complete, true);
    assert.equal(json.controllers.lqr.basin.settled.length, 3);
    assert.match(r.stdout, /\| classical_smc \|/);
    assert.match(r.stdout, /\| lqr \|/);
    const html = await Deno.readTextFile(join(dir, "new", "folder", "study.html"));
    assert.ok(html.startsWith("<!doctype html>") && !/https?:\/\//.test(html.replace(/xmlns="[^"]*"/g, "")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("study main() refuses bad arguments with its usage and exit 2, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "");
    const cases: [string[], RegExp][] = [
      [["--mc", "0"], /--mc: must be an integer ≥ 1, got "0"/],
      [["--grid", "1000"], /--grid: must be an integer ≤ 401, got "1000"/],
      [["--range", "2"], /--range: must be a number in \(0, 1\.57\d*\], got "2"/],
      [["--sampling", "halton"], /--sampling: must be "lhs" or "sobol", got "halton"/],
      [["--controllers", "pid"], /Unknown controller type "pid"/],
      [["--gains-file", join(dir, "missing.json")], /--gains-file: cannot read/],
      [["--out", join(file, "sub")], /--out/],
      [["--bogus"], /bogus/],
    ];
    for (const [args, message] of cases) {
      // The defaults, minus the flag the case gives itself.
      const defaults: Record<string, string> = { "--mc": "8", "--grid": "3", "--out": join(dir, "out") };
      for (const flag of args) delete defaults[flag];
      const r = await run([...Object.entries(defaults).flat(), "--workers", "0", "--quiet", ...args]);
      assert.equal(r.code, EXIT.usage, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.match(r.stderr, /Usage: deno task study/);
    }
    // Nothing was written by the refused requests.
    await assert.rejects(() => Deno.stat(join(dir, "out", "study.json")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("study main() uses the gains of a gains file and reports where they came from", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gains = [0.7, 2.6, 15.5, 20.7, 15.6, 5];
    await Deno.writeTextFile(join(dir, "g.json"), JSON.stringify({ classical: gains }));
    const r = await run([
      "--controllers",
      "classical_smc",
      "--gains-file",
      join(dir, "g.json"),
      ...SMALL,
      "--out",
      dir,
    ]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "study.json")));
    assert.deepEqual(json.controllers.classical_smc.gains, gains);
    assert.equal(json.controllers.classical_smc.gainsSource, "gains");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("study main() interrupted writes the finished parts and exits 130", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const abort = new AbortController();
    abort.abort();
    const r = await run(["--controllers", "classical", ...SMALL, "--out", dir], abort.signal);
    assert.equal(r.code, EXIT.interrupted, r.stderr);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "study.json")));
    assert.equal(json.complete, false);
    assert.match(r.stderr, /interrupted/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the study usage text lists every option of its table", () => {
  for (const [name, option] of Object.entries(STUDY_OPTIONS)) {
    assert.ok(STUDY_USAGE.includes(`--${name}`), name);
    assert.ok(STUDY_USAGE.includes(option.description), name);
  }
});
