/**
 * Tests of tasks/check_imports.ts, the folder-boundary check of `deno task check`: a temporary
 * project with allowed and forbidden imports of every kind the check reads, and the check's
 * verdict on this project's own tasks/ folder.
 *
 * Every specifier below is built with {@linkcode q} so that this file's own text holds no quoted
 * relative import for the check to report.
 */
import assert from "assert";
import {
  checkImports,
  findImportViolations,
  formatViolation,
  type ImportViolation,
  importViolations,
} from "../../tasks/mod.ts";

/** Quotes a specifier. */
const q = (specifier: string) => JSON.stringify(specifier);

/** A temporary project: path → lines. Returns its root. */
async function project(files: Record<string, string[]>): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const [path, lines] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, lines.join("\n") + "\n");
  }
  return root;
}

const where = (v: ImportViolation) => `${v.file}:${v.line} ${v.specifier}`;

Deno.test("findImportViolations() reports every kind of import into another folder's internal file", async () => {
  const root = await project({
    "a/mod.ts": [`export * from ${q("./x.ts")};`],
    "a/x.ts": [`import { y } from ${q("./y.ts")};`, "export const x = y;"],
    "a/y.ts": ["export const y = 1;"],
    "a/pool.ts": [`const url = new URL(${q("./worker.ts")}, import.meta.url);`],
    "b/mod.ts": [
      `import { x } from ${q("../a/mod.ts")};`, // 1 fine: the folder's mod.ts
      `import { y } from ${q("../a/y.ts")};`, // 2 static import
      `export { x } from ${q("../a/x.ts")};`, // 3 re-export
      `import ${q("../a/x.ts")};`, // 4 side-effect import
      `const m = await import(${q("../a/x.ts")});`, // 5 dynamic import
      `const w = new URL(${q("../a/pool.ts")}, import.meta.url);`, // 6 module URL
      `const r = import.meta.resolve(${q("../a/y.ts")});`, // 7 resolve
      `const data = new URL(${q("../a/data.yaml")}, import.meta.url);`, // 8 fine: not a module
      `// import { y } from ${q("../a/y.ts")};`, // 9 fine: a comment
      `import { parse } from ${q("npm:yaml@2")};`, // 10 fine: not relative
      "import {",
      "  z,",
      `} from ${q("../a/x.ts")};`, // 13 multi-line import, reported at its specifier
      ` * import { y } from ${q("../a/y.ts")};`, // 14 a JSDoc example (deno test --doc runs it)
      `const d = new URL(\`../a/\${"x"}.ts\`, import.meta.url);`, // 15 run-time URL into a/
      `import { up } from ${q("../../outside.ts")};`, // 16 fine: outside the project
    ],
    "main.ts": [`import { b } from ${q("./b/mod.ts")};`, `import { y } from ${q("./a/y.ts")};`],
    "tests/fixtures/f.ts": [`import { serve } from ${q("../../a/x.ts")};`],
    "tests/b/b_test.ts": [
      `import { x } from ${q("../../a/mod.ts")};`,
      `import { f } from ${q("../fixtures/f.ts")};`,
      `const u = new URL(\`../fixtures/\${"f"}.ts\`, import.meta.url);`,
      `import { t } from ${q("../../factory/testing.ts")};`,
      `import { y } from ${q("../../a/y.ts")};`,
      `import { h } from ${q("../other/helpers.ts")};`,
    ],
    "node_modules/pkg/index.ts": [`import { y } from ${q("../../a/y.ts")};`],
    ".hidden/h.ts": [`import { y } from ${q("../a/y.ts")};`],
    "coverage/c.ts": [`import { y } from ${q("../a/y.ts")};`],
  });
  try {
    const found = await findImportViolations(root);
    assert.deepEqual(found.map(where), [
      "b/mod.ts:2 ../a/y.ts",
      "b/mod.ts:3 ../a/x.ts",
      "b/mod.ts:4 ../a/x.ts",
      "b/mod.ts:5 ../a/x.ts",
      "b/mod.ts:6 ../a/pool.ts",
      "b/mod.ts:7 ../a/y.ts",
      "b/mod.ts:13 ../a/x.ts",
      "b/mod.ts:14 ../a/y.ts",
      'b/mod.ts:15 ../a/${"x"}.ts',
      "main.ts:2 ./a/y.ts",
      "tests/b/b_test.ts:5 ../../a/y.ts",
      "tests/b/b_test.ts:6 ../other/helpers.ts",
      "tests/fixtures/f.ts:1 ../../a/x.ts",
    ]);
    assert.equal(found[0].target, "a/y.ts");
    assert.equal(found.find((v) => v.line === 15)!.target, "a");
    // The test-only allow list is what admits factory/testing.ts: without it, that import is reported.
    const strict = await findImportViolations(root, { testOnly: [] });
    assert.ok(strict.some((v) => v.file === "tests/b/b_test.ts" && v.line === 4));
    assert.equal(strict.length, found.length + 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("importViolations() judges one file's text by its folder", () => {
  const text = [`import { a } from ${q("./sibling.ts")};`, `import { b } from ${q("../plant/rk4.ts")};`].join(
    "\n",
  );
  assert.deepEqual(importViolations("tasks/x.ts", text).map((v) => [v.line, v.target]), [[
    2,
    "plant/rk4.ts",
  ]]);
  // The same text in plant/ imports its own folder's file.
  assert.deepEqual(importViolations("plant/x.ts", text.split("\n")[1]), []);
});

Deno.test("formatViolation() gives file:line, the specifier and the mod.ts to use", () => {
  assert.equal(
    formatViolation({ file: "tests/b/b_test.ts", line: 5, specifier: "../../a/y.ts", target: "a/y.ts" }),
    'tests/b/b_test.ts:5: imports "../../a/y.ts" (a/y.ts) from another folder; import a/mod.ts instead',
  );
  assert.equal(
    formatViolation({
      file: "a/w.ts",
      line: 2,
      specifier: "../tests/fixtures/e.ts",
      target: "tests/fixtures/e.ts",
    }),
    'a/w.ts:2: imports "../tests/fixtures/e.ts" (tests/fixtures/e.ts): only tests may use tests/',
  );
});

Deno.test("checkImports() exits 1 with one line per violation and a count, 0 on a clean project", async () => {
  const bad = await project({
    "a/mod.ts": ["export const a = 1;"],
    "a/x.ts": ["export const x = 1;"],
    "b/y.ts": [`import { a } from ${q("../a/mod.ts")};`, `import { x } from ${q("../a/x.ts")};`],
  });
  const clean = await project({
    "a/mod.ts": ["export const a = 1;"],
    "b/y.ts": [`import { a } from ${q("../a/mod.ts")};`],
  });
  try {
    const lines: string[] = [];
    assert.equal(await checkImports([bad], (l) => lines.push(l)), 1);
    assert.deepEqual(lines, [
      'b/y.ts:2: imports "../a/x.ts" (a/x.ts) from another folder; import a/mod.ts instead',
      "import check: 1 import cross a folder boundary",
    ]);
    const ok: string[] = [];
    assert.equal(await checkImports([clean], (l) => ok.push(l)), 0);
    assert.deepEqual(ok, ["import check: every cross-folder import goes through a mod.ts"]);
  } finally {
    await Deno.remove(bad, { recursive: true });
    await Deno.remove(clean, { recursive: true });
  }
});

Deno.test("findImportViolations() finds none in this project", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  assert.deepEqual((await findImportViolations(root)).map(formatViolation), []);
});
