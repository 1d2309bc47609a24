/**
 * The controller study: every controller under the same four tests — the nominal run, each named
 * disturbance scenario, a Monte-Carlo robustness sample and a basin-of-attraction grid — run on the
 * Worker pool, deterministic for a seed whatever the number of Workers (docs/study.md).
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import { canonicalControllerType, createController } from "../factory/mod.ts";
import { type BasinLabel, summarizeBasin } from "./basin.ts";
import { createStudyExecutor } from "./executor.ts";
import { basinSpecs, monteCarloSpecs } from "./plan.ts";
import type { RecordedRun } from "./record.ts";
import { SUMMARY_FIELDS, SUMMARY_SIZE } from "./runs.ts";
import type { SamplingMethod } from "./sampling.ts";
import { percentiles, type PercentileSummary, wilsonInterval } from "./statistics.ts";
import {
  type DisturbanceMetrics,
  disturbanceMetrics,
  type NominalMetrics,
  nominalMetrics,
} from "./summaries.ts";

/** The parts of a study, in the order they run. */
export const STUDY_PARTS = Object.freeze(["nominal", "disturbances", "monteCarlo", "basin"] as const);
/** One part of a study. */
export type StudyPart = (typeof STUDY_PARTS)[number];

/** Progress of a running study. */
export interface StudyProgress {
  readonly part: StudyPart;
  /** Runs finished over the whole study. */
  readonly done: number;
  /** Runs of the whole study. */
  readonly total: number;
}

/** Options of {@linkcode runStudy}; every field falls back to config.yaml's `study` section. */
export interface StudyOptions {
  /** Controller types or aliases. */
  readonly controllers?: readonly string[];
  /** Gains per canonical type (e.g. from `deno task tune`'s gains file); others use the config's. */
  readonly gains?: Readonly<Record<string, readonly number[]>>;
  /** Monte-Carlo runs per controller. */
  readonly monteCarloRuns?: number;
  readonly sampling?: SamplingMethod;
  /** Basin grid points per axis. */
  readonly grid?: number;
  /** Basin half-width [rad]. */
  readonly range?: number;
  readonly seed?: number;
  /** Study Workers; 0 runs on the calling thread. Default 2. */
  readonly workers?: number;
  /** Runs per Worker task. */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StudyProgress) => void;
}

/** Monte-Carlo result of one controller. */
export interface MonteCarloResult {
  readonly runs: number;
  readonly successes: number;
  readonly successRate: number;
  readonly ci95: readonly [number, number];
  /** Runs that fell (or diverged, or left the track). */
  readonly failures: number;
  readonly settlingTime: PercentileSummary;
  readonly maxAbsX: PercentileSummary;
}

/** Basin-of-attraction result of one controller. */
export interface BasinResult {
  readonly theta1: readonly number[];
  readonly theta2: readonly number[];
  /** `settled[i][j]` for the start (theta1[i], theta2[j]). */
  readonly settled: readonly (readonly boolean[])[];
  /** Each point's label: settled, fell, not_settled. */
  readonly labels: readonly (readonly BasinLabel[])[];
  readonly areaFraction: number;
  readonly largestSquare: number;
  readonly counts: Readonly<Record<BasinLabel, number>>;
}

/** Everything the study found for one controller. */
export interface ControllerStudy {
  readonly gains: readonly number[];
  /** Where the gains came from. */
  readonly gainsSource: "gains" | "config";
  nominal?: NominalMetrics;
  disturbances?: Record<string, DisturbanceMetrics>;
  monteCarlo?: MonteCarloResult;
  basin?: BasinResult;
}

/** The study's result: the content of `study.json` (docs/study.md#studyjson). */
export interface StudyResult {
  readonly version: 1;
  readonly seed: number;
  /** False when the study was interrupted; the finished parts are present. */
  complete: boolean;
  /** The parts that finished for every controller. */
  readonly partsDone: StudyPart[];
  readonly settings: {
    readonly band: number;
    readonly finalWindow: number;
    readonly monteCarlo: {
      readonly runs: number;
      readonly sampling: SamplingMethod;
      readonly initialAngle: number;
      readonly disturbance: string | null;
      readonly amplitudeScale: readonly [number, number];
    };
    readonly basin: { readonly grid: number; readonly range: number };
  };
  readonly config: Config;
  readonly controllers: Record<string, ControllerStudy>;
  elapsedMs: number;
}

/** The recorded runs and raw samples behind a study's pictures (kept out of study.json). */
export interface StudyRecordings {
  /** Per controller: the nominal run and one run per disturbance scenario. */
  readonly runs: Record<string, { nominal?: RecordedRun; disturbances: Record<string, RecordedRun> }>;
  /** Per controller: Monte-Carlo settling times (NaN: not settled) and max |x|, in run order. */
  readonly monteCarlo: Record<string, { settlingTime: Float64Array; maxAbsX: Float64Array }>;
}

/** The final window [s] over which a run must stay inside the band to count as a success. */
const FINAL_WINDOW = 2;

function checkCount(value: number, name: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}

/**
 * Runs the study. An aborted study (the signal fires) stops scheduling, lets nothing half-finished
 * into the result and returns with `complete: false` and the parts that finished for every
 * controller.
 *
 * @example A small study on the calling thread
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { runStudy } from "./runner.ts";
 * const config = loadConfig("config.yaml");
 * const { result } = await runStudy(config, { controllers: ["classical"], monteCarloRuns: 20, grid: 5, workers: 0 });
 * const classical = result.controllers.classical_smc;
 * assert.equal(classical.nominal?.status, "ok");
 * assert.equal(classical.basin?.settled.length, 5);
 * assert.ok(classical.monteCarlo!.ci95[0] <= classical.monteCarlo!.successRate);
 * ```
 *
 * @param config The configuration.
 * @param options What to run, where, and how to report progress.
 * @returns The result (study.json) and the recordings behind the pictures.
 */
export async function runStudy(
  config: Config,
  options: StudyOptions = {},
): Promise<{ result: StudyResult; recordings: StudyRecordings }> {
  const started = performance.now();
  const study = config.study;
  const types = [
    ...new Set((options.controllers ?? study.controllers).map((t) => canonicalControllerType(t))),
  ];
  if (types.length === 0) throw new RangeError("controllers: must name at least one controller, got none");
  const mcRuns = checkCount(options.monteCarloRuns ?? study.monte_carlo.runs, "monteCarloRuns", 1, 1_000_000);
  const grid = checkCount(options.grid ?? study.basin.grid, "grid", 2, 401);
  const range = options.range ?? study.basin.range;
  if (!(range > 0 && range <= Math.PI / 2)) throw new RangeError(`range: must lie in (0, π/2], got ${range}`);
  const seed = options.seed ?? study.seed ?? config.global_seed;
  const sampling = options.sampling ?? study.monte_carlo.sampling;
  const band = config.metrics.settling_band;
  const mcDisturbanceName = study.monte_carlo.disturbance;
  const mcDisturbance = mcDisturbanceName === null ? null : config.disturbances[mcDisturbanceName];
  const amplitudeScale = study.monte_carlo.amplitude_scale as readonly [number, number];
  const scenarios = Object.entries(config.disturbances);

  const controllers: Record<string, ControllerStudy> = {};
  for (const type of types) {
    const given = options.gains?.[type];
    // createController validates the gains (or designs LQR's K) once, here, with a clear error.
    const controller = createController(type, { config, ...(given ? { gains: given } : {}) });
    controllers[type] = { gains: [...controller.gains], gainsSource: given ? "gains" : "config" };
  }
  const result: StudyResult = {
    version: 1,
    seed,
    complete: false,
    partsDone: [],
    settings: {
      band,
      finalWindow: FINAL_WINDOW,
      monteCarlo: {
        runs: mcRuns,
        sampling,
        initialAngle: study.monte_carlo.initial_angle,
        disturbance: mcDisturbanceName,
        amplitudeScale,
      },
      basin: { grid, range },
    },
    config,
    controllers,
    elapsedMs: 0,
  };
  const recordings: StudyRecordings = { runs: {}, monteCarlo: {} };
  for (const type of types) recordings.runs[type] = { disturbances: {} };

  const perController = 1 + scenarios.length + mcRuns + grid * grid;
  const total = perController * types.length;
  let done = 0;
  const report = (part: StudyPart, n: number) => {
    done += n;
    options.onProgress?.({ part, done, total });
  };
  const setupOf = (type: string) => ({
    config,
    controllerType: type,
    gains: controllers[type].gains,
    band,
    finalWindow: FINAL_WINDOW,
  });
  const mcSpecs = monteCarloSpecs(config, {
    runs: mcRuns,
    sampling,
    seed,
    initialAngle: study.monte_carlo.initial_angle,
    disturbance: mcDisturbance,
    amplitudeScale,
  });
  const basin = basinSpecs(range, grid);

  await using executor = createStudyExecutor({
    workers: options.workers ?? 2,
    chunkSize: options.chunkSize,
    signal: options.signal,
  });
  const x0 = config.simulation.initial_state;
  const parts: Record<StudyPart, () => Promise<void>> = {
    nominal: async () => {
      const runs = await Promise.all(types.map((type) => executor.record({ ...setupOf(type), x0 })));
      types.forEach((type, i) => {
        recordings.runs[type].nominal = runs[i];
        controllers[type].nominal = nominalMetrics(runs[i], config);
      });
      report("nominal", types.length);
    },
    disturbances: async () => {
      const jobs = types.flatMap((type) =>
        scenarios.map(([name, disturbance]) => ({ type, name, disturbance }))
      );
      const runs = await Promise.all(
        jobs.map((j) => executor.record({ ...setupOf(j.type), x0, disturbance: j.disturbance })),
      );
      for (const type of types) controllers[type].disturbances = {};
      jobs.forEach((j, i) => {
        recordings.runs[j.type].disturbances[j.name] = runs[i];
        controllers[j.type].disturbances![j.name] = disturbanceMetrics(runs[i], j.disturbance, config);
      });
      report("disturbances", jobs.length);
    },
    monteCarlo: async () => {
      const packed = await Promise.all(
        types.map((type) => executor.runs(setupOf(type), mcSpecs, (n) => report("monteCarlo", n))),
      );
      types.forEach((type, i) => {
        const settlingTime = new Float64Array(mcRuns), maxAbsX = new Float64Array(mcRuns);
        let successes = 0, failures = 0;
        for (let r = 0; r < mcRuns; r++) {
          const o = r * SUMMARY_SIZE;
          settlingTime[r] = packed[i][o + SUMMARY_FIELDS.settlingTime];
          maxAbsX[r] = packed[i][o + SUMMARY_FIELDS.maxAbsX];
          if (packed[i][o + SUMMARY_FIELDS.success] === 1) successes++;
          if (packed[i][o + SUMMARY_FIELDS.status] !== 0) failures++;
        }
        const rate = wilsonInterval(successes, mcRuns);
        controllers[type].monteCarlo = {
          runs: mcRuns,
          successes,
          successRate: rate.successRate,
          ci95: rate.ci95,
          failures,
          settlingTime: percentiles(settlingTime),
          maxAbsX: percentiles(maxAbsX),
        };
        recordings.monteCarlo[type] = { settlingTime, maxAbsX };
      });
    },
    basin: async () => {
      const packed = await Promise.all(
        types.map((type) => executor.runs(setupOf(type), basin.specs, (n) => report("basin", n))),
      );
      types.forEach((type, i) => {
        const labels: BasinLabel[][] = [];
        for (let a = 0; a < grid; a++) {
          const row: BasinLabel[] = [];
          for (let b = 0; b < grid; b++) {
            const o = (a * grid + b) * SUMMARY_SIZE;
            const status = packed[i][o + SUMMARY_FIELDS.status];
            row.push(
              status !== 0
                ? "fell"
                : Number.isNaN(packed[i][o + SUMMARY_FIELDS.settlingTime])
                ? "not_settled"
                : "settled",
            );
          }
          labels.push(row);
        }
        const summary = summarizeBasin(basin.theta1, basin.theta2, labels);
        controllers[type].basin = {
          theta1: basin.theta1,
          theta2: basin.theta2,
          settled: labels.map((row) => row.map((l) => l === "settled")),
          labels,
          ...summary,
        };
      });
    },
  };
  try {
    for (const part of STUDY_PARTS) {
      options.signal?.throwIfAborted();
      await parts[part]();
      result.partsDone.push(part);
    }
    result.complete = true;
  } catch (error) {
    // Only an interruption ends a study early with a partial result; anything else is a failure.
    if (!options.signal?.aborted) throw error;
  }
  result.elapsedMs = performance.now() - started;
  return { result, recordings };
}
