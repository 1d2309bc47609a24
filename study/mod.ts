/**
 * The controller study: statistics, sampling and the basin-of-attraction grid
 * (docs/study.md).
 *
 * @module
 */
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
