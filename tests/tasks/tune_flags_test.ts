/**
 * Tests of the tune task's (tasks/tune.ts) flags and usage: exit code 2 with the usage text on bad
 * arguments (before any tuning, writing nothing), --help, and an invalid config's problems printed
 * without the usage text.
 */
import assert from "assert";
import { EXIT, runTune as main, TUNE_USAGE } from "../../tasks/mod.ts";
import { capture, CONFIG, outputs } from "./tune_helpers.ts";

Deno.test("tune main() returns 2 with the usage text on bad arguments and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string[], RegExp][] = [
      [["--bogus"], /Unknown option '--bogus'/],
      [["stray"], /positional/i],
      [
        ["--particles", "0"],
        /--particles: must be an integer in \[1, 10000\] \(as pso\.n_particles\), got "0"/,
      ],
      [["--iters", "2.5"], /--iters: must be an integer in \[1, 100000\] \(as pso\.iters\), got "2\.5"/],
      [["--workers=-1"], /--workers: must be an integer in \[0, 1024\], got "-1"/],
      [["--seed", "x"], /--seed: must be an integer ≥ 0, got "x"/],
      [["--controller", "pid"], /Unknown controller type "pid"/],
      [["--controller", "sta", "--all"], /--controller and --all: give one, not both/],
      [["--config", `${dir}/missing.yaml`], /^--config: cannot read ".*missing\.yaml": file not found/],
    ];
    for (const [bad, message] of cases) {
      const { io, out, err } = capture();
      const code = await main([...bad, ...outputs(dir).args], io);
      assert.equal(code, 2, bad.join(" "));
      const text = err.join("");
      assert.match(text, message);
      assert.ok(text.includes(TUNE_USAGE), `${bad.join(" ")}: no usage text`);
      assert.deepEqual(out, []);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "a rejected run wrote files");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tune main() --help prints the usage text and exits 0", async () => {
  const { io, out, err } = capture();
  assert.equal(await main(["--help"], io), 0);
  assert.deepEqual(out, [TUNE_USAGE]);
  assert.deepEqual(err, []);
  for (const flag of ["--controller", "--all", "--readme-path", "--workers", "--robustness"]) {
    assert.ok(TUNE_USAGE.includes(flag), flag);
  }
});

Deno.test("tune main() prints an invalid config's problems without the usage text, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/config.yaml`;
    // The DIP__PHYSICS_UNCERTAINTY__N_EVALS=5000 case, in the file: refused at load, naming both numbers.
    await Deno.writeTextFile(cfg, (await Deno.readTextFile(CONFIG)).replace("n_evals: 10", "n_evals: 5000"));
    const { io, out, err } = capture();
    const code = await main(["--controller", "classical_smc", "--config", cfg, ...outputs(dir).args], io);
    assert.equal(code, EXIT.usage);
    assert.match(
      err.join(""),
      /^Invalid configuration in .*config\.yaml \(1 problem\):\n {2}physics_uncertainty\.n_evals: 5000 scenarios × 1001 samples per run .* = 5005000 state samples, more than the 4000000/,
    );
    assert.ok(!err.join("").includes("Usage:"), err.join(""));
    assert.deepEqual(out, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
