/**
 * Tests of the simulate task's disturbances and noise (tasks/simulate.ts, docs/disturbances.md): a
 * named --disturbance scenario with its recovery and chattering, seeded --noise and --seed, and their
 * refusals.
 */
import assert from "assert";
import { EXIT } from "../../tasks/mod.ts";
import { CONFIG, run, runJson } from "./simulate_helpers.ts";

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
