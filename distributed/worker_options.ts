/**
 * A remote worker's options made ready to use: checked counts, its configs by hash, the modules
 * it may run by SHA-256, and its id.
 *
 * @module
 */
import { hostname } from "node:os";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { type Config, loadConfig } from "../config/mod.ts";
import { DistributedError } from "./errors.ts";
import { configHash, moduleDigest, toPath } from "./hash.ts";
import type { AllowedModule, RemoteWorkerOptions, ResolvedWorkerOptions } from "./remote_worker_types.ts";

/**
 * How many run setups a remote worker keeps by default. Each holds an evaluator (≈ 0.6 MB at 10
 * scenarios of 1000 steps) in every local Worker; a long-lived worker serving runs of many seeds,
 * controllers or configs would otherwise grow without end. A run's chunks arrive together, so a
 * small number covers every run going on at once.
 *
 * @example Usage
 * ```ts
 * import { REMOTE_SETUPS_KEPT } from "./worker_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(REMOTE_SETUPS_KEPT, 8);
 * ```
 */
export const REMOTE_SETUPS_KEPT = 8;

/**
 * Checks the counts, loads the configs and hashes the allowed modules.
 *
 * @example Usage
 * ```ts
 * import { resolveWorkerOptions } from "./worker_options.ts";
 * import { loadConfig } from "../config/mod.ts";
 * import assert from "node:assert/strict";
 * const nats = { url: "nats://127.0.0.1:4222" };
 * const config = loadConfig("config.yaml");
 * const resolved = await resolveWorkerOptions({ nats, concurrency: 2, configs: [config] });
 * assert.equal(resolved.concurrency, 2);
 * assert.equal(resolved.configs.size, 1);
 * await assert.rejects(resolveWorkerOptions({ nats, concurrency: 0 }), /--concurrency: must be an integer ≥ 1, got 0/);
 * ```
 *
 * @param options The worker's options.
 * @returns The options made ready.
 * @throws {DistributedError} (`code` "config") for a bad count or an unreadable module; a config
 * that cannot be loaded throws as `loadConfig()` does.
 */
export async function resolveWorkerOptions(options: RemoteWorkerOptions): Promise<ResolvedWorkerOptions> {
  const concurrency = options.concurrency ?? navigator.hardwareConcurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DistributedError("config", `--concurrency: must be an integer ≥ 1, got ${concurrency}`);
  }
  const setupsKept = options.setupsKept ?? REMOTE_SETUPS_KEPT;
  if (!Number.isInteger(setupsKept) || setupsKept < 1) {
    throw new DistributedError("config", `setupsKept: must be an integer ≥ 1, got ${setupsKept}`);
  }
  const configs = new Map<string, Config>();
  for (const source of options.configs ?? ["config.yaml"]) {
    const config = typeof source === "string" ? loadConfig(source) : source;
    configs.set(configHash(config), config);
  }
  const modules = new Map<string, AllowedModule>();
  for (const file of options.allowModules ?? []) {
    let path: string, sha: string;
    try {
      path = resolve(toPath(file));
      sha = await moduleDigest(path);
    } catch (error) {
      throw new DistributedError(
        "config",
        `--allow-module ${file}: cannot read it: ${(error as Error).message}`,
      );
    }
    modules.set(sha, { url: pathToFileURL(path).href, name: path.slice(path.lastIndexOf("/") + 1) });
  }
  return { concurrency, setupsKept, configs, modules };
}

/**
 * A fresh worker id, `host:pid:suffix`, and the host it names.
 *
 * @example Usage
 * ```ts
 * import { workerIdentity } from "./worker_options.ts";
 * import assert from "node:assert/strict";
 * const { host, id } = workerIdentity();
 * assert.ok(id.startsWith(`${host}:${Deno.pid}:`));
 * assert.notEqual(workerIdentity().id, id);
 * ```
 *
 * @returns The host name (`"host"` without `--allow-sys`) and the id.
 */
export function workerIdentity(): { host: string; id: string } {
  let host = "host";
  try {
    host = hostname();
  } catch { /* no --allow-sys: the pid and suffix still make the id unique */ }
  return { host, id: `${host}:${Deno.pid}:${crypto.randomUUID().slice(0, 4)}` };
}
