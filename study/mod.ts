/**
 * Metrics of closed-loop runs, shared by the simulate, tune and study tasks (docs/metrics.md):
 * settling, overshoot, control effort, recovery after a disturbance and chattering.
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
  CHATTERING_FREQUENCY,
  type ChatteringMetrics,
  chatteringMetrics,
  powerShareAbove,
  type PowerSpectrum,
  powerSpectrum,
  signChangeRate,
  totalVariationRate,
} from "./chattering.ts";
export {
  type ClosedLoopMetrics,
  closedLoopMetrics,
  type DisturbanceWindow,
  type MetricsInput,
  type Overshoot,
  overshoot,
  type Recovery,
  recoveryTime,
  type RunMetrics,
  runMetrics,
  type RunMetricsOptions,
  SETTLING_BAND,
} from "./metrics.ts";
