/**
 * Writes undisturbed.json: the trajectories of GOLDEN_CASES and of the batch case as SHA-256
 * digests of their bytes, plus the first DECIMAL_SAMPLES samples in decimal (JSON numbers round-trip
 * doubles exactly). It was run once on the code before disturbances existed, so the golden test
 * proves that a run without a disturbance (or with a zero one) takes exactly the old path.
 *
 *     deno run -A tests/plant/golden/generate.ts [commit]
 */
import { DECIMAL_SAMPLES, digest, GOLDEN_CASES, runBatchCase, runCase } from "./cases.ts";

const cases = [];
for (const c of GOLDEN_CASES) {
  const run = runCase(c);
  cases.push({
    name: c.name,
    status: run.status,
    failTime: run.failTime,
    steps: run.steps,
    lowControllability: run.lowControllability,
    sha256: { x: await digest(run.x), u: await digest(run.u), sigma: await digest(run.sigma) },
    x: Array.from(run.x.subarray(0, DECIMAL_SAMPLES * 6)),
    u: Array.from(run.u.subarray(0, DECIMAL_SAMPLES)),
  });
}
const ws = runBatchCase();
const batch = {
  status: Array.from(ws.status.subarray(0, ws.count)),
  length: Array.from(ws.length.subarray(0, ws.count)),
  sha256: {
    x: await digest(ws.x.subarray(0, ws.count * (ws.steps + 1) * 6)),
    u: await digest(ws.u.subarray(0, ws.count * ws.steps)),
  },
};
const file = new URL("./undisturbed.json", import.meta.url);
const data = { generatedFrom: Deno.args[0] ?? "unknown commit", cases, batch };
await Deno.writeTextFile(file, JSON.stringify(data, null, 2) + "\n");
console.log(`written ${file.pathname}`);
