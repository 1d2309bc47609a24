/**
 * Gain validation through the factory (docs/factory.md#gain-validation): hostile gains refused one
 * by one with the exact error, index and name, every problem reported at once, array-likes
 * accepted and copied, and validateGains() as the one shared validator.
 */
import assert from "assert";
import { validateGainVector } from "../../controllers/mod.ts";
import { createController, DEFAULT_GAINS, GainValidationError, validateGains } from "../../factory/mod.ts";
import { TYPES } from "./factory_helpers.ts";

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
