/**
 * What the command-line tasks (tune, simulate, study, bench) share: their exit codes, the error types
 * that map to them, an options table that drives both `parseArgs` and the usage text, integer flags,
 * files named by flags (the config among them), and output files that are checked before the work
 * starts and written with their folders created.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { type Config, type ConfigOptions, DEFAULT_CONFIG_PATH, loadConfig } from "../config/mod.ts";

/**
 * The exit codes of every task: `ok` done, `failure` the work failed after it started (a file could
 * not be written: the results are printed instead), `usage` bad arguments, a file named by a flag
 * that cannot be read (config, gains file), an invalid config or an output path that cannot be
 * written, `interrupted` Ctrl-C.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXIT } from "./cli.ts";
 * assert.equal(EXIT.usage, 2);
 * ```
 */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, interrupted: 130 } as const);

/** One of the {@linkcode EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A bad request on the command line (flag, value, config or output path): the task prints the
 * message with its usage text and exits with {@linkcode EXIT}.usage.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./cli.ts";
 * const error = new UsageError("--iters: must be an integer ≥ 1, got \"0\"");
 * assert.equal(error.name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /** @param message What was given and what is allowed, naming the flag. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A task that could not finish its job for a reason outside the arguments (a file that cannot be
 * written after the work, a run too large for the allocator): the task prints the message and exits
 * with {@linkcode EXIT}.failure.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskError } from "./cli.ts";
 * assert.equal(new TaskError("--plot: cannot write \"a.svg\"").name, "TaskError");
 * ```
 */
export class TaskError extends Error {
  /** @param message What failed, naming the flag and the path. */
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
}

/** One command-line option: how `parseArgs` reads it and how the usage text shows it. */
export interface CliOption {
  readonly type: "string" | "boolean";
  /** One-letter alias, e.g. `"h"` for `-h`. */
  readonly short?: string;
  /** The value's name in the usage text, e.g. `"<path>"` (string options). */
  readonly arg?: string;
  /** A string option that may be given several times; its value is then the list, in order. */
  readonly multiple?: boolean;
  /** One line for the usage text. */
  readonly description: string;
}

/** The options of one task, by flag name (without the leading `--`). */
export type CliOptions = Readonly<Record<string, CliOption>>;

/** The values `parseCli()` returns for a table: strings and booleans, absent when not given. */
export type CliValues<T extends CliOptions> = {
  -readonly [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean
    : T[K] extends { readonly multiple: true } ? string[]
    : string;
};

/**
 * Parses `args` strictly against an options table: no positionals, no unknown flags.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCli } from "./cli.ts";
 * const options = {
 *   out: { type: "string", arg: "<path>", description: "output file" },
 *   quiet: { type: "boolean", description: "no progress" },
 * } as const;
 * assert.deepEqual(parseCli(["--out", "a.json"], options), { out: "a.json" });
 * assert.throws(() => parseCli(["--loud"], options), { name: "UsageError" });
 * const repeatable = { config: { type: "string", multiple: true, description: "config file" } } as const;
 * assert.deepEqual(parseCli(["--config", "a.yaml", "--config", "b.yaml"], repeatable), { config: ["a.yaml", "b.yaml"] });
 * ```
 *
 * @param args Command-line arguments (without the program name).
 * @param options The task's options table.
 * @returns The given values by flag name.
 * @throws {UsageError} With `parseArgs`'s message for an unknown flag, a missing value or a
 * positional argument.
 */
export function parseCli<T extends CliOptions>(args: readonly string[], options: T): CliValues<T> {
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, option] of Object.entries(options)) {
    config[name] = {
      type: option.type,
      ...(option.short === undefined ? {} : { short: option.short }),
      ...(option.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values } = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: false });
    return { ...values } as CliValues<T>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The option lines of a usage text, generated from the same table `parseCli()` reads, so the two
 * cannot disagree: `  -h, --name <arg>  description`, descriptions aligned two spaces past the
 * longest flag.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOptions } from "./cli.ts";
 * const text = formatOptions({
 *   out: { type: "string", arg: "<path>", description: "output file" },
 *   help: { type: "boolean", short: "h", description: "this text" },
 * });
 * assert.equal(text, "  --out <path>  output file\n  -h, --help    this text");
 * ```
 *
 * @param options The task's options table.
 * @returns One line per option, in table order.
 */
export function formatOptions(options: CliOptions): string {
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short === undefined ? "" : `-${option.short}, `}--${name}`;
    return [option.arg === undefined ? flag : `${flag} ${option.arg}`, option.description] as const;
  });
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, description]) => `  ${label.padEnd(width)}${description}`).join("\n");
}

/**
 * Reads an integer flag: digits only (no sign, no fraction, no exponent), at least `min` and, when
 * `max` is given, at most `max` (then the message names the whole range, and `reason` says where the
 * upper bound comes from).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { intOption } from "./cli.ts";
 * assert.equal(intOption("iters", "20", 1), 20);
 * assert.equal(intOption("iters", undefined, 1), undefined);
 * assert.throws(() => intOption("iters", "2.5", 1), /--iters: must be an integer ≥ 1, got "2.5"/);
 * assert.throws(
 *   () => intOption("particles", "100000", 1, 10_000, "the largest swarm the tuner runs"),
 *   /--particles: must be an integer in \[1, 10000\] \(the largest swarm the tuner runs\), got "100000"/,
 * );
 * ```
 *
 * @param name Flag name without `--`.
 * @param value The given text, or undefined when the flag is absent.
 * @param min Smallest allowed value.
 * @param max Largest allowed value (default: any safe integer).
 * @param reason Why `max` is the limit, shown in parentheses after the range.
 * @returns The number, or undefined when absent.
 * @throws {UsageError} Naming the flag, what was given and the allowed range.
 */
export function intOption(
  name: string,
  value: string | undefined,
  min: number,
  max?: number,
  reason?: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const inRange = n >= min && (max === undefined || n <= max);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || !inRange) {
    const allowed = max === undefined ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(
      `--${name}: must be an integer ${allowed}${reason === undefined ? "" : ` (${reason})`}, got "${value}"`,
    );
  }
  return n;
}

/**
 * Reads a file that a flag names. A file that cannot be read is a bad argument, like a bad value:
 * every task reports it the same way, naming the flag and the path, and exits with
 * {@linkcode EXIT}.usage.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFlagFile } from "./cli.ts";
 * assert.match(readFlagFile("--config", "config.yaml"), /global_seed/);
 * assert.throws(
 *   () => readFlagFile("--gains-file", "no/such/gains.json"),
 *   { name: "UsageError", message: '--gains-file: cannot read "no/such/gains.json": file not found' },
 * );
 * ```
 *
 * @param flag The flag that named the file, e.g. `"--config"`.
 * @param path The path it named.
 * @returns The file's text.
 * @throws {UsageError} When the file cannot be read (missing, a folder, no permission).
 */
export function readFlagFile(flag: string, path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "file not found" : (error as Error).message;
    throw new UsageError(`${flag}: cannot read "${path}": ${reason}`);
  }
}

/**
 * Loads the configuration a task runs with: the file `--config` names, else config.yaml. A file that
 * cannot be read is a {@linkcode UsageError} naming `--config` and the path (exit 2, like a bad
 * flag); a file that can be read but is not a valid configuration is the loader's `ConfigError`,
 * which the task prints without its usage text (the usage is for flag errors).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfigFlag } from "./cli.ts";
 * assert.equal(loadConfigFlag(undefined, { env: {} }).simulation.dt, 0.01);
 * assert.throws(() => loadConfigFlag("missing.yaml"), /^UsageError: --config: cannot read "missing.yaml": file not found$/);
 * ```
 *
 * @param path The `--config` value, or undefined for the default.
 * @param options Passed to `loadConfig` (environment, warning sink).
 * @returns The validated configuration.
 * @throws {UsageError} When the file cannot be read.
 * @throws {ConfigError} When it is not a valid configuration.
 */
export function loadConfigFlag(path: string | undefined, options: ConfigOptions = {}): Config {
  const file = path ?? DEFAULT_CONFIG_PATH;
  // Read here first: the loader reports an unreadable file as a config problem at <root>, which
  // would not name the flag (and the default path is a flag the user did not type).
  readFlagFile(path === undefined ? `--config (default ${DEFAULT_CONFIG_PATH})` : "--config", file);
  return loadConfig(file, options);
}

/** An output file named on the command line. */
export interface OutputPath {
  /** The flag that named it, e.g. `"--out"` (used in messages). */
  readonly flag: string;
  readonly path: string;
}

/** Writes a text file; the tasks take one so tests can make a write fail after the checks. */
export type TextFileWriter = (path: string, text: string) => Promise<void>;

const missing = (error: unknown) =>
  error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory;

/**
 * Checks that a task will be able to write its output files, before it does any work.
 *
 * Each path must not be a folder; an existing file must be writable; otherwise its nearest existing
 * ancestor must be a writable folder (checked by creating and removing a probe file there, which
 * is the only test that holds for every user, root included). Missing folders are not created
 * here but by {@linkcode writeTextFileCreatingFolders}, so a run that is rejected or interrupted
 * leaves nothing behind. Two flags naming the same file are refused too: the later write would
 * overwrite the earlier one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOutputPaths } from "./cli.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/file`, "");
 * await checkOutputPaths([{ flag: "--out", path: `${dir}/new/folder/gains.json` }]);
 * await assert.rejects(
 *   checkOutputPaths([{ flag: "--out", path: `${dir}/file/gains.json` }]),
 *   /--out: cannot write ".*\/file\/gains.json": ".*\/file" is a file, not a folder/,
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param outputs The flags and the paths they name.
 * @throws {UsageError} Naming the first flag whose path cannot be written, the path and why.
 */
export async function checkOutputPaths(outputs: readonly OutputPath[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const { flag, path } of outputs) {
    const earlier = seen.get(path);
    if (earlier !== undefined) {
      throw new UsageError(`${earlier} and ${flag}: both name "${path}", give two files`);
    }
    seen.set(path, flag);
    await checkOutputPath(flag, path);
  }
}

async function checkOutputPath(flag: string, path: string): Promise<void> {
  const cannot = `${flag}: cannot write "${path}"`;
  if (path.trim() === "") throw new UsageError(`${flag}: must be a file path, got "${path}"`);
  let stat: Deno.FileInfo | undefined;
  try {
    stat = await Deno.stat(path);
  } catch (error) {
    if (!missing(error)) throw new UsageError(`${cannot}: ${(error as Error).message}`);
  }
  if (stat !== undefined) {
    if (stat.isDirectory) throw new UsageError(`${cannot}: it is a folder, give a file path`);
    try {
      // Opening without truncate changes nothing, and fails exactly when the write would.
      (await Deno.open(path, { write: true })).close();
    } catch (error) {
      throw new UsageError(`${cannot}: ${(error as Error).message}`);
    }
    return;
  }
  let folder = dirname(path);
  for (;;) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(folder);
    } catch (error) {
      if (!missing(error)) throw new UsageError(`${cannot}: ${(error as Error).message}`);
      const up = dirname(folder);
      if (up === folder) throw new UsageError(`${cannot}: no existing folder above it`);
      folder = up;
      continue;
    }
    if (!info.isDirectory) throw new UsageError(`${cannot}: "${folder}" is a file, not a folder`);
    break;
  }
  try {
    await Deno.remove(await Deno.makeTempFile({ dir: folder, prefix: ".write-check-" }));
  } catch (error) {
    throw new UsageError(`${cannot}: folder "${folder}" is not writable (${(error as Error).message})`);
  }
}

/**
 * Writes a text file, creating its missing folders first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeTextFileCreatingFolders } from "./cli.ts";
 * const dir = await Deno.makeTempDir();
 * await writeTextFileCreatingFolders(`${dir}/a/b/c.txt`, "hi");
 * assert.equal(await Deno.readTextFile(`${dir}/a/b/c.txt`), "hi");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file.
 * @param text Its new content.
 */
export async function writeTextFileCreatingFolders(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** Where a task's progress goes: stderr, and whether it is a terminal. */
export interface ProgressSink {
  readonly stderr: (text: string) => void;
  readonly isTerminal: boolean;
}

/**
 * The progress output the tasks share: on a terminal one bar redrawn in place (a newline once the
 * fraction reaches 1); otherwise a plain line for every tenth of the work, and whenever `group` (a
 * part of the work, e.g. the study's "basin") changes, so a log stays short and readable.
 *
 * @example Lines when stderr is not a terminal
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgressLine } from "./cli.ts";
 * const lines: string[] = [];
 * const show = createProgressLine({ stderr: (t) => lines.push(t), isTerminal: false });
 * for (let i = 0; i <= 20; i++) show(i / 20, `step ${i}`);
 * assert.equal(lines.length, 11); // one per tenth, 0 … 10
 * ```
 *
 * @param sink Where to write.
 * @returns A function taking the fraction done in [0, 1], the text, and an optional group.
 */
export function createProgressLine(
  sink: ProgressSink,
): (fraction: number, text: string, group?: string) => void {
  let lastDecile = -1, lastGroup: string | undefined;
  return (fraction, text, group) => {
    if (sink.isTerminal) {
      const width = 24, filled = Math.round(fraction * width);
      sink.stderr(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${text}\x1b[K`);
      if (fraction >= 1) sink.stderr("\n");
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== lastDecile || group !== lastGroup) {
      lastDecile = decile;
      lastGroup = group;
      sink.stderr(text + "\n");
    }
  };
}
