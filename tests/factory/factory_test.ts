/**
 * Tests of the controller factory (docs/factory.md): hostile gains, aliases, gain precedence, config
 * handling, the info functions, the registry defaults against config.yaml, and custom registration.
 */
import assert from "assert";
import { parse } from "yaml";
import { type Config, ConfigError, loadConfig, validateConfig } from "../../config/mod.ts";
import { type Controller, GAIN_NAMES, validateGainVector } from "../../controllers/mod.ts";
import {
  canonicalControllerType,
  type ControllerCreateOptions,
  controllerRegistry,
  createController,
  DEFAULT_BOUNDS,
  DEFAULT_CONTROLLER_PARAMS,
  DEFAULT_DT,
  DEFAULT_GAINS,
  DEFAULT_PHYSICS,
  DuplicateEntryError,
  GainValidationError,
  getControllerInfo,
  getDefaultGains,
  listAvailableControllers,
  normalizeControllerName,
  registerController,
  UnknownControllerError,
  validateGains,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { linearize, lqr } from "../../linear/mod.ts";
import { createPlant, simulate } from "../../plant/mod.ts";
import { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } from "../fixtures/custom_controller.ts";

const CONFIG_URL = new URL("../../config.yaml", import.meta.url);
const CONFIG = loadConfig(CONFIG_URL, { env: {} });
/** config.yaml as plain parsed YAML: independent of the config loader. */
const RAW = parse(Deno.readTextFileSync(CONFIG_URL));
const TYPES = ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "lqr", "sta_smc"] as const;
/** The sliding-mode types: the ones with `controller_defaults` in config.yaml. */
const SMC_TYPES = ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "sta_smc"] as const;
const AVAILABLE = "adaptive_smc, classical_smc, hybrid_adaptive_sta_smc, lqr, sta_smc";
const X0 = [0, 0.05, -0.03, 0, 0, 0];
const FIXTURE = new URL("../fixtures/custom_controller.ts", import.meta.url);

/** A mutable deep copy of the shipped config, to edit before validation. */
// deno-lint-ignore no-explicit-any
function rawConfig(): any {
  return structuredClone(RAW);
}

// ------------------------------------------------------------------------------------------------
// Hostile gains

Deno.test("createController() rejects hostile gains one by one with the exact error, index and name", () => {
  const g = [...DEFAULT_GAINS.classical_smc];
  const at = (i: number, v: unknown) => g.map((x, j) => (j === i ? v : x));
  const cases: [string, unknown[], number, string, string][] = [
    ["classical_smc", at(0, NaN), 0, "k1", "classical_smc gain k1 (index 0): must be finite, got NaN"],
    [
      "classical_smc",
      at(2, Infinity),
      2,
      "lambda1",
      "classical_smc gain lambda1 (index 2): must be finite, got Infinity",
    ],
    [
      "classical_smc",
      at(1, -Infinity),
      1,
      "k2",
      "classical_smc gain k2 (index 1): must be finite, got -Infinity",
    ],
    ["classical_smc", at(4, 0), 4, "K", "classical_smc gain K (index 4): must be greater than 0, got 0"],
    ["classical_smc", at(5, -1), 5, "kd", "classical_smc gain kd (index 5): must be greater than 0, got -1"],
    [
      "classical_smc",
      at(3, "5"),
      3,
      "lambda2",
      'classical_smc gain lambda2 (index 3): must be a number, got "5"',
    ],
    [
      "classical_smc",
      g.slice(0, 5),
      -1,
      "gains",
      "classical_smc gains: must have 6 values (k1, k2, lambda1, lambda2, K, kd), got 5",
    ],
    [
      "classical_smc",
      [...g, 1],
      -1,
      "gains",
      "classical_smc gains: must have 6 values (k1, k2, lambda1, lambda2, K, kd), got 7",
    ],
    [
      "sta_smc",
      [8, 8, 1, 1, 1, 1],
      1,
      "K2",
      "sta_smc gain K2 (index 1): must be smaller than K1 (8) for super-twisting stability, got 8",
    ],
    [
      "sta_smc",
      [4, 8, 1, 1, 1, 1],
      1,
      "K2",
      "sta_smc gain K2 (index 1): must be smaller than K1 (4) for super-twisting stability, got 8",
    ],
    [
      "hybrid_adaptive_sta_smc",
      [0.5, 22.7, 2.5],
      -1,
      "gains",
      "hybrid_adaptive_sta_smc gains: must have 4 values (c1, lambda1, c2, lambda2), got 3",
    ],
    [
      "adaptive_smc",
      [1, 1, 1, 1, NaN],
      4,
      "gamma",
      "adaptive_smc gain gamma (index 4): must be finite, got NaN",
    ],
  ];
  for (const [type, gains, index, name, message] of cases) {
    assert.throws(() => createController(type, { gains: gains as number[] }), (e: unknown) => {
      assert.ok(e instanceof GainValidationError, String(e));
      assert.equal(e.name, "GainValidationError");
      assert.equal(e.controllerType, type);
      // The message names where the gains came from: here the explicit `gains` option.
      assert.equal(e.message, `gains: ${message}`);
      assert.deepEqual(e.errors, [{ index, name, message }]);
      return true;
    }, `${type} [${gains}]`);
    // validateGains reports the same problem without throwing.
    assert.deepEqual(validateGains(type, gains), { ok: false, errors: [{ index, name, message }] });
  }
});

Deno.test("createController() reports every problem of a gain vector at once, one message line each", () => {
  assert.throws(
    () => createController("sta", { gains: [NaN, 0, -1, "x", 1, 1] as number[] }),
    (e: unknown) => {
      assert.ok(e instanceof GainValidationError);
      assert.deepEqual(e.errors.map((i) => [i.index, i.name]), [[0, "K1"], [1, "K2"], [2, "k1"], [3, "k2"]]);
      assert.equal(e.message.split("\n").length, 4);
      return true;
    },
  );
});

Deno.test("createController() accepts gains as any array-like of numbers and freezes its own copy", () => {
  const gains = Float64Array.from(DEFAULT_GAINS.sta_smc);
  const ctrl = createController("sta_smc", { gains });
  gains[0] = 100;
  assert.deepEqual([...ctrl.gains], [...DEFAULT_GAINS.sta_smc]);
  assert.ok(Object.isFrozen(ctrl.gains));
  const list = [...DEFAULT_GAINS.classical_smc];
  const ctrl2 = createController("classical_smc", { gains: list });
  list[0] = 99;
  assert.equal(ctrl2.gains[0], DEFAULT_GAINS.classical_smc[0]);
});

// ------------------------------------------------------------------------------------------------
// Names

Deno.test("createController() rejects an unknown type with UnknownControllerError listing the sorted types", () => {
  for (const name of ["pid", "", "classica", "sta smc x", "lqr_smc"]) {
    assert.throws(() => createController(name), (e: unknown) => {
      assert.ok(e instanceof UnknownControllerError);
      assert.equal(e.name, "UnknownControllerError");
      assert.equal(e.message, `Unknown controller type "${name}": available are ${AVAILABLE}`);
      assert.equal(e.given, name);
      assert.deepEqual(e.available, TYPES);
      return true;
    });
  }
  // Every entry point uses the same resolver.
  const message = `Unknown controller type "pid": available are ${AVAILABLE}`;
  assert.throws(() => canonicalControllerType("pid"), { name: "UnknownControllerError", message });
  assert.throws(() => getControllerInfo("pid"), { name: "UnknownControllerError", message });
  assert.throws(() => getDefaultGains("pid"), { name: "UnknownControllerError", message });
  assert.throws(() => validateGains("pid", [1]), { name: "UnknownControllerError", message });
  // A non-string is unknown too, shown without quotes.
  assert.throws(() => createController(42 as unknown as string), {
    name: "UnknownControllerError",
    message: `Unknown controller type 42: available are ${AVAILABLE}`,
  });
});

Deno.test("canonicalControllerType() accepts every name a person would plausibly type, in any spelling", () => {
  const table: Record<string, readonly string[]> = {
    classical_smc: ["classical", "classic", "classic_smc", "smc_classical", "smc_v1", "classical_smc"],
    sta_smc: ["super_twisting", "super_twisting_smc", "supertwisting", "sta", "sta_smc", "smc_sta"],
    adaptive_smc: ["adaptive", "adaptive_smc", "smc_adaptive"],
    hybrid_adaptive_sta_smc: [
      "hybrid",
      "hybrid_sta",
      "adaptive_sta",
      "hybrid_adaptive_sta",
      "hybrid_smc",
      "hybrid_adaptive_sta_smc",
    ],
    lqr: ["lqr", "linear_quadratic", "linear_quadratic_regulator"],
  };
  assert.deepEqual(Object.keys(table).sort(), [...TYPES]);
  // Each name as written, and as a person might type it: upper case, dashes or spaces, padded.
  const spellings = (name: string) => [
    name,
    name.toUpperCase(),
    name.replaceAll("_", "-"),
    ` ${name.replaceAll("_", " ")} `,
  ];
  for (const [type, names] of Object.entries(table)) {
    for (const name of names) {
      for (const spelled of spellings(name)) {
        assert.equal(canonicalControllerType(spelled), type, JSON.stringify(spelled));
        assert.equal(getControllerInfo(spelled).type, type, spelled);
      }
      assert.equal(createController(name).type, type, name);
    }
    // The registry lists exactly these aliases (the canonical name itself is not one).
    assert.deepEqual([...getControllerInfo(type).aliases].sort(), names.filter((n) => n !== type).sort());
  }
  // An unknown name still lists every available type.
  assert.throws(() => canonicalControllerType("classical lqr"), {
    name: "UnknownControllerError",
    message: `Unknown controller type "classical lqr": available are ${AVAILABLE}`,
  });
});

Deno.test("canonicalControllerType() resolves every alias spelling to its canonical type", () => {
  const cases: [string, string][] = [
    ["Classic-SMC", "classical_smc"],
    ["smc_classical", "classical_smc"],
    ["smc_v1", "classical_smc"],
    ["CLASSICAL_SMC", "classical_smc"],
    [" Super Twisting ", "sta_smc"],
    ["super-twisting", "sta_smc"],
    ["sta", "sta_smc"],
    ["STA-SMC", "sta_smc"],
    ["adaptive", "adaptive_smc"],
    ["Adaptive SMC", "adaptive_smc"],
    ["hybrid", "hybrid_adaptive_sta_smc"],
    ["hybrid_sta", "hybrid_adaptive_sta_smc"],
    ["Hybrid-STA", "hybrid_adaptive_sta_smc"],
    ["hybrid_adaptive_sta_smc", "hybrid_adaptive_sta_smc"],
    ["classical", "classical_smc"],
    ["Linear-Quadratic", "lqr"],
  ];
  for (const [name, type] of cases) {
    assert.equal(canonicalControllerType(name), type, name);
    assert.equal(createController(name).type, type, name);
    assert.equal(getControllerInfo(name).type, type, name);
    assert.deepEqual(getDefaultGains(name), DEFAULT_GAINS[type as keyof typeof DEFAULT_GAINS]);
  }
  assert.equal(normalizeControllerName("  Hybrid-Adaptive STA-SMC "), "hybrid_adaptive_sta_smc");
});

// ------------------------------------------------------------------------------------------------
// Gain precedence and config handling

Deno.test("createController() gain precedence: explicit > controllers.<type>.gains > controller_defaults > registry", () => {
  const explicit = [9, 3, 1, 2, 3, 4];
  const perController = [7, 2, 0.6, 2.4, 20, 6.5];
  const defaults = [6, 1, 0.7, 2.2, 21, 6.6];
  const registry = [...DEFAULT_GAINS.sta_smc];
  const both = rawConfig();
  both.controllers.sta_smc.gains = perController;
  both.controller_defaults.sta_smc.gains = defaults;
  const onlyDefaults = rawConfig();
  onlyDefaults.controller_defaults.sta_smc.gains = defaults;
  const withBoth = validateConfig(both), withDefaults = validateConfig(onlyDefaults);
  const gainsOf = (options: Parameters<typeof createController>[1]) => [
    ...createController("sta_smc", options).gains,
  ];
  assert.deepEqual(gainsOf({ config: withBoth, gains: explicit }), explicit);
  assert.deepEqual(gainsOf({ config: withBoth }), perController);
  assert.deepEqual(gainsOf({ config: withDefaults }), defaults);
  assert.deepEqual(gainsOf({}), registry);
  // None of the four is equal to another, so each assertion above tells the levels apart.
  const levels = [explicit, perController, defaults, registry].map((g) => JSON.stringify(g));
  assert.equal(new Set(levels).size, 4);
  // Explicit gains win even when the config's own gains are for another controller type.
  assert.deepEqual(
    [...createController("hybrid", { config: withBoth, gains: [1, 2, 3, 4] }).gains],
    [1, 2, 3, 4],
  );
});

Deno.test("createController() rejects a configured gain with its config path, never replacing it by a default", () => {
  const cases: [string, (raw: ReturnType<typeof rawConfig>) => void, string][] = [
    [
      "sta_smc",
      (raw) => (raw.controllers.sta_smc.gains = [8, 9, 1, 1, 1, 1]),
      "controllers.sta_smc.gains[1]",
    ],
    [
      "adaptive_smc",
      (raw) => (raw.controller_defaults.adaptive_smc.gains[0] = 0),
      "controller_defaults.adaptive_smc.gains[0]",
    ],
    [
      "classical_smc",
      (raw) => (raw.controllers.classical_smc.gains = [1, 2, 3]),
      "controllers.classical_smc.gains",
    ],
    [
      "hybrid_adaptive_sta_smc",
      (raw) => (raw.controller_defaults.hybrid_adaptive_sta_smc.gains[3] = "6.7"),
      "controller_defaults.hybrid_adaptive_sta_smc.gains[3]",
    ],
  ];
  for (const [type, edit, path] of cases) {
    const raw = rawConfig();
    edit(raw);
    for (const attempt of [() => validateConfig(raw), () => createController(type, { config: raw })]) {
      assert.throws(attempt, (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.deepEqual(e.issues.map((i) => i.path), [path]);
        assert.ok(e.message.includes(`${path}: `));
        return true;
      });
    }
  }
  // Explicit gains do not excuse an invalid config either: the config is validated as a whole.
  const raw = rawConfig();
  raw.controllers.sta_smc.gains = [8, 9, 1, 1, 1, 1];
  assert.throws(
    () => createController("sta_smc", { config: raw, gains: DEFAULT_GAINS.sta_smc }),
    ConfigError,
  );
});

Deno.test("createController() takes a plain object as config, and validates it again after it is edited", () => {
  const raw = rawConfig();
  raw.controllers.classical_smc.boundary_layer = 0.45;
  raw.physics.cart_mass = 2.5;
  const ctrl = createController("classical_smc", { config: raw });
  assert.equal(ctrl.params.boundary_layer, 0.45);
  assert.equal(ctrl.model.physics.cart_mass, 2.5);
  assert.equal(Object.isFrozen(raw), false, "the caller's object is not frozen");
  // Editing the same object afterwards is seen: a valid edit reaches the next controller...
  raw.controllers.classical_smc.boundary_layer = 0.2;
  assert.equal(createController("classical_smc", { config: raw }).params.boundary_layer, 0.2);
  // ...and an invalid one is rejected with its path instead of slipping through unvalidated.
  raw.controllers.classical_smc.boundary_layer = 0;
  assert.throws(() => createController("classical_smc", { config: raw }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues.map((i) => i.path), ["controllers.classical_smc.boundary_layer"]);
    return true;
  });
  // A non-object config is a ConfigError too.
  assert.throws(() => createController("sta", { config: 5 as unknown as Config }), ConfigError);
});

Deno.test("createController() uses a loaded Config's parameters, physics and simulation dt", () => {
  const raw = rawConfig();
  raw.simulation.dt = 0.005;
  raw.controllers.sta_smc.max_force = 80;
  raw.physics.pendulum2_mass = 0.2;
  const config = validateConfig(raw);
  const ctrl = createController("sta_smc", { config });
  assert.equal(ctrl.dt, 0.005);
  assert.equal(ctrl.maxForce, 80);
  assert.equal(ctrl.model.physics.pendulum2_mass, 0.2);
  assert.deepEqual(ctrl.params, { ...config.controllers.sta_smc });
  // The internal state advances with that dt: z1 = −dt·K2·sat(σ0, ε).
  const [, K2] = ctrl.gains;
  const out = ctrl.computeControl(X0);
  assert.equal(out.state.z, -0.005 * K2 * Math.tanh(out.sigma / 0.3));
  // An explicit dt wins; without a config the default is the shipped 0.01.
  assert.equal(createController("sta_smc", { config, dt: 0.002 }).dt, 0.002);
  assert.equal(createController("sta_smc").dt, DEFAULT_DT);
  assert.equal(DEFAULT_DT, 0.01);
  for (const dt of [0, -0.01, NaN, Infinity]) {
    assert.throws(() => createController("sta_smc", { dt }), {
      name: "RangeError",
      message: `dt: must be a finite number > 0, got ${dt}`,
    });
  }
});

Deno.test("createController() without a config behaves exactly like one from the shipped config.yaml", () => {
  for (const type of TYPES) {
    const bare = createController(type), configured = createController(type, { config: CONFIG });
    assert.deepEqual(bare.params, configured.params);
    assert.deepEqual(bare.gains, configured.gains);
    assert.deepEqual(bare.model.physics, configured.model.physics);
    for (const s of [X0, [0.1, -0.1, 0.2, 0.3, -0.4, 0.5]]) {
      assert.deepEqual(bare.computeControl(s), configured.computeControl(s));
    }
  }
});

// ------------------------------------------------------------------------------------------------
// Info functions and defaults

Deno.test("getControllerInfo() describes each type: gains, defaults, bounds, aliases, state, source", async () => {
  const expected = {
    classical_smc: {
      aliases: ["classical", "classic", "classic_smc", "smc_classical", "smc_v1"],
      stateful: false,
      export: "buildClassicalSMC",
    },
    sta_smc: {
      aliases: ["super_twisting", "super_twisting_smc", "supertwisting", "sta", "smc_sta"],
      stateful: true,
      export: "buildSuperTwistingSMC",
    },
    adaptive_smc: { aliases: ["adaptive", "smc_adaptive"], stateful: true, export: "buildAdaptiveSMC" },
    hybrid_adaptive_sta_smc: {
      aliases: ["hybrid", "hybrid_sta", "adaptive_sta", "hybrid_adaptive_sta", "hybrid_smc"],
      stateful: true,
      export: "buildHybridAdaptiveSTASMC",
    },
    lqr: {
      aliases: ["linear_quadratic", "linear_quadratic_regulator"],
      stateful: false,
      export: "buildLQR",
    },
  } as const;
  // Every built-in names the same module, in factory/, as its source: a Worker imports it by that URL.
  const builtinsUrl = getControllerInfo("classical_smc").source.module;
  assert.ok(builtinsUrl.startsWith(new URL("../../factory/", import.meta.url).href), builtinsUrl);
  const builtinsModule = await import(builtinsUrl) as Record<string, unknown>;
  for (const type of TYPES) {
    const info = getControllerInfo(type);
    assert.ok(Object.isFrozen(info));
    assert.equal(info.type, type);
    assert.ok(typeof info.description === "string" && info.description.length > 10);
    assert.deepEqual(info.gainNames, GAIN_NAMES[type]);
    assert.equal(info.gainCount, GAIN_NAMES[type].length);
    assert.deepEqual(info.defaultGains, DEFAULT_GAINS[type]);
    assert.deepEqual(info.bounds, DEFAULT_BOUNDS[type]);
    assert.equal(info.bounds.lower.length, info.gainCount);
    assert.deepEqual(info.aliases, expected[type].aliases);
    assert.equal(info.stateful, expected[type].stateful);
    assert.equal(info.stateful, Object.keys(createController(type).initialState()).length > 0);
    assert.equal(info.source.module, builtinsUrl);
    assert.equal(info.source.export, expected[type].export);
    // The source export has the registry's signature: called with ControllerCreateOptions it builds
    // the same controller as createController.
    const build = builtinsModule[info.source.export] as (o: ControllerCreateOptions) => Controller;
    const fromSource = build({ gains: info.defaultGains, dt: 0.01 });
    const viaFactory = createController(type);
    const state = [0.1, 0.05, -0.03, 0.2, -0.1, 0.3];
    assert.deepEqual(fromSource.computeControl(state), viaFactory.computeControl(state));
    assert.equal("create" in info, false, "the constructor is not part of the public info");
    assert.equal("designGains" in info, false, "nor is the design hook");
    // The registry's defaults and bounds are valid gains (docs/tuning.md#gain-bounds: bounds inside the
    // validity domain).
    assert.equal(validateGains(type, info.defaultGains).ok, true);
    assert.equal(validateGains(type, info.bounds.lower).ok, true);
    for (let i = 0; i < info.gainCount; i++) {
      assert.ok(info.bounds.lower[i] <= info.defaultGains[i] && info.defaultGains[i] <= info.bounds.upper[i]);
    }
    // Aliases give the same info.
    for (const alias of info.aliases) assert.deepEqual(getControllerInfo(alias), info);
  }
});

Deno.test("listAvailableControllers() is sorted and returns a fresh array", () => {
  const list = listAvailableControllers();
  assert.deepEqual(list, [...TYPES]);
  assert.deepEqual(list, [...list].sort());
  list.push("bogus");
  assert.deepEqual(listAvailableControllers(), [...TYPES]);
});

Deno.test("getDefaultGains() returns the registry defaults, frozen", () => {
  for (const type of TYPES) {
    const gains = getDefaultGains(type);
    assert.deepEqual(gains, DEFAULT_GAINS[type]);
    assert.ok(Object.isFrozen(gains));
    assert.throws(() => (gains as number[]).push(1), TypeError);
  }
});

Deno.test("validateGains() returns { ok, errors } from the one shared validator", () => {
  assert.deepEqual(validateGains("classical_smc", DEFAULT_GAINS.classical_smc), { ok: true, errors: [] });
  assert.deepEqual(validateGains("sta", [9, 8, 1, 1, 1, 1]), { ok: true, errors: [] });
  const samples: unknown[] = [[1, 2, 3], [0, 1, 1, 1, 1, 1], "gains", null, [Infinity, NaN, -1, 0, 1, 1]];
  for (const type of TYPES) {
    for (const gains of samples) {
      assert.deepEqual(validateGains(type, gains), validateGainVector(type, gains));
    }
  }
  // A non-array is described by its value or kind.
  assert.equal(
    validateGains("sta", 5).errors[0].message,
    "sta_smc gains: must be an array of 6 numbers (K1, K2, k1, k2, lambda1, lambda2), got 5",
  );
  assert.match(validateGains("hybrid", { c1: 1 }).errors[0].message, /got object$/);
  assert.match(validateGains("hybrid", null).errors[0].message, /got null$/);
  assert.deepEqual(validateGains("adaptive", "gains"), {
    ok: false,
    errors: [{
      index: -1,
      name: "gains",
      message:
        'adaptive_smc gains: must be an array of 5 numbers (k1, k2, lambda1, lambda2, gamma), got "gains"',
    }],
  });
});

Deno.test("the registry defaults (factory/defaults.ts) equal the shipped config.yaml values", () => {
  // Read from the YAML text itself, so the comparison does not go through the config loader.
  assert.deepEqual(DEFAULT_PHYSICS, RAW.physics);
  assert.equal(DEFAULT_DT, RAW.simulation.dt);
  for (const type of SMC_TYPES) {
    assert.deepEqual(DEFAULT_GAINS[type], RAW.controller_defaults[type].gains, type);
    const { gains: _gains, ...params } = RAW.controllers[type];
    assert.deepEqual(DEFAULT_CONTROLLER_PARAMS[type], params, type);
    assert.deepEqual(DEFAULT_BOUNDS[type], RAW.pso.bounds[type], type);
  }
  // lqr: its parameters and bounds as in the file, its default K the design from the file's Q, R and
  // physics (computed here through linear/ directly, not through the controller's helper).
  const { gains: _lqrGains, ...lqrParams } = RAW.controllers.lqr;
  assert.equal(_lqrGains, undefined, "config.yaml ships no explicit K");
  assert.deepEqual(DEFAULT_CONTROLLER_PARAMS.lqr, lqrParams);
  assert.deepEqual(DEFAULT_BOUNDS.lqr, RAW.pso.bounds.lqr);
  const { A, B } = linearize(createPlant(RAW.physics, { model: RAW.controllers.lqr.model }));
  const Q = RAW.controllers.lqr.Q.map((q: number, i: number) =>
    [0, 1, 2, 3, 4, 5].map((j) => (i === j ? q : 0))
  );
  assert.deepEqual(DEFAULT_GAINS.lqr, lqr(A, B, Q, RAW.controllers.lqr.R).K[0]);
  assert.equal(RAW.controller_defaults.lqr, undefined);
  assert.deepEqual(Object.keys(DEFAULT_GAINS).sort(), [...TYPES]);
  assert.deepEqual(Object.keys(DEFAULT_CONTROLLER_PARAMS).sort(), [...TYPES]);
  assert.deepEqual(Object.keys(DEFAULT_BOUNDS).sort(), [...TYPES]);
  // And the loaded Config agrees with the raw file on the same sections.
  assert.deepEqual(CONFIG.physics, RAW.physics);
  assert.deepEqual(CONFIG.pso.bounds, RAW.pso.bounds);
});

// ------------------------------------------------------------------------------------------------
// Custom controllers

Deno.test("registerController() adds a custom controller by module URL and export name", async () => {
  const before = controllerRegistry.stats().version;
  try {
    const version = await registerController({
      type: "State-Feedback",
      module: FIXTURE,
      export: "createStateFeedback",
      gainNames: STATE_FEEDBACK_GAIN_NAMES,
      defaultGains: STATE_FEEDBACK_DEFAULTS,
      aliases: ["LQR Row"],
      stateful: false,
      description: "Linear state feedback (fixture)",
    });
    assert.ok(version > before);
    assert.equal(controllerRegistry.stats().version, version);
    assert.deepEqual(listAvailableControllers(), [...TYPES, "state_feedback"]);
    assert.equal(canonicalControllerType("lqr-row"), "state_feedback");

    const info = getControllerInfo("state_feedback");
    assert.deepEqual(info.source, { module: FIXTURE.href, export: "createStateFeedback" });
    assert.equal(info.description, "Linear state feedback (fixture)");
    assert.deepEqual(info.gainNames, STATE_FEEDBACK_GAIN_NAMES);
    assert.equal(info.gainCount, 6);
    assert.deepEqual(info.defaultGains, STATE_FEEDBACK_DEFAULTS);
    assert.deepEqual(info.aliases, ["lqr_row"]);
    assert.equal(info.stateful, false);
    // Bounds default to a decade either side of the defaults.
    assert.deepEqual(info.bounds.lower, STATE_FEEDBACK_DEFAULTS.map((g) => g / 10));
    assert.deepEqual(info.bounds.upper, STATE_FEEDBACK_DEFAULTS.map((g) => g * 10));

    // Built with the registry defaults (a config has no gains for a custom type), its config and dt.
    const raw = rawConfig();
    raw.physics.cart_mass = 2;
    const ctrl = createController("lqr row", { config: raw, dt: 0.004 });
    assert.equal(ctrl.type, "state_feedback");
    assert.deepEqual([...ctrl.gains], STATE_FEEDBACK_DEFAULTS);
    assert.equal(ctrl.dt, 0.004);
    assert.equal(ctrl.model.physics.cart_mass, 2);
    const [g0, g1, g2, g3, g4, g5] = STATE_FEEDBACK_DEFAULTS;
    const s = [0.01, 0.02, -0.01, 0.05, -0.04, 0.03];
    const sigma = g0 * s[0] - g1 * s[1] + g2 * s[2] + g3 * s[3] - g4 * s[4] + g5 * s[5];
    assert.deepEqual(ctrl.computeControl(s), { u: -sigma, sigma, state: {}, lowControllability: false });

    // Explicit gains are validated with the custom gain names.
    assert.deepEqual([...createController("state_feedback", { gains: [1, 2, 3, 4, 5, 6] }).gains], [
      1,
      2,
      3,
      4,
      5,
      6,
    ]);
    assert.throws(() => createController("state_feedback", { gains: [1, 2, 3, 4, 5, 0] }), {
      name: "GainValidationError",
      message: "gains: state_feedback gain kw2 (index 5): must be greater than 0, got 0",
    });
    assert.deepEqual(validateGains("state_feedback", [1, 2]).errors.map((e) => e.name), ["gains"]);

    // It drives a simulation like a built-in: the LQR-shaped row holds the pendulum up.
    const run = simulate({
      plant: createPlant(CONFIG.physics, { model: "full" }),
      controller: createController("state_feedback"),
      x0: X0,
      dt: 0.01,
      duration: 5,
    });
    assert.equal(run.status, "ok");
  } finally {
    resetRegistryForTests();
  }
  assert.deepEqual(listAvailableControllers(), [...TYPES]);
  assert.throws(() => createController("state_feedback"), UnknownControllerError);
  assert.throws(() => getControllerInfo("lqr_row"), UnknownControllerError);
});

Deno.test("registerController() refuses a bad export, bad default gains and names already taken", async () => {
  const def = {
    type: "state_feedback",
    module: FIXTURE.href,
    export: "createStateFeedback",
    gainNames: STATE_FEEDBACK_GAIN_NAMES,
    defaultGains: STATE_FEEDBACK_DEFAULTS,
  };
  try {
    const version = controllerRegistry.stats().version;
    await assert.rejects(registerController({ ...def, export: "missing" }), {
      name: "TypeError",
      message: `registerController(): module ${FIXTURE.href} has no function export "missing", got undefined`,
    });
    await assert.rejects(registerController({ ...def, export: "notAFunction" }), {
      name: "TypeError",
      message: /has no function export "notAFunction", got number/,
    });
    await assert.rejects(registerController({ ...def, defaultGains: [1, 2, 3] }), {
      name: "GainValidationError",
      message:
        "state_feedback defaultGains: state_feedback gains: must have 6 values (kx, kth1, kth2, kxd, kw1, kw2), got 3",
    });
    // Nothing was published by the failed attempts.
    assert.equal(controllerRegistry.stats().version, version);
    assert.deepEqual(listAvailableControllers(), [...TYPES]);

    // A built-in type's name is a duplicate entry.
    await assert.rejects(registerController({ ...def, type: "Classical-SMC" }), (e: unknown) => {
      assert.ok(e instanceof DuplicateEntryError);
      assert.equal(e.id, "classical_smc");
      assert.equal(
        e.message,
        'Duplicate controller type "classical_smc": an entry with this id is already registered; remove it first',
      );
      return true;
    });
    await registerController(def);
    await assert.rejects(registerController(def), DuplicateEntryError);
    // A type or alias that collides with an existing alias is refused too.
    await assert.rejects(registerController({ ...def, type: "sta" }), {
      name: "TypeError",
      message: 'registerController(): name "sta" is already used by "sta_smc"',
    });
    await assert.rejects(registerController({ ...def, type: "other", aliases: ["state_feedback"] }), {
      name: "TypeError",
      message: 'registerController(): name "state_feedback" is already used by "state_feedback"',
    });
    assert.deepEqual(listAvailableControllers(), [...TYPES, "state_feedback"]);
  } finally {
    resetRegistryForTests();
  }
  assert.deepEqual(listAvailableControllers(), [...TYPES]);
});

Deno.test("createController() reports non-array gains as such, and accepts typed arrays", () => {
  for (const bad of [5, null, "1,2,3", { 0: 1 }]) {
    assert.throws(
      () => createController("classical_smc", { gains: bad as unknown as number[] }),
      (e: unknown) =>
        e instanceof GainValidationError && /must be an array of 6 numbers/.test(e.message) &&
        e.errors[0].index === -1,
    );
  }
  const typed = createController("classical_smc", { gains: Float64Array.from(DEFAULT_GAINS.classical_smc) });
  assert.deepEqual(typed.gains, DEFAULT_GAINS.classical_smc);
});
