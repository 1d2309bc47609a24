/**
 * Custom controllers (docs/factory.md#custom-controllers): registerController() by module URL and
 * export name, and its refusals of a bad export, bad default gains and names already taken.
 */
import assert from "assert";
import {
  canonicalControllerType,
  controllerRegistry,
  createController,
  DuplicateEntryError,
  getControllerInfo,
  listAvailableControllers,
  registerController,
  UnknownControllerError,
  validateGains,
} from "../../factory/mod.ts";
import { resetRegistryForTests } from "../../factory/testing.ts";
import { createPlant, simulate } from "../../plant/mod.ts";
import { STATE_FEEDBACK_DEFAULTS, STATE_FEEDBACK_GAIN_NAMES } from "../fixtures/custom_controller.ts";
import { CONFIG, FIXTURE, rawConfig, TYPES, X0 } from "./factory_helpers.ts";

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
