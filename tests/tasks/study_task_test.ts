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
    const weak = join(dir, "weak.json"), unknown = join(dir, "unknown.json");
    await Deno.writeTextFile(weak, JSON.stringify({ sta: [1, 2, 1, 2, 3, 4] }));
    await Deno.writeTextFile(unknown, JSON.stringify({ pid: [1, 2, 3] }));
    const cases: [string[], RegExp][] = [
      [["--mc", "0"], /--mc: must be an integer in \[1, 1000000\] \(as study\.monte_carlo\.runs\), got "0"/],
      [["--mc", "1000001"], /--mc: must be an integer in \[1, 1000000\]/],
      [
        ["--grid", "1000"],
        /--grid: must be an integer in \[2, 401\] \(points per axis, as study\.basin\.grid\), got "1000"/,
      ],
      [["--grid", "1"], /--grid: must be an integer in \[2, 401\]/],
      [["--workers", "100000"], /--workers: must be an integer in \[0, 256\], got "100000"/],
      [["--range", "2"], /--range: must be a number in \(0, 1\.57\d*\], got "2"/],
      [["--sampling", "halton"], /--sampling: must be "lhs" or "sobol", got "halton"/],
      [["--controllers", "pid"], /Unknown controller type "pid"/],
      [
        ["--gains-file", join(dir, "missing.json")],
        /--gains-file: cannot read ".*missing\.json": file not found/,
      ],
      [
        ["--gains-file", weak],
        /--gains-file: ".*weak\.json" entry "sta": sta_smc gain K2 \(index 1\): must be smaller than K1/,
      ],
      [["--gains-file", unknown], /--gains-file: ".*unknown\.json": Unknown controller type "pid"/],
      [["--config", join(dir, "missing.yaml")], /^--config: cannot read ".*missing\.yaml": file not found/],
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

Deno.test("study main() prints an invalid config's problems alone, exit 2, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = join(dir, "config.yaml");
    const text = await Deno.readTextFile(new URL("../../config.yaml", import.meta.url));
    await Deno.writeTextFile(cfg, text.replace("cart_mass: 1.5", "cart_mass: -1.5"));
    const r = await run([...SMALL, "--config", cfg, "--out", join(dir, "out")]);
    assert.equal(r.code, EXIT.usage, r.stderr);
    assert.match(
      r.stderr,
      /^Invalid configuration in .*config\.yaml \(1 problem\):\n {2}physics\.cart_mass: /,
    );
    assert.ok(!r.stderr.includes("Usage:"), r.stderr);
    await assert.rejects(() => Deno.stat(join(dir, "out")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("study main() runs 64 Monte-Carlo runs of 62 601 samples: its chunks fit the batch limit", async () => {
  // 64 × 62 601 = 4 006 464 samples, past the 4 000 000 of one batch: a chunk of 64 used to fail
  // ("study failed: particles: 64 particles × 62601 samples …", exit 1). The runs now go in chunks
  // that fit (63 + 1), with the same results.
  const dir = await Deno.makeTempDir();
  try {
    const cfg = join(dir, "config.yaml");
    const text = await Deno.readTextFile(new URL("../../config.yaml", import.meta.url));
    const long = text.replace("duration: 10.0", "duration: 626.0").replace(
      "plant_model: full",
      "plant_model: simplified",
    );
    assert.notEqual(long, text);
    await Deno.writeTextFile(cfg, long);
    const r = await run([
      "--controllers",
      "lqr",
      "--mc",
      "64",
      "--grid",
      "2",
      "--workers",
      "0",
      "--quiet",
      "--config",
      cfg,
      "--out",
      dir,
    ]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "study.json")));
    assert.equal(json.controllers.lqr.monteCarlo.runs, 64);
    assert.equal(json.config.simulation.duration, 626);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
