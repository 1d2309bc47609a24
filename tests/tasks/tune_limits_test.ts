/**
 * Tests of the tune task's limits (tasks/tune.ts, tasks/tuning.ts): every numeric flag past its limit,
 * and a robustness run count out of range, is refused before any work, naming the flag, the value and
 * the allowed range.
 */
import assert from "assert";
import { loadConfig } from "../../config/mod.ts";
import { EXIT, maxRobustnessRuns, runTune as main, TUNE_USAGE, tuneController } from "../../tasks/mod.ts";
import { trackWorkers } from "../fixtures/worker_tracker.ts";
import { capture, CONFIG, outputs } from "./tune_helpers.ts";

Deno.test("tuneController() rejects a robustness run count out of range before tuning", async () => {
  const config = loadConfig(CONFIG);
  for (const robustnessRuns of [-1, 1.5, 3997, 5000, 1e8]) {
    let iterations = 0;
    await assert.rejects(
      tuneController(config, "sta", {
        particles: 2,
        iterations: 1,
        scenarios: 1,
        workers: 0,
        robustnessRuns,
        onIteration: () => iterations++,
      }),
      new RegExp(
        `^RangeError: robustnessRuns: must be an integer in \\[0, 3996\\] .*, got ${robustnessRuns}$`,
      ),
    );
    // It used to tune first and then die in the robustness check, losing the result.
    assert.equal(iterations, 0, `${robustnessRuns}: the tuning ran`);
  }
  assert.equal(maxRobustnessRuns(config), 3996);
});

Deno.test("tune main() refuses every numeric flag past its limit before any work, naming flag, value and range", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const long = `${dir}/long.yaml`;
    // 500 s runs: 50 001 samples each, so at most 79 robustness runs (and scenarios) fit one batch.
    await Deno.writeTextFile(
      long,
      (await Deno.readTextFile(CONFIG)).replace("duration: 10.0", "duration: 500.0"),
    );
    const range = (flag: string, lo: number, hi: number, value: string) =>
      new RegExp(`^--${flag}: must be an integer in \\[${lo}, ${hi}\\].*, got "${value}"\n`);
    const cases: [string[], RegExp][] = [
      [["--particles", "100000"], range("particles", 1, 10000, "100000")],
      [["--particles", "10001"], range("particles", 1, 10000, "10001")],
      [["--iters", "1000000000"], range("iters", 1, 100000, "1000000000")],
      [["--workers", "100000"], range("workers", 0, 1024, "100000")],
      [["--scenarios", "20000"], range("scenarios", 1, 3996, "20000")],
      [
        ["--scenarios", "3997"],
        /^--scenarios: .*\(as physics_uncertainty\.n_evals; scenarios × 1001 samples per run must fit the 4000000 state samples of one batch\)/,
      ],
      [["--robustness", "5000"], range("robustness", 0, 3996, "5000")],
      [["--robustness", "100000000"], range("robustness", 0, 3996, "100000000")],
      [["--config", long, "--robustness", "80"], range("robustness", 0, 79, "80")],
      [["--config", long, "--scenarios", "80", "--robustness", "5"], range("scenarios", 1, 79, "80")],
      [
        ["--config", long],
        /^--robustness: the default of 100 runs does not fit this config's runs: give an integer in \[0, 79\]/,
      ],
    ];
    using workers = trackWorkers();
    for (const [bad, message] of cases) {
      const { io, out, err } = capture();
      // Pre-aborted: a request that got past the checks would end "interrupted" (130), not hang.
      const signal = AbortSignal.abort();
      const args = ["--controller", "classical_smc", "--config", CONFIG, ...bad, ...outputs(dir).args];
      const code = await main(args, { ...io, signal });
      assert.equal(code, EXIT.usage, `${bad.join(" ")}: ${err.join("")}`);
      assert.match(err.join(""), message, bad.join(" "));
      assert.ok(err.join("").includes(TUNE_USAGE), `${bad.join(" ")}: no usage text`);
      assert.deepEqual(out, []);
    }
    // At the limits the same checks pass (the pre-aborted run then ends as interrupted).
    for (
      const ok of [[
        "--particles",
        "10000",
        "--scenarios",
        "3996",
        "--robustness",
        "3996",
        "--workers",
        "1024",
      ]]
    ) {
      const { io } = capture();
      const code = await main([
        "--controller",
        "classical_smc",
        "--config",
        CONFIG,
        ...ok,
        ...outputs(dir).args,
      ], {
        ...io,
        signal: AbortSignal.abort(),
      });
      assert.equal(code, EXIT.interrupted, ok.join(" "));
    }
    assert.equal(workers.created, 0, "a Worker was started for a refused request");
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["long.yaml"],
      "a refused run wrote files",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
