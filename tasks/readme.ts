/**
 * Keeps generated sections of README.md true: a task that measures something rewrites the block
 * between `<!-- name:start -->` and `<!-- name:end -->` from its own JSON output.
 *
 * @module
 */

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
 */
export async function updateReadmeSection(path: string, name: string, body: string): Promise<void> {
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, replaceSection(text, name, body));
}
