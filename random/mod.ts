/**
 * The project's one seeded pseudo-random number generator: xoshiro128** seeded through splitmix32,
 * with a capturable state, derived sub-streams and in-place reseeding. A leaf folder (it imports
 * nothing from the project), so that every layer, from the plant's disturbance models to the
 * optimiser, draws from the same generator.
 *
 * @example Usage
 * ```ts
 * import { Prng } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const rng = new Prng(42);
 * const first = rng.next();
 * rng.reseed(42);
 * assert.equal(rng.next(), first);
 * ```
 *
 * @module
 */

export { Prng, PRNG_ALGORITHM, type PrngState } from "./prng.ts";
export { describeValue } from "./values.ts";
