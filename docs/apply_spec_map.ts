/**
 * TEMPORARY (delete after use, with docs/SPEC_MAP.txt): rewrites every "SPEC n" citation in the
 * repository into a citation of the project's own docs pages, by text pattern (not by line number, so
 * it still applies after merges have moved lines), then reports any "SPEC" left.
 *
 * ```
 * deno run -A docs/apply_spec_map.ts [--dry-run] [--no-fmt] [root]
 * ```
 *
 * - `--dry-run`: print `file:line`, the current line and its replacement, write nothing (this is how
 *   docs/SPEC_MAP.txt was produced).
 * - `--no-fmt`: do not run `deno fmt` on the TypeScript and YAML files that were rewritten (a longer
 *   citation can move a call past the line width).
 * - Exit code 0 when no "SPEC" is left outside this script and the map, 1 otherwise.
 *
 * In Markdown files a citation becomes a link (`[docs/model.md](docs/model.md#integration)`, relative
 * to the file), elsewhere the plain `docs/model.md#integration`.
 *
 * @module
 */

/** `@{docs/page.md#anchor}` in a replacement is rendered per file type (see {@linkcode render}). */
type Rule = readonly [pattern: RegExp, replacement: string];

const ACC = "docs/acceptance.md";
const NOMINAL = `@{${ACC}#nominal-control}`;

/**
 * Ordered: the specific phrasings first (they pick the anchor and keep the sentence readable), then
 * the generic "SPEC n" fallbacks per section. Every pattern is global.
 */
const RULES: readonly Rule[] = [
  // An identifier in tests/controllers/controllers_test.ts.
  [/\bSPEC_TABLE\b/g, "CROSS_TABLE"],

  // Section 7: acceptance.
  [
    /(\/\*\*[ \t]+|^[ \t]*\*[ \t]+|^[ \t]*\/\/[ \t]+|^[ \t]*#[ \t]+)SPEC 7's acceptance targets/gm,
    `$1The acceptance targets of ${NOMINAL}`,
  ],
  [/SPEC 7's acceptance targets/g, `the acceptance targets of ${NOMINAL}`],
  [/SPEC 7's 0\.02 rad \/ 3 s \/ 0\.5 m/g, `the 0.02 rad / 3 s / 0.5 m of ${NOMINAL}`],
  [/SPEC 7's 3 s \/ 0\.5 m/g, `the 3 s / 0.5 m of ${NOMINAL}`],
  [/SPEC 7's 0\.02 band/g, `the 0.02 rad band of ${NOMINAL}`],
  [/\(SPEC 7's criteria\)/g, `(${NOMINAL})`],
  [/\(SPEC 7 criteria\)/g, "(acceptance criteria)"],
  [/SPEC 7 asks for/g, `${NOMINAL} asks for`],
  [/The settling band of SPEC 7/g, `The settling band of ${NOMINAL}`],
  [/The robustness check of SPEC 7/g, `The robustness check of @{${ACC}#robustness}`],
  [/The check as SPEC 7 runs it/g, `The check as @{${ACC}#robustness} defines it`],
  [/robustnessCheck\(\) \(SPEC 7\)/g, `robustnessCheck() (@{${ACC}#robustness})`],
  [/The benchmark acceptance \(SPEC 7\)/g, `The benchmark acceptance (@{${ACC}#pso-benchmarks})`],
  [/SPEC 7: 1e-6/g, `@{${ACC}#physics}: 1e-6`],
  [/the physics acceptance of SPEC 7/g, `the physics acceptance of @{${ACC}#physics}`],

  // Section 2: the plant.
  [/SPEC section 2(?!\.\d|\d)/g, "@{docs/model.md}"],
  [/SPEC 2\.1(?!\d)/g, "@{docs/model.md#the-full-model}"],
  [/SPEC 2\.2(?!\d)/g, "@{docs/model.md#the-simplified-model}"],
  [/SPEC 2\.3(?!\d)/g, "@{docs/model.md#integration}"],
  [/the geometry of SPEC 2(?!\.\d|\d)/g, "the geometry of @{docs/model.md#geometry}"],
  [/lumped constants of SPEC 2(?!\.\d|\d)/g, "lumped constants of @{docs/model.md#parameters}"],
  [/follows SPEC 2(?!\.\d|\d)/g, "follows @{docs/model.md#parameters}"],
  [/Shipped physics \(SPEC 2\)/g, "Shipped physics (@{docs/model.md#parameters})"],

  // Section 3: the controllers.
  [/SPEC 3's surfaces L/g, "The surfaces of @{docs/controllers.md#surface-signs}, L"],
  [/\(SPEC: about \+1\.1\)/g, "(@{docs/controllers.md#equivalent-control}: about +1.1)"],
  [
    /SPEC 3: "about \+1\.1 for good gains"/g,
    "@{docs/controllers.md#equivalent-control}: d ≈ 1.07 for the shipped gains",
  ],
  [/the LQR row of SPEC 3/g, "the LQR row of @{docs/controllers.md#surface-signs}"],
  [/SPEC 3's LQR row (K ≈ \[[^\]\n]*\])/g, "the LQR row $1 (@{docs/controllers.md#surface-signs})"],
  [/\(SPEC 3 says ≈ 0\.7 s; here/g, "(@{docs/controllers.md#surface-signs}; here"],
  [/which SPEC 3 gives as/g, "which @{docs/controllers.md#cross-implementation-check} gives as"],
  [
    /\/\/ SPEC 3 cross-implementation table/g,
    "// The cross-implementation table (@{docs/controllers.md#cross-implementation-check})",
  ],
  [/the SPEC 3 cross-implementation/g, "the cross-implementation"],
  [/exactly SPEC 3(?!\.\d|\d)/g, "exactly @{docs/controllers.md}"],
  [
    /1e-6 is SPEC's bound, far above that/g,
    "1e-6 is far above that (@{docs/controllers.md#cross-implementation-check})",
  ],
  [/SPEC's bound/g, "the bound of @{docs/controllers.md#cross-implementation-check}"],
  [/SPEC 3: an independent/g, "@{docs/controllers.md#cross-implementation-check}: an independent"],
  [/against SPEC 3:/g, "against @{docs/controllers.md}:"],
  [
    /re-implementation of SPEC 3's table/g,
    "re-implementation of the table in @{docs/controllers.md#reaching-laws}",
  ],
  [/as written in the SPEC\b/g, "as written in @{docs/controllers.md}"],
  [/from the SPEC 3 table/g, "from the table in @{docs/controllers.md#reaching-laws}"],
  [/its SPEC 3 law/g, "its documented law"],
  [/dt, SPEC 3\)/g, "dt, @{docs/controllers.md#internal-states})"],
  [/the SPEC law/g, "the documented law"],
  [/own model \(SPEC 3\)/g, "own model (@{docs/controllers.md#equivalent-control})"],
  [/every controller \(SPEC 3\)/g, "every controller (@{docs/controllers.md#the-controller-contract})"],
  [/^([ \t]*\*[ \t]*)SPEC 3\.$/gm, "$1@{docs/controllers.md#reaching-laws}."],
  [/\(SPEC 3\)/g, "(@{docs/controllers.md#reaching-laws})"],

  // Section 4: factory and registry.
  [/registry store \(SPEC 4\)/g, "registry store (@{docs/factory.md#the-registry})"],

  // Section 5: cost, scenarios, PSO, tuner.
  [/\(SPEC 5: bounds/g, "(@{docs/tuning.md#gain-bounds}: bounds"],
  [/bounds \(SPEC 5\)/g, "bounds (@{docs/tuning.md#gain-bounds})"],
  [/Robust-cost scenarios \(SPEC 5\)/g, "Robust-cost scenarios (@{docs/tuning.md#robust-scenarios})"],
  [/Workers \(SPEC 5\)/g, "Workers (@{docs/tuning.md#the-tuner})"],
  [/PSOTuner \(SPEC 5\)/g, "PSOTuner (@{docs/tuning.md#the-tuner})"],
  [
    /(control cost|closed-loop run|one trajectory|cost of the run) \(SPEC 5\)/g,
    "$1 (@{docs/tuning.md#control-cost})",
  ],

  // Section 8: the concurrency suite.
  [/SPEC 8, scenarios/g, "@{docs/concurrency.md#scenarios}, numbers"],
  [/SPEC 8,/g, "@{docs/concurrency.md#scenarios},"],

  // Generic fallbacks, one page per section ("SPEC section n", "SPEC n's", "SPEC n").
  ...sectionRules(1, "README.md#layout"),
  ...sectionRules(2, "docs/model.md"),
  ...sectionRules(3, "docs/controllers.md"),
  ...sectionRules(4, "docs/factory.md"),
  ...sectionRules(5, "docs/tuning.md"),
  ...sectionRules(6, "docs/configuration.md"),
  ...sectionRules(7, "docs/acceptance.md"),
  ...sectionRules(8, "docs/concurrency.md"),
  ...sectionRules(9, "docs/linear.md"),
  ...sectionRules(10, "docs/disturbances.md"),
  ...sectionRules(11, "docs/study.md"),
  ...sectionRules(12, "docs/distributed.md"),
];

function sectionRules(n: number, target: string): Rule[] {
  const end = String.raw`(?!\.\d|\d)`;
  return [
    [new RegExp(String.raw`SPEC section ${n}${end}`, "g"), `@{${target}}`],
    [new RegExp(String.raw`SPEC ${n}'s`, "g"), `@{${target}}'s`],
    [new RegExp(String.raw`SPEC ${n}${end}`, "g"), `@{${target}}`],
  ];
}

/** Files the rewrite looks at. */
const EXTENSIONS = [".ts", ".md", ".yaml", ".yml"];
/** Directories never entered. */
const SKIP_DIRS = new Set([".git", "node_modules", "coverage", "out", "scratch"]);
/** This script and the map it comes with mention "SPEC" on purpose. */
const SELF = new Set(["docs/apply_spec_map.ts", "docs/SPEC_MAP.txt"]);

/** Renders the `@{target}` placeholders: a relative Markdown link in .md files, the plain target elsewhere. */
function render(text: string, file: string): string {
  return text.replace(/@\{([^}]+)\}/g, (_, target: string) => {
    if (!file.endsWith(".md")) return target;
    const depth = file.split("/").length - 1;
    const href = "../".repeat(depth) + target;
    return `[${target.split("#")[0]}](${href})`;
  });
}

/** Applies every rule to one file's text. */
function rewrite(text: string, file: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, render(replacement, file));
  return out;
}

async function* walk(root: string, rel = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(rel === "" ? root : `${root}/${rel}`)) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory) {
      if (!SKIP_DIRS.has(entry.name)) yield* walk(root, path);
    } else if (entry.isFile && EXTENSIONS.some((e) => entry.name.endsWith(e)) && !SELF.has(path)) {
      yield path;
    }
  }
}

async function main(args: string[]): Promise<number> {
  const dryRun = args.includes("--dry-run");
  const fmt = !args.includes("--no-fmt");
  const root = args.find((a) => !a.startsWith("--")) ?? ".";
  const files: string[] = [];
  for await (const f of walk(root)) files.push(f);
  files.sort();
  const changed: string[] = [];
  const left: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(`${root}/${file}`);
    if (!text.includes("SPEC")) continue;
    const next = rewrite(text, file);
    const before = text.split("\n"), after = next.split("\n");
    // The rules never add or remove lines, so old and new lines pair up by index.
    if (before.length !== after.length) throw new Error(`${file}: a rule changed the line count`);
    for (let i = 0; i < before.length; i++) {
      if (before[i].includes("SPEC")) {
        console.log(`${file}:${i + 1}\n  was: ${before[i].trim()}\n  now: ${after[i].trim()}`);
      }
      if (after[i].includes("SPEC")) left.push(`${file}:${i + 1}: ${after[i].trim()}`);
    }
    if (next !== text) {
      changed.push(file);
      if (!dryRun) await Deno.writeTextFile(`${root}/${file}`, next);
    }
  }
  const formattable = changed.filter((f) => /\.(ts|ya?ml)$/.test(f)).map((f) => `${root}/${f}`);
  if (!dryRun && fmt && formattable.length > 0) {
    const { code } = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", ...formattable] })
      .output();
    if (code !== 0) console.error(`deno fmt exited with ${code}`);
  }
  console.log(`\n${dryRun ? "would rewrite" : "rewrote"} ${changed.length} file(s)`);
  if (left.length > 0) {
    console.log(`"SPEC" left in ${left.length} line(s):`);
    for (const l of left) console.log(`  ${l}`);
    return 1;
  }
  console.log(`no "SPEC" left (outside ${[...SELF].join(" and ")})`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
