/**
 * Test-only helpers of the factory. Not part of the public API (factory/mod.ts does not export
 * them): import this module from tests only.
 *
 * @module
 */
import { controllerRegistry } from "./factory.ts";

/**
 * Restores the built-in registry snapshot (custom registrations are dropped) and zeroes its counts.
 * For tests only: a test that registers a custom controller calls it in `finally`, so the next
 * test sees the built-in types.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resetRegistryForTests } from "./testing.ts";
 * import { listAvailableControllers } from "./mod.ts";
 * resetRegistryForTests();
 * assert.ok(listAvailableControllers().includes("lqr"));
 * ```
 */
export function resetRegistryForTests(): void {
  controllerRegistry.reset();
}
