/**
 * Loads and validates the configuration (SPEC section 6): YAML in, a typed, deeply frozen
 * {@linkcode Config} out, or one {@linkcode ConfigError} that lists every problem with its dot-path.
 *
 * Validation is a small schema walker: `SCHEMA` below is a table of field rules per
 * section (type, range, enum), and each section may add a cross-field check (COM < length,
 * K_min < K_max, ...) that runs on the fields that passed their own rule, so one bad value does not
 * hide or cascade into the others.
 *
 * @module
 */
import { type Document, isMap, isScalar, isSeq, type Node, parseDocument, type YAMLError } from "yaml";
import { GAIN_NAMES, validateGainVector } from "../controllers/gains.ts";
import { type Config, type ControllerType, PHYSICS_KEYS } from "./types.ts";

/**
 * Path of the configuration file that {@linkcode loadConfig} reads when given none, relative to the
 * working directory.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CONFIG_PATH, loadConfig } from "./loader.ts";
 * const config = loadConfig(DEFAULT_CONFIG_PATH, { env: {} });
 * ```
 */
export const DEFAULT_CONFIG_PATH = "config.yaml";

/**
 * Prefix of the environment variables that override configuration values; `__` separates the keys.
 *
 * @example Usage
 * ```ts
 * import { ENV_PREFIX, parseConfig } from "./loader.ts";
 * const text = await Deno.readTextFile("config.yaml");
 * const config = parseConfig(text, { env: { [`${ENV_PREFIX}PSO__SEED`]: "7" } });
 * console.log(config.pso.seed); // 7
 * ```
 */
export const ENV_PREFIX = "DIP__";

/**
 * Path of the issues about the whole document (malformed YAML, empty file, non-mapping root,
 * unreadable file).
 *
 * @example Usage
 * ```ts
 * import { ConfigError, parseConfig, ROOT_PATH } from "./loader.ts";
 * try {
 *   parseConfig("");
 * } catch (error) {
 *   if (error instanceof ConfigError) console.log(error.issues[0].path === ROOT_PATH); // true
 * }
 * ```
 */
export const ROOT_PATH = "<root>";

/**
 * One problem found in a configuration.
 *
 * @example Usage
 * ```ts
 * import type { ConfigIssue } from "./loader.ts";
 * const issue: ConfigIssue = { path: "physics.cart_mass", message: "must be greater than 0, got -1" };
 * ```
 */
export interface ConfigIssue {
  /** Dot-path of the offending value (`pso.bounds.sta_smc.lower[1]`), or `<root>`. */
  readonly path: string;
  /** What is wrong, with the value given (`must be greater than 0, got -1`). */
  readonly message: string;
}

/**
 * Options of {@linkcode parseConfig}, {@linkcode validateConfig} and {@linkcode loadConfig}.
 *
 * @example Usage
 * ```ts
 * import type { ConfigOptions } from "./loader.ts";
 * const options: ConfigOptions = { env: { DIP__SIMULATION__DT: "0.005" }, onWarning: () => {} };
 * ```
 */
export interface ConfigOptions {
  /**
   * Environment variables; those named `DIP__SECTION__KEY` override configuration values. Only
   * {@linkcode loadConfig} falls back to the process environment when this is undefined.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives warnings (implausible values that are not errors). Defaults to `console.warn`. */
  readonly onWarning?: (message: string) => void;
  /** Name of the configuration's origin (a file path), shown in the error header. */
  readonly source?: string;
}

/**
 * Thrown when a configuration cannot be read, parsed or validated. It carries every problem found,
 * not just the first; its message is a header line followed by one `<dot.path>: <what is wrong>`
 * line per issue.
 *
 * @example Usage
 * ```ts
 * import { ConfigError, parseConfig } from "./loader.ts";
 * try {
 *   parseConfig("physics: [1, 2]");
 * } catch (error) {
 *   if (error instanceof ConfigError) console.log(error.issues.map((i) => i.path));
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found, in document order. */
  readonly issues: readonly ConfigIssue[];
  /** The configuration's origin when known (a file path). */
  readonly source?: string;

  /**
   * Builds the error and its message from the issues.
   *
   * @param issues The problems found (at least one).
   * @param source The configuration's origin, for the header line.
   */
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const header = `Invalid configuration${source === undefined ? "" : ` in ${source}`} (${count}):`;
    super([header, ...issues.map((i) => `  ${i.path}: ${i.message}`)].join("\n"));
    this.name = "ConfigError";
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ path: i.path, message: i.message })));
    if (source !== undefined) this.source = source;
  }
}

// ------------------------------------------------------------------------------------------------
// Schema

interface NumberRule {
  readonly kind: "number";
  readonly integer?: boolean;
  readonly nullable?: boolean;
  /** Lower bound and whether it is exclusive. */
  readonly min?: number;
  readonly minExclusive?: boolean;
  /** Upper bound and whether it is exclusive. */
  readonly max?: number;
  readonly maxExclusive?: boolean;
}
interface EnumRule {
  readonly kind: "enum";
  readonly values: readonly string[];
}
interface BooleanRule {
  readonly kind: "boolean";
}
interface VectorRule {
  readonly kind: "vector";
  readonly length: number;
  readonly element: NumberRule;
}
interface GainsRule {
  readonly kind: "gains";
  readonly type: ControllerType;
}
/** Fields that passed their own rule, by key (a failing field is absent). */
type Valid = Readonly<Record<string, unknown>>;
interface ObjectRule {
  readonly kind: "object";
  readonly fields: Readonly<Record<string, Rule>>;
  /** Keys that may be absent. */
  readonly optional?: readonly string[];
  /** Cross-field rules, given the valid fields only. */
  readonly check?: (valid: Valid, path: string, report: Reporter) => void;
}
/** A mapping with keys of the user's choosing (named scenarios), each value checked by `value`. */
interface RecordRule {
  readonly kind: "record";
  readonly value: Rule;
}
/** A mapping whose `tag` key picks the object rule its other keys follow. */
interface TaggedRule {
  readonly kind: "tagged";
  readonly tag: string;
  readonly variants: Readonly<Record<string, ObjectRule>>;
}
type Rule =
  | NumberRule
  | EnumRule
  | BooleanRule
  | VectorRule
  | GainsRule
  | ObjectRule
  | RecordRule
  | TaggedRule;

/** Collects errors and warnings while the schema is walked. */
class Reporter {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  error(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
}

const finite: NumberRule = { kind: "number" };
const positive: NumberRule = { kind: "number", min: 0, minExclusive: true };
const nonNegative: NumberRule = { kind: "number", min: 0 };
const count: NumberRule = { kind: "number", integer: true, min: 1 };
const seed: NumberRule = { kind: "number", integer: true, min: 0 };
const oneOf = (...values: string[]): EnumRule => ({ kind: "enum", values });
const object = (
  fields: Record<string, Rule>,
  check?: ObjectRule["check"],
  optional?: readonly string[],
): ObjectRule => ({ kind: "object", fields, check, optional });

/** A number from the valid fields, or undefined when it is absent, invalid or null. */
function num(valid: Valid, key: string): number | undefined {
  const v = valid[key];
  return typeof v === "number" ? v : undefined;
}

/** Controller types in config.yaml's order (GAIN_NAMES lists them so), for readable issue order. */
const TYPES = Object.keys(GAIN_NAMES) as ControllerType[];

const physics = object(
  Object.fromEntries(PHYSICS_KEYS.map((k) => [k, k.endsWith("_friction") ? nonNegative : positive])),
  (valid, path, report) => {
    for (const i of [1, 2]) {
      const [com, length, mass, inertia] = ["com", "length", "mass", "inertia"].map((p) =>
        num(valid, `pendulum${i}_${p}`)
      );
      if (com !== undefined && length !== undefined && !(com < length)) {
        report.error(
          `${path}.pendulum${i}_com`,
          `must be less than ${path}.pendulum${i}_length (${length}), got ${com}`,
        );
      }
      // A slender rod about its centre has I = m·L²/12; more than m·L² means a unit slip (g·cm²?),
      // not an impossible plant, so it only warns.
      const limit = mass !== undefined && length !== undefined ? mass * length ** 2 : undefined;
      if (limit !== undefined && inertia !== undefined && inertia > limit) {
        report.warn(
          `${path}.pendulum${i}_inertia`,
          `implausibly large, more than pendulum${i}_mass·pendulum${i}_length² (${
            Number(limit.toPrecision(6))
          }), got ${inertia}`,
        );
      }
    }
  },
);

const simulation = object({
  dt: positive,
  duration: positive,
  initial_state: { kind: "vector", length: 6, element: finite },
  integrator: oneOf("rk4", "euler"),
  plant_model: oneOf("full", "simplified"),
  fall_angle: { kind: "number", min: 0, minExclusive: true, max: Math.PI },
  track_limit: { kind: "number", min: 0, minExclusive: true, nullable: true },
}, (valid, path, report) => {
  const dt = num(valid, "dt");
  const duration = num(valid, "duration");
  if (dt !== undefined && duration !== undefined && duration < dt) {
    report.error(`${path}.duration`, `must be at least ${path}.dt (${dt}), got ${duration}`);
  }
});

function controller(type: ControllerType, extra: Record<string, Rule> = {}, check?: ObjectRule["check"]) {
  return object(
    {
      gains: { kind: "gains", type },
      boundary_layer: positive,
      switch_method: oneOf("tanh", "linear"),
      max_force: positive,
      cart_gain: nonNegative,
      cart_lambda: nonNegative,
      model: oneOf("full", "simplified"),
      use_equivalent: { kind: "boolean" },
      controllability_threshold: positive,
      ...extra,
    },
    check,
    ["gains"],
  );
}

const controllers = object({
  classical_smc: controller("classical_smc"),
  sta_smc: controller("sta_smc"),
  adaptive_smc: controller("adaptive_smc", {
    leak: nonNegative,
    dead_zone: nonNegative,
    adapt_rate_limit: positive,
    K_min: positive,
    K_max: positive,
    K_init: finite,
    alpha: nonNegative,
  }, (valid, path, report) => {
    const [min, max, init] = [num(valid, "K_min"), num(valid, "K_max"), num(valid, "K_init")];
    if (min === undefined || max === undefined) return;
    if (!(min < max)) {
      report.error(`${path}.K_min`, `must be less than ${path}.K_max (${max}), got ${min}`);
    } else if (init !== undefined && (init < min || init > max)) {
      report.error(`${path}.K_init`, `must be within [K_min, K_max] = [${min}, ${max}], got ${init}`);
    }
  }),
  hybrid_adaptive_sta_smc: controller("hybrid_adaptive_sta_smc", {
    k1_init: positive,
    k2_init: positive,
    gamma1: nonNegative,
    gamma2: nonNegative,
    k_max: positive,
    damping_gain: nonNegative,
    dead_zone: nonNegative,
    leak: nonNegative,
  }, (valid, path, report) => {
    const [k1, k2, kMax] = [num(valid, "k1_init"), num(valid, "k2_init"), num(valid, "k_max")];
    if (k1 !== undefined && k2 !== undefined && kMax !== undefined && !(kMax > Math.max(k1, k2))) {
      report.error(
        `${path}.k_max`,
        `must be greater than max(k1_init, k2_init) (${Math.max(k1, k2)}), got ${kMax}`,
      );
    }
  }),
});

const controllerDefaults = object(
  Object.fromEntries(TYPES.map((t) => [t, object({ gains: { kind: "gains", type: t } })])),
);

function bounds(type: ControllerType): ObjectRule {
  const n = GAIN_NAMES[type].length;
  return object({
    // Bounds must lie inside the gains' validity domain (every gain > 0), so that PSO never
    // proposes a gain vector the controller would reject.
    lower: { kind: "vector", length: n, element: positive },
    upper: { kind: "vector", length: n, element: finite },
  }, (valid, path, report) => {
    const lower = valid.lower as readonly number[] | undefined;
    const upper = valid.upper as readonly number[] | undefined;
    if (lower && upper) {
      for (let i = 0; i < n; i++) {
        if (!(lower[i] < upper[i])) {
          report.error(
            `${path}.lower[${i}]`,
            `must be less than ${path}.upper[${i}] (${upper[i]}), got ${lower[i]}`,
          );
        }
      }
    }
    // With lower K1 > lower K2, any K1 in the box admits a K2 below it, so the engine can always
    // repair a particle into K1 > K2 (stronger than mere feasibility, upper K1 > lower K2).
    if (type === "sta_smc" && lower && !(lower[0] > lower[1])) {
      report.error(
        `${path}.lower[1]`,
        `must be less than ${path}.lower[0] (${lower[0]}) so that K1 > K2 is feasible, got ${lower[1]}`,
      );
    }
  });
}

const pso = object({
  n_particles: count,
  iters: count,
  w: { kind: "number", min: 0, max: 1.2 },
  w_final: { kind: "number", min: 0, max: 1.2, nullable: true },
  inertia: oneOf("constant", "linear"),
  c1: nonNegative,
  c2: nonNegative,
  topology: oneOf("global", "ring"),
  ring_neighbours: count,
  velocity_clamp: { kind: "number", min: 0, minExclusive: true, max: 1 },
  bound_handling: oneOf("clip", "reflect", "random", "periodic"),
  stall_iterations: count,
  stall_tolerance: nonNegative,
  seed,
  bounds: object(Object.fromEntries(TYPES.map((t) => [t, bounds(t)]))),
}, (valid, path, report) => {
  if (valid.inertia === "linear" && valid.w_final === null) {
    report.error(`${path}.w_final`, `must be a number when ${path}.inertia is "linear", got null`);
  }
  const n = num(valid, "n_particles");
  const k = num(valid, "ring_neighbours");
  // Neighbours only matter for the ring; with the global topology a small swarm must stay valid.
  if (valid.topology === "ring" && n !== undefined && k !== undefined && !(k < n)) {
    report.error(
      `${path}.ring_neighbours`,
      `must be less than ${path}.n_particles (${n}) with the ring topology, got ${k}`,
    );
  }
});

const costTerms = (rule: NumberRule) =>
  object({ state_error: rule, control_effort: rule, control_rate: rule, sliding: rule });
const unit: NumberRule = { kind: "number", min: 0, max: 1 };

const costFunction = object({
  weights: costTerms(nonNegative),
  norms: costTerms(positive),
  instability_penalty: positive,
  time_weighting: oneOf("none", "linear"),
  combine_weights: object({ mean: unit, max: unit }, (valid, path, report) => {
    if (valid.mean === 0 && valid.max === 0) {
      report.error(path, "mean and max must not both be 0, got mean 0 and max 0");
    }
  }),
  constraints: object({
    weight: nonNegative,
    band: positive,
    settling_time: positive,
    max_cart_position: positive,
    final_window: nonNegative,
  }),
});

const physicsUncertainty = object({
  n_evals: count,
  ...Object.fromEntries(
    PHYSICS_KEYS.map((k) => [k, { kind: "number", min: 0, max: 0.5, maxExclusive: true }]),
  ),
});

// Disturbance scenarios: the same shape as plant/'s DisturbanceSpec (docs/disturbances.md).
const force: TaggedRule = {
  kind: "tagged",
  tag: "kind",
  variants: {
    impulse: object(
      { kind: oneOf("impulse"), amplitude: finite, start: nonNegative, duration: positive },
      undefined,
      [
        "start",
      ],
    ),
    step: object({ kind: oneOf("step"), amplitude: finite, start: nonNegative }, undefined, ["start"]),
    sine: object(
      { kind: oneOf("sine"), amplitude: finite, frequency: positive, start: nonNegative, phase: finite },
      undefined,
      ["start", "phase"],
    ),
    random: object(
      { kind: oneOf("random"), std: nonNegative, bandwidth: positive, seed, start: nonNegative },
      undefined,
      ["start"],
    ),
  },
};
const disturbances: RecordRule = {
  kind: "record",
  value: object(
    { force, noise: object({ std: { kind: "vector", length: 6, element: nonNegative }, seed }) },
    (valid, path, report) => {
      if (
        !("force" in valid) && !("noise" in valid) && report.issues.every((i) => !i.path.startsWith(path))
      ) {
        report.error(path, "must have a force, a noise or both, got neither");
      }
    },
    ["force", "noise"],
  ),
};

/** The whole configuration schema, in config.yaml's order. */
const SCHEMA: ObjectRule = object({
  global_seed: seed,
  physics,
  simulation,
  controller_defaults: controllerDefaults,
  controllers,
  pso,
  cost_function: costFunction,
  physics_uncertainty: physicsUncertainty,
  uncertainty: object({ initial_angle: nonNegative }),
  disturbances,
  metrics: object({ settling_band: positive, chattering_frequency: positive }),
});

// ------------------------------------------------------------------------------------------------
// Walker

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return isPlainObject(value) ? "a mapping" : `a ${value.constructor?.name ?? "object"}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function child(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function rangeText(rule: NumberRule): string {
  const { min, max, minExclusive, maxExclusive } = rule;
  if (min !== undefined && max !== undefined) {
    return `must be in ${minExclusive ? "(" : "["}${min}, ${max}${maxExclusive ? ")" : "]"}`;
  }
  if (min !== undefined) return minExclusive ? `must be greater than ${min}` : `must be at least ${min}`;
  return maxExclusive ? `must be less than ${max}` : `must be at most ${max}`;
}

function checkNumber(rule: NumberRule, value: unknown): string | undefined {
  if (value === null && rule.nullable) return undefined;
  if (typeof value !== "number") {
    return `must be ${rule.integer ? "an integer" : "a number"}${rule.nullable ? " or null" : ""}, got ${
      describe(value)
    }`;
  }
  if (!Number.isFinite(value)) return `must be finite, got ${value}`;
  if (rule.integer && !Number.isInteger(value)) return `must be an integer, got ${value}`;
  const below = rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min);
  const above = rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
  return below || above ? `${rangeText(rule)}, got ${value}` : undefined;
}

/**
 * Checks `value` against `rule`, reporting problems under `path`. Returns whether it is valid and
 * a fresh copy of it (only schema keys), so the caller's object is never frozen or aliased.
 */
function walk(rule: Rule, value: unknown, path: string, report: Reporter): { ok: boolean; value: unknown } {
  const fail = (message: string) => {
    report.error(path === "" ? ROOT_PATH : path, message);
    return { ok: false, value };
  };
  switch (rule.kind) {
    case "number": {
      const problem = checkNumber(rule, value);
      return problem === undefined ? { ok: true, value } : fail(problem);
    }
    case "enum":
      return typeof value === "string" && rule.values.includes(value)
        ? { ok: true, value }
        : fail(`must be one of ${rule.values.map((v) => `"${v}"`).join(", ")}, got ${describe(value)}`);
    case "boolean":
      return typeof value === "boolean"
        ? { ok: true, value }
        : fail(`must be true or false, got ${describe(value)}`);
    case "vector": {
      if (!Array.isArray(value)) {
        return fail(`must be an array of ${rule.length} numbers, got ${describe(value)}`);
      }
      let ok = true;
      if (value.length !== rule.length) {
        ok = false;
        report.error(path, `must have ${rule.length} values, got ${value.length}`);
      }
      // An index loop, not forEach: a sparse array's holes must be reported, not skipped.
      for (let i = 0; i < value.length; i++) {
        const problem = checkNumber(rule.element, value[i]);
        if (problem !== undefined) {
          ok = false;
          report.error(`${path}[${i}]`, problem);
        }
      }
      return { ok, value: Array.from(value) };
    }
    case "gains": {
      // The one gain validator (controllers/gains.ts), so config loading, controller creation and
      // PSO pre-filtering can never disagree about what a valid gain is.
      const { ok, errors } = validateGainVector(rule.type, value);
      for (const e of errors) report.error(e.index < 0 ? path : `${path}[${e.index}]`, e.message);
      return { ok, value: ok ? Array.from(value as ArrayLike<number>) : value };
    }
    case "record": {
      if (!isPlainObject(value)) return fail(`must be a mapping, got ${describe(value)}`);
      let ok = true;
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const result = walk(rule.value, value[key], child(path, key), report);
        copy[key] = result.value;
        ok &&= result.ok;
      }
      return { ok, value: copy };
    }
    case "tagged": {
      if (!isPlainObject(value)) return fail(`must be a mapping, got ${describe(value)}`);
      const names = Object.keys(rule.variants);
      const tag = value[rule.tag];
      if (typeof tag !== "string" || !Object.hasOwn(rule.variants, tag)) {
        report.error(
          child(path, rule.tag),
          `must be one of ${names.map((n) => `"${n}"`).join(", ")}, got ${describe(tag)}`,
        );
        return { ok: false, value };
      }
      return walk(rule.variants[tag], value, path, report);
    }
    case "object": {
      if (!isPlainObject(value)) return fail(`must be a mapping, got ${describe(value)}`);
      const allowed = Object.keys(rule.fields);
      let ok = true;
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(rule.fields, key)) {
          ok = false;
          report.error(child(path, key), `unknown key; allowed: ${allowed.join(", ")}`);
        }
      }
      const copy: Record<string, unknown> = {};
      const valid: Record<string, unknown> = {};
      for (const key of allowed) {
        if (!Object.hasOwn(value, key)) {
          if (!rule.optional?.includes(key)) {
            ok = false;
            report.error(child(path, key), "missing required key");
          }
          continue;
        }
        const result = walk(rule.fields[key], value[key], child(path, key), report);
        copy[key] = result.value;
        if (result.ok) valid[key] = result.value;
        else ok = false;
      }
      if (rule.check) {
        const before = report.issues.length;
        rule.check(valid, path, report);
        if (report.issues.length !== before) ok = false;
      }
      return { ok, value: copy };
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// ------------------------------------------------------------------------------------------------
// Environment overrides

interface Override {
  readonly name: string;
  readonly path: string;
}

/**
 * Applies `DIP__A__B=value` overrides to a copy of `root` (copy-on-write along each path), resolving
 * each segment case-insensitively against the schema. Returns the new root and the overrides
 * applied, so that issues under an overridden path can name the variable.
 */
function applyEnv(
  root: unknown,
  env: Readonly<Record<string, string | undefined>>,
  report: Reporter,
): { root: unknown; overrides: Override[] } {
  const entries = Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(ENV_PREFIX) && typeof e[1] === "string")
    .map(([name, text]) => ({ name, text, segments: name.slice(ENV_PREFIX.length).split("__") }))
    // Shallow first, so DIP__PHYSICS={...} can be refined by DIP__PHYSICS__CART_MASS; then by name,
    // so the result never depends on the environment's enumeration order.
    .sort((a, b) => a.segments.length - b.segments.length || (a.name < b.name ? -1 : 1));
  const overrides: Override[] = [];
  for (const { name, text, segments } of entries) {
    const keys = resolveKeys(segments, name, report);
    if (keys === undefined) continue;
    const path = keys.join(".");
    const earlier = overrides.find((o) => o.path === path);
    if (earlier) {
      report.error(path, `set by both ${earlier.name} and ${name}`);
      continue;
    }
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      report.error(path, `${name} is not a valid YAML value: ${yamlMessage(doc.errors[0])}`);
      continue;
    }
    // Setting below a non-mapping is skipped: validation already reports that ancestor's type.
    const updated = setIn(root, keys, doc.toJS());
    if (updated === undefined) continue;
    root = updated;
    overrides.push({ name, path });
  }
  return { root, overrides };
}

function resolveKeys(segments: readonly string[], name: string, report: Reporter): string[] | undefined {
  let rule: Rule = SCHEMA;
  const keys: string[] = [];
  for (const segment of segments) {
    const path = [...keys, segment.toLowerCase()].join(".");
    if (rule.kind !== "object") {
      report.error(path, `unknown key set by ${name}; ${keys.join(".")} is not a mapping`);
      return undefined;
    }
    const allowed: string[] = Object.keys(rule.fields);
    const key: string | undefined = allowed.find((k) => k.toLowerCase() === segment.toLowerCase());
    if (key === undefined) {
      report.error(path, `unknown key set by ${name}; allowed: ${allowed.join(", ")}`);
      return undefined;
    }
    keys.push(key);
    rule = rule.fields[key];
  }
  return keys;
}

function setIn(node: unknown, keys: readonly string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const base = node === undefined ? {} : node;
  if (!isPlainObject(base)) return undefined;
  const [key, ...rest] = keys;
  const inner = setIn(Object.hasOwn(base, key) ? base[key] : undefined, rest, value);
  return inner === undefined ? undefined : { ...base, [key]: inner };
}

function blame(issue: ConfigIssue, overrides: readonly Override[]): ConfigIssue {
  const hit = overrides
    .filter((o) =>
      issue.path === o.path || issue.path.startsWith(`${o.path}.`) || issue.path.startsWith(`${o.path}[`)
    )
    .sort((a, b) => b.path.length - a.path.length)[0];
  return hit && !issue.message.includes(hit.name)
    ? { path: issue.path, message: `${issue.message} (set by ${hit.name})` }
    : issue;
}

// ------------------------------------------------------------------------------------------------
// Public API

/**
 * Validates an already-parsed configuration (a plain object, e.g. from YAML or JSON, or built in
 * code) after applying the `DIP__...` overrides in `options.env`, and returns a deeply frozen copy.
 *
 * Strict: unknown keys, missing keys, wrong types (no coercion: `"0.01"` is not a number),
 * non-finite numbers and out-of-range values are errors, all reported at once in a
 * {@linkcode ConfigError}. Implausible but possible values (an inertia above m·L²) go to
 * `options.onWarning` instead. The input object is neither modified nor frozen.
 *
 * @example Usage
 * ```ts
 * import { parse } from "yaml";
 * import { validateConfig } from "./loader.ts";
 * const raw = parse(await Deno.readTextFile("config.yaml"));
 * const config = validateConfig({ ...raw, global_seed: 7 });
 * console.log(config.global_seed, Object.isFrozen(config.simulation.initial_state)); // 7 true
 * ```
 *
 * @param value The candidate configuration.
 * @param options Environment overrides, a warning sink and a source name for the error header.
 * @returns The validated, deeply frozen configuration.
 * @throws {ConfigError} With every problem found.
 */
export function validateConfig(value: unknown, options: ConfigOptions = {}): Config {
  const report = new Reporter();
  const { root, overrides } = applyEnv(value, options.env ?? {}, report);
  const result = walk(SCHEMA, root, "", report);
  if (report.issues.length > 0) {
    throw new ConfigError(report.issues.map((i) => blame(i, overrides)), options.source);
  }
  const onWarning = options.onWarning ?? console.warn;
  for (const w of report.warnings) onWarning(`${w.path}: ${w.message}`);
  return deepFreeze(result.value as Config);
}

function yamlMessage(error: YAMLError): string {
  // With prettyErrors the message is "<what> at line L, column C:\n\n<source excerpt>"; keep the
  // first line, so each problem stays on one line of the ConfigError message.
  return error.message.split("\n")[0].replace(/:$/, "");
}

/** Dot-path of the map key starting at `offset`, for a duplicate-key error. */
function keyPathAt(node: Node | null | undefined, offset: number, path: string): string | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const here = child(path, key);
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) return here;
      const inner = keyPathAt(pair.value as Node | null, offset, here);
      if (inner !== undefined) return inner;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = keyPathAt(item as Node | null, offset, `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function yamlIssues(doc: Document.Parsed): ConfigIssue[] {
  return doc.errors.map((e) => {
    if (e.code === "DUPLICATE_KEY") {
      const at = e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : "";
      const path = keyPathAt(doc.contents, e.pos[0], "");
      if (path !== undefined) return { path, message: `duplicate key${at}` };
    }
    return { path: ROOT_PATH, message: `invalid YAML: ${yamlMessage(e)}` };
  });
}

/**
 * Parses YAML text (duplicate keys rejected) and validates it with {@linkcode validateConfig}.
 *
 * Malformed YAML, an empty document and a root that is not a mapping are {@linkcode ConfigError}s
 * too, at path `<root>` with the YAML line and column in the message (a duplicate key gets its own
 * dot-path). `options.env` defaults to no overrides here; only {@linkcode loadConfig} reads the
 * process environment.
 *
 * Permissions: the `yaml` package's Node build reads `process.env.LOG_TOKENS` and `LOG_STREAM` while
 * parsing, so a restricted run needs `--allow-env=LOG_TOKENS,LOG_STREAM` (or `--allow-env`).
 *
 * @example Usage
 * ```ts
 * import { ConfigError, parseConfig } from "./loader.ts";
 * const text = await Deno.readTextFile("config.yaml");
 * const config = parseConfig(text, { env: { DIP__SIMULATION__DT: "0.005" } });
 * console.log(config.simulation.dt); // 0.005
 * try {
 *   parseConfig(text.replace("cart_mass: 1.5", "cart_mass: -1.5"));
 * } catch (error) {
 *   if (error instanceof ConfigError) console.log(error.issues[0].path); // "physics.cart_mass"
 * }
 * ```
 *
 * @param text The YAML source.
 * @param options Environment overrides, a warning sink and a source name for the error header.
 * @returns The validated, deeply frozen configuration.
 * @throws {ConfigError} With every problem found.
 */
export function parseConfig(text: string, options: ConfigOptions = {}): Config {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(yamlIssues(doc), options.source);
  const onWarning = options.onWarning ?? console.warn;
  for (const w of doc.warnings) onWarning(`${ROOT_PATH}: ${yamlMessage(w)}`);
  if (doc.contents === null) {
    throw new ConfigError([{
      path: ROOT_PATH,
      message: `the document is empty; expected a mapping with ${Object.keys(SCHEMA.fields).join(", ")}`,
    }], options.source);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // toJS refuses alias bombs ("excessive alias count"); keep that a configuration error.
    throw new ConfigError(
      [{ path: ROOT_PATH, message: `invalid YAML: ${(error as Error).message}` }],
      options.source,
    );
  }
  return validateConfig(value, { ...options, onWarning });
}

/**
 * Reads a YAML configuration file and validates it with {@linkcode parseConfig}, applying the
 * `DIP__SECTION__KEY=value` overrides from `options.env`, or from the process environment when that
 * is undefined (`DIP__SIMULATION__DT=0.005`, `DIP__CONTROLLERS__STA_SMC__BOUNDARY_LAYER=0.2`).
 *
 * A file that cannot be read (missing, a directory, no permission) is a {@linkcode ConfigError}
 * naming the path. Without env permission the process environment is not read: overrides are
 * skipped with a warning rather than a permission prompt or crash (parsing itself still needs
 * `--allow-env=LOG_TOKENS,LOG_STREAM`, see {@linkcode parseConfig}).
 *
 * @example Usage
 * ```ts
 * import { loadConfig } from "./loader.ts";
 * const config = loadConfig("config.yaml", { env: {} });
 * console.log(config.pso.n_particles, config.controller_defaults.sta_smc.gains);
 * ```
 *
 * @param path The file to read; `config.yaml` in the working directory by default.
 * @param options Environment overrides, a warning sink and a source name (default: the path).
 * @returns The validated, deeply frozen configuration.
 * @throws {ConfigError} With every problem found, or naming a file that cannot be read.
 */
export function loadConfig(path: string | URL = DEFAULT_CONFIG_PATH, options: ConfigOptions = {}): Config {
  const source = options.source ?? String(path);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "file not found" : (error as Error).message;
    throw new ConfigError([{ path: ROOT_PATH, message: `cannot read "${String(path)}": ${reason}` }], source);
  }
  const onWarning = options.onWarning ?? console.warn;
  let env = options.env;
  if (env === undefined) {
    if (Deno.permissions.querySync({ name: "env" }).state === "granted") {
      env = Deno.env.toObject();
    } else {
      onWarning(
        `${ROOT_PATH}: ${ENV_PREFIX}* environment overrides skipped: no env permission (--allow-env)`,
      );
    }
  }
  return parseConfig(text, { ...options, env, source, onWarning });
}
