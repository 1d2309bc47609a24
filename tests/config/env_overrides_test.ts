/**
 * Tests of the DIP__ environment overrides (config/loader.ts): what they set, how names match, how a
 * bad value is attributed to its variable, and reading the process environment (or skipping it when
 * env access is not granted).
 */
import assert from "assert";
import { loadConfig, parseConfig, validateConfig } from "../../config/mod.ts";
import {
  assertFirstIssue as assertIssue,
  catchConfigError,
  CONFIG_PATH,
  edited,
  REMOVE,
  TEXT,
} from "./helpers.ts";

Deno.test("parseConfig() applies DIP__ environment overrides", async (t) => {
  await t.step("a top-level section key", () => {
    const config = parseConfig(TEXT, { env: { DIP__SIMULATION__DT: "0.005" } });
    assert.equal(config.simulation.dt, 0.005);
    assert.equal(config.simulation.duration, 10);
  });
  await t.step("a nested controllers key", () => {
    const config = parseConfig(TEXT, { env: { DIP__CONTROLLERS__STA_SMC__BOUNDARY_LAYER: "0.2" } });
    assert.equal(config.controllers.sta_smc.boundary_layer, 0.2);
    assert.equal(config.controllers.classical_smc.boundary_layer, 0.3);
  });
  await t.step("names matched case-insensitively, including capitalised keys", () => {
    const config = parseConfig(TEXT, {
      env: { DIP__CONTROLLERS__ADAPTIVE_SMC__K_MIN: "0.5", DIP__pso__Seed: "7" },
    });
    assert.equal(config.controllers.adaptive_smc.K_min, 0.5);
    assert.equal(config.pso.seed, 7);
  });
  await t.step("flow sequences, null, booleans and whole sections", () => {
    const config = parseConfig(TEXT, {
      env: {
        DIP__SIMULATION__INITIAL_STATE: "[0, 0.1, 0, 0, 0, 0]",
        DIP__SIMULATION__TRACK_LIMIT: "2.5",
        DIP__PSO__W_FINAL: "null",
        DIP__CONTROLLERS__CLASSICAL_SMC__USE_EQUIVALENT: "false",
        DIP__CONTROLLERS__HYBRID_ADAPTIVE_STA_SMC__GAINS: "[1, 20, 2, 6]",
        DIP__UNCERTAINTY: "{initial_angle: 0.2}",
      },
    });
    assert.deepEqual(config.simulation.initial_state, [0, 0.1, 0, 0, 0, 0]);
    assert.equal(config.simulation.track_limit, 2.5);
    assert.equal(config.pso.w_final, null);
    assert.equal(config.controllers.classical_smc.use_equivalent, false);
    assert.deepEqual(config.controllers.hybrid_adaptive_sta_smc.gains, [1, 20, 2, 6]);
    assert.equal(config.uncertainty.initial_angle, 0.2);
  });
  await t.step("a section override refined by a deeper one", () => {
    const config = parseConfig(TEXT, {
      env: { DIP__UNCERTAINTY__INITIAL_ANGLE: "0.3", DIP__UNCERTAINTY: "{initial_angle: 0.2}" },
    });
    assert.equal(config.uncertainty.initial_angle, 0.3);
  });
  await t.step("variables without the DIP__ prefix are ignored", () => {
    const config = parseConfig(TEXT, {
      env: {
        SIMULATION__DT: "abc",
        DIP_SIMULATION__DT: "abc",
        dip__simulation__dt: "abc",
        DIP__X: undefined,
      },
    });
    assert.equal(config.simulation.dt, 0.01);
  });
  await t.step("a bad value names the path and the variable", () => {
    const error = catchConfigError(() => parseConfig(TEXT, { env: { DIP__SIMULATION__DT: "abc" } }));
    assertIssue(error, "simulation.dt", 'must be a number, got "abc" (set by DIP__SIMULATION__DT)');
    assert.equal(error.issues.length, 1);
  });
  await t.step("a value that breaks a cross-field rule names the path", () => {
    const error = catchConfigError(() =>
      parseConfig(TEXT, { env: { DIP__CONTROLLERS__ADAPTIVE_SMC__K_INIT: "1000" } })
    );
    assertIssue(error, "controllers.adaptive_smc.K_init", "must be within [K_min, K_max]");
    assertIssue(error, "controllers.adaptive_smc.K_init", "DIP__CONTROLLERS__ADAPTIVE_SMC__K_INIT");
  });
  await t.step("an element of an overridden array names the element", () => {
    const error = catchConfigError(() =>
      parseConfig(TEXT, { env: { DIP__SIMULATION__INITIAL_STATE: "[0, .nan, 0, 0, 0, 0]" } })
    );
    assertIssue(error, "simulation.initial_state[1]", "must be finite, got NaN (set by DIP__SIMULATION");
  });
  await t.step("the same key set twice is an error", () => {
    const error = catchConfigError(() =>
      parseConfig(TEXT, { env: { DIP__SIMULATION__DT: "0.02", DIP__simulation__dt: "0.03" } })
    );
    assertIssue(error, "simulation.dt", "set by both DIP__SIMULATION__DT and DIP__simulation__dt");
  });
  await t.step("an override below a broken section is left to that section's error", () => {
    const error = catchConfigError(() =>
      validateConfig(edited({ physics: [1, 2] }), { env: { DIP__PHYSICS__CART_MASS: "2" } })
    );
    assert.deepEqual(error.issues, [{ path: "physics", message: "must be a mapping, got an array of 2" }]);
  });
  await t.step("an override can supply a missing section key", () => {
    const config = validateConfig(edited({ "uncertainty.initial_angle": REMOVE }), {
      env: { DIP__UNCERTAINTY__INITIAL_ANGLE: "0.05" },
    });
    assert.equal(config.uncertainty.initial_angle, 0.05);
  });
});

Deno.test("loadConfig() reads overrides from the process environment by default", () => {
  Deno.env.set("DIP__SIMULATION__DURATION", "5");
  try {
    assert.equal(loadConfig(CONFIG_PATH).simulation.duration, 5);
    assert.equal(loadConfig(CONFIG_PATH, { env: {} }).simulation.duration, 10);
  } finally {
    Deno.env.delete("DIP__SIMULATION__DURATION");
  }
});

Deno.test({
  name: "loadConfig() skips environment overrides with a warning when env access is not granted",
  // The yaml package's Node build reads process.env.LOG_TOKENS and LOG_STREAM while parsing.
  permissions: { read: true, env: ["LOG_TOKENS", "LOG_STREAM"] },
  fn() {
    const warnings: string[] = [];
    const config = loadConfig(CONFIG_PATH, { onWarning: (m) => warnings.push(m) });
    assert.equal(config.simulation.dt, 0.01);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /environment overrides skipped/);
  },
});
