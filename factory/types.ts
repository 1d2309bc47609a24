/**
 * The types the factory and the built-in constructors share. It imports none of the factory's own
 * modules, so both can import it without importing each other.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";

/** What a controller constructor registered in the registry receives. */
export interface ControllerCreateOptions {
  /** Validated gains, resolved by precedence. */
  readonly gains: readonly number[];
  /** The validated config, when the caller gave one. */
  readonly config?: Config;
  /** Step for the controller's internal dynamics. */
  readonly dt: number;
}
