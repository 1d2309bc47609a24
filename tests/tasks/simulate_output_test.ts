/**
 * Tests of what the simulate task (tasks/simulate.ts) prints, as text and as JSON: the default run's
 * metrics against an independent computation, aliases, a falling start, the control cost hook, and a
 * diverged run's missing peaks.
 */
import assert from "assert";
import { EXIT, NOT_A_NUMBER_TEXT } from "../../tasks/mod.ts";
import { createPlant, simulate } from "../../plant/mod.ts";
import { createController, DEFAULT_GAINS, registerController } from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { RUNAWAY_DEFAULTS, RUNAWAY_GAIN_NAMES } from "../fixtures/runaway_controller.ts";
import { loadConfig } from "../../config/mod.ts";
import { controlCost } from "../../optimizer/mod.ts";
import { checkSvg, CONFIG, run, runJson } from "./simulate_helpers.ts";

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
  // 17.126 N is checked in tests/controllers/smc_cross_table_test.ts).
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
