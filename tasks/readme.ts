/**
 * Keeps generated sections of README.md true: a task that measures something rewrites the block
 * between `<!-- name:start -->` and `<!-- name:end -->` from its own JSON output.
 *
 * @module
 */
import { type TextFileWriter, UsageError } from "./cli.ts";

/**
 * Replaces the generated block `name` in `text` with `body`.
 *
 * @example Usage
 * ```ts
 * import { replaceSection } from "./readme.ts";
 * const out = replaceSection("a\n<!-- x:start -->\nold\n<!-- x:end -->\nb", "x", "new");
 * console.log(out); // "a\n<!-- x:start -->\nnew\n<!-- x:end -->\nb"
 * ```
 *
 * @param text The README text.
 * @param name The block name.
 * @param body The new content.
 * @returns The updated text.
 * @throws {Error} When the markers are missing, out of order or repeated, so a renamed block is
 * noticed instead of skipped, and a second copy of a marker (say, quoted in prose) is not taken for
 * the block.
 */
export function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
  const starts = text.split(start).length - 1, ends = text.split(end).length - 1;
  if (starts !== 1 || ends !== 1) {
    throw new Error(
      `README section "${name}": expected one ${start} and one ${end}, found ${starts} and ${ends}`,
    );
  }
  const i = text.indexOf(start), j = text.indexOf(end);
  if (j < i) throw new Error(`README section "${name}": ${end} comes before ${start}`);
  return text.slice(0, i + start.length) + "\n" + body.trim() + "\n" + text.slice(j);
}

/**
 * Rewrites one generated block of a README file in place.
 *
 * @example Usage
 * ```ts ignore
 * await updateReadmeSection("README.md", "bench", table);
 * ```
 *
 * @param path README path.
 * @param name Block name.
 * @param body New content.
 * @param write How the new text is written (default `Deno.writeTextFile`).
 * @throws {Error} When the file cannot be read or written, or its block markers are wrong (the file
 * is then left as it was).
 */
export async function updateReadmeSection(
  path: string,
  name: string,
  body: string,
  write: TextFileWriter = Deno.writeTextFile,
): Promise<void> {
  const text = await Deno.readTextFile(path);
  await write(path, replaceSection(text, name, body));
}

/**
 * Checks, before a long task starts, that it will be able to rewrite block `name` of the README at
 * `path`: the file exists, is writable, and holds the block's markers once each, in order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReadmeSection } from "./readme.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/README.md`, "<!-- results:start -->\n<!-- results:end -->\n");
 * await checkReadmeSection("--readme-path", `${dir}/README.md`, "results");
 * await assert.rejects(checkReadmeSection("--readme-path", `${dir}/README.md`, "bench"), /--readme-path:/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param flag The flag that names the README (used in messages).
 * @param path README path.
 * @param name Block name.
 * @throws {UsageError} Naming the flag and the path, when the file cannot be read or written or the
 * block is missing, misordered or repeated.
 */
export async function checkReadmeSection(flag: string, path: string, name: string): Promise<void> {
  try {
    replaceSection(await Deno.readTextFile(path), name, "");
    // Opening without truncate changes nothing, and fails exactly when the rewrite would.
    (await Deno.open(path, { write: true })).close();
  } catch (error) {
    throw new UsageError(`${flag}: cannot rewrite "${path}": ${(error as Error).message}`);
  }
}
