/**
 * The controller study (docs/study.md) and the metrics of closed-loop runs it shares with the
 * simulate and tune tasks (docs/metrics.md): settling, overshoot, control effort, recovery after a
 * disturbance and chattering; statistics, sampling, the basin grid and the study runner.
 *
 * @example Usage
 * ```ts
 * import { runMetrics } from "./mod.ts";
 * const m = runMetrics({
 *   t: Float64Array.of(0, 0.1, 0.2),
 *   x: Float64Array.of(0, 0.05, 0, 0, 0, 0, 0.01, 0.01, 0, 0, 0, 0, 0.02, 0.001, 0, 0, 0, 0),
 *   u: Float64Array.of(2, -1),
 *   dt: 0.1,
 *   status: "ok",
 *   failTime: null,
 * });
 * console.log(m.settled, m.maxU, m.chattering.signChanges); // true 2 0
 * ```
 *
 * @module
 */
export {
  CHATTERING_DETREND,
  CHATTERING_FREQUENCY,
  CHATTERING_WINDOW,
  type ChatteringMetrics,
  chatteringMetrics,
  type Detrend,
  powerShareAbove,
  type PowerSpectrum,
  powerSpectrum,
  signChangeRate,
  type SpectralWindow,
  type SpectrumOptions,
  totalVariationRate,
} from "./chattering.ts";
export {
  type ClosedLoopMetrics,
  closedLoopMetrics,
  type DisturbanceWindow,
  type MetricsInput,
  type Overshoot,
  overshoot,
  type Peaks,
  peaksFrom,
  type Recovery,
  recoveryTime,
  type RunMetrics,
  runMetrics,
  type RunMetricsOptions,
  SETTLING_BAND,
} from "./metrics.ts";
export {
  percentiles,
  type PercentileSummary,
  quantileSorted,
  type RateInterval,
  wilsonInterval,
  Z_95,
} from "./statistics.ts";
export {
  latinHypercube,
  MAX_SOBOL_DIMENSIONS,
  MAX_SOBOL_POINTS,
  samplePoints,
  type SamplingMethod,
  sobolPoints,
} from "./sampling.ts";
export { basinAxis, type BasinLabel, type BasinSummary, summarizeBasin } from "./basin.ts";
export { basinSpecs, MONTE_CARLO_DIMENSIONS, type MonteCarloPlan, monteCarloSpecs } from "./plan.ts";
export { type RecordedRun, recordRun, type RecordTask } from "./record.ts";
export {
  runChunk,
  type RunSetup,
  type RunSpec,
  type RunSummary,
  scaledPhysics,
  SUMMARY_FIELDS,
  SUMMARY_SIZE,
  unpackSummary,
} from "./runs.ts";
export { createStudyExecutor, type StudyExecutor, type StudyExecutorOptions } from "./executor.ts";
export {
  controlSpectrum,
  type DisturbanceMetrics,
  disturbanceMetrics,
  type NominalMetrics,
  nominalMetrics,
} from "./summaries.ts";
export {
  type BasinResult,
  type ControllerStudy,
  type MonteCarloResult,
  runStudy,
  STUDY_PARTS,
  type StudyOptions,
  type StudyPart,
  type StudyProgress,
  type StudyRecordings,
  type StudyResult,
} from "./runner.ts";
