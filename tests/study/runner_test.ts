import assert from "node:assert/strict";
import { loadConfig, PHYSICS_KEYS } from "../../config/mod.ts";
import { createController, getDefaultGains } from "../../factory/mod.ts";
import { createPlant, runSettings, simulate } from "../../plant/mod.ts";
import {
  basinSpecs,
  closedLoopMetrics,
  monteCarloSpecs,
  runChunk,
  runStudy,
  type StudyResult,
  unpackSummary,
} from "../../study/mod.ts";

const config = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
const SMALL = { monteCarloRuns: 40, grid: 7, seed: 5 } as const;

/** study.json without its timing, the one field allowed to differ between runs. */
function stable(result: StudyResult): string {
  return JSON.stringify({ ...result, elapsedMs: 0 });
}

Deno.test("runStudy() gives bit-identical results with 0, 1, 2 and 4 Workers", async () => {
  const runs = await Promise.all(
    [0, 1, 2, 4].map((workers) =>
      runStudy(config, { controllers: ["classical_smc", "sta_smc"], ...SMALL, workers, chunkSize: 7 })
    ),
  );
  const reference = stable(runs[0].result);
  for (const [i, r] of runs.entries()) assert.equal(stable(r.result), reference, `run ${i} differs`);
  // The check can fail: another seed changes the Monte-Carlo draws and therefore the result.
  const other = await runStudy(config, {
    controllers: ["classical_smc", "sta_smc"],
    ...SMALL,
    seed: 6,
    workers: 0,
  });
  assert.notEqual(stable(other.result), reference);
});

Deno.test("runStudy() labels basin points as single simulate() runs from the same start do", async () => {
  const type = "classical_smc";
  const { result } = await runStudy(config, {
    controllers: [type],
    ...SMALL,
    grid: 9,
    range: 0.4,
    workers: 2,
  });
  const basin = result.controllers[type].basin!;
  const sim = config.simulation;
  const plant = createPlant(config.physics, { model: sim.plant_model });
  const controller = createController(type, { config });
  const labels = new Set<string>();
  // Every other point of the grid, both diagonals included.
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 9; j++) {
      if ((i + j) % 2 === 1 && i !== j) continue;
      const x0 = [0, basin.theta1[i], basin.theta2[j], 0, 0, 0];
      const m = closedLoopMetrics(
        simulate({ ...runSettings(sim), plant, controller, x0 }),
        config.metrics.settling_band,
      );
      const expected = m.status !== "ok" ? "fell" : m.settled ? "settled" : "not_settled";
      assert.equal(basin.labels[i][j], expected, `θ1 ${basin.theta1[i]}, θ2 ${basin.theta2[j]}`);
      assert.equal(basin.settled[i][j], expected === "settled");
      labels.add(expected);
    }
  }
  // The sample covers the basin's edge: both settled and fallen points were compared.
  assert.ok(labels.has("settled") && labels.has("fell"), [...labels].join(","));
  assert.equal(basin.counts.settled + basin.counts.fell + basin.counts.not_settled, 81);
  assert.equal(basin.areaFraction, basin.counts.settled / 81);
});

Deno.test("runStudy() counts Monte-Carlo successes as the per-run criterion says", async () => {
  const type = "sta_smc";
  const { result, recordings } = await runStudy(config, { controllers: [type], ...SMALL, workers: 0 });
  const mc = result.controllers[type].monteCarlo!;
  const disturbance = config.disturbances[config.study.monte_carlo.disturbance!];
  const specs = monteCarloSpecs(config, {
    runs: SMALL.monteCarloRuns,
    sampling: config.study.monte_carlo.sampling,
    seed: SMALL.seed,
    initialAngle: config.study.monte_carlo.initial_angle,
    disturbance,
    amplitudeScale: config.study.monte_carlo.amplitude_scale as [number, number],
  });
  // Re-run each spec on its own and apply the criterion by hand: never fell, inside the band over
  // the last 2 s.
  const setup = { config, controllerType: type, gains: getDefaultGains(type), band: 0.02, finalWindow: 2 };
  let successes = 0;
  for (const [r, spec] of specs.entries()) {
    const one = unpackSummary(runChunk(setup, [spec]), 0);
    if (one.success) successes++;
    assert.ok(Object.is(recordings.monteCarlo[type].maxAbsX[r], one.maxAbsX), `run ${r}`);
  }
  assert.equal(mc.successes, successes);
  assert.equal(mc.runs, SMALL.monteCarloRuns);
  assert.ok(mc.ci95[0] <= mc.successRate && mc.successRate <= mc.ci95[1]);
});

Deno.test("monteCarloSpecs() draws every parameter within its configured range", () => {
  const specs = monteCarloSpecs(config, {
    runs: 200,
    sampling: "sobol",
    seed: 1,
    initialAngle: 0.1,
    disturbance: config.disturbances.impulse,
    amplitudeScale: [0.5, 1.5],
  });
  const base = config.disturbances.impulse.force!;
  assert.equal(base.kind, "impulse");
  for (const s of specs) {
    PHYSICS_KEYS.forEach((key, d) => {
      assert.ok(Math.abs(s.physicsScale![d] - 1) <= config.physics_uncertainty[key] + 1e-15, key);
    });
    assert.ok(Math.abs(s.x0[1] - config.simulation.initial_state[1]) <= 0.1);
    assert.ok(Math.abs(s.x0[2] - config.simulation.initial_state[2]) <= 0.1);
    const force = s.disturbance!.force!;
    assert.equal(force.kind, "impulse");
    if (force.kind === "impulse" && base.kind === "impulse") {
      assert.ok(force.amplitude >= 0.5 * base.amplitude && force.amplitude <= 1.5 * base.amplitude);
    }
  }
  // The draws really vary: gravity's pct is 0, so only it stays nominal.
  const g = PHYSICS_KEYS.indexOf("gravity");
  assert.ok(specs.every((s) => s.physicsScale![g] === 1));
  assert.ok(new Set(specs.map((s) => s.physicsScale![0])).size === 200);
});

Deno.test("basinSpecs() starts every run from rest at x = 0 in row-major order", () => {
  const { theta1, theta2, specs } = basinSpecs(0.5, 5);
  assert.equal(specs.length, 25);
  assert.deepEqual(specs[1 * 5 + 3].x0, [0, theta1[1], theta2[3], 0, 0, 0]);
});

Deno.test("runStudy() interrupted keeps only the parts that finished", async () => {
  const abort = new AbortController();
  const { result } = await runStudy(config, {
    controllers: ["classical_smc"],
    ...SMALL,
    workers: 1,
    // Small chunks, so the interrupt lands while Monte-Carlo chunks are still queued.
    chunkSize: 5,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.part === "monteCarlo") abort.abort(new Error("test interrupt"));
    },
  });
  assert.equal(result.complete, false);
  assert.deepEqual(result.partsDone, ["nominal", "disturbances"]);
  const c = result.controllers.classical_smc;
  assert.ok(c.nominal && c.disturbances);
  assert.equal(c.monteCarlo, undefined);
  assert.equal(c.basin, undefined);
});

Deno.test("runStudy() rejects bad options with the option named", async () => {
  await assert.rejects(
    () => runStudy(config, { controllers: [], workers: 0 }),
    /controllers: must name at least one/,
  );
  await assert.rejects(
    () => runStudy(config, { grid: 1, workers: 0 }),
    /grid: must be an integer in 2\.\.401, got 1/,
  );
  await assert.rejects(
    () => runStudy(config, { range: 3, workers: 0 }),
    /range: must lie in \(0, π\/2\], got 3/,
  );
  await assert.rejects(
    () => runStudy(config, { controllers: ["pid"], workers: 0 }),
    /Unknown controller type "pid"/,
  );
});

/** The field paths of a JSON value, e.g. `controllers.<type>.nominal.status`; arrays and `config` are leaves. */
function jsonPaths(value: unknown, prefix: string, out: Set<string>): Set<string> {
  if (value === null || typeof value !== "object" || Array.isArray(value) || prefix === "config") {
    out.add(prefix);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    // Keys that name a controller or a scenario are placeholders in the documented layout.
    const name = prefix === "controllers" ? "<type>" : prefix.endsWith(".disturbances") ? "<name>" : key;
    jsonPaths(v, prefix === "" ? name : `${prefix}.${name}`, out);
  }
  return out;
}

/**
 * The field paths of the layout block of docs/study.md ("study.json"): `{ a, b: {…}, c: [..] }`
 * pseudo-JSON in which a bare name or `name: value` is a field, `{…}` a nested object, and
 * anything else (types, example values) a leaf value.
 */
function documentedPaths(block: string): Set<string> {
  const tokens = block.match(/"[^"]*"|[A-Za-z_<][\w<>]*|[{}[\]:,]|[^\s{}[\]:,"]+/g) ?? [];
  let i = 0;
  const out = new Set<string>();
  const skipBalanced = (open: string, close: string) => {
    let depth = 0;
    do {
      if (tokens[i] === open) depth++;
      if (tokens[i] === close) depth--;
      i++;
    } while (depth > 0 && i < tokens.length);
  };
  const object = (prefix: string) => {
    assert.equal(tokens[i++], "{", `object at ${prefix || "top"}`);
    while (tokens[i] !== "}") {
      const key = tokens[i++];
      assert.match(key, /^[A-Za-z_<][\w<>]*$/, `a field name in ${prefix || "the top level"}, got ${key}`);
      const path = prefix === "" ? key : `${prefix}.${key}`;
      if (tokens[i] === ":") {
        i++;
        if (tokens[i] === "{" && key !== "config") {
          object(path);
        } else {
          out.add(path);
          if (tokens[i] === "{") skipBalanced("{", "}");
          // A value: anything up to the next comma or closing brace at this level.
          while (tokens[i] !== "," && tokens[i] !== "}") tokens[i] === "[" ? skipBalanced("[", "]") : i++;
        }
      } else {
        out.add(path);
      }
      if (tokens[i] === ",") i++;
    }
    i++;
  };
  object("");
  return out;
}

Deno.test("docs/study.md's study.json layout names every field study.json has, and nothing else", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/study.md", import.meta.url));
  const section = doc.slice(doc.indexOf("## study.json"));
  const block = section.slice(
    section.indexOf("```\n") + 4,
    section.indexOf("\n```", section.indexOf("```\n") + 4),
  );
  const documented = documentedPaths(block);
  // The parser itself can fail: a field left out of the layout is missed.
  assert.ok(!documentedPaths(block.replace("maxAbsU,", "")).has("controllers.<type>.nominal.maxAbsU"));
  const { result } = await runStudy(config, {
    controllers: ["classical_smc"],
    monteCarloRuns: 4,
    grid: 3,
    seed: 1,
    workers: 0,
  });
  const written = jsonPaths(JSON.parse(JSON.stringify(result)), "", new Set());
  assert.ok(written.has("controllers.<type>.disturbances.<name>.maxAbsU"));
  assert.ok(written.has("controllers.<type>.disturbances.<name>.disturbanceStart"));
  assert.deepEqual([...documented].sort(), [...written].sort());
});
