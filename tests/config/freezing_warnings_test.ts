/**
 * Tests of what the loader returns and reports besides errors (config/loader.ts): a deeply frozen
 * config, an input left untouched, and warnings about implausible values and YAML problems.
 */
import assert from "assert";
import { loadConfig, parseConfig, validateConfig } from "../../config/mod.ts";
import {
  assertDeeplyFrozen,
  assertFirstIssue as assertIssue,
  catchConfigError,
  CONFIG_PATH,
  edited,
  replaced,
} from "./helpers.ts";

Deno.test("loadConfig() returns a deeply frozen config", () => {
  const config = loadConfig(CONFIG_PATH, { env: {} });
  assertDeeplyFrozen(config);
  // ES modules run in strict mode, where writing to a frozen object throws.
  assert.throws(() => {
    (config.physics as { cart_mass: number }).cart_mass = 3;
  }, TypeError);
  assert.throws(() => {
    (config.simulation.initial_state as number[])[0] = 1;
  }, TypeError);
  assert.throws(() => (config.pso.bounds.sta_smc.lower as number[]).push(1), TypeError);
  assert.throws(() => {
    (config.controller_defaults.sta_smc.gains as number[])[1] = 100;
  }, TypeError);
  assert.throws(() => {
    delete (config as { uncertainty?: unknown }).uncertainty;
  }, TypeError);
  assert.equal(config.physics.cart_mass, 1.5);
});

Deno.test("validateConfig() accepts a plain object and neither freezes nor mutates it", () => {
  const input = edited({ "controllers.sta_smc.gains": [9, 4, 0.5, 2.5, 20, 6] });
  const snapshot = structuredClone(input);
  const config = validateConfig(input, { env: { DIP__SIMULATION__DT: "0.02" } });
  assert.deepEqual(config.controllers.sta_smc.gains, [9, 4, 0.5, 2.5, 20, 6]);
  assert.equal(config.simulation.dt, 0.02);
  assert.deepEqual(input, snapshot);
  assert.equal(Object.isFrozen(input), false);
  assert.equal(Object.isFrozen(input.simulation), false);
  assert.notEqual(config.simulation, input.simulation);
});

Deno.test("parseConfig() warns about implausible inertias without rejecting them", async (t) => {
  const text = replaced("pendulum1_inertia: 0.0081", "pendulum1_inertia: 0.05");
  await t.step("through onWarning", () => {
    const warnings: string[] = [];
    const config = parseConfig(text, { onWarning: (m) => warnings.push(m) });
    assert.equal(config.physics.pendulum1_inertia, 0.05);
    assert.deepEqual(warnings, [
      "physics.pendulum1_inertia: implausibly large, more than pendulum1_mass·pendulum1_length² (0.032), got 0.05",
    ]);
  });
  await t.step("through console.warn by default", () => {
    const original = console.warn;
    const warnings: unknown[] = [];
    console.warn = (m: unknown) => warnings.push(m);
    try {
      parseConfig(text);
    } finally {
      console.warn = original;
    }
    assert.equal(warnings.length, 1);
  });
  await t.step("YAML warnings (an unknown tag) go to onWarning too", () => {
    const warnings: string[] = [];
    const error = catchConfigError(() =>
      parseConfig(replaced("cart_mass: 1.5", "cart_mass: !kg 1.5"), { onWarning: (m) => warnings.push(m) })
    );
    assertIssue(error, "physics.cart_mass", 'must be a number, got "1.5"');
    assert.match(warnings[0], /Unresolved tag: !kg at line \d+/);
  });
});
