/**
 * The optimiser's goldens, for `tests/optimizer/golden_test.ts`: the computations that
 * `generate.ts` ran to write the JSON files beside it, so that the test recomputes exactly the same
 * values and compares them with what is stored.
 *
 * @module
 */
export {
  bitsOf,
  computeOptimizeGolden,
  computePrngGolden,
  computeTunerGolden,
  GOLDEN_FILES,
  OPTIMIZE_CASES,
  type OptimizeGolden,
  PRNG_LABELS,
  PRNG_SEEDS,
  type PrngGolden,
  rosenbrock,
  type RunGolden,
  type StreamGolden,
  TUNER_CASES,
  type TunerGolden,
  tunerGolden,
  type TunerGoldens,
  tunerOptions,
} from "./generate.ts";
