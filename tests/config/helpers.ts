/**
 * Shared helpers of the config tests: the shipped config as plain data, edits by dot-path, and
 * assertions on ConfigError issues.
 */
import assert from "assert";
import { parse } from "yaml";
import { ConfigError, parseConfig, validateConfig } from "../../config/mod.ts";

export const CONFIG_URL = new URL("../../config.yaml", import.meta.url);
export const TEXT = Deno.readTextFileSync(CONFIG_URL);

/** A fresh, mutable copy of the shipped config as plain data. */
export function raw(): Record<string, unknown> {
  return parse(TEXT);
}

/** Marks a key for deletion in {@linkcode edited}. */
export const REMOVE = Symbol("remove");

/**
 * The shipped config with edits applied; keys are dot-paths with optional indices
 * (`simulation.initial_state[2]`), values are the new value or {@linkcode REMOVE}. Missing
 * intermediate mappings are created, so a new scenario can be added by its path.
 */
export function edited(edits: Record<string, unknown>): Record<string, unknown> {
  const root = raw();
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
    let node = root as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (value === REMOVE) delete node[last];
    else node[last] = value;
  }
  return root;
}

/** Runs `fn` and returns the ConfigError it throws; fails when it throws nothing or something else. */
export function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  assert.fail("expected a ConfigError, but the config was accepted");
}

/** Asserts an issue at exactly `path` whose message contains `fragment`, on its own message line. */
export function assertIssue(error: ConfigError, path: string, fragment: string): void {
  const hit = error.issues.find((i) => i.path === path && i.message.includes(fragment)) ??
    error.issues.find((i) => i.path === path);
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

/** A rejected variant: edits of the shipped config (or env overrides), the path and a message fragment. */
export interface RejectedCase {
  readonly name: string;
  readonly edits?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly path: string;
  readonly fragment: string;
}

/** Validates one rejected variant and asserts its issue. */
export function assertRejected(c: RejectedCase): ConfigError {
  const error = catchConfigError(() =>
    validateConfig(c.edits ? edited(c.edits) : raw(), { env: c.env ?? {}, onWarning: () => {} })
  );
  assertIssue(error, c.path, c.fragment);
  return error;
}

/** The shipped config text, parsed with no env and no warnings. */
export function shipped() {
  return parseConfig(TEXT, { env: {}, onWarning: () => {} });
}

/** The path of the shipped config.yaml, for loadConfig(). */
export const CONFIG_PATH = CONFIG_URL.pathname;

/** The shipped text with one exact substring replaced (fails loudly if it is not there). */
export function replaced(from: string, to: string): string {
  assert.ok(TEXT.includes(from), `config.yaml no longer contains ${JSON.stringify(from)}`);
  return TEXT.replace(from, to);
}

/**
 * Asserts that the first issue at exactly `path` has a message containing `fragment`, listed on its
 * own message line. Stricter than {@linkcode assertIssue}, which accepts any issue at the path: the
 * loader tests (`loading_test.ts`, `env_overrides_test.ts`, `freezing_warnings_test.ts`,
 * `hostile_configs_test.ts`) import it under the name `assertIssue`.
 */
export function assertFirstIssue(error: ConfigError, path: string, fragment: string): void {
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

/** Asserts that `value` and every object inside it are frozen, naming the first that is not. */
export function assertDeeplyFrozen(value: unknown, path = "config"): void {
  if (typeof value !== "object" || value === null) return;
  assert.ok(Object.isFrozen(value), `${path} is not frozen`);
  for (const [key, inner] of Object.entries(value)) assertDeeplyFrozen(inner, `${path}.${key}`);
}

/**
 * A hostile config of `hostile_configs_test.ts` (its cases are in `hostile_cases_*.ts`, one module
 * per group of sections).
 */
export interface HostileCase {
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
