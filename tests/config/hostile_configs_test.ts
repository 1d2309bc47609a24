/**
 * Tests of rejected configs (config/loader.ts): ConfigError lists every problem on its own line,
 * several problems are reported at once, and each hostile config of `hostile_cases_*.ts` is rejected
 * with the offending dot-path.
 */
import assert from "assert";
import { ConfigError, parseConfig, validateConfig } from "../../config/mod.ts";
import {
  assertFirstIssue as assertIssue,
  catchConfigError,
  edited,
  type HostileCase,
  raw,
  replaced,
} from "./helpers.ts";
import { MODEL_CASES } from "./hostile_cases_model.ts";
import { STRUCTURE_CASES } from "./hostile_cases_structure.ts";
import { TUNING_CASES } from "./hostile_cases_tuning.ts";

Deno.test("ConfigError lists every problem on its own line", () => {
  const error = new ConfigError([
    { path: "a.b", message: "must be greater than 0, got -1" },
    { path: "c", message: "missing required key" },
  ], "x.yaml");
  assert.equal(error.name, "ConfigError");
  assert.ok(error instanceof Error);
  assert.equal(
    error.message,
    "Invalid configuration in x.yaml (2 problems):\n  a.b: must be greater than 0, got -1\n  c: missing required key",
  );
  assert.ok(Object.isFrozen(error.issues));
  assert.ok(Object.isFrozen(error.issues[0]));
  assert.equal(
    new ConfigError([{ path: "c", message: "m" }]).message,
    "Invalid configuration (1 problem):\n  c: m",
  );
});

Deno.test("parseConfig() reports several problems at once", () => {
  const text = replaced("cart_mass: 1.5", "cart_mass: -1.5")
    .replace("pendulum1_com: 0.2", "pendulum1_com: 0.45")
    .replace("integrator: rk4", "integrator: rk5")
    .replace("n_particles: 40", "n_particles: 0")
    .replace("  max: 0.3", "  max: 0.3\n    min: 0.1");
  const error = catchConfigError(() =>
    parseConfig(text, { env: { DIP__SIMULATION__DT: "fast", DIP__PSO__NOPE: "1" }, source: "test.yaml" })
  );
  assertIssue(error, "physics.cart_mass", "must be greater than 0, got -1.5");
  assertIssue(error, "physics.pendulum1_com", "must be less than physics.pendulum1_length (0.4), got 0.45");
  assertIssue(error, "simulation.integrator", 'must be one of "rk4", "euler", got "rk5"');
  assertIssue(error, "pso.n_particles", "must be at least 1, got 0");
  assertIssue(error, "cost_function.combine_weights.min", "unknown key; allowed: mean, max");
  assertIssue(error, "simulation.dt", 'must be a number, got "fast"');
  assertIssue(error, "pso.nope", "DIP__PSO__NOPE");
  assert.equal(error.issues.length, 7);
  assert.ok(error.message.startsWith("Invalid configuration in test.yaml (7 problems):\n"));
  assert.equal(error.message.split("\n").length, 8);
});

/** Every hostile config, in the order of config.yaml's sections. */
const HOSTILE: readonly HostileCase[] = [...STRUCTURE_CASES, ...MODEL_CASES, ...TUNING_CASES];

Deno.test("parseConfig() rejects hostile configs with the offending path", async (t) => {
  assert.ok(HOSTILE.length >= 30);
  for (const c of HOSTILE) {
    await t.step(`parseConfig() rejects ${c.name}`, () => {
      const options = { env: c.env ?? {}, onWarning: () => {} };
      const error = catchConfigError(() => {
        if (c.text !== undefined) return parseConfig(c.text, options);
        if ("value" in c) return validateConfig(c.value, options);
        return validateConfig(c.edits ? edited(c.edits) : raw(), options);
      });
      assertIssue(error, c.path, c.fragment);
    });
  }
});
