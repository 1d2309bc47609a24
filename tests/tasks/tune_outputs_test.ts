/**
 * Tests of the tune task's output paths and write failures (tasks/tune.ts): an output path it cannot
 * write is refused before tuning, naming the flag; when a write or a later controller fails after the
 * tuning, what finished is saved and the gains are printed on stdout, exit 1 without a stack trace.
 */
import assert from "assert";
import { validateGains } from "../../factory/mod.ts";
import {
  EXIT,
  runTune as main,
  TUNE_USAGE,
  tuneController,
  type TunedController,
  TuneFollowUpError,
  type TuneReport,
} from "../../tasks/mod.ts";
import type { TunerResult } from "../../optimizer/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import { capture, outputs, TINY } from "./tune_helpers.ts";

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
