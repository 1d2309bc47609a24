/**
 * Tests of loading config.yaml (config/loader.ts): the shipped file and its values, a JSON round
 * trip, an accepted variant, the Config type, and files that cannot be read.
 */
import assert from "assert";
import {
  type Config,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfig,
  ROOT_PATH,
  validateConfig,
} from "../../config/mod.ts";
import { parse } from "yaml";
import {
  assertFirstIssue as assertIssue,
  catchConfigError,
  CONFIG_PATH,
  edited,
  replaced,
  TEXT,
} from "./helpers.ts";

const quiet = { onWarning: () => {} };

Deno.test("loadConfig() loads the shipped config.yaml", () => {
  const warnings: string[] = [];
  const config = loadConfig(CONFIG_PATH, { env: {}, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(warnings, []);
  assert.equal(config.global_seed, 42);
  assert.equal(config.physics.cart_mass, 1.5);
  assert.equal(config.physics.joint2_friction, 0.004);
  assert.equal(config.simulation.dt, 0.01);
  assert.deepEqual(config.simulation.initial_state, [0, 0.05, -0.03, 0, 0, 0]);
  assert.equal(config.simulation.plant_model, "full");
  assert.equal(config.simulation.fall_angle, Math.PI / 2);
  assert.equal(config.simulation.track_limit, null);
  // Spot checks of the values config.yaml ships (the robust-tuned defaults and widened bounds).
  assert.deepEqual(
    config.controller_defaults.sta_smc.gains,
    [13.009988, 0.500544, 0.328036, 1.991745, 39.999968, 8.949671],
  );
  assert.equal(config.controllers.adaptive_smc.K_min, 0.1);
  assert.equal(config.controllers.hybrid_adaptive_sta_smc.k_max, 50);
  assert.equal(config.controllers.classical_smc.gains, undefined);
  assert.equal(config.pso.n_particles, 40);
  assert.equal(config.pso.w_final, null);
  assert.deepEqual(config.pso.bounds.hybrid_adaptive_sta_smc.upper, [30, 80, 30, 60]);
  assert.equal(config.cost_function.combine_weights.mean, 0.7);
  assert.equal(config.physics_uncertainty.n_evals, 10);
  assert.equal(config.physics_uncertainty.gravity, 0);
  assert.equal(config.uncertainty.initial_angle, 0.1);
  assert.equal(DEFAULT_CONFIG_PATH, "config.yaml");
});

Deno.test("parseConfig() round-trips the shipped config through JSON", () => {
  const config = parseConfig(TEXT, quiet);
  const again = parseConfig(JSON.stringify(config), quiet);
  assert.deepEqual(again, config);
  assert.deepEqual(parse(JSON.stringify(config)), JSON.parse(JSON.stringify(config)));
});

Deno.test("validateConfig() accepts a config with a linear inertia schedule and a track limit", () => {
  const config = validateConfig(
    edited({ "pso.inertia": "linear", "pso.w_final": 0.4, "simulation.track_limit": 2.4 }),
  );
  assert.equal(config.pso.w_final, 0.4);
  assert.equal(config.simulation.track_limit, 2.4);
});

Deno.test("loadConfig() rejects a file it cannot read, naming the path", async (t) => {
  await t.step("a missing file", () => {
    const error = catchConfigError(() => loadConfig("/nonexistent/dip.yaml", { env: {} }));
    assertIssue(error, ROOT_PATH, 'cannot read "/nonexistent/dip.yaml": file not found');
    assert.equal(error.source, "/nonexistent/dip.yaml");
    assert.match(error.message, /^Invalid configuration in \/nonexistent\/dip\.yaml \(1 problem\):\n/);
  });
  await t.step("a directory", () => {
    const dir = Deno.makeTempDirSync();
    try {
      const error = catchConfigError(() => loadConfig(dir, { env: {} }));
      assertIssue(error, ROOT_PATH, `cannot read "${dir}"`);
    } finally {
      Deno.removeSync(dir);
    }
  });
  await t.step("a file that is not valid, with its path in the header", () => {
    const file = Deno.makeTempFileSync({ suffix: ".yaml" });
    try {
      Deno.writeTextFileSync(file, replaced("dt: 0.01", "dt: -0.01"));
      const error = catchConfigError(() => loadConfig(file, { env: {} }));
      assertIssue(error, "simulation.dt", "must be greater than 0, got -0.01");
      assert.ok(error.message.startsWith(`Invalid configuration in ${file} (1 problem):`));
    } finally {
      Deno.removeSync(file);
    }
  });
});

Deno.test("parseConfig() result satisfies the Config type", () => {
  // A compile-time check as much as a runtime one: these reads must type-check without casts.
  const config: Config = parseConfig(TEXT, quiet);
  const total: number = config.physics.cart_mass + config.pso.bounds.sta_smc.upper[0];
  assert.equal(total, 41.5);
});
