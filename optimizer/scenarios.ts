/**
 * Robust-cost scenarios (docs/tuning.md#robust-scenarios): scenario 0 is the nominal physics from
 * `simulation.initial_state`; every other scenario draws each physics parameter uniformly within ±pct of
 * nominal and perturbs θ1 and θ2 uniformly by ±`uncertainty.initial_angle`. The draws come from one seeded
 * stream, made once per run, so every particle and every iteration sees the same scenarios.
 *
 * @module
 */
import { type Config, PHYSICS_KEYS, type PhysicsConfig } from "../config/mod.ts";
import type { Scenario } from "./evaluate.ts";

/** A source of uniform numbers in [0, 1). */
export interface UniformSource {
  next(): number;
}

/** Options of {@linkcode createScenarios}. */
export interface ScenarioOptions {
  /** Number of scenarios, default `physics_uncertainty.n_evals`. */
  readonly count?: number;
}

/**
 * Draws the scenarios of a robust-cost run.
 *
 * Draw order (fixed, so a seed always gives the same list): for scenario i = 1 … n − 1, one draw per
 * physics parameter in {@linkcode PHYSICS_KEYS} order, then one for θ1 and one for θ2. A parameter
 * with 0 uncertainty still consumes its draw, so changing one percentage does not reshuffle the rest.
 *
 * @example Usage
 * ```ts ignore
 * const scenarios = createScenarios(config, createPrng(42));
 * console.log(scenarios.length); // physics_uncertainty.n_evals
 * ```
 *
 * @param config The validated config.
 * @param rng The seeded stream.
 * @param options Optional scenario count.
 * @returns The scenarios, nominal first.
 */
export function createScenarios(
  config: Config,
  rng: UniformSource,
  options: ScenarioOptions = {},
): Scenario[] {
  const count = options.count ?? config.physics_uncertainty.n_evals;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`scenario count: must be an integer ≥ 1, got ${count}`);
  }
  const nominal = config.physics;
  const x0 = [...config.simulation.initial_state];
  const angle = config.uncertainty.initial_angle;
  const scenarios: Scenario[] = [{ physics: { ...nominal }, x0 }];
  for (let i = 1; i < count; i++) {
    const physics: Record<string, number> = {};
    for (const key of PHYSICS_KEYS) {
      const pct = config.physics_uncertainty[key];
      physics[key] = nominal[key] * (1 + pct * (2 * rng.next() - 1));
    }
    const perturbed = [...x0];
    perturbed[1] += angle * (2 * rng.next() - 1);
    perturbed[2] += angle * (2 * rng.next() - 1);
    scenarios.push({ physics: physics as unknown as PhysicsConfig, x0: perturbed });
  }
  return scenarios;
}
