/**
 * What a coordinator works out before its first chunk leaves: the run's config and setup hashes,
 * and the SHA-256 of any custom controller or fitness module a remote worker must already hold.
 *
 * @module
 */
import type { EvaluationRun } from "../optimizer/mod.ts";
import { DistributedError } from "./errors.ts";
import { configHash, moduleDigest, setupHash, toPath } from "./hash.ts";
import type { ControllerRef, ModuleRef } from "./protocol.ts";

/** What a run's chunks carry besides their particles, and the hashes they are checked by. */
export interface PreparedRun {
  /** The hash of the run's config (see `configHash()`). */
  readonly configHash: string;
  /** The hash of the run's evaluation setup (see `setupHash()`). */
  readonly setupHash: string;
  /** The custom fitness module, by content. */
  readonly fitness?: ModuleRef;
  /** The custom controller module, by content, with its gain names and defaults. */
  readonly controller?: ControllerRef;
}

/**
 * Hashes the run's setup and modules before anything is sent; refuses another setup on a resume.
 *
 * @example Usage
 * ```ts
 * import { prepareRun } from "./run_prepare.ts";
 * import { setupHash } from "./hash.ts";
 * import { PSOTuner } from "../optimizer/mod.ts";
 * import assert from "node:assert/strict";
 * const setup = new PSOTuner({ controllerType: "classical_smc", numWorkers: 0 }).setup;
 * const run = { key: "k", setup, numParticles: 4, seed: 1, reportFailures: () => {} };
 * const prepared = await prepareRun(run, "r1", undefined);
 * assert.equal(prepared.setupHash, setupHash(setup));
 * assert.equal(prepared.controller, undefined);
 * await assert.rejects(prepareRun(run, "r1", "0".repeat(64)), /the checkpoint was written for setup/);
 * ```
 *
 * @param run The run the tuner starts.
 * @param runId Its id, for the messages.
 * @param expectedSetupHash With a resume: the setup hash the checkpoint was written for.
 * @returns The hashes and module references.
 * @throws {DistributedError} (`code` "config") when the setup is not the checkpoint's or a module
 * cannot be read.
 */
export async function prepareRun(
  run: EvaluationRun,
  runId: string,
  expectedSetupHash: string | undefined,
): Promise<PreparedRun> {
  const setup = run.setup;
  const hash = setupHash(setup);
  if (expectedSetupHash !== undefined && expectedSetupHash !== hash) {
    throw new DistributedError(
      "config",
      `run ${runId}: the checkpoint was written for setup ${expectedSetupHash.slice(0, 12)}, ` +
        `this run's setup is ${hash.slice(0, 12)} (another config, controller, seed or scenario count)`,
    );
  }
  const fitness = run.fitness
    ? await moduleRef(run.fitness.module, run.fitness.export, "fitness")
    : undefined;
  const src = run.controllerSource;
  const controller: ControllerRef | undefined = src
    ? {
      ...(await moduleRef(src.module, src.export, "controller")),
      gainNames: [...src.gainNames],
      defaultGains: [...src.defaultGains],
    }
    : undefined;
  return { configHash: configHash(setup.config), setupHash: hash, fitness, controller };
}

/**
 * Names a local module by the SHA-256 of its bytes, its export and its file name.
 *
 * @example Usage
 * ```ts
 * import { moduleRef } from "./run_prepare.ts";
 * import assert from "node:assert/strict";
 * const ref = await moduleRef(new URL("./errors.ts", import.meta.url).href, "DistributedError", "fitness");
 * assert.equal(ref.name, "errors.ts");
 * assert.match(ref.sha256, /^[0-9a-f]{64}$/);
 * await assert.rejects(moduleRef("./no_such_file.ts", "f", "fitness"), /fitness module \.\/no_such_file\.ts/);
 * ```
 *
 * @param module The module's path or URL.
 * @param exportName The export used.
 * @param what "fitness" or "controller", for the message.
 * @returns The reference chunks carry.
 * @throws {DistributedError} (`code` "config") when the file cannot be read.
 */
export async function moduleRef(module: string, exportName: string, what: string): Promise<ModuleRef> {
  let sha256: string;
  try {
    sha256 = await moduleDigest(module);
  } catch (error) {
    throw new DistributedError(
      "config",
      `${what} module ${module}: must be a readable local file for remote workers, got: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  const path = toPath(module);
  return { sha256, export: exportName, name: path.slice(path.lastIndexOf("/") + 1) };
}
