/**
 * Hostile configs of `hostile_configs_test.ts`, part 1: the document's structure (unknown, missing and
 * duplicate keys, non-mappings), whole-document problems (empty, malformed YAML, alias bombs) and
 * types (no coercion, no non-finite numbers).
 */
import { ROOT_PATH } from "../../config/mod.ts";
import { type HostileCase, REMOVE, replaced, TEXT } from "./helpers.ts";

const K_STATE = "[0.0, 0.05, -0.03, 0.0, 0.0, 0.0]";

/** Structure, whole-document and type problems. */
export const STRUCTURE_CASES: readonly HostileCase[] = [
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
];
