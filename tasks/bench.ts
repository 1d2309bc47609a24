/**
 * `deno task bench`: measures the hot path and the tuner, prints a table, writes
 * `results/bench.json`, and (with --readme) rewrites README.md's benchmark block from it.
 *
 * ```
 * deno task bench [--quick] [--skip-tuning] [--json results/bench.json] [--readme]
 * deno task bench --nats [--quick] [--json results/bench_nats.json]
 * ```
 *
 * Each figure is the median of several timed repetitions after a warm-up (JIT compilation),
 * measured on the main thread (one core) unless it says Workers.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config/mod.ts";
import { createController } from "../factory/mod.ts";
import { PSOTuner } from "../optimizer/mod.ts";
import { type BatchParticle, createPlant, simulate, simulateBatch } from "../plant/mod.ts";
import { updateReadmeSection } from "./readme.ts";
import { natsBench } from "../distributed/mod.ts";

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
 * @example Usage
 * ```ts ignore
 * await main(["--quick", "--skip-tuning"]);
 * ```
 *
 * @param args Command-line arguments.
 * @returns Exit code.
 */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        quick: { type: "boolean" },
        "skip-tuning": { type: "boolean" },
        json: { type: "string" },
        readme: { type: "boolean" },
        nats: { type: "boolean" },
      },
    }));
  } catch (error) {
    console.error(
      `${
        (error as Error).message
      }\n\nUsage: deno task bench [--quick] [--skip-tuning] [--json path] [--readme] | --nats [--quick] [--json path]`,
    );
    return 2;
  }
  if (values.nats) {
    // The shipped tuning on the local pool and on NATS with 1 and 2 worker processes (docs/distributed.md).
    const result = await natsBench({
      iterations: values.quick ? 20 : undefined,
      // Quick runs are short enough to repeat; the medians damp a shared machine's load swings.
      repetitions: values.quick ? 5 : 1,
      json: values.json ?? "results/bench_nats.json",
    });
    return result.identical ? 0 : 1;
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
  const cpu = await cpuName();
  const data = { date: new Date().toISOString(), cpu, quick: Boolean(values.quick), entries };
  const path = values.json ?? "results/bench.json";
  await Deno.mkdir(path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".", { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(data, null, 2) + "\n");
  console.log(`written ${path}`);
  if (values.readme) await updateReadmeSection("README.md", "bench", benchMarkdown(data));
  return 0;
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
