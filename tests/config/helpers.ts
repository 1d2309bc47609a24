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
