import assert from "assert";
import { parse } from "yaml";
import {
  type Config,
  ConfigError,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfig,
  ROOT_PATH,
  validateConfig,
} from "../../config/mod.ts";

const CONFIG_URL = new URL("../../config.yaml", import.meta.url);
const CONFIG_PATH = CONFIG_URL.pathname;
const TEXT = Deno.readTextFileSync(CONFIG_URL);
const quiet = { onWarning: () => {} };

/** A fresh, mutable copy of the shipped config as plain data. */
function raw(): Record<string, unknown> {
  return parse(TEXT);
}

/** Marks a key for deletion in {@linkcode edited}. */
const REMOVE = Symbol("remove");

/**
 * The shipped config with edits applied; keys are dot-paths with optional indices
 * (`simulation.initial_state[2]`), values are the new value or {@linkcode REMOVE}.
 */
function edited(edits: Record<string, unknown>): Record<string, unknown> {
  const root = raw();
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
    let node = root as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = keys[keys.length - 1];
    if (value === REMOVE) delete node[last];
    else node[last] = value;
  }
  return root;
}

/** The shipped text with one exact substring replaced (fails loudly if it is not there). */
function replaced(from: string, to: string): string {
  assert.ok(TEXT.includes(from), `config.yaml no longer contains ${JSON.stringify(from)}`);
  return TEXT.replace(from, to);
}

function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  assert.fail("expected a ConfigError, but the config was accepted");
}

function assertIssue(error: ConfigError, path: string, fragment: string): void {
  const hit = error.issues.find((i) => i.path === path);
  assert.ok(hit, `no issue at ${path}; issues:\n${error.message}`);
  assert.ok(
    hit.message.includes(fragment),
    `issue at ${path} lacks ${JSON.stringify(fragment)}: ${hit.message}`,
  );
  assert.ok(
    error.message.includes(`\n  ${path}: ${hit.message}`),
    "the message lists the issue on its own line",
  );
}

function assertDeeplyFrozen(value: unknown, path = "config"): void {
  if (typeof value !== "object" || value === null) return;
  assert.ok(Object.isFrozen(value), `${path} is not frozen`);
  for (const [key, inner] of Object.entries(value)) assertDeeplyFrozen(inner, `${path}.${key}`);
}

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

Deno.test("parseConfig() round-trips the shipped config through JSON", () => {
  const config = parseConfig(TEXT, quiet);
  const again = parseConfig(JSON.stringify(config), quiet);
  assert.deepEqual(again, config);
  assert.deepEqual(parse(JSON.stringify(config)), JSON.parse(JSON.stringify(config)));
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

Deno.test("validateConfig() accepts a config with a linear inertia schedule and a track limit", () => {
  const config = validateConfig(
    edited({ "pso.inertia": "linear", "pso.w_final": 0.4, "simulation.track_limit": 2.4 }),
  );
  assert.equal(config.pso.w_final, 0.4);
  assert.equal(config.simulation.track_limit, 2.4);
});

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

interface HostileCase {
  readonly name: string;
  /** The config: edits of the shipped object, YAML text, or any value for validateConfig. */
  readonly edits?: Record<string, unknown>;
  readonly text?: string;
  readonly value?: unknown;
  readonly env?: Record<string, string>;
  /** The exact path expected among the issues, and a fragment of its message. */
  readonly path: string;
  readonly fragment: string;
}

const K_STATE = "[0.0, 0.05, -0.03, 0.0, 0.0, 0.0]";

const HOSTILE: readonly HostileCase[] = [
  // Structure: unknown, missing and duplicate keys, non-mappings.
  {
    name: "an unknown key at the root",
    edits: { extra: 1 },
    path: "extra",
    fragment: "unknown key; allowed: global_seed",
  },
  {
    name: "an unknown key in physics (a typo)",
    edits: { "physics.cart_masss": 1.5 },
    path: "physics.cart_masss",
    fragment: "unknown key; allowed: cart_mass, pendulum1_mass",
  },
  {
    name: "an unknown key in controllers.sta_smc",
    edits: { "controllers.sta_smc.boundary": 0.3 },
    path: "controllers.sta_smc.boundary",
    fragment: "unknown key; allowed: gains, boundary_layer",
  },
  {
    name: "an unknown key in pso.bounds.sta_smc",
    edits: { "pso.bounds.sta_smc.middle": [1, 1, 1, 1, 1, 1] },
    path: "pso.bounds.sta_smc.middle",
    fragment: "unknown key; allowed: lower, upper",
  },
  {
    name: "an unknown controller type in controllers",
    edits: { "controllers.pid": {} },
    path: "controllers.pid",
    fragment: "unknown key",
  },
  {
    name: "a __proto__ key",
    text: `${TEXT}\n__proto__: {polluted: true}\n`,
    path: "__proto__",
    fragment: "unknown key",
  },
  {
    name: "a duplicate key",
    text: replaced("  cart_mass: 1.5", "  cart_mass: 1.5\n  cart_mass: 2.5"),
    path: "physics.cart_mass",
    fragment: "duplicate key (line 9, column 3)",
  },
  {
    name: "a duplicate section",
    text: `${TEXT}\nuncertainty:\n  initial_angle: 0.2\n`,
    path: "uncertainty",
    fragment: "duplicate key",
  },
  {
    name: "a missing section",
    edits: { uncertainty: REMOVE },
    path: "uncertainty",
    fragment: "missing required key",
  },
  {
    name: "a missing controller block",
    edits: { "controllers.sta_smc": REMOVE },
    path: "controllers.sta_smc",
    fragment: "missing required key",
  },
  {
    name: "a missing adaptive parameter",
    edits: { "controllers.adaptive_smc.alpha": REMOVE },
    path: "controllers.adaptive_smc.alpha",
    fragment: "missing required key",
  },
  {
    name: "missing default gains",
    edits: { "controller_defaults.hybrid_adaptive_sta_smc": REMOVE },
    path: "controller_defaults.hybrid_adaptive_sta_smc",
    fragment: "missing required key",
  },
  {
    name: "a section that is a list",
    edits: { physics: [1, 2] },
    path: "physics",
    fragment: "must be a mapping, got an array of 2",
  },
  {
    name: "a section that is null",
    text: replaced("uncertainty:\n  initial_angle: 0.1", "uncertainty:"),
    path: "uncertainty",
    fragment: "must be a mapping, got null",
  },
  // Whole-document problems.
  { name: "an empty file", text: "", path: ROOT_PATH, fragment: "the document is empty" },
  {
    name: "a file of comments only",
    text: "# nothing here\n",
    path: ROOT_PATH,
    fragment: "the document is empty",
  },
  {
    name: "malformed YAML",
    text: replaced(K_STATE, "[0.0, 0.05, -0.03"),
    path: ROOT_PATH,
    fragment: "invalid YAML",
  },
  {
    name: "malformed YAML (bad indentation)",
    text: "physics:\n  cart_mass: 1\n bad: 2\n",
    path: ROOT_PATH,
    fragment: "line 3",
  },
  {
    name: "a root that is a list",
    text: "- 1\n- 2\n",
    path: ROOT_PATH,
    fragment: "must be a mapping, got an array of 2",
  },
  { name: "a root that is a scalar", text: "42\n", path: ROOT_PATH, fragment: "must be a mapping, got 42" },
  {
    name: "an alias bomb",
    text: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    path: ROOT_PATH,
    fragment: "Excessive alias count",
  },
  {
    name: "a class instance as the root",
    value: new URL("file:///config.yaml"),
    path: ROOT_PATH,
    fragment: "must be a mapping, got a URL",
  },
  // Types: no coercion, no non-finite numbers.
  {
    name: '"0.01" as a string',
    text: replaced("dt: 0.01", 'dt: "0.01"'),
    path: "simulation.dt",
    fragment: 'must be a number, got "0.01"',
  },
  {
    name: ".nan",
    text: replaced("dt: 0.01", "dt: .nan"),
    path: "simulation.dt",
    fragment: "must be finite, got NaN",
  },
  {
    name: ".inf",
    text: replaced("gravity: 9.81", "gravity: .inf"),
    path: "physics.gravity",
    fragment: "must be finite, got Infinity",
  },
  {
    name: "-.inf inside initial_state",
    text: replaced(K_STATE, "[0.0, 0.05, -.inf, 0.0, 0.0, 0.0]"),
    path: "simulation.initial_state[2]",
    fragment: "must be finite, got -Infinity",
  },
  {
    name: "a hole in a sparse initial_state",
    edits: { "simulation.initial_state": [0, 0.05, , 0, 0, 0] },
    path: "simulation.initial_state[2]",
    fragment: "must be a number, got undefined",
  },
  {
    name: "a string inside initial_state",
    edits: { "simulation.initial_state[0]": "0" },
    path: "simulation.initial_state[0]",
    fragment: 'must be a number, got "0"',
  },
  {
    name: "a binary blob as a mass",
    text: replaced("cart_mass: 1.5", "cart_mass: !!binary aGVsbG8="),
    path: "physics.cart_mass",
    fragment: "must be a number, got a",
  },
  {
    name: '"yes" as a boolean',
    edits: { "controllers.sta_smc.use_equivalent": "yes" },
    path: "controllers.sta_smc.use_equivalent",
    fragment: 'must be true or false, got "yes"',
  },
  {
    name: "a mapping as a number",
    edits: { "physics.gravity": { value: 9.81 } },
    path: "physics.gravity",
    fragment: "must be a number, got a mapping",
  },
  // Physics.
  {
    name: "a negative mass",
    edits: { "physics.cart_mass": -1.5 },
    path: "physics.cart_mass",
    fragment: "must be greater than 0, got -1.5",
  },
  {
    name: "a zero mass",
    edits: { "physics.pendulum2_mass": 0 },
    path: "physics.pendulum2_mass",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "a zero length",
    edits: { "physics.pendulum1_length": 0 },
    path: "physics.pendulum1_length",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "a zero inertia",
    edits: { "physics.pendulum2_inertia": 0 },
    path: "physics.pendulum2_inertia",
    fragment: "must be greater than 0",
  },
  {
    name: "zero gravity",
    edits: { "physics.gravity": 0 },
    path: "physics.gravity",
    fragment: "must be greater than 0",
  },
  {
    name: "a negative friction",
    edits: { "physics.joint2_friction": -0.001 },
    path: "physics.joint2_friction",
    fragment: "must be at least 0, got -0.001",
  },
  {
    name: "a COM beyond the link",
    edits: { "physics.pendulum1_com": 0.45 },
    path: "physics.pendulum1_com",
    fragment: "must be less than physics.pendulum1_length (0.4), got 0.45",
  },
  {
    name: "a COM at the link's end",
    edits: { "physics.pendulum2_com": 0.3 },
    path: "physics.pendulum2_com",
    fragment: "must be less than physics.pendulum2_length (0.3), got 0.3",
  },
  // Simulation.
  {
    name: "dt = 0",
    edits: { "simulation.dt": 0 },
    path: "simulation.dt",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "dt < 0",
    edits: { "simulation.dt": -0.01 },
    path: "simulation.dt",
    fragment: "must be greater than 0, got -0.01",
  },
  {
    name: "duration < dt",
    edits: { "simulation.duration": 0.005 },
    path: "simulation.duration",
    fragment: "must be at least simulation.dt (0.01), got 0.005",
  },
  {
    name: "initial_state of length 5",
    edits: { "simulation.initial_state": [0, 0.05, -0.03, 0, 0] },
    path: "simulation.initial_state",
    fragment: "must have 6 values, got 5",
  },
  {
    name: "initial_state as a number",
    edits: { "simulation.initial_state": 0 },
    path: "simulation.initial_state",
    fragment: "must be an array of 6 numbers, got 0",
  },
  {
    name: "a wrong integrator",
    edits: { "simulation.integrator": "rk5" },
    path: "simulation.integrator",
    fragment: 'must be one of "rk4", "euler", got "rk5"',
  },
  {
    name: "a wrong plant model",
    edits: { "simulation.plant_model": "Full" },
    path: "simulation.plant_model",
    fragment: 'must be one of "full", "simplified", got "Full"',
  },
  {
    name: "fall_angle above π",
    edits: { "simulation.fall_angle": 4 },
    path: "simulation.fall_angle",
    fragment: "must be in (0, 3.141592653589793], got 4",
  },
  {
    name: "track_limit 0",
    edits: { "simulation.track_limit": 0 },
    path: "simulation.track_limit",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "track_limit as a string",
    edits: { "simulation.track_limit": "none" },
    path: "simulation.track_limit",
    fragment: 'must be a number or null, got "none"',
  },
  // Gains (through gains/gains.ts).
  {
    name: "default gains too short",
    edits: { "controller_defaults.classical_smc.gains": [1, 2, 3] },
    path: "controller_defaults.classical_smc.gains",
    fragment: "must have 6 values (k1, k2, lambda1, lambda2, K, kd), got 3",
  },
  {
    name: "a NaN default gain",
    // The shipped adaptive lambda1, written as text: the case is a YAML `.nan` literal in place of
    // whatever value config.yaml ships (so it follows the file when the defaults are re-tuned).
    text: replaced(
      `${(raw().controller_defaults as Record<string, { gains: number[] }>).adaptive_smc.gains[2]},`,
      ".nan,",
    ),
    path: "controller_defaults.adaptive_smc.gains[2]",
    fragment: "must be finite, got NaN",
  },
  {
    name: "STA K1 < K2 in controller_defaults",
    edits: { "controller_defaults.sta_smc.gains": [4.8375, 8.0025, 0.5, 2.5566, 23.8959, 6.7883] },
    path: "controller_defaults.sta_smc.gains[1]",
    fragment: "must be smaller than K1 (4.8375)",
  },
  {
    name: "gains that are not a list",
    edits: { "controller_defaults.sta_smc.gains": "8, 4, 1, 2, 3, 4" },
    path: "controller_defaults.sta_smc.gains",
    fragment: "must be an array of 6 numbers",
  },
  {
    name: "a negative configured gain",
    edits: { "controllers.hybrid_adaptive_sta_smc.gains": [1, 20, 2, -6] },
    path: "controllers.hybrid_adaptive_sta_smc.gains[3]",
    fragment: "must be greater than 0, got -6",
  },
  // Controllers.
  {
    name: "boundary_layer 0",
    edits: { "controllers.classical_smc.boundary_layer": 0 },
    path: "controllers.classical_smc.boundary_layer",
    fragment: "must be greater than 0",
  },
  {
    name: "max_force negative",
    edits: { "controllers.sta_smc.max_force": -150 },
    path: "controllers.sta_smc.max_force",
    fragment: "must be greater than 0",
  },
  {
    name: "cart_gain negative",
    edits: { "controllers.adaptive_smc.cart_gain": -0.5 },
    path: "controllers.adaptive_smc.cart_gain",
    fragment: "must be at least 0",
  },
  {
    name: "a wrong switch method",
    edits: { "controllers.sta_smc.switch_method": "sign" },
    path: "controllers.sta_smc.switch_method",
    fragment: 'got "sign"',
  },
  {
    name: "a wrong controller model",
    edits: { "controllers.classical_smc.model": "exact" },
    path: "controllers.classical_smc.model",
    fragment: 'must be one of "full", "simplified"',
  },
  {
    name: "controllability_threshold 0",
    edits: { "controllers.hybrid_adaptive_sta_smc.controllability_threshold": 0 },
    path: "controllers.hybrid_adaptive_sta_smc.controllability_threshold",
    fragment: "greater than 0",
  },
  {
    name: "K_min ≥ K_max",
    edits: { "controllers.adaptive_smc.K_min": 100 },
    path: "controllers.adaptive_smc.K_min",
    fragment: "must be less than controllers.adaptive_smc.K_max (100), got 100",
  },
  {
    name: "K_init outside [K_min, K_max]",
    edits: { "controllers.adaptive_smc.K_init": 0.01 },
    path: "controllers.adaptive_smc.K_init",
    fragment: "must be within [K_min, K_max] = [0.1, 100], got 0.01",
  },
  {
    name: "adapt_rate_limit 0",
    edits: { "controllers.adaptive_smc.adapt_rate_limit": 0 },
    path: "controllers.adaptive_smc.adapt_rate_limit",
    fragment: "greater than 0",
  },
  {
    name: "a negative leak",
    edits: { "controllers.hybrid_adaptive_sta_smc.leak": -0.01 },
    path: "controllers.hybrid_adaptive_sta_smc.leak",
    fragment: "must be at least 0",
  },
  {
    name: "a negative gamma1",
    edits: { "controllers.hybrid_adaptive_sta_smc.gamma1": -2 },
    path: "controllers.hybrid_adaptive_sta_smc.gamma1",
    fragment: "must be at least 0",
  },
  {
    name: "k_max not above the initial gains",
    edits: { "controllers.hybrid_adaptive_sta_smc.k_max": 4 },
    path: "controllers.hybrid_adaptive_sta_smc.k_max",
    fragment: "must be greater than max(k1_init, k2_init) (4), got 4",
  },
  // PSO.
  {
    name: "n_particles 0",
    edits: { "pso.n_particles": 0 },
    path: "pso.n_particles",
    fragment: "must be at least 1, got 0",
  },
  {
    name: "n_particles 1.5",
    edits: { "pso.n_particles": 1.5 },
    path: "pso.n_particles",
    fragment: "must be an integer, got 1.5",
  },
  {
    name: "iters as a string",
    edits: { "pso.iters": "200" },
    path: "pso.iters",
    fragment: 'must be an integer, got "200"',
  },
  { name: "w above 1.2", edits: { "pso.w": 1.5 }, path: "pso.w", fragment: "must be in [0, 1.2], got 1.5" },
  { name: "a negative c2", edits: { "pso.c2": -1 }, path: "pso.c2", fragment: "must be at least 0" },
  {
    name: "linear inertia without w_final",
    edits: { "pso.inertia": "linear" },
    path: "pso.w_final",
    fragment: 'must be a number when pso.inertia is "linear", got null',
  },
  {
    name: "a wrong topology",
    edits: { "pso.topology": "star" },
    path: "pso.topology",
    fragment: 'must be one of "global", "ring", got "star"',
  },
  {
    name: "ring_neighbours ≥ n_particles",
    edits: { "pso.topology": "ring", "pso.ring_neighbours": 40 },
    path: "pso.ring_neighbours",
    fragment: "must be less than pso.n_particles (40) with the ring topology, got 40",
  },
  {
    name: "velocity_clamp 0",
    edits: { "pso.velocity_clamp": 0 },
    path: "pso.velocity_clamp",
    fragment: "must be in (0, 1], got 0",
  },
  {
    name: "a wrong bound handling",
    edits: { "pso.bound_handling": "bounce" },
    path: "pso.bound_handling",
    fragment: '"periodic", got "bounce"',
  },
  {
    name: "stall_iterations 0",
    edits: { "pso.stall_iterations": 0 },
    path: "pso.stall_iterations",
    fragment: "must be at least 1",
  },
  {
    name: "a negative seed",
    edits: { "pso.seed": -1 },
    path: "pso.seed",
    fragment: "must be at least 0, got -1",
  },
  {
    name: "a fractional global_seed",
    edits: { global_seed: 4.2 },
    path: "global_seed",
    fragment: "must be an integer, got 4.2",
  },
  {
    name: "bounds lower ≥ upper",
    edits: { "pso.bounds.classical_smc.lower[0]": 40 },
    path: "pso.bounds.classical_smc.lower[0]",
    fragment: "must be less than pso.bounds.classical_smc.upper[0] (30), got 40",
  },
  {
    name: "a bound outside the gains' domain",
    edits: { "pso.bounds.adaptive_smc.lower[4]": 0 },
    path: "pso.bounds.adaptive_smc.lower[4]",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "bounds of the wrong length",
    edits: { "pso.bounds.hybrid_adaptive_sta_smc.upper": [30, 40, 30] },
    path: "pso.bounds.hybrid_adaptive_sta_smc.upper",
    fragment: "must have 4 values, got 3",
  },
  {
    name: "STA bounds without a K1 > K2 region at the lower corner",
    edits: { "pso.bounds.sta_smc.lower[1]": 1.0 },
    path: "pso.bounds.sta_smc.lower[1]",
    fragment: "must be less than pso.bounds.sta_smc.lower[0] (1) so that K1 > K2 is feasible, got 1",
  },
  {
    name: "missing bounds for a type",
    edits: { "pso.bounds.sta_smc": REMOVE },
    path: "pso.bounds.sta_smc",
    fragment: "missing required key",
  },
  // Cost function and uncertainty.
  {
    name: "a negative weight",
    edits: { "cost_function.weights.control_effort": -0.1 },
    path: "cost_function.weights.control_effort",
    fragment: "must be at least 0",
  },
  {
    name: "a zero norm",
    edits: { "cost_function.norms.sliding": 0 },
    path: "cost_function.norms.sliding",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "instability_penalty 0",
    edits: { "cost_function.instability_penalty": 0 },
    path: "cost_function.instability_penalty",
    fragment: "greater than 0",
  },
  {
    name: "a wrong time weighting",
    edits: { "cost_function.time_weighting": "quadratic" },
    path: "cost_function.time_weighting",
    fragment: 'got "quadratic"',
  },
  {
    name: "a negative constraint weight",
    edits: { "cost_function.constraints.weight": -1 },
    path: "cost_function.constraints.weight",
    fragment: "got -1",
  },
  {
    name: "a zero settling-time target",
    edits: { "cost_function.constraints.settling_time": 0 },
    path: "cost_function.constraints.settling_time",
    fragment: "got 0",
  },
  {
    name: "combine weights both 0",
    edits: { "cost_function.combine_weights.mean": 0, "cost_function.combine_weights.max": 0 },
    path: "cost_function.combine_weights",
    fragment: "mean and max must not both be 0",
  },
  {
    name: "a combine weight above 1",
    edits: { "cost_function.combine_weights.max": 1.3 },
    path: "cost_function.combine_weights.max",
    fragment: "must be in [0, 1], got 1.3",
  },
  {
    name: "n_evals 0",
    edits: { "physics_uncertainty.n_evals": 0 },
    path: "physics_uncertainty.n_evals",
    fragment: "must be at least 1, got 0",
  },
  {
    name: "an uncertainty of 50 %",
    edits: { "physics_uncertainty.cart_mass": 0.5 },
    path: "physics_uncertainty.cart_mass",
    fragment: "must be in [0, 0.5), got 0.5",
  },
  {
    name: "a negative initial_angle",
    edits: { "uncertainty.initial_angle": -0.1 },
    path: "uncertainty.initial_angle",
    fragment: "must be at least 0, got -0.1",
  },
  // Environment overrides.
  {
    name: "a bad env value",
    env: { DIP__PHYSICS__CART_MASS: "heavy" },
    path: "physics.cart_mass",
    fragment: 'got "heavy" (set by DIP__PHYSICS__CART_MASS)',
  },
  {
    name: "an env override of an unknown key",
    env: { DIP__PSO__FOO: "1" },
    path: "pso.foo",
    fragment: "unknown key set by DIP__PSO__FOO; allowed: n_particles",
  },
  {
    name: "an env override of an unknown section",
    env: { DIP__PLANT__DT: "1" },
    path: "plant",
    fragment: "unknown key set by DIP__PLANT__DT",
  },
  {
    name: "an env override below a number",
    env: { DIP__SIMULATION__DT__X: "1" },
    path: "simulation.dt.x",
    fragment: "DIP__SIMULATION__DT__X; simulation.dt is not a mapping",
  },
  {
    name: "an env value that is malformed YAML",
    env: { DIP__SIMULATION__INITIAL_STATE: "[0, 1" },
    path: "simulation.initial_state",
    fragment: "DIP__SIMULATION__INITIAL_STATE is not a valid YAML value",
  },
  {
    name: "an empty env value",
    env: { DIP__SIMULATION__DT: "" },
    path: "simulation.dt",
    fragment: "must be a number, got null (set by DIP__SIMULATION__DT)",
  },
];

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

Deno.test("parseConfig() result satisfies the Config type", () => {
  // A compile-time check as much as a runtime one: these reads must type-check without casts.
  const config: Config = parseConfig(TEXT, quiet);
  const total: number = config.physics.cart_mass + config.pso.bounds.sta_smc.upper[0];
  assert.equal(total, 41.5);
});
