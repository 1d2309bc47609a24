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
  gainsOf,
  intOption,
  loadConfigFlag,
  parseCli,
  parseGainsFile,
  readFlagFile,
  readGainsFile,
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

Deno.test("parseGainsFile() is the one gains-file rule: aliases, duplicates, bad entries named", () => {
  const path = "g.json";
  assert.deepEqual(
    parseGainsFile('{ "classic": [0.8, 3, 10, 15, 8, 2.5], "lqr": [1, -2, 3, 4, 5, 6] }', path),
    {
      classical_smc: [0.8, 3, 10, 15, 8, 2.5],
      lqr: [1, -2, 3, 4, 5, 6],
    },
  );
  const refused: [string, RegExp][] = [
    ["{ nope", /^--gains-file: "g\.json" is not valid JSON: /],
    ["null", /^--gains-file: "g\.json" must hold an object \{ "<controller>": \[gains…\] \}, got null$/],
    ['{ "pid": [1] }', /^--gains-file: "g\.json": Unknown controller type "pid": available are /],
    [
      '{ "classic": [0.8, 3, 10, 15, 8, 2.5], "classical_smc": [0.8, 3, 10, 15, 8, 2.5] }',
      /^--gains-file: "g\.json": "classic" and "classical_smc" both name classical_smc, give one$/,
    ],
    // Every problem of an entry, one per line, with the controller, the gain's name and index.
    [
      '{ "classical_smc": [0.8, "3", 10, 15, -8, 2.5] }',
      /^--gains-file: "g\.json" entry "classical_smc": classical_smc gain k2 \(index 1\): must be a number, got "3"\n--gains-file: "g\.json" entry "classical_smc": classical_smc gain K \(index 4\): must be greater than 0, got -8$/,
    ],
    ['{ "lqr": [1, 2, 3] }', /^--gains-file: "g\.json" entry "lqr": lqr gains: must have 6 values/],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => parseGainsFile(text, path), (e: unknown) => {
      assert.ok(e instanceof UsageError, `${text}: ${e}`);
      assert.match(e.message, message, text);
      return true;
    });
  }
  assert.throws(() => gainsOf({}, "lqr", path), /has no gains for lqr, got keys none/);
});

Deno.test("readFlagFile() names the flag and the path of a file it cannot read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.throws(() => readFlagFile("--config", dir), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.ok(e.message.startsWith(`--config: cannot read "${dir}": `), e.message);
      return true;
    });
    assert.throws(() => readGainsFile(`${dir}/none.json`), {
      name: "UsageError",
      message: `--gains-file: cannot read "${dir}/none.json": file not found`,
    });
    assert.throws(() => loadConfigFlag(`${dir}/none.yaml`), {
      name: "UsageError",
      message: `--config: cannot read "${dir}/none.yaml": file not found`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("intOption() with a maximum names the whole range and why", () => {
  assert.equal(intOption("n", "10", 1, 10), 10);
  assert.throws(() => intOption("n", "11", 1, 10), {
    message: '--n: must be an integer in [1, 10], got "11"',
  });
  assert.throws(() => intOption("n", "0", 1, 10, "a reason"), {
    message: '--n: must be an integer in [1, 10] (a reason), got "0"',
  });
});
