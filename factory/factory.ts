/**
 * The controller factory: one canonicaliser, one gain validator, one precedence rule, over the
 * versioned controller registry.
 *
 * @module
 */
import { type Config, type ControllerType, validateConfig } from "../config/mod.ts";
import {
  buildAdaptiveSMC,
  buildClassicalSMC,
  buildHybridAdaptiveSTASMC,
  buildLQR,
  buildSuperTwistingSMC,
} from "./builtins.ts";
import {
  type Controller,
  designLqrGains,
  GAIN_NAMES,
  type GainValidation,
  GainValidationError,
  validateGainVector,
} from "../controllers/mod.ts";
import { createRegistryStore, type RegistrySnapshot } from "./registry.ts";
import { DEFAULT_BOUNDS, DEFAULT_DT, DEFAULT_GAINS } from "./defaults.ts";
import type { ControllerCreateOptions } from "./types.ts";

/** Where Workers can import a controller constructor from. */
export interface ControllerSource {
  /** Module URL (absolute). */
  readonly module: string;
  /** Export name of a function `(options: ControllerCreateOptions) => Controller`. */
  readonly export: string;
}

/** Public description of a registered controller type. */
export interface ControllerInfo {
  readonly type: string;
  readonly description: string;
  readonly gainNames: readonly string[];
  readonly gainCount: number;
  readonly defaultGains: readonly number[];
  readonly bounds: { readonly lower: readonly number[]; readonly upper: readonly number[] };
  readonly aliases: readonly string[];
  readonly stateful: boolean;
  readonly source: ControllerSource;
}

/** A registry entry: the info plus the constructor. */
export interface ControllerEntry extends ControllerInfo {
  readonly create: (options: ControllerCreateOptions) => Controller;
  /**
   * Gains derived from a config when it configures none (the lqr designs K from
   * `controllers.lqr.Q` and `R`); tried after `controllers.<type>.gains` and
   * `controller_defaults.<type>.gains`, before the registry default.
   */
  readonly designGains?: (config: Config) => { readonly gains: readonly number[]; readonly origin: string };
}

/**
 * Thrown for a controller type that is neither registered nor an alias; the message lists the
 * available types.
 *
 * @example An unknown type
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalControllerType, UnknownControllerError } from "./mod.ts";
 * assert.throws(() => canonicalControllerType("pid"), UnknownControllerError);
 * ```
 */
export class UnknownControllerError extends Error {
  /** The name as given. */
  readonly given: unknown;
  /** The registered types, sorted. */
  readonly available: readonly string[];
  /**
   * @param given The unknown name.
   * @param available The registered types.
   */
  constructor(given: unknown, available: readonly string[]) {
    const shown = typeof given === "string" ? `"${given}"` : String(given);
    super(`Unknown controller type ${shown}: available are ${available.join(", ")}`);
    this.name = "UnknownControllerError";
    this.given = given;
    this.available = available;
  }
}

// Built-in sources point at constructors with the registry's own signature, so that importing a
// source and calling it works the same way for built-in and custom types.
const BUILTINS_MODULE = new URL("./builtins.ts", import.meta.url).href;

type BuiltinCreate = (o: ControllerCreateOptions) => Controller;
function builtin(
  type: ControllerType,
  description: string,
  aliases: readonly string[],
  stateful: boolean,
  exportName: string,
  create: BuiltinCreate,
  designGains?: ControllerEntry["designGains"],
): [string, ControllerEntry] {
  return [type, {
    type,
    description,
    gainNames: GAIN_NAMES[type],
    gainCount: GAIN_NAMES[type].length,
    defaultGains: DEFAULT_GAINS[type],
    bounds: DEFAULT_BOUNDS[type],
    aliases,
    stateful,
    source: { module: BUILTINS_MODULE, export: exportName },
    create,
    ...(designGains ? { designGains } : {}),
  }];
}

const BUILTINS: readonly [string, ControllerEntry][] = [
  builtin(
    "classical_smc",
    "Classical SMC with boundary layer: v = −K·sat(σ/ε) − kd·σ",
    ["classical", "classic", "classic_smc", "smc_classical", "smc_v1"],
    false,
    "buildClassicalSMC",
    buildClassicalSMC,
  ),
  builtin(
    "sta_smc",
    "Super-twisting SMC: v = −K1·√|σ|·sat(σ/ε) + z, ż = −K2·sat(σ/ε)",
    ["super_twisting", "super_twisting_smc", "supertwisting", "sta", "smc_sta"],
    true,
    "buildSuperTwistingSMC",
    buildSuperTwistingSMC,
  ),
  builtin(
    "adaptive_smc",
    "Adaptive SMC: v = −K·sat(σ/ε) − α·σ with a leaky, rate-limited adaptive gain K",
    ["adaptive", "smc_adaptive"],
    true,
    "buildAdaptiveSMC",
    buildAdaptiveSMC,
  ),
  builtin(
    "hybrid_adaptive_sta_smc",
    "Hybrid adaptive super-twisting SMC with adaptive k1, k2 and anti-windup",
    ["hybrid", "hybrid_sta", "adaptive_sta", "hybrid_adaptive_sta", "hybrid_smc"],
    true,
    "buildHybridAdaptiveSTASMC",
    buildHybridAdaptiveSTASMC,
  ),
  builtin(
    "lqr",
    "Linear-quadratic regulator: u = −K·(s − s_ref), K designed from controllers.lqr.Q and R or given",
    ["linear_quadratic", "linear_quadratic_regulator"],
    false,
    "buildLQR",
    buildLQR,
    (config) => ({
      gains: designLqrGains(config.physics, config.controllers.lqr).K,
      origin: "designed from controllers.lqr.Q and controllers.lqr.R",
    }),
  ),
];

/**
 * The controller registry: immutable, versioned snapshots of {@linkcode ControllerEntry}.
 *
 * @example Usage
 * ```ts
 * import { controllerRegistry } from "./factory.ts";
 * const snap = controllerRegistry.snapshot();
 * console.log(snap.version >= 1, snap.has("sta_smc")); // true true
 * ```
 */
export const controllerRegistry = createRegistryStore<ControllerEntry>(BUILTINS, "controller type");

/**
 * Normalises a controller name the one way every entry point uses: trim, lower-case, and `-` or a
 * space become `_`.
 *
 * @example Usage
 * ```ts
 * import { normalizeControllerName } from "./factory.ts";
 * console.log(normalizeControllerName(" Super Twisting ")); // "super_twisting"
 * ```
 *
 * @param name The name as given.
 * @returns The normalised name.
 */
export function normalizeControllerName(name: string): string {
  return name.trim().toLowerCase().replace(/[- ]/g, "_");
}

function sortedTypes(snap: RegistrySnapshot<ControllerEntry>): string[] {
  return [...snap.ids].sort();
}

function resolve(snap: RegistrySnapshot<ControllerEntry>, name: unknown): ControllerEntry {
  if (typeof name === "string") {
    const n = normalizeControllerName(name);
    const direct = snap.get(n);
    if (direct) return direct;
    for (const id of snap.ids) {
      const entry = snap.get(id)!;
      if (entry.aliases.includes(n)) return entry;
    }
  }
  throw new UnknownControllerError(name, sortedTypes(snap));
}

/**
 * Resolves a controller name or alias to its canonical type.
 *
 * @example Usage
 * ```ts
 * import { canonicalControllerType } from "./factory.ts";
 * console.log(canonicalControllerType("Classic-SMC")); // "classical_smc"
 * console.log(canonicalControllerType("classical")); // "classical_smc"
 * console.log(canonicalControllerType("Linear Quadratic")); // "lqr"
 * ```
 *
 * @param name Type or alias, in any case, with `-` or spaces.
 * @returns The canonical type.
 * @throws {UnknownControllerError} when no type or alias matches.
 */
export function canonicalControllerType(name: string): string {
  return resolve(controllerRegistry.snapshot(), name).type;
}

/**
 * Lists the registered controller types, sorted.
 *
 * @example Usage
 * ```ts
 * import { listAvailableControllers } from "./factory.ts";
 * console.log(listAvailableControllers());
 * // ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "lqr", "sta_smc"]
 * ```
 *
 * @returns Sorted canonical names.
 */
export function listAvailableControllers(): string[] {
  return sortedTypes(controllerRegistry.snapshot());
}

/**
 * Describes a controller type: gains, defaults, bounds, aliases, whether it keeps internal state,
 * and where Workers can import it from.
 *
 * @example Usage
 * ```ts
 * import { getControllerInfo } from "./factory.ts";
 * console.log(getControllerInfo("sta").gainNames); // ["K1", "K2", "k1", "k2", "lambda1", "lambda2"]
 * ```
 *
 * @param typeOrAlias Type or alias.
 * @returns A frozen {@linkcode ControllerInfo}.
 */
export function getControllerInfo(typeOrAlias: string): ControllerInfo {
  const { create: _create, designGains: _design, ...info } = resolve(
    controllerRegistry.snapshot(),
    typeOrAlias,
  );
  return Object.freeze(info);
}

/**
 * The registry's default gains for a type (the last level of the gain precedence).
 *
 * @example Usage
 * ```ts
 * import { getDefaultGains } from "./factory.ts";
 * console.log(getDefaultGains("hybrid").length); // 4
 * ```
 *
 * @param typeOrAlias Type or alias.
 * @returns A frozen copy of the defaults.
 */
export function getDefaultGains(typeOrAlias: string): readonly number[] {
  return resolve(controllerRegistry.snapshot(), typeOrAlias).defaultGains;
}

function validateWith(entry: ControllerEntry, gains: unknown): GainValidation {
  return validateGainVector(entry.type, gains, entry.gainNames);
}

/**
 * Validates gains for a controller type: count, finite and > 0 each (finite only for lqr), K1 > K2
 * for super-twisting.
 * The same validator serves creation, config loading and PSO pre-filtering.
 *
 * @example Usage
 * ```ts
 * import { validateGains } from "./factory.ts";
 * const { ok, errors } = validateGains("classical_smc", [1, 2, 3]);
 * console.log(ok, errors[0].message); // false "classical_smc gains: must have 6 values (...), got 3"
 * ```
 *
 * @param typeOrAlias Type or alias.
 * @param gains Candidate gains.
 * @returns `{ ok, errors: { index, name, message }[] }`.
 */
export function validateGains(typeOrAlias: string, gains: unknown): GainValidation {
  return validateWith(resolve(controllerRegistry.snapshot(), typeOrAlias), gains);
}

/** Options of {@linkcode createController}. */
export interface CreateControllerOptions {
  /** A validated Config, or a plain object that validates as one. */
  readonly config?: Config | Record<string, unknown>;
  /** Explicit gains: they win over every configured value. */
  readonly gains?: ArrayLike<number> | readonly unknown[];
  /** Step for the internal dynamics; default `config.simulation.dt`, else 0.01. */
  readonly dt?: number;
}

// Configs this module has already validated: validating again per PSO particle would be waste.
const validatedConfigs = new WeakSet<object>();

/**
 * Validates a config object once (plain objects are accepted) and remembers it.
 *
 * @example Usage
 * ```ts ignore
 * const config = ensureConfig(JSON.parse(text));
 * ```
 *
 * @param config A Config or plain object.
 * @returns The validated, frozen Config.
 */
export function ensureConfig(config: Config | Record<string, unknown>): Config {
  if (validatedConfigs.has(config)) return config as Config;
  const valid = validateConfig(config);
  validatedConfigs.add(valid);
  // Remember the caller's object only when it can no longer change (deeply frozen, as loadConfig()
  // returns it): a plain object edited after its first use would otherwise skip validation and
  // hand an unchecked value (boundary_layer 0, max_force "lots") to the controller.
  if (isDeeplyFrozen(config)) validatedConfigs.add(config);
  return valid;
}

function isDeeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}

/**
 * Creates a controller.
 *
 * Gain precedence: explicit `gains` > `config.controllers[type].gains` >
 * `config.controller_defaults[type].gains` > gains designed from the config (lqr: K from
 * `controllers.lqr.Q` and `R` on `config.physics`) > registry default. Whatever wins is validated;
 * an invalid value is an error that names where it came from (never replaced by a default).
 *
 * @example Usage
 * ```ts
 * import { createController } from "./factory.ts";
 * const ctrl = createController("classical_smc", { gains: [0.5, 2.3, 11.1, 16.0, 6.7, 1.95] });
 * const { u } = ctrl.computeControl([0, 0.05, -0.03, 0, 0, 0]);
 * console.log(Math.abs(u) <= ctrl.maxForce); // true
 * ```
 *
 * @param type Type or alias.
 * @param options Config, explicit gains, dt.
 * @returns The controller.
 * @throws {UnknownControllerError} for an unknown type.
 * @throws {GainValidationError} for invalid gains.
 * @throws {ConfigError} for an invalid config object.
 */
export function createController(type: string, options: CreateControllerOptions = {}): Controller {
  const entry = resolve(controllerRegistry.snapshot(), type);
  const config = options.config === undefined ? undefined : ensureConfig(options.config);
  const t = entry.type;
  let gains: unknown, origin: string;
  const configured = config === undefined ? undefined : configuredGains(entry, config);
  if (options.gains !== undefined) {
    const given: unknown = options.gains;
    // Typed arrays become plain arrays; anything else goes to the validator as given, so `5` or
    // `null` from JavaScript callers is reported as "must be an array", not as a count of 0.
    gains = ArrayBuffer.isView(given) ? Array.from(given as unknown as ArrayLike<number>) : given;
    origin = "gains";
  } else if (configured !== undefined) {
    ({ gains, origin } = configured);
  } else {
    gains = entry.defaultGains;
    origin = `registry default for ${t}`;
  }
  const check = validateWith(entry, gains);
  if (!check.ok) throw new GainValidationError(entry.type, check.errors, origin);
  const dt = options.dt ?? config?.simulation.dt ?? DEFAULT_DT;
  if (typeof dt !== "number" || !(dt > 0) || !Number.isFinite(dt)) {
    throw new RangeError(`dt: must be a finite number > 0, got ${dt}`);
  }
  return entry.create({ gains: Object.freeze([...(gains as number[])]), config, dt });
}

/** The gains a config sets (or lets the entry design) for a type, with their origin; undefined: none. */
function configuredGains(
  entry: ControllerEntry,
  config: Config,
): { readonly gains: unknown; readonly origin: string } | undefined {
  const t = entry.type;
  // Own keys only: a custom type named like an Object.prototype member must not find one.
  const block = Object.hasOwn(config.controllers, t)
    ? (config.controllers as unknown as Record<string, { readonly gains?: unknown }>)[t]
    : undefined;
  if (block?.gains !== undefined) return { gains: block.gains, origin: `controllers.${t}.gains` };
  if (Object.hasOwn(config.controller_defaults, t)) {
    const defaults =
      (config.controller_defaults as unknown as Record<string, { readonly gains: unknown }>)[t];
    return { gains: defaults.gains, origin: `controller_defaults.${t}.gains` };
  }
  return entry.designGains?.(config);
}

/** A custom controller definition for {@linkcode registerController}. */
export interface CustomControllerDefinition {
  readonly type: string;
  /** Module URL exporting the constructor (absolute, so Workers can import it too). */
  readonly module: string | URL;
  /** Export name of `(options: ControllerCreateOptions) => Controller`. */
  readonly export: string;
  readonly gainNames: readonly string[];
  readonly defaultGains: readonly number[];
  readonly bounds?: { readonly lower: readonly number[]; readonly upper: readonly number[] };
  readonly description?: string;
  readonly aliases?: readonly string[];
  readonly stateful?: boolean;
}

/**
 * Registers a custom controller type by module URL and export name, so that the main thread and
 * Workers (which call this again with the same definition) can build it.
 *
 * @example Usage
 * ```ts ignore
 * await registerController({ type: "my_smc", module: new URL("./my_smc.ts", import.meta.url),
 *   export: "createMySMC", gainNames: ["k"], defaultGains: [1] });
 * ```
 *
 * @param def The definition.
 * @returns The new registry version.
 * @throws {DuplicateEntryError} when the type (or an alias) is already registered.
 */
export async function registerController(def: CustomControllerDefinition): Promise<number> {
  const type = normalizeControllerName(def.type);
  const moduleUrl = new URL(def.module).href;
  const mod = await import(moduleUrl) as Record<string, unknown>;
  const create = mod[def.export];
  if (typeof create !== "function") {
    throw new TypeError(
      `registerController(): module ${moduleUrl} has no function export "${def.export}", got ${typeof create}`,
    );
  }
  const check = validateGainVector(type, def.defaultGains, def.gainNames);
  if (!check.ok) throw new GainValidationError(type, check.errors, `${type} defaultGains`);
  const aliases = (def.aliases ?? []).map(normalizeControllerName);
  const snap = controllerRegistry.update((draft) => {
    for (const id of draft.ids) {
      const other = draft.get(id)!;
      for (const name of [type, ...aliases]) {
        if (name === id || other.aliases.includes(name)) {
          if (name === type && name === id) continue; // reported by add() below
          throw new TypeError(`registerController(): name "${name}" is already used by "${id}"`);
        }
      }
    }
    draft.add(type, {
      type,
      description: def.description ?? `Custom controller from ${moduleUrl}#${def.export}`,
      gainNames: [...def.gainNames],
      gainCount: def.gainNames.length,
      defaultGains: [...def.defaultGains],
      bounds: def.bounds ?? {
        lower: def.defaultGains.map((g) => g / 10),
        upper: def.defaultGains.map((g) => g * 10),
      },
      aliases,
      stateful: def.stateful ?? true,
      source: { module: moduleUrl, export: def.export },
      create: create as (o: ControllerCreateOptions) => Controller,
    });
  });
  return snap.version;
}
