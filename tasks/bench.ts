/**
 * `deno task bench`: measures the hot path and the tuner, prints a table, writes
 * `results/bench.json`, and (with --readme) rewrites README.md's benchmark block from it.
 *
 * Run with `--help` for the options ({@linkcode BENCH_USAGE}).
 *
 * Each figure is the median of several timed repetitions after a warm-up (JIT compilation),
 * measured on the main thread (one core) unless it says Workers. `--nats` adds the tuning on a
 * local nats-server with 1 and 2 worker processes, timed against the local pool, interleaved
 * (docs/distributed.md, "Speed").
 *
 * @module
 */
import { type Config, loadConfig } from "../config/mod.ts";
import { createController } from "../factory/mod.ts";
import { PSOTuner } from "../optimizer/mod.ts";
import { type BatchParticle, createPlant, simulate, simulateBatch } from "../plant/mod.ts";
import { runStudy } from "../study/mod.ts";
import { NATS_SERVER, natsBench } from "../distributed/mod.ts";
import { checkReadmeSection, updateReadmeSection } from "./readme.ts";
import {
  checkOutputPaths,
  type CliOptions,
  type CliValues,
  EXIT,
  formatOptions,
  parseCli,
  UsageError,
  writeTextFileCreatingFolders,
} from "./cli.ts";

/** The bench task's options: `parseArgs` reads this table and {@linkcode BENCH_USAGE} is made from it. */
export const BENCH_OPTIONS = {
  quick: { type: "boolean", description: "3 repetitions instead of 7, and 20 tuning iterations" },
  "skip-tuning": { type: "boolean", description: "measure the kernel and single runs only" },
  "skip-study": { type: "boolean", description: "leave out the default study (deno task study)" },
  nats: {
    type: "boolean",
    description:
      "also time the tuning on NATS with 1 and 2 local worker processes against the local pool (needs nats-server; docs/distributed.md)",
  },
  json: { type: "string", arg: "<path>", description: "results JSON (default results/bench.json)" },
  readme: { type: "boolean", description: "rewrite README.md's benchmark block from the results" },
  help: { type: "boolean", short: "h", description: "this text" },
} as const satisfies CliOptions;

/** Usage text printed by `--help` and on bad arguments, generated from {@linkcode BENCH_OPTIONS}. */
export const BENCH_USAGE = `Usage: deno task bench [options]

${formatOptions(BENCH_OPTIONS)}`;

const README_PATH = "README.md";
const DEFAULT_JSON_PATH = "results/bench.json";

/** One measurement. */
export interface BenchEntry {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, reps: number): number {
  fn(); // warm-up: let the JIT compile the hot path before timing
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function batchRate(config: Config, model: "full" | "simplified", reps: number): number {
  const plant = createPlant(config.physics, { model });
  const ctrl = createController("classical_smc", { config });
  const B = 40, steps = 1000;
  const particles: BatchParticle[] = Array.from({ length: B }, () => ({
    plant,
    kernel: ctrl.kernel,
    x0: config.simulation.initial_state,
  }));
  let ws = simulateBatch({ particles, dt: config.simulation.dt, steps });
  const ms = time(() => {
    ws = simulateBatch({ particles, dt: config.simulation.dt, steps, workspace: ws });
  }, reps);
  return (B * steps) / (ms / 1000);
}

function singleRunMicros(config: Config, model: "full" | "simplified", reps: number): number {
  const plant = createPlant(config.physics, { model });
  const controller = createController("classical_smc", { config });
  const sim = config.simulation;
  const inner = 20;
  const ms = time(() => {
    for (let i = 0; i < inner; i++) {
      simulate({ plant, controller, x0: sim.initial_state, dt: sim.dt, duration: sim.duration });
    }
  }, reps);
  return (ms * 1000) / inner;
}

async function tuningSeconds(
  config: Config,
  workers: number,
  scenarios: number,
  iterations: number,
): Promise<{ seconds: number; evaluations: number; sims: number }> {
  const tuner = new PSOTuner({
    controllerType: "classical_smc",
    config,
    numWorkers: workers,
    scenarios,
    numIterations: iterations,
    // The benchmark times the whole budget: with the shipped defaults seeded the swarm stalls after
    // ≈ 50 iterations, and a stall stop would time a fraction of the work.
    pso: { stallIterations: iterations },
  });
  const r = await tuner.optimize();
  return { seconds: r.elapsedMs / 1000, evaluations: r.evaluations, sims: r.evaluations * scenarios };
}

/**
 * Renders the benchmark entries as README's Markdown table.
 *
 * @example Usage
 * ```ts
 * import { benchMarkdown } from "./bench.ts";
 * console.log(benchMarkdown({ date: "2026-11-24", cpu: "x", entries: [] }).includes("|"));
 * ```
 *
 * @param data The results file content.
 * @returns Markdown.
 */
export function benchMarkdown(data: { date: string; cpu: string; entries: readonly BenchEntry[] }): string {
  const rows = data.entries.map((e) =>
    `| ${e.name} | ${e.value >= 100 ? e.value.toFixed(0) : e.value.toPrecision(3)} ${e.unit} | ${e.note} |`
  );
  return [
    `Produced by \`deno task bench --readme\` on ${
      data.date.slice(0, 10)
    } (${data.cpu}, Deno ${Deno.version.deno}).`,
    "",
    "| benchmark | result | note |",
    "|---|---|---|",
    ...rows,
  ].join("\n");
}

/**
 * Runs the benchmarks.
 *
 * The `--json` path (and README.md with `--readme`) is checked before anything is measured; a
 * write that still fails afterwards prints the results JSON to stdout and returns 1.
 *
 * @example Usage
 * ```ts ignore
 * await main(["--quick", "--skip-tuning"]);
 * ```
 *
 * @param args Command-line arguments.
 * @returns The exit code ({@linkcode EXIT}): 0 done, 1 a write failed or (`--nats`) a NATS run did
 * not give the local pool's result, 2 bad arguments or paths (or `--nats` without nats-server).
 */
export async function main(args: string[]): Promise<number> {
  let values: CliValues<typeof BENCH_OPTIONS>;
  try {
    values = parseCli(args, BENCH_OPTIONS);
    if (values.help) {
      console.log(BENCH_USAGE);
      return EXIT.ok;
    }
    if (values.nats && NATS_SERVER === undefined) {
      throw new UsageError("--nats: needs nats-server on PATH (apt-get install -y nats-server), got none");
    }
    await checkOutputPaths([{ flag: "--json", path: values.json ?? DEFAULT_JSON_PATH }]);
    if (values.readme) await checkReadmeSection("--readme", README_PATH, "bench");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${BENCH_USAGE}`);
    return EXIT.usage;
  }
  const config = loadConfig();
  const reps = values.quick ? 3 : 7;
  const entries: BenchEntry[] = [];
  const add = (e: BenchEntry) => {
    entries.push(e);
    console.log(`${e.name.padEnd(58)} ${e.value.toPrecision(4).padStart(10)} ${e.unit}  (${e.note})`);
  };
  const full = batchRate(config, "full", reps);
  add({
    name: "batch kernel, full model, RK4 + classical SMC",
    value: full / 1e6,
    unit: "M steps/s",
    note: "one core, 40 runs × 1000 steps; target ≥ 1.5",
  });
  add({
    name: "batch kernel, simplified model, RK4 + classical SMC",
    value: batchRate(config, "simplified", reps) / 1e6,
    unit: "M steps/s",
    note: "one core",
  });
  add({
    name: "one 10 s simulation (1000 steps), full model",
    value: singleRunMicros(config, "full", reps),
    unit: "µs",
    note: "simulate(), one core",
  });
  add({
    name: "one 10 s simulation (1000 steps), simplified model",
    value: singleRunMicros(config, "simplified", reps),
    unit: "µs",
    note: "simulate(), one core",
  });
  if (!values["skip-tuning"]) {
    const iters = values.quick ? 20 : config.pso.iters;
    const n = config.physics_uncertainty.n_evals;
    const particles = config.pso.n_particles;
    const cores = navigator.hardwareConcurrency;
    const robust2 = await tuningSeconds(config, 2, n, iters);
    add({
      name: `tuning ${particles} × ${iters}, ${n} scenarios, 2 Workers`,
      value: robust2.seconds,
      unit: "s",
      note: `${robust2.sims} simulations; target < 20 s for 40 × 200 on 2 cores`,
    });
    const robust1 = await tuningSeconds(config, 1, n, iters);
    add({
      name: `tuning ${particles} × ${iters}, ${n} scenarios, 1 Worker`,
      value: robust1.seconds,
      unit: "s",
      note: `${robust1.sims} simulations`,
    });
    add({
      name: "Worker speed-up, 1 → 2 Workers",
      value: robust1.seconds / robust2.seconds,
      unit: "×",
      note: `${cores} cores on this machine`,
    });
    const nominal = await tuningSeconds(config, 2, 1, iters);
    add({
      name: `tuning ${particles} × ${iters}, nominal only, 2 Workers`,
      value: nominal.seconds,
      unit: "s",
      note: `${nominal.sims} simulations`,
    });
  }
  if (!values["skip-study"]) {
    const study = config.study;
    const mc = values.quick ? 200 : study.monte_carlo.runs, grid = values.quick ? 21 : study.basin.grid;
    const started = performance.now();
    const { result } = await runStudy(config, { monteCarloRuns: mc, grid, workers: 2 });
    const seconds = (performance.now() - started) / 1000;
    const types = Object.keys(result.controllers).length;
    const runs = types * (1 + Object.keys(config.disturbances).length + mc + grid * grid);
    add({
      name: `default study, ${types} controllers, 2 Workers`,
      value: seconds,
      unit: "s",
      note: `${runs} simulations (${grid}×${grid} basin, ${mc} Monte-Carlo, ${
        Object.keys(config.disturbances).length
      } disturbances, nominal each); target < 30 s on 2 cores`,
    });
  }
  let failure: string | undefined;
  if (values.nats) {
    // Quick runs are short enough to repeat; the medians damp a shared machine's load swings.
    const nats = await natsBench({
      iterations: values.quick ? 20 : undefined,
      repetitions: values.quick ? 5 : 1,
      log: (line) => console.log(`  ${line}`),
    });
    const [, nats1, local2, nats2] = nats.runs;
    add({
      name: "tuning on NATS, 1 worker process × 1 Worker",
      value: nats1.seconds,
      unit: "s",
      note: `overhead vs the local pool of 1 Worker ${(100 * nats.overhead1).toFixed(1)} %`,
    });
    add({
      name: "tuning on NATS, 2 worker processes × 1 Worker",
      value: nats2.seconds,
      unit: "s",
      note: `local pool of 2 Workers ${local2.seconds.toFixed(2)} s: overhead ${
        (100 * nats.overhead2).toFixed(1)
      } % (target ≤ 15 %)`,
    });
    add({
      name: "NATS speed-up, 1 → 2 worker processes",
      value: nats.speedup,
      unit: "×",
      note: `same gains and cost on every run: ${nats.identical ? "yes" : "NO"}`,
    });
    if (!nats.identical) failure = "--nats: the NATS runs did not all give the local pool's gains and cost";
  }
  const cpu = await cpuName();
  const data = { date: new Date().toISOString(), cpu, quick: Boolean(values.quick), entries };
  const json = JSON.stringify(data, null, 2) + "\n";
  const path = values.json ?? DEFAULT_JSON_PATH;
  try {
    await writeTextFileCreatingFolders(path, json);
    console.log(`written ${path}`);
  } catch (error) {
    failure ??= `--json: cannot write "${path}": ${(error as Error).message}`;
  }
  if (values.readme && failure === undefined) {
    try {
      await updateReadmeSection(README_PATH, "bench", benchMarkdown(data));
    } catch (error) {
      failure = `--readme: cannot rewrite "${README_PATH}": ${(error as Error).message}`;
    }
  }
  if (failure !== undefined) {
    // The measurements took minutes: print them rather than lose them.
    console.log(json.trimEnd());
    console.error(`error: ${failure}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

async function cpuName(): Promise<string> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    const model = info.match(/model name\s*:\s*(.+)/)?.[1]?.trim() ?? "unknown CPU";
    return `${model}, ${navigator.hardwareConcurrency} cores`;
  } catch {
    return `${navigator.hardwareConcurrency} cores`;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
