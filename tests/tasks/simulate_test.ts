/**
 * Tests of the simulate task (tasks/simulate.ts), the closed-loop metrics it prints (study/metrics.ts) and its SVG
 * writer (tasks/svg.ts). main() runs in-process with captured output; nothing is spawned.
 */
import assert from "assert";
import { closedLoopMetrics, type MetricsInput, SETTLING_BAND } from "../../study/mod.ts";
import {
  escapeXml,
  EXIT,
  lineChartSvg,
  niceTicks,
  NOT_A_NUMBER_TEXT,
  parseGainList,
  runSimulate as main,
  SIMULATE_OPTIONS,
  type SimulateTaskDeps,
  simulateUsage as usage,
  stackedChartsSvg,
} from "../../tasks/mod.ts";
import { createPlant, simulate } from "../../plant/mod.ts";
import { createController, DEFAULT_GAINS, DEFAULT_PHYSICS, registerController } from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { RUNAWAY_DEFAULTS, RUNAWAY_GAIN_NAMES } from "../fixtures/runaway_controller.ts";
import { loadConfig } from "../../config/mod.ts";
import { controlCost } from "../../optimizer/mod.ts";

const CONFIG = new URL("../../config.yaml", import.meta.url).pathname;

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  args: string[],
  extra: Pick<SimulateTaskDeps, "cost" | "writeTextFile"> = {},
): Promise<Captured> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { ...extra, stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

async function runJson(args: string[]): Promise<Record<string, unknown>> {
  const r = await run([...args, "--config", CONFIG, "--json"]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------
// closedLoopMetrics()

/** A hand-made trajectory: rows [x, θ1, θ2] (velocities 0), controls u, step dt. */
function handMade(
  rows: number[][],
  u: number[],
  dt = 0.1,
  status: MetricsInput["status"] = "ok",
): MetricsInput {
  const x = new Float64Array(rows.length * 6);
  rows.forEach((r, k) => x.set(r, 6 * k));
  return {
    t: Float64Array.from(rows, (_, k) => k * dt),
    x,
    u: Float64Array.from(u),
    dt,
    status,
    failTime: status === "ok" ? null : (rows.length - 1) * dt,
  };
}

Deno.test("closedLoopMetrics() settles at the re-entry after the last exit from the band", () => {
  // θ1: in (0.01), out (0.03, it leaves once), back in for good from index 3.
  const m = closedLoopMetrics(handMade(
    [[0, 0.05, 0], [0.1, 0.01, 0], [-0.4, 0.03, -0.01], [0.2, 0.015, 0.005], [0, 0.001, 0], [0, 0, 0]],
    [1, -2, 3, 0, 0.5],
  ));
  assert.equal(m.status, "ok");
  assert.equal(m.settled, true);
  assert.equal(m.settlingTime, 0.30000000000000004); // t[3] = 3·0.1, exactly as the trajectory stores it
  assert.equal(m.maxTheta1, 0.05);
  assert.equal(m.maxTheta2, 0.01);
  assert.equal(m.maxX, 0.4);
  assert.equal(m.maxU, 3);
  // ∫u² dt under a zero-order hold: (1 + 4 + 9 + 0 + 0.25)·0.1.
  assert.ok(Math.abs(m.controlEnergy - 1.425) < 1e-15);
  assert.equal(m.samples, 6);
  assert.equal(m.band, SETTLING_BAND);
});

Deno.test("closedLoopMetrics() watches θ2 too, and the band edge counts as outside", () => {
  const rows = [[0, 0, 0], [0, 0, 0.025], [0, 0, 0], [0, 0, -0.02], [0, 0.019, 0.0199]];
  const m = closedLoopMetrics(handMade(rows, [0, 0, 0, 0]));
  // |θ2| = 0.02 at index 3 is not "< 0.02": settling starts at index 4.
  assert.equal(m.settlingTime, 0.4);
  assert.equal(m.maxTheta2, 0.025);
  // Inside from the start: settled at t = 0.
  assert.equal(closedLoopMetrics(handMade([[0, 0.01, 0], [0, 0, 0]], [5])).settlingTime, 0);
  // Outside at the last sample: not settled, whatever came before.
  const late = closedLoopMetrics(handMade([[0, 0, 0], [0, 0, 0], [0, 0.021, 0]], [0, 0]));
  assert.equal(late.settled, false);
  assert.equal(late.settlingTime, null);
});

Deno.test("closedLoopMetrics() never calls a failed run settled, and reports non-finite peaks", () => {
  // A run that fell early while its angles were small still did not settle.
  const fell = closedLoopMetrics(handMade([[0, 0.001, 0], [0, 0.001, 0]], [1], 0.1, "fell"));
  assert.equal(fell.settled, false);
  assert.equal(fell.settlingTime, null);
  assert.equal(fell.failTime, 0.1);
  const diverged = closedLoopMetrics(handMade([[0, 0.001, 0], [0, NaN, 0]], [1], 0.1, "diverged"));
  assert.ok(Number.isNaN(diverged.maxTheta1));
  assert.equal(diverged.status, "diverged");
  // A band given explicitly is used.
  assert.equal(closedLoopMetrics(handMade([[0, 0.05, 0], [0, 0.04, 0]], [0]), 0.045).settlingTime, 0.1);
});

Deno.test("closedLoopMetrics() rejects malformed trajectories and bands", () => {
  const good = handMade([[0, 0, 0], [0, 0, 0]], [0]);
  assert.throws(
    () => closedLoopMetrics({ ...good, x: new Float64Array(7) }),
    /trajectory x: must hold a positive multiple of 6/,
  );
  assert.throws(() => closedLoopMetrics({ ...good, x: new Float64Array(0) }), /trajectory x/);
  assert.throws(
    () => closedLoopMetrics({ ...good, t: new Float64Array(3) }),
    /trajectory t: must hold one time per state sample \(2\), got 3/,
  );
  for (const band of [0, -1, NaN, Infinity]) {
    assert.throws(() => closedLoopMetrics(good, band), /band: must be a finite number > 0/);
  }
});

Deno.test("closedLoopMetrics() agrees with a direct reading of a simulated run", () => {
  const plant = createPlant(DEFAULT_PHYSICS);
  const r = simulate({
    plant,
    controller: createController("classical_smc"),
    x0: [0, 0.05, -0.03, 0, 0, 0],
    dt: 0.01,
    duration: 10,
  });
  const m = closedLoopMetrics(r);
  const th = (k: number) => Math.max(Math.abs(r.x[6 * k + 1]), Math.abs(r.x[6 * k + 2]));
  const k = Math.round(m.settlingTime! / 0.01);
  assert.ok(th(k - 1) >= SETTLING_BAND);
  for (let j = k; j <= r.steps; j++) assert.ok(th(j) < SETTLING_BAND);
  assert.equal(m.maxU, Math.max(...r.u.map(Math.abs)));
  assert.equal(m.simulatedTime, 10);
});

// ---------------------------------------------------------------------------------------------
// main()

Deno.test("main() runs the default classical controller: upright, settled within 3 s", async () => {
  const m = await runJson(["--controller", "classical_smc"]);
  assert.equal(m.controller, "classical_smc");
  assert.deepEqual(m.gains, DEFAULT_GAINS.classical_smc);
  assert.equal(m.gainsSource, "controller_defaults.classical_smc.gains");
  assert.equal(m.status, "ok");
  assert.equal(m.failTime, null);
  assert.equal(m.settled, true);
  assert.ok((m.settlingTime as number) > 0.5 && (m.settlingTime as number) < 3, `settling ${m.settlingTime}`);
  // The largest force is the first one: u(0) of the shipped classical gains at the initial state,
  // computed here by the controller directly (25.058 N with the shipped gains; the nominal table's
  // 17.126 N is checked in tests/controllers/controllers_test.ts).
  const config = loadConfig(CONFIG);
  const first = createController("classical_smc", { config }).computeControl(config.simulation.initial_state);
  assert.equal(m.maxU, Math.abs(first.u));
  assert.ok((m.maxX as number) < 0.5);
  assert.ok((m.maxTheta1 as number) >= 0.05 && (m.maxTheta2 as number) >= 0.03);
  assert.ok((m.controlEnergy as number) > 0);
  assert.equal(m.samples, 1001);
  // The default cost is the nominal control cost the tuner uses for this run.
  const run = simulate({
    plant: createPlant(config.physics, { model: "full" }),
    controller: createController("classical_smc", { config }),
    x0: config.simulation.initial_state,
    dt: config.simulation.dt,
    duration: config.simulation.duration,
  });
  assert.equal(m.cost, controlCost(run, config.cost_function).total);
});

Deno.test("main() prints readable metrics and accepts aliases", async () => {
  const r = await run(["--controller", "Super-Twisting", "--config", CONFIG]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  assert.match(r.stdout, /^controller +sta_smc$/m);
  assert.match(r.stdout, /^status +ok$/m);
  assert.match(r.stdout, /^settling time +\d+(\.\d+)? s \(\|θ1\|, \|θ2\| < 0\.02 rad held to the end\)$/m);
  for (const label of ["max |θ1|", "max |θ2|", "max |x|", "max |u|", "control energy"]) {
    assert.ok(r.stdout.includes(label), label);
  }
});

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

/** Checks an SVG document and returns its polylines' coordinates. */
function checkSvg(svg: string): number[][] {
  assert.ok(svg.startsWith("<svg"), "starts with <svg");
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal(
    (svg.match(/<svg[\s>]/g) ?? []).length,
    (svg.match(/<\/svg>/g) ?? []).length,
    "balanced <svg>",
  );
  assert.ok(!/NaN|Infinity|undefined/.test(svg), "no NaN, Infinity or undefined anywhere");
  const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
    (m[1] === "" ? [] : m[1].split(" ")).flatMap((pair) => {
      const xy = pair.split(",").map(Number);
      assert.equal(xy.length, 2, `point "${pair}"`);
      for (const v of xy) assert.ok(Number.isFinite(v), `coordinate in "${pair}"`);
      return xy;
    })
  );
  return polylines;
}

Deno.test("main() --plot writes a standalone SVG with one polyline per panel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/run.svg`;
    const r = await run(["--controller", "adaptive_smc", "--config", CONFIG, "--plot", file]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    assert.ok(r.stdout.includes(file));
    const svg = await Deno.readTextFile(file);
    const lines = checkSvg(svg);
    assert.equal(lines.length, 4);
    assert.equal((svg.match(/<path[\s>]/g) ?? []).length, 0);
    // θ1, θ2 and x have one point per sample; u is a staircase, two points per step.
    assert.deepEqual(lines.map((l) => l.length / 2), [1001, 1001, 1001, 2000]);
    for (const title of ["θ1", "θ2", "cart position x", "control force u"]) {
      assert.ok(svg.includes(title), title);
    }
    // Every point lies inside the 720 px wide, 4 × 240 px tall canvas.
    for (const l of lines) {
      for (let i = 0; i < l.length; i += 2) {
        assert.ok(l[i] >= 0 && l[i] <= 720 && l[i + 1] >= 0 && l[i + 1] <= 960);
      }
    }
    // Missing folders are created, as for the tune task's outputs.
    const nested = await run([
      "--controller",
      "sta",
      "--config",
      CONFIG,
      "--plot",
      `${dir}/missing/dir/x.svg`,
    ]);
    assert.equal(nested.code, EXIT.ok, nested.stderr);
    assert.equal(checkSvg(await Deno.readTextFile(`${dir}/missing/dir/x.svg`)).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() runs the configured simulation: a falling start is reported, not hidden", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const text = await Deno.readTextFile(CONFIG);
    const falling = text.replace(
      /initial_state: \[[^\]]*\]/,
      "initial_state: [0.0, 1.2, -1.0, 0.0, 0.0, 0.0]",
    )
      .replace("integrator: rk4", "integrator: euler");
    assert.notEqual(falling, text);
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(cfg, falling);
    const file = `${dir}/fall.svg`;
    const r = await run(["--controller", "classical_smc", "--config", cfg, "--plot", file]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    assert.match(r.stdout, /^status +fell at t = [\d.]+ s$/m);
    assert.match(r.stdout, /^settling time +not settled/m);
    assert.match(r.stdout, /euler/);
    assert.equal(checkSvg(await Deno.readTextFile(file)).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() prints the control cost through its hook", async () => {
  const seen: number[] = [];
  const hook = {
    cost: (r: { steps: number }) => {
      seen.push(r.steps);
      return 0.125;
    },
  };
  const json = await run(["--controller", "hybrid", "--config", CONFIG, "--json"], hook);
  assert.equal(JSON.parse(json.stdout).cost, 0.125);
  const text = await run(["--controller", "hybrid", "--config", CONFIG], hook);
  assert.match(text.stdout, /^cost +0\.125$/m);
  assert.deepEqual(seen, [1000, 1000]);
});

Deno.test("main() --disturbance applies a named scenario and prints its recovery and chattering", async () => {
  const base = await runJson(["--controller", "classical_smc"]);
  const hit = await runJson(["--controller", "classical_smc", "--disturbance", "impulse"]);
  assert.deepEqual(hit.disturbance, {
    name: "impulse",
    force: { kind: "impulse", amplitude: 20, start: 2, duration: 0.1 },
  });
  assert.equal(base.disturbance, null);
  assert.equal(base.recovery, null);
  // The 2 N·s push at 2 s knocks the pendulum out of the band: it settles later, works harder.
  assert.equal(hit.status, "ok");
  assert.ok((hit.settlingTime as number) > 2, `settling ${hit.settlingTime}`);
  assert.ok((hit.settlingTime as number) > (base.settlingTime as number));
  assert.ok((hit.controlEnergy as number) > (base.controlEnergy as number));
  // The push moves the cart. From the shipped initial state the peaks of |x|, |u| and the angles
  // come from the first transient, before the push (with the shipped gains), so compare from
  // upright at rest: the undisturbed run stays exactly at the origin (σ = 0, u = 0), the pushed
  // one does not.
  const dir = await Deno.makeTempDir();
  try {
    const text = await Deno.readTextFile(CONFIG);
    const atRest = text.replace(/initial_state: \[[^\]]*\]/, "initial_state: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]");
    assert.notEqual(atRest, text);
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(cfg, atRest);
    const still = await run(["--controller", "classical_smc", "--config", cfg, "--json"]);
    const pushed = await run([
      "--controller",
      "classical_smc",
      "--config",
      cfg,
      "--json",
      "--disturbance",
      "impulse",
    ]);
    assert.equal(still.code, EXIT.ok, still.stderr);
    assert.equal(pushed.code, EXIT.ok, pushed.stderr);
    assert.equal(JSON.parse(still.stdout).maxX, 0);
    assert.ok(JSON.parse(pushed.stdout).maxX > 0.01, `pushed max |x| ${JSON.parse(pushed.stdout).maxX}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const recovery = hit.recovery as Record<string, number | boolean>;
  assert.equal(recovery.leftBand, true);
  assert.equal(recovery.recoveredAt, hit.settlingTime);
  assert.ok(Math.abs((recovery.fromStart as number) - ((hit.settlingTime as number) - 2)) < 1e-9);
  assert.ok(Math.abs((recovery.fromEnd as number) - ((hit.settlingTime as number) - 2.1)) < 1e-9);
  const chatter = (m: Record<string, unknown>) => m.chattering as Record<string, number>;
  assert.equal(chatter(hit).frequency, 5);
  assert.ok(chatter(hit).totalVariation > chatter(base).totalVariation);
  for (const m of [hit, base]) {
    assert.ok(chatter(m).highFrequencyShare >= 0 && chatter(m).highFrequencyShare <= 1);
    assert.ok(chatter(m).signChanges >= 0);
  }
  assert.equal(base.overshootTheta1, (base.maxTheta1 as number) / 0.05);
  // The text output has the new lines.
  const text = await run(["--controller", "classical_smc", "--config", CONFIG, "--disturbance", "impulse"]);
  assert.equal(text.code, EXIT.ok, text.stderr);
  assert.match(text.stdout, /^disturbance +impulse: impulse 20 N from 2 s for 0\.1 s$/m);
  assert.match(text.stdout, /^recovery +[\d.]+ s from the force's start, [\d.]+ s from its end \(/m);
  assert.match(text.stdout, /^total variation +[\d.]+ N\/s/m);
  assert.match(text.stdout, /^Δu sign changes +[\d.]+ per second$/m);
  assert.match(text.stdout, /^chattering +[\d.e-]+ % of u's power above 5 Hz$/m);
  assert.match(text.stdout, /^overshoot +θ1 [\d.]+, θ2 [\d.]+/m);
  // A lasting force has no end to recover from.
  const sine = await runJson(["--controller", "classical_smc", "--disturbance", "sine"]);
  assert.equal((sine.recovery as Record<string, unknown>).fromEnd, null);
  assert.notEqual(sine.controlEnergy, base.controlEnergy);
});

Deno.test("main() --noise adds seeded measurement noise, --seed changes it", async () => {
  const base = await runJson(["--controller", "sta_smc"]);
  const noisy = await runJson(["--controller", "sta_smc", "--noise", "0.001"]);
  assert.deepEqual(noisy.disturbance, {
    name: null,
    noise: { std: [0.001, 0.001, 0.001, 0.001, 0.001, 0.001], seed: 42 },
  });
  assert.equal(noisy.recovery, null, "noise has no force to recover from");
  // The controller reacts to the noise: its force moves more often and more.
  const chatter = (m: Record<string, unknown>) => m.chattering as Record<string, number>;
  assert.ok(chatter(noisy).signChanges > chatter(base).signChanges);
  assert.ok(chatter(noisy).totalVariation > chatter(base).totalVariation);
  assert.notEqual(noisy.controlEnergy, base.controlEnergy);
  // Default seed global_seed (42): the same as --seed 42, different from --seed 7.
  const same = await runJson(["--controller", "sta_smc", "--noise", "0.001", "--seed", "42"]);
  assert.equal(same.controlEnergy, noisy.controlEnergy);
  const other = await runJson(["--controller", "sta_smc", "--noise", "0.001", "--seed", "7"]);
  assert.notEqual(other.controlEnergy, noisy.controlEnergy);
  // --noise replaces a scenario's noise and keeps its force; --noise 0 is the noise-free run.
  const both = await runJson(["--controller", "sta_smc", "--disturbance", "impulse", "--noise", "0.002"]);
  assert.deepEqual((both.disturbance as Record<string, unknown>).noise, {
    std: Array(6).fill(0.002),
    seed: 42,
  });
  assert.equal((both.disturbance as Record<string, unknown>).name, "impulse");
  const zero = await runJson(["--controller", "sta_smc", "--noise", "0"]);
  assert.equal(zero.controlEnergy, base.controlEnergy);
  const text = await run(["--controller", "sta_smc", "--config", CONFIG, "--noise", "0.001"]);
  assert.match(
    text.stdout,
    /^disturbance +--noise: noise std \[0\.001, 0\.001, 0\.001, 0\.001, 0\.001, 0\.001\] \(seed 42\)$/m,
  );
});

Deno.test("main() rejects a bad --disturbance, --noise or --seed with exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--controller", "sta", "--disturbance", "gust"],
      /--disturbance: unknown scenario "gust": available are impulse, noise, random, sine, step/,
    ],
    [["--controller", "sta", "--noise", "loud"], /--noise: must be a finite number ≥ 0, got "loud"/],
    [["--controller", "sta", "--noise=-0.1"], /--noise: must be a finite number ≥ 0, got "-0.1"/],
    [["--controller", "sta", "--noise", ""], /--noise: must be a finite number ≥ 0, got ""/],
    [["--controller", "sta", "--noise", "Infinity"], /--noise: must be a finite number ≥ 0/],
    [
      ["--controller", "sta", "--noise", "0.1", "--seed", "1.5"],
      /--seed: must be an integer ≥ 0, got "1\.5"/,
    ],
    // A seed of the config's kind (noise.seed): no negative seeds.
    [["--controller", "sta", "--noise", "0.1", "--seed=-3"], /--seed: must be an integer ≥ 0, got "-3"/],
    [["--controller", "sta", "--seed", "3"], /--seed: seeds the --noise noise, so it needs --noise/],
  ];
  for (const [args, message] of cases) {
    const r = await run(["--config", CONFIG, ...args]);
    assert.equal(r.code, EXIT.usage, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "", args.join(" "));
    assert.match(r.stderr, message, args.join(" "));
    assert.ok(r.stderr.includes("Usage: deno task simulate --controller <name>"), args.join(" "));
  }
});

Deno.test("main() --plot adds the disturbance force as a fifth panel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/hit.svg`;
    const r = await run([
      "--controller",
      "classical_smc",
      "--config",
      CONFIG,
      "--disturbance",
      "impulse",
      "--plot",
      file,
    ]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    const svg = await Deno.readTextFile(file);
    const lines = checkSvg(svg);
    assert.equal(lines.length, 5);
    assert.deepEqual(lines.map((l) => l.length / 2), [1001, 1001, 1001, 2000, 2000]);
    assert.ok(svg.includes("disturbance force d on the cart"));
    // The force panel is flat except over the pulse: its staircase has exactly two distinct heights.
    const heights = new Set<number>();
    for (let i = 1; i < lines[4].length; i += 2) heights.add(lines[4][i]);
    assert.equal(heights.size, 2);
    // Noise alone has no force panel.
    const quiet = `${dir}/noise.svg`;
    assert.equal(
      (await run(["--controller", "sta", "--config", CONFIG, "--noise", "0.001", "--plot", quiet])).code,
      EXIT.ok,
    );
    assert.equal(checkSvg(await Deno.readTextFile(quiet)).length, 4);
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

Deno.test("parseGainList() reads numeric literals only", () => {
  assert.deepEqual(parseGainList("1, 2.5,3e-1 ,-4"), [1, 2.5, 0.3, -4]);
  assert.throws(() => parseGainList("1,2,"), /entry 3 of 3 is not a number, got ""/);
  assert.throws(() => parseGainList("one"), /entry 1 of 1/);
});

// ---------------------------------------------------------------------------------------------
// svg.ts

Deno.test("niceTicks() steps by 1, 2 or 5 × 10^k inside the range", () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.17, 0.09, 5), [-0.15, -0.1, -0.05, 0, 0.05]);
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  for (const [lo, hi] of [[-123, 4567], [1e-5, 3e-5], [0.3, 0.7]]) {
    const ticks = niceTicks(lo, hi);
    assert.ok(ticks.length >= 3 && ticks.length <= 11, `${lo}..${hi}: ${ticks}`);
    for (const t of ticks) assert.ok(t >= lo - 1e-12 && t <= hi + 1e-12);
  }
});

Deno.test("lineChartSvg() draws axes, a legend and escaped text, and survives degenerate data", () => {
  const svg = lineChartSvg({
    title: 'a < b & "c"',
    xLabel: "t [s]",
    yLabel: "y",
    guides: [{ y: 2, label: "limit" }],
    series: [
      { name: "flat", t: [0, 1, 2], y: [1, 1, 1] },
      { name: "gappy", t: [0, 1, 2, 3], y: [NaN, 2, Infinity, 0], color: "#000000" },
    ],
  });
  const lines = checkSvg(svg);
  assert.equal(lines.length, 2);
  assert.equal(lines[1].length, 4, "the non-finite points are dropped");
  assert.ok(svg.includes("a &lt; b &amp; &quot;c&quot;"));
  assert.ok(svg.includes(">flat</text>") && svg.includes(">gappy</text>"), "legend entries");
  assert.ok(svg.includes('stroke-dasharray="4 3"'), "guide");
  assert.equal(escapeXml("'"), "&apos;");
  // A constant series and an all-NaN series still get a usable scale.
  checkSvg(lineChartSvg({ title: "c", series: [{ name: "c", t: [0, 1], y: [0, 0] }] }));
  assert.deepEqual(
    checkSvg(lineChartSvg({ title: "n", series: [{ name: "n", t: [0, 1], y: [NaN, NaN] }] })),
    [[]],
  );
  assert.throws(() => lineChartSvg({ title: "x", series: [] }), /series: must hold at least one series/);
  assert.throws(
    () => lineChartSvg({ title: "x", series: [{ name: "a", t: [0], y: [0] }], width: 10 }),
    /width/,
  );
  assert.throws(() => stackedChartsSvg([]), /charts: must hold at least one chart/);
});

Deno.test("main() refuses a --plot path it cannot write before the run, with exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const cases: [string, RegExp][] = [
      [`${dir}/file/x.svg`, /--plot: cannot write ".*\/file\/x\.svg": ".*\/file" is a file, not a folder/],
      [dir, /--plot: cannot write ".*": it is a folder, give a file path/],
    ];
    for (const [path, message] of cases) {
      let simulated = false;
      const r = await run(["--controller", "sta", "--config", CONFIG, "--plot", path], {
        cost: () => (simulated = true, 0),
      });
      assert.equal(r.code, EXIT.usage, path);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.includes("Usage: deno task simulate"), path);
      assert.equal(r.stdout, "");
      assert.equal(simulated, false, `${path}: the run was simulated before the path was refused`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() still prints the metrics when the plot write fails after the run, and exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/run.svg`;
    const writeTextFile = () => Promise.reject(new Error("No space left on device (os error 28)"));
    for (const json of [false, true]) {
      const args = ["--controller", "sta", "--config", CONFIG, "--plot", file, ...(json ? ["--json"] : [])];
      const r = await run(args, { writeTextFile });
      assert.equal(r.code, EXIT.failure);
      assert.equal(r.stderr, `error: --plot: cannot write "${file}": No space left on device (os error 28)`);
      if (json) {
        const report = JSON.parse(r.stdout);
        assert.equal(report.status, "ok");
        assert.equal("plot" in report, false, "the JSON names a plot that was not written");
      } else {
        assert.match(r.stdout, /^status +ok$/m);
        assert.ok(!r.stdout.includes("plot "), "the text names a plot that was not written");
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() prints a diverged run's missing peaks as words, never NaN", async () => {
  // A controller that pushes with 1e308 N and no limit: the state overflows in the first step, as an
  // absurd disturbance amplitude did before the config bounded forces.
  await registerController({
    type: "runaway",
    module: new URL("../fixtures/runaway_controller.ts", import.meta.url).href,
    export: "createRunaway",
    gainNames: RUNAWAY_GAIN_NAMES,
    defaultGains: RUNAWAY_DEFAULTS,
    stateful: false,
  });
  try {
    const text = await run(["--controller", "runaway", "--config", CONFIG]);
    assert.equal(text.code, EXIT.ok, text.stderr);
    assert.match(text.stdout, /^status +diverged at t = 0\.01 s$/m);
    assert.match(text.stdout, new RegExp(`^max \\|θ1\\| +${escapeRegExp(NOT_A_NUMBER_TEXT)} rad$`, "m"));
    assert.ok(!/NaN|Infinity|undefined/.test(text.stdout), text.stdout);
    // The JSON says null for the same values.
    const json = JSON.parse((await run(["--controller", "runaway", "--config", CONFIG, "--json"])).stdout);
    assert.equal(json.status, "diverged");
    assert.equal(json.maxTheta1, null);
  } finally {
    resetRegistryForTests();
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
