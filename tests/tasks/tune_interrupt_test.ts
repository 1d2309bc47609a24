/**
 * Tests of an interrupted tune task run (tasks/tune.ts): the best gains so far are saved, the README is
 * left alone and the exit code is 130; interrupted before a first iteration, nothing is written.
 */
import assert from "assert";
import { EXIT, runTune as main, type TuneReport } from "../../tasks/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import { capture, CONFIG, outputs, TINY } from "./tune_helpers.ts";

Deno.test({
  name: "concurrent: tune main() interrupted saves the best so far, skips the README and exits 130",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { paths, args } = outputs(dir);
      const readme = `${dir}/README.md`;
      const original = "<!-- results:start -->\nkeep\n<!-- results:end -->\n";
      await Deno.writeTextFile(readme, original);
      const abort = new AbortController();
      // The first progress line comes after the first iteration: interrupt there, as Ctrl-C would.
      const { io, err } = capture(false, () => abort.abort());
      using workers = trackWorkers();
      const long = [
        "--particles",
        "6",
        "--iters",
        "400",
        "--scenarios",
        "1",
        "--robustness",
        "0",
        "--config",
        CONFIG,
      ];
      const code = await main(
        ["--all", ...long, "--workers", "1", "--readme", "--readme-path", readme, ...args],
        { ...io, signal: abort.signal },
      );
      assert.equal(code, 130);
      assert.ok(err.join("").includes("interrupted: the best gains so far were saved"));
      assert.equal(workers.live, 0);
      const report = JSON.parse(await Deno.readTextFile(paths.json)) as TuneReport;
      assert.equal(report.aborted, true);
      // The first controller stopped after one iteration; the others never started.
      assert.equal(report.results.length, 1);
      const [first] = report.results;
      assert.equal(first.exitReason, "aborted");
      assert.equal(first.iterations, 1);
      assert.equal(first.robustness, null);
      const gains = JSON.parse(await Deno.readTextFile(paths.gains));
      assert.deepEqual(gains, { [first.controller]: first.bestGains });
      assert.equal(await Deno.readTextFile(readme), original);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "concurrent: tune main() interrupted before a first iteration writes nothing and exits 130",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      using workers = trackWorkers();
      const Tracked = globalThis.Worker;
      for (const when of ["before the start", "during the first iteration"]) {
        const abort = new AbortController();
        const { io, err } = capture();
        if (when === "before the start") abort.abort();
        // The tuner starts its Worker when the first iteration begins: interrupt right there, before
        // any particle has a cost.
        globalThis.Worker = class extends Tracked {
          constructor(...args: ConstructorParameters<typeof Worker>) {
            super(...args);
            abort.abort();
          }
        };
        try {
          const code = await main(["--all", ...TINY, "--workers", "1", ...outputs(dir).args], {
            ...io,
            signal: abort.signal,
          });
          assert.equal(code, EXIT.interrupted, when);
        } finally {
          globalThis.Worker = Tracked;
        }
        assert.deepEqual(err, ["interrupted before any controller was tuned: nothing was written\n"], when);
        assert.deepEqual([...Deno.readDirSync(dir)], [], `${when}: files were written`);
      }
      assert.equal(workers.created, 1);
      assert.equal(workers.live, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
