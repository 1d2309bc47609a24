/**
 * Loads and validates the configuration: YAML in, a typed, deeply frozen {@linkcode Config} out,
 * or one {@linkcode ConfigError} that lists every problem with its dot-path. The rules are the
 * schema's (schema.ts); this module reads the file, parses the YAML, applies the environment
 * overrides (env.ts) and turns the schema's issues into the project's messages (errors.ts).
 *
 * @module
 */
import { parseDocument } from "yaml";
import { deepFreeze } from "../gains/mod.ts";
import { applyEnv, blame, ENV_PREFIX } from "./env.ts";
import { ConfigError, type ConfigIssue, ROOT_PATH, toConfigIssues } from "./errors.ts";
import { configSchema, physicsWarnings } from "./schema.ts";
import type { Config } from "./types.ts";
import { yamlIssues, yamlMessage } from "./yaml_issues.ts";

/**
 * Path of the configuration file that {@linkcode loadConfig} reads when given none, relative to the
 * working directory.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CONFIG_PATH, loadConfig } from "./mod.ts";
 * const config = loadConfig(DEFAULT_CONFIG_PATH, { env: {} });
 * ```
 */
export const DEFAULT_CONFIG_PATH = "config.yaml";

/**
 * Options of {@linkcode parseConfig}, {@linkcode validateConfig} and {@linkcode loadConfig}.
 *
 * @example Usage
 * ```ts
 * import type { ConfigOptions } from "./mod.ts";
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
 * import { validateConfig } from "./mod.ts";
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
  const issues: ConfigIssue[] = [];
  const { root, overrides } = applyEnv(configSchema, value, options.env ?? {}, issues);
  // The parse builds a fresh value (only schema keys), so the caller's object is never frozen or
  // aliased.
  const result = configSchema.safeParse(root);
  if (!result.success) issues.push(...toConfigIssues(result.error.issues, root));
  if (issues.length > 0 || !result.success) {
    throw new ConfigError(issues.map((i) => blame(i, overrides)), options.source);
  }
  const config = deepFreeze(result.data) as Config;
  const onWarning = options.onWarning ?? console.warn;
  for (const w of physicsWarnings(config.physics)) onWarning(`${w.path}: ${w.message}`);
  return config;
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
 * import { ConfigError, parseConfig } from "./mod.ts";
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
      message: `the document is empty; expected a mapping with ${
        Object.keys(configSchema.def.out.shape).join(", ")
      }`,
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
 * import { loadConfig } from "./mod.ts";
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
