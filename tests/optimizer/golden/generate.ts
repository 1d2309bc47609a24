/**
 * Produces the golden fixtures beside it (stdlib-js style: stored outputs plus the script that made
 * them), and exports the computations so that `tests/optimizer/golden_test.ts` recomputes exactly
 * the same values and compares them with what is stored.
 *
 * The goldens pin behaviour that must survive refactors bit for bit:
 * - `prng_streams.json`: the first outputs of root and derived {@linkcode Prng} streams for several
 *   seeds and labels (string and integer), so any change to the seeding or to the sub-stream
 *   derivation (`split()`'s hash, the label words) fails;
 * - `optimize_runs.json`: short {@linkcode optimize} runs on the Rosenbrock function (global and
 *   ring topologies, every bound-handling mode, linear inertia, a feasibility rule, seeded initial
 *   positions, a batch objective) and one saved {@linkcode ParticleSwarm} state;
 * - `tuner_run.json`: a short {@linkcode PSOTuner} run (classical_smc, the shipped config.yaml,
 *   10 particles × 5 iterations × 3 scenarios, seed 42, on the main thread), with and without the
 *   configured gains in the initial swarm.
 *
 * Regenerate only when a change of behaviour is intended (and say so in the commit):
 * `deno run -A tests/optimizer/golden/generate.ts`. The tuner golden also depends on the plant,
 * the controllers and config.yaml: a deliberate change there regenerates it too.
 *
 * Numbers are stored as JSON numbers (the shortest decimal that round-trips, so the parsed double is
 * the stored one bit for bit), and for the tuner's best also as the hex of their IEEE-754 bits.
 *
 * @module
 */
import { loadConfig } from "../../../config/mod.ts";
import {
  optimize,
  ParticleSwarm,
  Prng,
  type PSOOptions,
  type PSOResult,
  type PSOState,
  PSOTuner,
  type PSOTunerOptions,
  type TunerResult,
} from "../../../optimizer/mod.ts";

/** The 4-dimensional Rosenbrock function, minimum 0 at (1, 1, 1, 1). */
export function rosenbrock(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length - 1; j++) s += 100 * (x[j + 1] - x[j] * x[j]) ** 2 + (1 - x[j]) ** 2;
  return s;
}

/** The hex of a double's IEEE-754 bits (big-endian), so a reader sees the exact value stored. */
export function bitsOf(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

// ---------------------------------------------------------------------------------------------
// PRNG streams

/** Seeds of the PRNG golden: zero, the project's default, a negative one, the largest safe one. */
export const PRNG_SEEDS: readonly number[] = [0, 42, -7, 2 ** 53 - 1];
/** Labels of the derived streams: strings (with an empty and a non-ASCII one) and integers. */
export const PRNG_LABELS: readonly (string | number)[] = [
  "scenarios",
  "robustness",
  "",
  "θ1",
  0,
  1,
  12345,
  2 ** 40,
  -3,
];

/** One stream of the PRNG golden. */
export interface StreamGolden {
  readonly seed: number;
  /** `null` for the root stream `new Prng(seed)`; a label for `Prng.derive(seed, label)`. */
  readonly label: string | number | null;
  /** The first 8 `nextUint32()` outputs. */
  readonly uint32: number[];
  /** The next 2 `next()` doubles after them. */
  readonly doubles: number[];
}

/** The PRNG golden: every seed's root stream and its derived streams, plus a chain of splits. */
export interface PrngGolden {
  readonly streams: StreamGolden[];
  /** `new Prng(42).split("a").split(7)` after 5 draws of the parent, first 8 outputs. */
  readonly chained: number[];
}

function sample(rng: Prng): { uint32: number[]; doubles: number[] } {
  const uint32 = Array.from({ length: 8 }, () => rng.nextUint32());
  const doubles = [rng.next(), rng.next()];
  return { uint32, doubles };
}

/** Computes the PRNG golden from the current code. */
export function computePrngGolden(): PrngGolden {
  const streams: StreamGolden[] = [];
  for (const seed of PRNG_SEEDS) {
    streams.push({ seed, label: null, ...sample(new Prng(seed)) });
    for (const label of PRNG_LABELS) streams.push({ seed, label, ...sample(Prng.derive(seed, label)) });
  }
  const parent = new Prng(42);
  for (let i = 0; i < 5; i++) parent.next();
  const child = parent.split("a").split(7);
  return { streams, chained: Array.from({ length: 8 }, () => child.nextUint32()) };
}

// ---------------------------------------------------------------------------------------------
// optimize() runs

const BOX = { lower: [-2, -1, -2, -1], upper: [2, 3, 2, 3] };

/** The option sets of the optimize() golden, by name (every one minimises {@linkcode rosenbrock}). */
export const OPTIMIZE_CASES: Readonly<Record<string, Omit<PSOOptions, "onWarning">>> = {
  global_clip: { ...BOX, swarmSize: 12, maxIterations: 25, seed: 7 },
  ring_reflect_linear: {
    ...BOX,
    swarmSize: 10,
    maxIterations: 20,
    seed: 11,
    topology: "ring",
    neighbours: 3,
    boundHandling: "reflect",
    inertia: "linear",
  },
  random_feasible_seeded: {
    ...BOX,
    swarmSize: 9,
    maxIterations: 15,
    seed: 3,
    boundHandling: "random",
    velocityClamp: 2,
    isFeasible: (x) => x[0] + x[1] < 2.5,
    initialPositions: [[1, 1, 1, 1], [0.5, 0.2, -0.3, 2]],
  },
  periodic_stall: {
    ...BOX,
    swarmSize: 8,
    maxIterations: 200,
    seed: 5,
    boundHandling: "periodic",
    stallIterations: 6,
    stallTolerance: 1e-3,
    c1: 2,
    c2: 2,
  },
};

/** What the optimize() golden keeps of a run. */
export interface RunGolden {
  readonly bestPosition: number[];
  readonly bestCost: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly exitReason: string;
  readonly history: PSOResult["history"];
  readonly finalSwarm: PSOResult["finalSwarm"];
}

/** The optimize() golden: one run per case, the batch form of `global_clip`, and a saved state. */
export interface OptimizeGolden {
  readonly runs: Record<string, RunGolden>;
  /** `global_clip` through a batch objective (must equal `runs.global_clip`). */
  readonly batch: RunGolden;
  /** `ring_reflect_linear` after 4 iterations, as `JSON.parse(JSON.stringify(getState()))`. */
  readonly state: PSOState;
}

function runGolden(r: PSOResult): RunGolden {
  return {
    bestPosition: r.bestPosition,
    bestCost: r.bestCost,
    iterations: r.iterations,
    evaluations: r.evaluations,
    exitReason: r.exitReason,
    history: r.history,
    finalSwarm: r.finalSwarm,
  };
}

const quiet = { onWarning: () => {} };

/** Computes the optimize() golden from the current code. */
export async function computeOptimizeGolden(): Promise<OptimizeGolden> {
  const runs: Record<string, RunGolden> = {};
  for (const [name, options] of Object.entries(OPTIMIZE_CASES)) {
    runs[name] = runGolden(await optimize(rosenbrock, { ...options, ...quiet }));
  }
  const batch = runGolden(
    await optimize({
      batch(positions, count, dims) {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = rosenbrock(positions.subarray(i * dims, (i + 1) * dims));
        return out;
      },
    }, { ...OPTIMIZE_CASES.global_clip, ...quiet }),
  );
  const swarm = new ParticleSwarm({ ...OPTIMIZE_CASES.ring_reflect_linear, ...quiet });
  const costs = new Float64Array(swarm.swarmSize);
  for (let k = 0; k < 4; k++) {
    const x = swarm.ask();
    for (let i = 0; i < swarm.swarmSize; i++) costs[i] = rosenbrock(x.subarray(i * 4, (i + 1) * 4));
    swarm.tell(costs);
  }
  const state = JSON.parse(JSON.stringify(swarm.getState())) as PSOState;
  return { runs, batch, state };
}

// ---------------------------------------------------------------------------------------------
// The tuner run

/** The tuner golden's run: classical_smc on the shipped config, 10 × 5 × 3, seed 42. */
export function tunerOptions(): PSOTunerOptions {
  return {
    controllerType: "classical_smc",
    config: loadConfig(new URL("../../../config.yaml", import.meta.url), { env: {} }),
    numParticles: 10,
    numIterations: 5,
    scenarios: 3,
    seed: 42,
  };
}

/** What the tuner golden keeps of a run. */
export interface TunerGolden {
  readonly bestGains: number[];
  readonly bestFitness: number;
  /** IEEE-754 bits of `bestGains` and `bestFitness`, for a human reader. */
  readonly bits: { readonly bestGains: string[]; readonly bestFitness: string };
  readonly evaluations: number;
  readonly iterations: number;
  readonly exitReason: string;
  readonly history: TunerResult["history"];
  readonly finalSwarm: PSOResult["finalSwarm"];
}

/** Reduces a tuner result to its golden form. */
export function tunerGolden(r: TunerResult): TunerGolden {
  return {
    bestGains: r.bestGains,
    bestFitness: r.bestFitness,
    bits: { bestGains: r.bestGains.map(bitsOf), bestFitness: bitsOf(r.bestFitness) },
    evaluations: r.evaluations,
    iterations: r.iterations,
    exitReason: r.exitReason,
    history: r.history,
    finalSwarm: r.result.finalSwarm,
  };
}

/**
 * The tuner golden: the run as shipped (the configured gains seeded into the swarm, which stay the
 * best in so short a run) and the same run without them (so the best gains come from the swarm).
 */
export interface TunerGoldens {
  readonly seeded: TunerGolden;
  readonly unseeded: TunerGolden;
}

/** The two tuner runs of the golden, by name. */
export const TUNER_CASES: Readonly<Record<keyof TunerGoldens, Partial<PSOTunerOptions>>> = {
  seeded: {},
  unseeded: { includeConfiguredGains: false },
};

/** Computes the tuner golden from the current code (main thread, no Worker). */
export async function computeTunerGolden(): Promise<TunerGoldens> {
  const run = async (extra: Partial<PSOTunerOptions>) =>
    tunerGolden(await new PSOTuner({ ...tunerOptions(), ...extra, numWorkers: 0 }).optimize());
  return { seeded: await run(TUNER_CASES.seeded), unseeded: await run(TUNER_CASES.unseeded) };
}

/** Where the golden files live. */
export const GOLDEN_FILES = {
  prng: new URL("./prng_streams.json", import.meta.url),
  optimize: new URL("./optimize_runs.json", import.meta.url),
  tuner: new URL("./tuner_run.json", import.meta.url),
} as const;

if (import.meta.main) {
  const write = (url: URL, value: unknown) =>
    Deno.writeTextFileSync(url, JSON.stringify(value, null, 2) + "\n");
  write(GOLDEN_FILES.prng, computePrngGolden());
  write(GOLDEN_FILES.optimize, await computeOptimizeGolden());
  write(GOLDEN_FILES.tuner, await computeTunerGolden());
  console.log(`wrote ${Object.values(GOLDEN_FILES).map((u) => u.pathname).join(", ")}`);
}
