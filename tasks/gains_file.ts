/**
 * The gains file that `deno task tune` writes and `simulate` and `study` read with `--gains-file`:
 * a JSON object `{ "<controller>": [gains…] }`. One parser for every task, so a file is accepted or
 * refused the same way everywhere, each entry checked by the factory's gain validator.
 *
 * @module
 */
import { canonicalControllerType, UnknownControllerError, validateGains } from "../factory/mod.ts";
import { describeValue } from "../gains/mod.ts";
import { readFlagFile, UsageError } from "./cli.ts";

/** The gains of a gains file, by canonical controller type. */
export type GainsFile = Readonly<Record<string, readonly number[]>>;

/**
 * Parses the text of a gains file. Keys may be canonical controller types or aliases (as
 * `--controller` takes them); each entry must pass the factory's `validateGains` for its type.
 *
 * Every problem is a {@linkcode UsageError} naming the flag and the path: text that is not JSON, a
 * root that is not an object, an unknown controller, two keys naming the same controller, and each
 * bad entry with its controller and the gain's name and index (all of an entry's problems, one per
 * line).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseGainsFile } from "./gains_file.ts";
 * const gains = parseGainsFile('{ "sta": [8, 4, 12, 6, 4.85, 3.43] }', "g.json");
 * assert.deepEqual(gains, { sta_smc: [8, 4, 12, 6, 4.85, 3.43] });
 * assert.throws(
 *   () => parseGainsFile('{ "sta_smc": [4, 8, 12, 6, 4.85, 3.43] }', "g.json"),
 *   /--gains-file: "g.json" entry "sta_smc": sta_smc gain K2 \(index 1\): must be smaller than K1 \(4\)/,
 * );
 * ```
 *
 * @param text The file's text.
 * @param path The file's path (for messages).
 * @param flag The flag that named it (default `--gains-file`).
 * @returns The gains by canonical type, each a fresh array.
 * @throws {UsageError} Naming the flag, the path and the problem.
 */
export function parseGainsFile(text: string, path: string, flag = "--gains-file"): Record<string, number[]> {
  const where = `${flag}: "${path}"`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(
      `${where} must hold an object { "<controller>": [gains…] }, got ${describeValue(data)}`,
    );
  }
  const gains: Record<string, number[]> = {};
  const keyOf: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    let type: string;
    try {
      type = canonicalControllerType(key);
    } catch (error) {
      if (error instanceof UnknownControllerError) throw new UsageError(`${where}: ${error.message}`);
      throw error;
    }
    if (Object.hasOwn(keyOf, type)) {
      throw new UsageError(`${where}: "${keyOf[type]}" and "${key}" both name ${type}, give one`);
    }
    keyOf[type] = key;
    const check = validateGains(type, value);
    if (!check.ok) {
      throw new UsageError(check.errors.map((e) => `${where} entry "${key}": ${e.message}`).join("\n"));
    }
    gains[type] = Array.from(value as readonly number[]);
  }
  return gains;
}

/**
 * Reads and parses the gains file a flag names ({@linkcode parseGainsFile}); a file that cannot be
 * read is a {@linkcode UsageError} too.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readGainsFile } from "./gains_file.ts";
 * assert.throws(() => readGainsFile("missing.json"), /^UsageError: --gains-file: cannot read "missing.json": file not found$/);
 * ```
 *
 * @param path The file.
 * @param flag The flag that named it (default `--gains-file`).
 * @returns The gains by canonical type.
 * @throws {UsageError} Naming the flag, the path and the problem.
 */
export function readGainsFile(path: string, flag = "--gains-file"): Record<string, number[]> {
  return parseGainsFile(readFlagFile(flag, path), path, flag);
}

/**
 * The gains of one controller type in a parsed gains file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { gainsOf } from "./gains_file.ts";
 * assert.deepEqual(gainsOf({ lqr: [1, 2, 3, 4, 5, 6] }, "lqr", "g.json"), [1, 2, 3, 4, 5, 6]);
 * assert.throws(() => gainsOf({ lqr: [1, 2, 3, 4, 5, 6] }, "sta_smc", "g.json"), /has no gains for sta_smc, got keys "lqr"/);
 * ```
 *
 * @param file The parsed file.
 * @param type The canonical controller type.
 * @param path The file's path (for the message).
 * @param flag The flag that named it (default `--gains-file`).
 * @returns The gains.
 * @throws {UsageError} When the file has no entry for `type`, listing the ones it has.
 */
export function gainsOf(
  file: GainsFile,
  type: string,
  path: string,
  flag = "--gains-file",
): readonly number[] {
  const gains = file[type];
  if (gains !== undefined) return gains;
  const keys = Object.keys(file);
  throw new UsageError(
    `${flag}: "${path}" has no gains for ${type}, got keys ${
      keys.length > 0 ? keys.map((k) => `"${k}"`).join(", ") : "none"
    }`,
  );
}
