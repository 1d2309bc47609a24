/**
 * createController() and its inputs (docs/factory.md#creating-a-controller,
 * docs/factory.md#gain-precedence): gain precedence, configured gains refused with their config
 * path, a plain-object or loaded config, the simulation dt, and no config at all.
 */
import assert from "assert";
import { type Config, ConfigError, validateConfig } from "../../config/mod.ts";
import { createController, DEFAULT_DT, DEFAULT_GAINS } from "../../factory/mod.ts";
import { CONFIG, rawConfig, TYPES, X0 } from "./factory_helpers.ts";

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
