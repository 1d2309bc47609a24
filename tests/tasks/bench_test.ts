import assert from "assert";
import { BENCH_USAGE, benchMarkdown, EXIT, runBench as main } from "../../tasks/mod.ts";

/** Runs `fn` with console.log and console.error captured. */
async function captured<T>(fn: () => Promise<T>): Promise<{ result: T; out: string[]; err: string[] }> {
  const { log, error } = console;
  const out: string[] = [], err: string[] = [];
  console.log = (msg: string) => out.push(msg);
  console.error = (msg: string) => err.push(msg);
  try {
    return { result: await fn(), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("bench main() --quick --skip-tuning measures the kernel and writes its JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bench.json`;
    assert.equal(await main(["--quick", "--skip-tuning", "--skip-study", "--json", path]), 0);
    const data = JSON.parse(await Deno.readTextFile(path));
    const names = data.entries.map((e: { name: string }) => e.name);
    assert.equal(names.length, 4);
    for (const e of data.entries) assert.ok(Number.isFinite(e.value) && e.value > 0, e.name);
    // Only the shape is checked here: speed is measured by the task itself, never asserted in a test.
    assert.deepEqual(data.entries.map((e: { unit: string }) => e.unit), [
      "M steps/s",
      "M steps/s",
      "µs",
      "µs",
    ]);
    assert.match(
      benchMarkdown(data),
      /\| batch kernel, full model, RK4 \+ classical SMC \| [\d.]+ M steps\/s \|/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench main() rejects an unknown flag with exit code 2", async () => {
  const original = console.error;
  const lines: string[] = [];
  console.error = (msg: string) => lines.push(msg);
  try {
    assert.equal(await main(["--fast"]), 2);
  } finally {
    console.error = original;
  }
  assert.match(lines.join("\n"), /Usage: deno task bench/);
});

Deno.test("bench main() refuses a --json path it cannot write before measuring anything", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    for (
      const [path, message] of [
        [
          `${dir}/file/bench.json`,
          /^--json: cannot write ".*\/file\/bench\.json": ".*\/file" is a file, not a folder/,
        ],
        [dir, /^--json: cannot write ".*": it is a folder/],
      ] as const
    ) {
      const { result, out, err } = await captured(() =>
        main(["--quick", "--skip-tuning", "--skip-study", "--json", path])
      );
      assert.equal(result, EXIT.usage);
      assert.deepEqual(out, [], "measurements were printed, so the benchmark ran");
      assert.match(err.join("\n"), message);
      assert.ok(err.join("\n").includes(BENCH_USAGE));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench main() --help prints the usage text and exits 0", async () => {
  const { result, out } = await captured(() => main(["--help"]));
  assert.equal(result, EXIT.ok);
  assert.deepEqual(out, [BENCH_USAGE]);
  for (
    const flag of ["--quick", "--skip-tuning", "--skip-study", "--json <path>", "--readme", "-h, --help"]
  ) {
    assert.ok(BENCH_USAGE.includes(flag), flag);
  }
});
