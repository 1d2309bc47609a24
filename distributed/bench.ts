/**
 * `deno task bench --nats`: the shipped tuning on the local Worker pool and on NATS with 1 and 2
 * remote worker processes on this machine (a nats-server on 127.0.0.1 that the benchmark starts
 * and stops), checking that every run gives the same gains and reporting the overhead of NATS
 * against the local pool and the speed-up from 1 to 2 worker processes.
 *
 * @module
 */
import { loadConfig } from "../config/mod.ts";
import { PSOTuner, type TunerResult } from "../optimizer/mod.ts";
import { natsBackend } from "./coordinator.ts";
import { NATS_SERVER, startNatsServer, startWorkerProcess, type WorkerProcess } from "./local_cluster.ts";

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function natsRun(
  url: string,
  workers: number,
  run: ConstructorParameters<typeof PSOTuner>[0],
): Promise<TunerResult> {
  const processes: WorkerProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) processes.push(await startWorkerProcess(url, ["--concurrency", "1"]));
    // The connection is made inside optimize() (the factory runs there), so its time is counted.
    return await new PSOTuner({ ...run, backend: natsBackend({ nats: { url } }) }).optimize();
  } finally {
    await Promise.all(processes.map((p) => p.kill()));
  }
}

/** Options of {@linkcode natsBench}. */
export interface NatsBenchOptions {
  /** Iterations; default `pso.iters` (the shipped tuning). */
  readonly iterations?: number;
  /** Controller; default classical_smc. */
  readonly controllerType?: string;
  /** Receives the table lines. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Timed runs of each configuration (interleaved); the medians are reported. Default 1. */
  readonly repetitions?: number;
  /** Also write the measurements to this JSON file. */
  readonly json?: string;
}

/** One measured run. */
export interface NatsBenchRun {
  readonly name: string;
  /** Median wall time. */
  readonly seconds: number;
  /** Local Workers, or remote worker processes (one Worker each). */
  readonly workers: number;
}

/** What {@linkcode natsBench} measured. */
export interface NatsBenchResult {
  readonly runs: readonly NatsBenchRun[];
  /** NATS time over local-pool time, minus 1, with 1 and with 2 workers. */
  readonly overhead1: number;
  readonly overhead2: number;
  /** NATS time with 1 worker process over NATS time with 2. */
  readonly speedup: number;
  /** Every run gave bit-identical gains and cost. */
  readonly identical: boolean;
}

/**
 * Runs the comparison. Each remote worker process runs one Worker (`--concurrency 1`), so "2
 * workers" means the same two threads as the local pool of 2.
 *
 * @example Usage
 * ```ts ignore
 * const result = await natsBench({ iterations: 20 });
 * console.log(result.overhead2);
 * ```
 *
 * @param options See {@linkcode NatsBenchOptions}.
 * @returns The measurements.
 * @throws {Error} When nats-server is not installed.
 */
export async function natsBench(options: NatsBenchOptions = {}): Promise<NatsBenchResult> {
  if (!NATS_SERVER) {
    throw new Error("bench --nats: needs nats-server (apt-get install -y nats-server), got none on PATH");
  }
  const log = options.log ?? ((line: string) => console.log(line));
  const repetitions = options.repetitions ?? 1;
  const config = loadConfig();
  const run = {
    controllerType: options.controllerType ?? "classical_smc",
    config,
    numIterations: options.iterations ?? config.pso.iters,
  };
  const names = [
    "local pool, 1 Worker",
    "NATS, 1 worker process × 1 Worker",
    "local pool, 2 Workers",
    "NATS, 2 worker processes × 1 Worker",
  ];
  const samples: number[][] = names.map(() => []);
  const results: TunerResult[] = [];
  const label = `${run.controllerType} ${config.pso.n_particles} × ${run.numIterations}, ` +
    `${config.physics_uncertainty.n_evals} scenarios`;
  log(`tuning ${label}, ${repetitions} repetition(s), medians`);
  const server = await startNatsServer();
  try {
    // Interleaved, so that a change in the machine's load hits every configuration alike. Worker
    // processes start fresh for each measurement, as a local pool does; their start is not timed.
    for (let rep = 0; rep < repetitions; rep++) {
      for (const [i, workers] of [[0, 1], [1, 1], [2, 2], [3, 2]] as const) {
        let r: TunerResult;
        if (i % 2 === 0) r = await new PSOTuner({ ...run, numWorkers: workers }).optimize();
        else r = await natsRun(server.url, workers, run);
        samples[i].push(r.elapsedMs / 1000);
        results.push(r);
        log(
          `${names[i].padEnd(40)} ${(r.elapsedMs / 1000).toFixed(2).padStart(8)} s  best ${
            r.bestFitness.toPrecision(8)
          }`,
        );
      }
    }
  } finally {
    await server.dispose();
  }
  const runs: NatsBenchRun[] = names.map((name, i) => ({
    name,
    seconds: median(samples[i]),
    workers: i < 2 ? 1 : 2,
  }));
  const [local1, nats1, local2, nats2] = runs.map((r) => r.seconds);
  for (const r of runs) log(`median ${r.name.padEnd(40)} ${r.seconds.toFixed(2).padStart(8)} s`);
  const identical = results.every((r) =>
    r.bestFitness === results[0].bestFitness && r.bestGains.every((g, i) => g === results[0].bestGains[i])
  );
  const result = {
    runs,
    overhead1: nats1 / local1 - 1,
    overhead2: nats2 / local2 - 1,
    speedup: nats1 / nats2,
    identical,
  };
  log(
    `NATS overhead vs local pool: ${(100 * result.overhead1).toFixed(1)} % at 1 worker, ` +
      `${(100 * result.overhead2).toFixed(1)} % at 2 workers (target ≤ 15 %)`,
  );
  log(`NATS speed-up 1 → 2 worker processes: ${result.speedup.toFixed(2)} ×`);
  log(`same gains and cost on every run: ${identical ? "yes" : "NO"}`);
  if (options.json) {
    const path = options.json;
    await Deno.mkdir(path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".", { recursive: true });
    const data = {
      date: new Date().toISOString(),
      cores: navigator.hardwareConcurrency,
      tuning: label,
      repetitions,
      samples: Object.fromEntries(names.map((n, i) => [n, samples[i]])),
      ...result,
    };
    await Deno.writeTextFile(path, JSON.stringify(data, null, 2) + "\n");
    log(`written ${path}`);
  }
  return result;
}
