/**
 * Tests of tasks/cli.ts, what the tune, simulate and bench tasks share: exit codes, option tables
 * that drive both parsing and the usage texts, integer flags, and output paths checked before the
 * work starts.
 */
import assert from "assert";
import {
  BENCH_OPTIONS,
  BENCH_USAGE,
  checkOutputPaths,
  type CliOptions,
  EXIT,
  formatOptions,
  intOption,
  parseCli,
  SIMULATE_OPTIONS,
  simulateUsage,
  TUNE_OPTIONS,
  TUNE_USAGE,
  UsageError,
  writeTextFileCreatingFolders,
} from "../../tasks/mod.ts";

Deno.test("EXIT holds one code per outcome, and they are distinct", () => {
  assert.deepEqual({ ...EXIT }, { ok: 0, failure: 1, usage: 2, interrupted: 130 });
  assert.ok(Object.isFrozen(EXIT));
});

Deno.test("parseCli() reads strings, booleans and short flags, and rejects anything else as a UsageError", () => {
  const options = {
    out: { type: "string", arg: "<path>", description: "output" },
    quiet: { type: "boolean", description: "quiet" },
    help: { type: "boolean", short: "h", description: "help" },
  } as const satisfies CliOptions;
  assert.deepEqual(parseCli(["--out=a.json", "--quiet", "-h"], options), {
    out: "a.json",
    quiet: true,
    help: true,
  });
  assert.deepEqual(parseCli([], options), {});
  for (
    const [args, message] of [
      [["--loud"], /Unknown option '--loud'/],
      [["stray"], /positional/i],
      [["--out"], /argument missing/],
      [["--quiet=yes"], /--quiet/],
    ] as const
  ) {
    assert.throws(() => parseCli(args, options), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("formatOptions() lists every option with its argument name, aligned two spaces past the longest", () => {
  const text = formatOptions({
    a: { type: "boolean", description: "first" },
    "long-name": { type: "string", arg: "<value>", description: "second" },
    help: { type: "boolean", short: "h", description: "third" },
  });
  assert.equal(
    text,
    [
      "  --a                  first",
      "  --long-name <value>  second",
      "  -h, --help           third",
    ].join("\n"),
  );
});

Deno.test("the usage texts of tune, simulate and bench show every flag of their tables, with argument and description", () => {
  const tables: [string, CliOptions, string][] = [
    ["tune", TUNE_OPTIONS, TUNE_USAGE],
    ["simulate", SIMULATE_OPTIONS, simulateUsage()],
    ["bench", BENCH_OPTIONS, BENCH_USAGE],
  ];
  for (const [task, options, usage] of tables) {
    assert.ok(usage.startsWith(`Usage: deno task ${task}`), task);
    for (const [flag, option] of Object.entries(options)) {
      const label = `--${flag}${option.arg === undefined ? "" : ` ${option.arg}`}`;
      const line = usage.split("\n").find((l) => l.replace(/^ {2}(-\w, )?/, "").startsWith(`${label} `));
      assert.ok(line !== undefined, `${task}: no usage line for ${label}`);
      assert.ok(line.endsWith(option.description), `${task} ${label}: "${line}"`);
      if (option.type === "string") {
        assert.ok(option.arg !== undefined, `${task} --${flag}: no argument name`);
      }
    }
  }
  // The tables are what parseArgs reads: a flag missing from a table is refused.
  assert.throws(() => parseCli(["--readme-path", "x"], BENCH_OPTIONS), /Unknown option '--readme-path'/);
});

Deno.test("intOption() accepts digits only, at least the minimum", () => {
  assert.equal(intOption("n", "0", 0), 0);
  assert.equal(intOption("n", " 12 ", 1), 12);
  assert.equal(intOption("n", undefined, 1), undefined);
  for (const bad of ["", "-1", "1.5", "1e3", "0x10", "x", "99999999999999999999"]) {
    assert.throws(() => intOption("n", bad, 0), {
      name: "UsageError",
      message: `--n: must be an integer ≥ 0, got "${bad}"`,
    });
  }
  assert.throws(() => intOption("iters", "0", 1), /--iters: must be an integer ≥ 1, got "0"/);
});

Deno.test("checkOutputPaths() accepts new files in new folders without creating anything", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/existing.json`, "keep");
    await checkOutputPaths([
      { flag: "--a", path: `${dir}/existing.json` },
      { flag: "--b", path: `${dir}/new.json` },
      { flag: "--c", path: `${dir}/x/y/z.json` },
      { flag: "--d", path: "relative-file-in-cwd.json" },
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["existing.json"]);
    assert.equal(await Deno.readTextFile(`${dir}/existing.json`), "keep");
    await assert.rejects(Deno.stat("relative-file-in-cwd.json"), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkOutputPaths() refuses folders, paths under files, repeated paths and unwritable folders", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const cases: [{ flag: string; path: string }[], string][] = [
      [[{ flag: "--out", path: dir }], `--out: cannot write "${dir}": it is a folder, give a file path`],
      [
        [{ flag: "--out", path: `${dir}/file/g.json` }],
        `--out: cannot write "${dir}/file/g.json": "${dir}/file" is a file, not a folder`,
      ],
      [
        [{ flag: "--json", path: `${dir}/file/a/b.json` }],
        `--json: cannot write "${dir}/file/a/b.json": "${dir}/file" is a file, not a folder`,
      ],
      [
        [{ flag: "--out", path: `${dir}/g.json` }, { flag: "--json", path: `${dir}/g.json` }],
        `--out and --json: both name "${dir}/g.json", give two files`,
      ],
      [[{ flag: "--out", path: "" }], `--out: must be a file path, got ""`],
    ];
    for (const [outputs, message] of cases) {
      await assert.rejects(checkOutputPaths(outputs), { name: "UsageError", message });
    }
    // root ignores permission bits, so the unwritable folder is sysfs there and a read-only one otherwise.
    let unwritable: string | undefined;
    if (Deno.uid() !== 0) {
      unwritable = `${dir}/read-only`;
      await Deno.mkdir(unwritable, { mode: 0o555 });
    } else if ((await Deno.stat("/sys").catch(() => undefined))?.isDirectory) {
      unwritable = "/sys";
    }
    if (unwritable === undefined) {
      console.log("skipping the unwritable-folder case: no unwritable folder on this system");
    } else {
      await assert.rejects(
        checkOutputPaths([{ flag: "--plot", path: `${unwritable}/new/x.svg` }]),
        {
          name: "UsageError",
          message: new RegExp(
            `^--plot: cannot write ".*/new/x\\.svg": folder "${unwritable}" is not writable`,
          ),
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTextFileCreatingFolders() creates the missing folders and reports a path under a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTextFileCreatingFolders(`${dir}/a/b/c.txt`, "one");
    await writeTextFileCreatingFolders(`${dir}/a/b/c.txt`, "two");
    assert.equal(await Deno.readTextFile(`${dir}/a/b/c.txt`), "two");
    await assert.rejects(writeTextFileCreatingFolders(`${dir}/a/b/c.txt/d.txt`, "x"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
