/**
 * The run history the swarm records and its saved state carries. It imports none of the
 * optimizer's own modules, so `pso_swarm.ts` and `pso_state.ts` can both import it without
 * importing each other.
 *
 * @module
 */

/** Per-iteration history (one entry per iteration, the initial swarm included). */
export interface PSOHistory {
  /** Best cost so far; never increases. */
  readonly best: number[];
  /** Mean of the personal best costs. */
  readonly meanPersonalBest: number[];
  /**
   * Diversity of the positions evaluated in the iteration: the mean over particles of the Euclidean
   * distance to the swarm centroid, each coordinate divided by its range (so it is scale-free;
   * 0 means the swarm has collapsed to a point).
   */
  readonly diversity: number[];
}
