/**
 * The plant's golden cases, for `tests/plant/golden_test.ts`: the runs stored in
 * `undisturbed.json` and how to replay them (`cases.ts`). `generate.ts` beside it writes the file.
 *
 * @module
 */
export { DECIMAL_SAMPLES, digest, GOLDEN_CASES, type GoldenCase, runBatchCase, runCase } from "./cases.ts";
