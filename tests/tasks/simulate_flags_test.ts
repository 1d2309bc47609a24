/**
 * Tests of the simulate task's (tasks/simulate.ts) flags and errors: bad arguments with the usage and
 * exit code 2, --help, an unreadable or invalid --config, and a horizon too large for memory.
 */
import assert from "assert";
import { EXIT, SIMULATE_OPTIONS, simulateUsage as usage } from "../../tasks/mod.ts";
import { CONFIG, run } from "./simulate_helpers.ts";

Deno.test("main() rejects bad arguments with the usage on stderr and exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--controller", "classical_smc", "--bogus"], /Unknown option '--bogus'/],
    [["--controller", "classical_smc", "extra"], /positional/i],
    [["--controller"], /argument missing|--controller/],
    [[], /--controller: required/],
    [["--controller", "pid"], /Unknown controller type "pid": available are adaptive_smc, classical_smc/],
    [["--controller", "classical_smc", "--gains", "1,2,3"], /must have 6 values/],
    [
      ["--controller", "classical_smc", "--gains", "1,2,x,4,5,6"],
      /--gains: entry 3 of 6 is not a number, got "x"/,
    ],
    [
      ["--controller", "classical_smc", "--gains", "1,2,,4,5,6"],
      /--gains: entry 3 of 6 is not a number, got ""/,
    ],
    [["--controller", "classical_smc", "--gains", "1,2,-3,4,5,6"], /lambda1 \(index 2\)/],
    [["--controller", "sta", "--gains", "1,2,1,2,3,4"], /must be smaller than K1/],
    [["--controller", "hybrid", "--json=yes"], /--json/],
  ];
  for (const [args, message] of cases) {
    const r = await run(["--config", CONFIG, ...args]);
    assert.equal(r.code, EXIT.usage, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "", args.join(" "));
    assert.match(r.stderr, message, args.join(" "));
    assert.ok(r.stderr.includes("Usage: deno task simulate --controller <name>"), args.join(" "));
  }
});

Deno.test("main() --help prints the usage on stdout", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, EXIT.ok);
  assert.equal(r.stdout, usage());
  assert.ok(usage().includes("hybrid_adaptive_sta_smc"));
  for (const [flag, option] of Object.entries(SIMULATE_OPTIONS)) {
    assert.ok(usage().includes(`--${flag}${"arg" in option ? ` ${option.arg}` : ""}`), flag);
    assert.ok(usage().includes(option.description), flag);
  }
  assert.equal((await run(["-h"])).code, EXIT.ok);
});

Deno.test("main() refuses a --config it cannot read as a bad argument, exit 2 naming the flag and the path", async () => {
  const r = await run(["--controller", "sta", "--config", "/nonexistent/config.yaml"]);
  assert.equal(r.code, EXIT.usage);
  assert.match(r.stderr, /^error: --config: cannot read "\/nonexistent\/config.yaml": file not found\n/);
  assert.ok(r.stderr.includes("Usage: deno task simulate"));
  assert.equal(r.stdout, "");
});

Deno.test("main() prints an invalid config's problems without the usage text, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(
      cfg,
      (await Deno.readTextFile(CONFIG)).replace("cart_mass: 1.5", "cart_mass: -1.5"),
    );
    const r = await run(["--controller", "sta", "--config", cfg]);
    assert.equal(r.code, EXIT.usage);
    assert.match(
      r.stderr,
      /^error: Invalid configuration in .*config\.yaml \(1 problem\):\n {2}physics\.cart_mass: /,
    );
    assert.ok(!r.stderr.includes("Usage:"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() refuses a horizon too large for memory before simulating, naming the config key and the limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/config.yaml`;
    const text = await Deno.readTextFile(CONFIG);
    const huge = text.replace("duration: 10.0", "duration: 1.0e7");
    assert.notEqual(huge, text);
    await Deno.writeTextFile(cfg, huge);
    const r = await run(["--controller", "classical_smc", "--config", cfg]);
    assert.equal(r.code, EXIT.usage);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /simulation\.duration: 10000000 s at dt 0\.01 asks for 1000000001 samples \(≈ 48 GB of state buffers\); at most 1000000 samples \(duration\/dt\) are allowed/,
    );
    assert.ok(!r.stderr.includes("Usage:"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
