/** `deno task bench --nats`, shortened: the comparison runs end to end and checks its own results. */
import assert from "node:assert/strict";
import { natsBench } from "../../distributed/mod.ts";
import { SKIP_REASON } from "./helpers.ts";

Deno.test({
  name: "natsBench() times the local pool and 1 and 2 worker processes, with the same gains on every run",
  ignore: SKIP_REASON !== undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "dip-bench-nats-" });
  try {
    const lines: string[] = [];
    const result = await natsBench({
      iterations: 2,
      log: (l) => void lines.push(l),
      json: `${dir}/bench.json`,
    });
    assert.equal(result.identical, true);
    assert.deepStrictEqual(result.runs.map((r) => r.workers), [1, 1, 2, 2]);
    assert.ok(result.runs.every((r) => r.seconds > 0));
    assert.equal(result.overhead2, result.runs[3].seconds / result.runs[2].seconds - 1);
    const written = JSON.parse(await Deno.readTextFile(`${dir}/bench.json`));
    assert.equal(written.samples["NATS, 2 worker processes × 1 Worker"].length, 1);
    assert.match(lines.join("\n"), /same gains and cost on every run: yes/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
