/**
 * Every citation of a docs page in the code base resolves: a `docs/<page>.md` or
 * `docs/<page>.md#anchor` written in a source file, a comment, config.yaml or a Markdown page names
 * a page that exists and, with an anchor, a heading of that page; and every relative Markdown link
 * of a Markdown file (`[text](model.md#integration)`, `[text](#anchor)`) does too. Code cites the
 * docs instead of any outside document, so a renamed heading must not leave a dangling citation.
 *
 * Anchors are made from headings as GitHub makes them: lower case, punctuation other than `-` and
 * `_` dropped, each space a `-`, a repeated heading suffixed `-1`, `-2`, …; headings inside fenced
 * code blocks do not count.
 *
 * Every citation below is built from parts so that this file's own text holds none to check.
 */
import assert from "assert";
import { dirname, join, normalize, relative, sep } from "node:path";

/** Folders never scanned (generated, vendored or scratch content). */
const SKIPPED = new Set(["node_modules", "coverage", "out", "scratch", "results"]);
/** The files whose text may cite a docs page. */
const SCANNED = /\.(ts|md|ya?ml|json)$/;

/** GitHub's anchor of a heading's text. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors of a Markdown page's headings (fenced code skipped, repeats numbered). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (opening) {
      if (fence === undefined) fence = opening[1][0];
      else if (opening[1][0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** One citation that does not resolve. */
interface BrokenLink {
  readonly where: string;
  readonly target: string;
  readonly reason: string;
}

const toPosix = (path: string) => path.split(sep).join("/");

/** Scans every text file under `root` and returns the citations of docs pages that do not resolve. */
async function brokenDocLinks(root: string): Promise<BrokenLink[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        if (!entry.name.startsWith(".") && !SKIPPED.has(entry.name)) await walk(path);
      } else if (entry.isFile && SCANNED.test(entry.name)) files.push(toPosix(relative(root, path)));
    }
  };
  await walk(root);
  files.sort();
  const pages = new Map<string, Set<string> | undefined>();
  const anchorsOfPage = async (page: string): Promise<Set<string> | undefined> => {
    if (!pages.has(page)) {
      try {
        pages.set(page, anchorsOf(await Deno.readTextFile(join(root, page))));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        pages.set(page, undefined);
      }
    }
    return pages.get(page);
  };
  const broken: BrokenLink[] = [];
  const checked = new Set<string>();
  const check = async (where: string, page: string, anchor: string | undefined, target: string) => {
    // A Markdown link whose text is its own target, like `[d](d)` with d a docs path, is judged once.
    const key = `${where} ${page}#${anchor ?? ""}`;
    if (checked.has(key)) return;
    checked.add(key);
    const anchors = await anchorsOfPage(page);
    if (anchors === undefined) broken.push({ where, target, reason: `no page ${page}` });
    else if (anchor !== undefined && !anchors.has(anchor)) {
      broken.push({ where, target, reason: `${page} has no heading with anchor #${anchor}` });
    }
  };
  for (const file of files) {
    const lines = (await Deno.readTextFile(join(root, file))).split("\n");
    for (let i = 0; i < lines.length; i++) {
      const where = `${file}:${i + 1}`;
      // A citation by its path from the root, in any file (and as a Markdown link's text).
      for (const m of lines[i].matchAll(/(?<![\w./-])docs\/([\w-]+\.md)(?:#([\w-]+))?/g)) {
        await check(where, `docs/${m[1]}`, m[2], m[0]);
      }
      if (!file.endsWith(".md")) continue;
      // A Markdown link's relative target, resolved against the file.
      for (const m of lines[i].matchAll(/\]\(([^)\s]*)\)/g)) {
        const target = m[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("/")) continue;
        const [path, anchor] = target.split("#", 2) as [string, string | undefined];
        if (path !== "" && !path.endsWith(".md")) continue;
        const page = path === "" ? file : toPosix(normalize(join(dirname(file), path)));
        await check(where, page, anchor, target);
      }
    }
  }
  return broken;
}

/** A temporary project: path → text. Returns its root. */
async function project(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

// Built from parts: a literal citation here would be checked against this project's docs.
const cite = (page: string, anchor?: string) => `docs/${page}.md${anchor === undefined ? "" : `#${anchor}`}`;

Deno.test("anchorsOf() makes GitHub's anchors, numbers repeats and skips fenced code", () => {
  const page = [
    "# The plant model",
    "## Run statuses",
    "## `controller_defaults`",
    "### Spectral share above 5.0 Hz: Δu's power",
    "## Tests",
    "```sh",
    "# not a heading",
    "```",
    "## Tests",
  ].join("\n");
  assert.deepEqual([...anchorsOf(page)], [
    "the-plant-model",
    "run-statuses",
    "controller_defaults",
    "spectral-share-above-50-hz-δus-power",
    "tests",
    "tests-1",
  ]);
});

Deno.test("brokenDocLinks() reports a missing page, a missing anchor and a bad relative link, and nothing else", async () => {
  const root = await project({
    "docs/model.md":
      "# Model\n\n## Run statuses\n\nSee [integration](#integration) and [a](tuning.md#cost).\n",
    "docs/tuning.md": "# Tuning\n\n## Cost\n",
    "plant/x.ts": [
      `// ${cite("model", "run-statuses")} is fine, and so is ${cite("tuning")}.`,
      `// ${cite("model", "statuses")} is not.`,
      `// ${cite("nowhere")} neither; a look-alike such as mydocs/model.md#x is not a citation.`,
    ].join("\n"),
    "README.md": `[model](${cite("model", "run-statuses")}) and [gone](${cite("model", "gone")})\n`,
    "node_modules/p/r.md": `${cite("model", "nothing")}\n`,
  });
  try {
    const found = (await brokenDocLinks(root)).map((b) => `${b.where} ${b.target}: ${b.reason}`);
    const noAnchor = (page: string, anchor: string) =>
      `docs/${page}.md has no heading with anchor #${anchor}`;
    assert.deepEqual(found, [
      `README.md:1 ${cite("model", "gone")}: ${noAnchor("model", "gone")}`,
      `docs/model.md:5 #integration: ${noAnchor("model", "integration")}`,
      `plant/x.ts:2 ${cite("model", "statuses")}: ${noAnchor("model", "statuses")}`,
      `plant/x.ts:3 ${cite("nowhere")}: no page ${cite("nowhere")}`,
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("every docs page and anchor cited in this project exists", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const broken = await brokenDocLinks(root);
  assert.deepEqual(broken.map((b) => `${b.where}: ${b.target} (${b.reason})`), []);
});
