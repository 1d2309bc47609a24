/**
 * Content hashes that tie a chunk to the exact config, evaluation setup and modules it was made
 * for: SHA-256 over a canonical JSON form (object keys sorted), so the hash of a config does not
 * depend on key order or on which machine computed it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/mod.ts";
import type { EvaluationSetup } from "../optimizer/mod.ts";

/**
 * JSON with every object's keys sorted, recursively; `undefined` members are dropped as
 * `JSON.stringify` drops them.
 *
 * @example Usage
 * ```ts
 * import { canonicalJson } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
 * ```
 *
 * @param value Plain data.
 * @returns The canonical JSON text.
 * @throws {TypeError} For a non-finite number, which JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: must get finite numbers, got ${value}`);
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    return `[${value.map((v) => v === undefined ? "null" : canonicalJson(v)).join(",")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * SHA-256 of a string or bytes, as 64 lowercase hex digits.
 *
 * @example Usage
 * ```ts
 * import { sha256Hex } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sha256Hex("abc").slice(0, 8), "ba7816bf");
 * ```
 *
 * @param data The input.
 * @returns The digest.
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The hash of a validated config: what a remote worker compares with the configs it was started
 * with before it computes anything.
 *
 * @example Usage
 * ```ts
 * import { configHash } from "./hash.ts";
 * import { loadConfig } from "../config/mod.ts";
 * import assert from "node:assert/strict";
 * assert.match(configHash(loadConfig()), /^[0-9a-f]{64}$/);
 * ```
 *
 * @param config The validated config.
 * @returns The hash.
 */
export function configHash(config: Config): string {
  return sha256Hex(canonicalJson(config));
}

/**
 * The hash of an evaluation setup (config, controller type, scenarios, penalty). A remote worker
 * rebuilds the setup from its own config and the run's seed and compares this hash, so a worker
 * whose code would draw other scenarios refuses instead of computing other costs.
 *
 * @example Usage
 * ```ts
 * import { setupHash } from "./hash.ts";
 * import { PSOTuner } from "../optimizer/mod.ts";
 * import assert from "node:assert/strict";
 * const a = new PSOTuner({ controllerType: "sta_smc", seed: 1, scenarios: 3, numWorkers: 0 });
 * const b = new PSOTuner({ controllerType: "sta_smc", seed: 2, scenarios: 3, numWorkers: 0 });
 * assert.notEqual(setupHash(a.setup), setupHash(b.setup));
 * ```
 *
 * @param setup The setup.
 * @returns The hash.
 */
export function setupHash(setup: EvaluationSetup): string {
  return sha256Hex(canonicalJson({
    config: setup.config,
    controllerType: setup.controllerType,
    scenarios: setup.scenarios,
    penalty: setup.penalty,
  }));
}

/**
 * The SHA-256 of a module file's bytes. Modules are matched by content, never by path: a remote
 * worker runs its own copy of a module whose digest equals the one a chunk names.
 *
 * @example Usage
 * ```ts
 * import { moduleDigest } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.match(await moduleDigest(new URL("./hash.ts", import.meta.url).href), /^[0-9a-f]{64}$/);
 * ```
 *
 * @param moduleUrl A `file:` URL (or a path).
 * @returns The digest.
 * @throws {TypeError} When the module is not a local file.
 */
export async function moduleDigest(moduleUrl: string | URL): Promise<string> {
  const path = toPath(moduleUrl);
  return sha256Hex(await Deno.readFile(path));
}

/**
 * A module path or `file:` URL as a file path; any other scheme is refused (remote workers match
 * modules by the bytes of a local file).
 *
 * @example Usage
 * ```ts
 * import { toPath } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toPath("file:///tmp/f.ts"), "/tmp/f.ts");
 * assert.throws(() => toPath("https://example.org/f.ts"), /must be a local file/);
 * ```
 *
 * @param moduleUrl A path or URL.
 * @returns The path.
 * @throws {TypeError} For another scheme.
 */
export function toPath(moduleUrl: string | URL): string {
  const text = String(moduleUrl);
  if (text.startsWith("file:")) return fileURLToPath(text);
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) {
    throw new TypeError(
      `module ${text}: must be a local file (a path or a file: URL) to be matched by content, got another scheme`,
    );
  }
  return text;
}
