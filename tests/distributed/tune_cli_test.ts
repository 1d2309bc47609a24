/**
 * `deno task tune --nats` and `deno task worker` end to end: the server stopped mid-run makes the
 * tune task exit non-zero with a clear message; restarted with --resume it writes the same gains
 * as a local run.
 */
import assert from "node:assert/strict";
import { runTune as tune, runWorker as worker, type TuneReport } from "../../tasks/mod.ts";
import { SKIP_REASON, startNatsServer, startWorkerProcess } from "./helpers.ts";

function captureIO(onLine?: (text: string) => void) {
  const out: string[] = [], err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (line: string) => void out.push(line),
      stderr: (text: string) => {
        err.push(text);
        onLine?.(text);
      },
      isTerminal: false,
    },
  };
}

Deno.test({
  name: "tune --nats exits 1 when the server stops mid-run, and --resume then writes the local run's gains",
  ignore: SKIP_REASON !== undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "dip-tune-nats-" });
  const common = [
    "--controller",
    "sta_smc",
    "--particles",
    "6",
    "--iters",
    "5",
    "--scenarios",
    "2",
    "--seed",
    "3",
  ];
  const files = (name: string) => [
    "--robustness",
    "0",
    "--out",
    `${dir}/${name}-gains.json`,
    "--json",
    `${dir}/${name}.json`,
    "--report",
    `${dir}/${name}.html`,
  ];
  const server = await startNatsServer();
  const remote = await startWorkerProcess(server.url, ["--concurrency", "1"]);
  try {
    const plain = captureIO();
    assert.equal(await tune([...common, ...files("local"), "--workers", "2"], plain.io), 0);
    assert.match(plain.out.join("\n"), /seed 3, 2 Workers\)/);
    const nats = [
      "--nats",
      server.url,
      "--checkpoint",
      `${dir}/checkpoints`,
      "--chunk-size",
      "2",
      "--server-timeout-ms",
      "1000",
    ];
    let stopping: Promise<void> | undefined;
    // The progress line of iteration 2 is printed from inside the run: the server stops right there.
    const first = captureIO((text) => {
      if (/ it 2\/5 /.test(text)) stopping ??= server.stop();
    });
    const code = await tune([...common, ...files("nats"), ...nats], first.io);
    await stopping;
    assert.equal(code, 1, first.err.join(""));
    assert.match(
      first.err.join(""),
      /tuning sta_smc failed: DistributedError: run \S+: (lost the NATS server|cannot publish)/,
    );
    assert.match(first.err.join(""), /rerun with --resume to continue/);
    assert.match(
      first.err.join(""),
      /sta_smc it 1\/5 .* · 1 worker\n/,
      "progress shows the connected workers",
    );
    await assert.rejects(Deno.stat(`${dir}/nats-gains.json`), Deno.errors.NotFound);

    await server.restart();
    const second = captureIO();
    assert.equal(
      await tune([...common, ...files("nats"), ...nats, "--resume"], second.io),
      0,
      second.err.join(""),
    );
    assert.match(second.err.join(""), /sta_smc: resuming run \S+ after iteration [234] /);
    // The report names what evaluated the particles: the remote workers, not a local Worker count.
    assert.match(second.out.join("\n"), /seed 3, NATS, 1 worker\)/);
    const read = async (name: string) =>
      JSON.parse(await Deno.readTextFile(`${dir}/${name}.json`)) as TuneReport;
    const [local, resumed] = [await read("local"), await read("nats")];
    assert.deepStrictEqual(resumed.results[0].bestGains, local.results[0].bestGains);
    assert.equal(resumed.results[0].bestCost, local.results[0].bestCost);
    assert.deepStrictEqual(resumed.results[0].history, local.results[0].history);
    assert.equal(resumed.settings.natsWorkers, 1);
    assert.equal(local.settings.natsWorkers, undefined);

    // The checkpoint is the finished run's: another swarm size cannot continue it.
    const other = captureIO();
    const wider = [...common.slice(0, 3), "7", ...common.slice(4)];
    assert.equal(await tune([...wider, ...files("other"), ...nats, "--resume"], other.io), 2);
    assert.match(
      other.err.join(""),
      /tuning sta_smc failed: --resume: \S+sta_smc\.json does not fit this run: options\.swarmSize: must match the state's swarm size \(6\), got 7/,
    );
  } finally {
    await remote.kill();
    await server.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tune refuses NATS flags without --nats, and a bad --nats URL, with exit code 2", async () => {
  const a = captureIO();
  assert.equal(await tune(["--controller", "sta", "--resume"], a.io), 2);
  assert.match(a.err.join(""), /--resume: needs --nats <url>/);
  const b = captureIO();
  assert.equal(await tune(["--controller", "sta", "--nats", "http://127.0.0.1:1"], b.io), 2);
  assert.match(b.err.join(""), /--nats: must be a nats:\/\/ or tls:\/\/ URL/);
  const c = captureIO();
  assert.equal(
    await tune(
      ["--controller", "sta", "--resume", "--nats", "nats://127.0.0.1:1", "--chunk-size", "0"],
      c.io,
    ),
    2,
  );
  assert.match(c.err.join(""), /--chunk-size: must be an integer ≥ 1, got "0"/);
});

Deno.test("tune --nats checks the checkpoint before connecting: a path it cannot write, a file that is no checkpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dip-tune-nats-" });
  try {
    // Nothing listens on port 1: reaching the server would be exit code 1, not 2.
    const base = ["--controller", "sta", "--nats", "nats://127.0.0.1:1", "--robustness", "0"];
    const outputs = ["--out", `${dir}/g.json`, "--json", `${dir}/r.json`, "--report", `${dir}/r.html`];
    await Deno.writeTextFile(`${dir}/file`, "");
    const a = captureIO();
    assert.equal(await tune([...base, ...outputs, "--checkpoint", `${dir}/file/checkpoints`], a.io), 2);
    assert.match(
      a.err.join(""),
      /--checkpoint: cannot write ".*\/file\/checkpoints\/sta_smc\.json": .* is a file/,
    );
    await Deno.mkdir(`${dir}/cp`);
    await Deno.writeTextFile(`${dir}/cp/sta_smc.json`, "{not json");
    const b = captureIO();
    assert.equal(await tune([...base, ...outputs, "--checkpoint", `${dir}/cp`, "--resume"], b.io), 2);
    assert.match(
      b.err.join(""),
      /tuning sta_smc failed: DistributedError: --resume: .*sta_smc\.json must be JSON/,
    );
    // Without --resume the same file is simply overwritten later: the run goes as far as the server.
    const c = captureIO();
    assert.equal(await tune([...base, ...outputs, "--checkpoint", `${dir}/cp`], c.io), 1);
    assert.match(c.err.join(""), /tuning sta_smc failed: DistributedError: .*127\.0\.0\.1:1/);
    assert.match(
      c.err.join(""),
      /no iteration of sta_smc completed, so there is no checkpoint to resume from/,
    );
    await assert.rejects(Deno.stat(`${dir}/g.json`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worker task explains a missing --nats and a bad --concurrency with exit code 2", async () => {
  const lines: string[] = [];
  const io = { stdout: (l: string) => void lines.push(l), stderr: (l: string) => void lines.push(l) };
  const saved = Deno.env.get("DIP_NATS_URL");
  Deno.env.delete("DIP_NATS_URL");
  try {
    assert.equal(await worker([], io), 2);
    assert.match(lines.join("\n"), /--nats: must give the server URL \(or set DIP_NATS_URL\)/);
    assert.equal(await worker(["--nats", "nats://127.0.0.1:1", "--concurrency", "0"], io), 2);
    assert.match(lines.join("\n"), /--concurrency: must be an integer ≥ 1, got "0"/);
  } finally {
    if (saved !== undefined) Deno.env.set("DIP_NATS_URL", saved);
  }
});
