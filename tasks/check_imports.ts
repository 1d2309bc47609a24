/**
 * `deno run --allow-read tasks/check_imports.ts [root]` (part of `deno task check`): fails on any
 * import that crosses a folder boundary without going through the folder's `mod.ts`, so each
 * folder's `mod.ts` stays its whole public API.
 *
 * The rule, for every relative module reference in a source file (static and dynamic imports,
 * `export … from`, `import.meta.resolve()`, and module URLs `new URL("x.ts", import.meta.url)`,
 * JSDoc examples included since `deno test --doc` runs them):
 * - a file in the same folder is fine, and so is any folder's `mod.ts`;
 * - a file under `tests/` may also import `tests/fixtures/…` and the test-only modules of
 *   {@linkcode TEST_ONLY_MODULES};
 * - anything else is reported with file:line and the specifier.
 *
 * The scan reads lines with regular expressions rather than parsing: lines starting with `//` are
 * skipped, and a specifier must be a quoted relative path (`./`, `../`). A module URL built at run
 * time (a template with `${…}`) is judged by the folder its fixed prefix names.
 *
 * @module
 */
import { dirname, extname, join, normalize, relative, resolve, sep } from "node:path";

/**
 * Modules outside `tests/` that tests may import although they are not a `mod.ts`: test-only
 * helpers a folder offers on purpose. Paths from the project root.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TEST_ONLY_MODULES } from "./check_imports.ts";
 * assert.ok(TEST_ONLY_MODULES.includes("factory/testing.ts"));
 * ```
 */
export const TEST_ONLY_MODULES: readonly string[] = Object.freeze(["factory/testing.ts"]);

/** Folders never scanned (generated, vendored or scratch content). */
const SKIPPED_FOLDERS = new Set(["node_modules", "coverage", "out", "scratch", "results"]);

/** Extensions of the source files scanned, and of the targets a module URL may name. */
const SOURCE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]);

/** One import that crosses a folder boundary. */
export interface ImportViolation {
  /** The importing file, from the project root, with `/` separators. */
  readonly file: string;
  /** 1-based line of the specifier. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** The module it names, from the project root (the folder only, for a run-time URL). */
  readonly target: string;
}

/** Options of {@linkcode findImportViolations}. */
export interface ImportCheckOptions {
  /** Test-only modules that tests may import (default {@linkcode TEST_ONLY_MODULES}). */
  readonly testOnly?: readonly string[];
}

// A quoted relative specifier: the text up to the same quote that opened it (so a template may hold
// other quotes inside `${…}`).
const QUOTED_PATH = String.raw`(["'\x60])(\.{1,2}\/(?:(?!\1)[^\n])*)\1`;
const PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\bfrom\s*` + QUOTED_PATH, "g"),
  new RegExp(String.raw`\bimport\s*` + QUOTED_PATH, "g"),
  new RegExp(String.raw`\bimport\s*\(\s*` + QUOTED_PATH, "g"),
  new RegExp(String.raw`\bimport\.meta\.resolve\(\s*` + QUOTED_PATH, "g"),
  new RegExp(String.raw`\bnew\s+URL\(\s*` + QUOTED_PATH + String.raw`\s*,\s*import\.meta\.url`, "g"),
];

const toPosix = (path: string) => path.split(sep).join("/");
const folderOf = (path: string) => {
  const d = dirname(path);
  return d === "." ? "" : d;
};

/**
 * Finds the imports of one file's text that cross a folder boundary.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { importViolations } from "./check_imports.ts";
 * // Built from parts so that this example is not itself reported by the check.
 * const line = (specifier: string) => `import { a } from "${specifier}";`;
 * const text = [line("../plant/mod.ts"), line("../plant/rk4.ts")].join("\n");
 * const found = importViolations("tasks/x.ts", text);
 * assert.deepEqual(found.map((v) => [v.line, v.specifier]), [[2, "../plant/rk4.ts"]]);
 * ```
 *
 * @param file The file's path from the project root (`/` separators).
 * @param text Its content.
 * @param options The test-only allow list.
 * @returns The violations, in line order.
 */
export function importViolations(
  file: string,
  text: string,
  options: ImportCheckOptions = {},
): ImportViolation[] {
  const testOnly = new Set(options.testOnly ?? TEST_ONLY_MODULES);
  const from = folderOf(file);
  const inTests = file.startsWith("tests/");
  const found: ImportViolation[] = [];
  text.split("\n").forEach((content, index) => {
    if (content.trimStart().startsWith("//")) return;
    const seen = new Set<number>();
    for (const pattern of PATTERNS) {
      for (const match of content.matchAll(pattern)) {
        const specifier = match[2];
        // `import("x")` also matches the side-effect pattern's prefix: judge each position once.
        const at = match.index! + match[0].indexOf(specifier);
        if (seen.has(at)) continue;
        seen.add(at);
        const isUrl = pattern.source.startsWith("\\bnew");
        const dynamicAt = specifier.indexOf("${");
        if (isUrl && dynamicAt < 0 && !SOURCE_EXTENSIONS.has(extname(specifier))) continue;
        const fixed = dynamicAt < 0
          ? specifier
          : specifier.slice(0, specifier.lastIndexOf("/", dynamicAt) + 1);
        const resolved = toPosix(normalize(join(from, fixed)));
        if (resolved === ".." || resolved.startsWith("../")) continue; // outside the project: not ours to judge
        const target = dynamicAt < 0 ? resolved : resolved.replace(/\/$/, "");
        const targetFolder = dynamicAt < 0 ? folderOf(target) : (target === "." ? "" : target);
        const ok = targetFolder === from ||
          (dynamicAt < 0 && target.split("/").at(-1) === "mod.ts") ||
          (inTests && (targetFolder === "tests/fixtures" || targetFolder.startsWith("tests/fixtures/"))) ||
          (inTests && dynamicAt < 0 && testOnly.has(target));
        if (!ok) found.push({ file, line: index + 1, specifier, target });
      }
    }
  });
  return found.sort((a, b) => a.line - b.line);
}

/**
 * Scans every source file under `root` (skipping dot-folders, node_modules, coverage, out,
 * scratch and results) and returns the imports that cross a folder boundary.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findImportViolations } from "./check_imports.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/a`);
 * await Deno.mkdir(`${root}/b`);
 * await Deno.writeTextFile(`${root}/a/x.ts`, "export const x = 1;\n");
 * const specifier = "../a/x.ts";
 * await Deno.writeTextFile(`${root}/b/y.ts`, `import { x } from "${specifier}";\n`);
 * const found = await findImportViolations(root);
 * assert.deepEqual(found.map((v) => `${v.file}:${v.line}`), ["b/y.ts:1"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @param root The project root.
 * @param options The test-only allow list.
 * @returns The violations, sorted by file and line.
 */
export async function findImportViolations(
  root: string,
  options: ImportCheckOptions = {},
): Promise<ImportViolation[]> {
  const found: ImportViolation[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        if (!entry.name.startsWith(".") && !SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      } else if (entry.isFile && SOURCE_EXTENSIONS.has(extname(entry.name))) {
        const file = toPosix(relative(root, path));
        found.push(...importViolations(file, await Deno.readTextFile(path), options));
      }
    }
  };
  await walk(resolve(root));
  return found;
}

/**
 * Formats one violation as `file:line: imports "specifier" (target), not a mod.ts`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatViolation } from "./check_imports.ts";
 * assert.equal(
 *   formatViolation({ file: "b/y.ts", line: 3, specifier: "../a/x.ts", target: "a/x.ts" }),
 *   'b/y.ts:3: imports "../a/x.ts" (a/x.ts) from another folder; import a/mod.ts instead',
 * );
 * ```
 *
 * @param v The violation.
 * @returns One line.
 */
export function formatViolation(v: ImportViolation): string {
  if (v.target.startsWith("tests/") && !v.file.startsWith("tests/")) {
    return `${v.file}:${v.line}: imports "${v.specifier}" (${v.target}): only tests may use tests/`;
  }
  const folder = v.specifier.includes("${") ? v.target : folderOf(v.target);
  return `${v.file}:${v.line}: imports "${v.specifier}" (${v.target}) from another folder; import ${
    folder === "" ? "" : `${folder}/`
  }mod.ts instead`;
}

/**
 * Runs the check on `args[0]` (default the current folder): prints each violation and a count.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./check_imports.ts";
 * const root = await Deno.makeTempDir();
 * const lines: string[] = [];
 * assert.equal(await main([root], (line) => lines.push(line)), 0);
 * assert.deepEqual(lines, ["import check: every cross-folder import goes through a mod.ts"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @param args `[root]`.
 * @param print Where the report goes (default console.error).
 * @returns 0 when no import crosses a folder boundary, 1 otherwise.
 */
export async function main(
  args: readonly string[],
  print: (line: string) => void = console.error,
): Promise<number> {
  const found = await findImportViolations(args[0] ?? ".");
  if (found.length === 0) {
    print("import check: every cross-folder import goes through a mod.ts");
    return 0;
  }
  for (const v of found) print(formatViolation(v));
  print(`import check: ${found.length} import${found.length === 1 ? "" : "s"} cross a folder boundary`);
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
