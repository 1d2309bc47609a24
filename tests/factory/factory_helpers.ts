/**
 * Shared setup of the controller factory tests: the shipped config, loaded and as plain YAML, the
 * registered types, the custom-controller fixture and a mutable copy of the config to edit.
 */
import { parse } from "yaml";
import { loadConfig } from "../../config/mod.ts";

/** The shipped config.yaml. */
export const CONFIG_URL = new URL("../../config.yaml", import.meta.url);
/** The shipped config, loaded without environment overrides. */
export const CONFIG = loadConfig(CONFIG_URL, { env: {} });
/** config.yaml as plain parsed YAML: independent of the config loader. */
export const RAW = parse(Deno.readTextFileSync(CONFIG_URL));
/** The built-in controller types, sorted. */
export const TYPES = ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "lqr", "sta_smc"] as const;
/** The sliding-mode types: the ones with `controller_defaults` in config.yaml. */
export const SMC_TYPES = ["adaptive_smc", "classical_smc", "hybrid_adaptive_sta_smc", "sta_smc"] as const;
/** The built-in types as an UnknownControllerError message lists them. */
export const AVAILABLE = "adaptive_smc, classical_smc, hybrid_adaptive_sta_smc, lqr, sta_smc";
/** The configured initial state. */
export const X0 = [0, 0.05, -0.03, 0, 0, 0];
/** The module of the custom state-feedback controller fixture. */
export const FIXTURE = new URL("../fixtures/custom_controller.ts", import.meta.url);

/** A mutable deep copy of the shipped config, to edit before validation. */
// deno-lint-ignore no-explicit-any
export function rawConfig(): any {
  return structuredClone(RAW);
}
