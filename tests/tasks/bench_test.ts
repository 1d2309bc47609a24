import assert from "assert";
import { benchMarkdown, main } from "../../tasks/bench.ts";

Deno.test("bench main() --quick --skip-tuning measures the kernel and writes its JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bench.json`;
    assert.equal(await main(["--quick", "--skip-tuning", "--json", path]), 0);
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
