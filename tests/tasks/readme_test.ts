/**
 * Tests of tasks/readme.ts: a generated README block is replaced and nothing else is touched.
 */
import assert from "assert";
import { checkReadmeSection, replaceSection, updateReadmeSection } from "../../tasks/mod.ts";

const README = [
  "# Title",
  "",
  "Intro.",
  "<!-- bench:start -->",
  "bench table",
  "<!-- bench:end -->",
  "",
  "<!-- results:start -->",
  "old results",
  "more old results",
  "<!-- results:end -->",
  "Footer",
  "",
].join("\n");

Deno.test("replaceSection() replaces only the marked block", () => {
  const text = "before\n<!-- x:start -->\nold\n<!-- x:end -->\nafter\n";
  assert.equal(replaceSection(text, "x", "new"), "before\n<!-- x:start -->\nnew\n<!-- x:end -->\nafter\n");
  // The body is trimmed and framed by exactly one newline on each side.
  assert.equal(
    replaceSection(text, "x", "\n\n  new\n\n"),
    "before\n<!-- x:start -->\nnew\n<!-- x:end -->\nafter\n",
  );
  // An empty block gets its body too.
  assert.equal(
    replaceSection("<!-- x:start --><!-- x:end -->", "x", "a\nb"),
    "<!-- x:start -->\na\nb\n<!-- x:end -->",
  );
});

Deno.test("replaceSection() leaves other blocks and the text around the block byte for byte", () => {
  const bench = replaceSection(README, "bench", "| new | bench |");
  const start = README.indexOf("<!-- bench:start -->"), end = README.indexOf("<!-- bench:end -->");
  assert.equal(bench.slice(0, start), README.slice(0, start));
  assert.equal(bench.slice(bench.indexOf("<!-- bench:end -->")), README.slice(end));
  assert.ok(bench.includes("<!-- bench:start -->\n| new | bench |\n<!-- bench:end -->"));
  assert.ok(!bench.includes("bench table"));
  // And the results block next to it: the bench block survives untouched.
  const results = replaceSection(README, "results", "| a | b |");
  assert.ok(results.includes("<!-- bench:start -->\nbench table\n<!-- bench:end -->"));
  assert.ok(results.endsWith("<!-- results:start -->\n| a | b |\n<!-- results:end -->\nFooter\n"));
  assert.ok(!results.includes("old results"));
  // Replacing the same body twice is a no-op the second time.
  assert.equal(replaceSection(bench, "bench", "| new | bench |"), bench);
});

Deno.test("replaceSection() throws on missing, misordered or repeated markers", () => {
  assert.throws(
    () => replaceSection(README, "nope", "x"),
    {
      message:
        'README section "nope": expected one <!-- nope:start --> and one <!-- nope:end -->, found 0 and 0',
    },
  );
  assert.throws(() => replaceSection("<!-- x:start -->\nno end", "x", "y"), /found 1 and 0$/);
  assert.throws(() => replaceSection("no start\n<!-- x:end -->", "x", "y"), /found 0 and 1$/);
  assert.throws(
    () => replaceSection("<!-- x:end -->\n<!-- x:start -->", "x", "y"),
    { message: 'README section "x": <!-- x:end --> comes before <!-- x:start -->' },
  );
  // A marker quoted a second time must not be taken for the block (the first copy used to win).
  const quoted = "see `<!-- x:start -->`\n<!-- x:start -->\nold\n<!-- x:end -->\n";
  assert.throws(() => replaceSection(quoted, "x", "y"), /found 2 and 1$/);
});

Deno.test("updateReadmeSection() rewrites the block in the file and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/README.md`;
    const text = "top\n<!-- bench:start -->\nold\n<!-- bench:end -->\nbottom\n";
    await Deno.writeTextFile(path, text);
    await updateReadmeSection(path, "bench", "fresh");
    assert.equal(
      await Deno.readTextFile(path),
      "top\n<!-- bench:start -->\nfresh\n<!-- bench:end -->\nbottom\n",
    );
    // A missing block leaves the file as it was.
    await assert.rejects(updateReadmeSection(path, "results", "x"), /README section "results"/);
    assert.equal(
      await Deno.readTextFile(path),
      "top\n<!-- bench:start -->\nfresh\n<!-- bench:end -->\nbottom\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("updateReadmeSection() writes through the given writer", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/README.md`;
    await Deno.writeTextFile(path, "<!-- x:start -->\nold\n<!-- x:end -->\n");
    const writes: [string, string][] = [];
    await updateReadmeSection(path, "x", "new", (p, text) => {
      writes.push([p, text]);
      return Promise.resolve();
    });
    assert.deepEqual(writes, [[path, "<!-- x:start -->\nnew\n<!-- x:end -->\n"]]);
    assert.equal(await Deno.readTextFile(path), "<!-- x:start -->\nold\n<!-- x:end -->\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkReadmeSection() accepts a writable README with the block and refuses the rest, naming the flag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/README.md`;
    const text = "top\n<!-- results:start -->\nold\n<!-- results:end -->\n";
    await Deno.writeTextFile(path, text);
    await checkReadmeSection("--readme-path", path, "results");
    assert.equal(await Deno.readTextFile(path), text, "the check changed the file");
    const cases: [string, string, RegExp][] = [
      [path, "bench", /^--readme-path: cannot rewrite ".*README\.md": README section "bench": expected one/],
      [`${dir}/none.md`, "results", /^--readme-path: cannot rewrite ".*none\.md": .*No such file/],
      [dir, "results", /^--readme-path: cannot rewrite ".*": /],
    ];
    for (const [file, name, message] of cases) {
      await assert.rejects(checkReadmeSection("--readme-path", file, name), { name: "UsageError", message });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every `deno task <name>` that README.md and docs/ name is a task in deno.json", async () => {
  const root = new URL("../../", import.meta.url);
  const tasks = Object.keys(JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks);
  const texts = [await Deno.readTextFile(new URL("README.md", root))];
  for await (const entry of Deno.readDir(new URL("docs/", root))) {
    if (entry.name.endsWith(".md")) texts.push(await Deno.readTextFile(new URL(`docs/${entry.name}`, root)));
  }
  const named = new Set(
    texts.flatMap((t) => [...t.matchAll(/deno(?:@[\d.]+)? task ([a-z][\w:-]*)/g)].map((m) => m[1])),
  );
  assert.ok(named.has("study") && named.has("tune"), [...named].join(", "));
  const missing = [...named].filter((name) => !tasks.includes(name));
  assert.deepEqual(missing, [], `named in the docs but not in deno.json: ${missing.join(", ")}`);
});
