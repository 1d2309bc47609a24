/**
 * Tests of the gains the simulate task (tasks/simulate.ts) runs: --gains, --gains-file and which wins,
 * the refusals of a bad gains file, and parseGainList().
 */
import assert from "assert";
import { EXIT, parseGainList } from "../../tasks/mod.ts";
import { CONFIG, run, runJson } from "./simulate_helpers.ts";

Deno.test("main() with --gains runs those gains and changes the result", async () => {
  const base = await runJson(["--controller", "classical_smc"]);
  const other = await runJson(["--controller", "classical_smc", "--gains", "0.8, 3, 10, 15, 8, 2.5"]);
  assert.deepEqual(other.gains, [0.8, 3, 10, 15, 8, 2.5]);
  assert.equal(other.gainsSource, "--gains");
  assert.notEqual(other.maxU, base.maxU);
  assert.notEqual(other.controlEnergy, base.controlEnergy);
});

Deno.test("main() reads --gains-file, and explicit --gains win over it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/gains.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ classic_smc: [0.8, 3, 10, 15, 8, 2.5], sta_smc: [1, 0.5, 1, 2, 3, 4] }),
    );
    const fromFile = await runJson(["--controller", "classical_smc", "--gains-file", file]);
    assert.deepEqual(fromFile.gains, [0.8, 3, 10, 15, 8, 2.5]);
    assert.equal(fromFile.gainsSource, `--gains-file ${file}`);
    const explicit = await runJson([
      "--controller",
      "classical_smc",
      "--gains-file",
      file,
      "--gains",
      "0.5,2.3103,11.0878,16.0407,6.6549,1.9523",
    ]);
    assert.equal(explicit.gainsSource, "--gains");
    assert.deepEqual(explicit.gains, [0.5, 2.3103, 11.0878, 16.0407, 6.6549, 1.9523]);
    // No entry for the controller, unreadable or malformed files: a bad --gains-file is a bad
    // argument, exit 2 with the flag, the path and the reason (as in the study and for --config).
    const refused = async (args: string[], message: RegExp) => {
      const r = await run([...args, "--config", CONFIG]);
      assert.equal(r.code, EXIT.usage, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "", args.join(" "));
      assert.match(r.stderr, message, args.join(" "));
    };
    await refused(
      ["--controller", "adaptive", "--gains-file", file],
      /has no gains for adaptive_smc, got keys "classical_smc", "sta_smc"/,
    );
    await refused(
      ["--controller", "sta", "--gains-file", `${dir}/none.json`],
      /--gains-file: cannot read ".*none\.json": file not found/,
    );
    await Deno.writeTextFile(`${dir}/bad.json`, "{ not json");
    await refused(["--controller", "sta", "--gains-file", `${dir}/bad.json`], /is not valid JSON/);
    await Deno.writeTextFile(`${dir}/list.json`, "[1, 2]");
    await refused(["--controller", "sta", "--gains-file", `${dir}/list.json`], /must hold an object/);
    // A key that names no controller is refused, not skipped (tune writes controller keys only).
    await Deno.writeTextFile(
      `${dir}/extra.json`,
      JSON.stringify({ seed: 42, sta_smc: [1, 0.5, 1, 2, 3, 4] }),
    );
    await refused(
      ["--controller", "sta", "--gains-file", `${dir}/extra.json`],
      /--gains-file: ".*extra\.json": Unknown controller type "seed"/,
    );
    // Invalid gains in the file are rejected like --gains (sta needs K1 > K2), naming the entry,
    // the controller and the gain's index, also when another controller is simulated.
    await Deno.writeTextFile(
      `${dir}/weak.json`,
      JSON.stringify({ classical_smc: [0.8, 3, 10, 15, 8, 2.5], sta: [1, 2, 1, 2, 3, 4] }),
    );
    for (const controller of ["sta", "classical_smc"]) {
      await refused(
        ["--controller", controller, "--gains-file", `${dir}/weak.json`],
        /--gains-file: ".*weak\.json" entry "sta": sta_smc gain K2 \(index 1\): must be smaller than K1/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseGainList() reads numeric literals only", () => {
  assert.deepEqual(parseGainList("1, 2.5,3e-1 ,-4"), [1, 2.5, 0.3, -4]);
  assert.throws(() => parseGainList("1,2,"), /entry 3 of 3 is not a number, got ""/);
  assert.throws(() => parseGainList("one"), /entry 1 of 1/);
});
