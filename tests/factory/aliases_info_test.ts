/**
 * Controller names and information (docs/factory.md#canonical-names-and-aliases,
 * docs/factory.md#describing-types): unknown types, every alias in any spelling,
 * getControllerInfo(), listAvailableControllers(), getDefaultGains(), and the registry defaults
 * against config.yaml.
 */
import assert from "assert";
import { type Controller, GAIN_NAMES } from "../../controllers/mod.ts";
import {
  canonicalControllerType,
  type ControllerCreateOptions,
  createController,
  DEFAULT_BOUNDS,
  DEFAULT_CONTROLLER_PARAMS,
  DEFAULT_DT,
  DEFAULT_GAINS,
  DEFAULT_PHYSICS,
  getControllerInfo,
  getDefaultGains,
  listAvailableControllers,
  normalizeControllerName,
  UnknownControllerError,
  validateGains,
} from "../../factory/mod.ts";
import { linearize, lqr } from "../../linear/mod.ts";
import { createPlant } from "../../plant/mod.ts";
import { AVAILABLE, CONFIG, RAW, SMC_TYPES, TYPES } from "./factory_helpers.ts";

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
