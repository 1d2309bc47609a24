/**
 * Shared setup of the sliding-mode controller tests (`smc_*_test.ts`): the shipped config, the four
 * sliding-mode types, the states the tests probe, config edits by parameter and the relative
 * comparison used against the reference.
 */
import assert from "assert";
import {
  type Config,
  loadConfig,
  type SlidingModeType as ControllerType,
  validateConfig,
} from "../../config/mod.ts";

/** The shipped config.yaml, loaded without environment overrides. */
export const CONFIG = loadConfig(new URL("../../config.yaml", import.meta.url), { env: {} });
/** The four sliding-mode controller types. */
export const TYPES: readonly ControllerType[] = [
  "classical_smc",
  "sta_smc",
  "adaptive_smc",
  "hybrid_adaptive_sta_smc",
];
/** The configured initial state, [0, 0.05, −0.03, 0, 0, 0]. */
export const X0 = CONFIG.simulation.initial_state;
/**
 * A generic state: every term of σ is non-zero, |σ| is well outside the dead zones (0.05) and the
 * boundary layers (0.3–0.4): 0.72–1.49 with the shipped gains, ≈ 0.5 with the nominal table.
 */
export const S1 = [0.1, 0.05, -0.03, 0.2, -0.1, 0.15];
/** Upright and at rest: σ = 0, inside every dead zone. */
export const S0 = [0, 0, 0, 0, 0, 0];

/** The shipped config with `controllers.<type>.<key>` replaced, validated like a loaded file. */
export function withParam(type: ControllerType, key: string, value: unknown): Config {
  const raw = structuredClone(CONFIG) as unknown as { controllers: Record<string, Record<string, unknown>> };
  raw.controllers[type][key] = value;
  return validateConfig(raw);
}

// Agreement between the controllers and the reference: both evaluate the same closed-form law in
// double precision, differing only in how d and f are formed (closed form vs. differencing two
// derivative evaluations of magnitude ≲ 100), so they agree to ~1e-14 relative. 1e-9 leaves a wide
// margin and is still orders below every effect the parameter tests look for (> 1e-6 absolute on
// values of at most ~50, the adaptive gains changing by dt·γ·|σ| ≈ 1e-4 per step).
export const REL = 1e-9;
/** Asserts `actual` equals `expected` to `rel` relative (absolute below 1), naming `what`. */
export function close(actual: number, expected: number, what: string, rel = REL): void {
  const tol = rel * Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, got ${actual} (difference ${Math.abs(actual - expected)} > ${tol})`,
  );
}
