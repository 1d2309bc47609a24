/**
 * The swarm's motion: the initial positions and velocities, and the move (velocity and position
 * update with bound handling). Every random draw of a run happens here, on the calling thread, from
 * the swarm's one {@linkcode Prng} seeded by `options.seed`, and never inside an evaluation. The
 * stream layout is
 *
 * 1. initial positions, `swarmSize × dims` draws, row-major (rows later replaced by
 *    `initialPositions` still consume their draws);
 * 2. initial velocities, `swarmSize × dims` draws, row-major, `v ~ U(lower − x, upper − x)` (so
 *    `x + v` is inside the box), then clamped;
 * 3. each move, for particle i, dimension j: `r1`, `r2`, then one draw if `boundHandling` is
 *    `"random"` and the particle left the box in that dimension.
 *
 * So a run is bit-identical for a given seed however (and in whatever order, on however many Workers)
 * its evaluations are computed. Nothing here allocates.
 *
 * @module
 */
import type { Prng } from "../random/mod.ts";
import type { ResolvedOptions } from "./pso_options.ts";

/** What the motion reads and writes: the swarm's options, stream and buffers (row-major). */
export interface SwarmMotion {
  readonly o: ResolvedOptions;
  readonly rng: Prng;
  /** `upper − lower` per dimension. */
  readonly range: Float64Array;
  /** The velocity clamp per dimension. */
  readonly vmax: Float64Array;
  readonly pos: Float64Array;
  readonly vel: Float64Array;
  readonly pbest: Float64Array;
  /** The informant of each particle (ring topology). */
  readonly nbest: Int32Array;
}

/**
 * Clamps `x` into `[l, u]`; NaN lands on the lower bound.
 *
 * @example Usage
 * ```ts
 * import { clampInto } from "./pso_dynamics.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([clampInto(2, 0, 1), clampInto(NaN, 0, 1), clampInto(0.5, 0, 1)], [1, 0, 0.5]);
 * ```
 *
 * @param x The value.
 * @param l The lower bound.
 * @param u The upper bound.
 * @returns The clamped value.
 */
export function clampInto(x: number, l: number, u: number): number {
  if (!(x >= l)) return l; // NaN lands on the lower bound
  return x > u ? u : x;
}

/**
 * Draws the initial positions (then overwrites the first rows with `initial`, clipped into the box)
 * and the initial velocities.
 *
 * @example Usage
 * ```ts ignore
 * initialiseSwarm(motion, options.initialPositions); // the ParticleSwarm constructor does this
 * ```
 *
 * @param m The swarm's motion state.
 * @param initial Rows that replace the first particles' random positions.
 */
export function initialiseSwarm(m: SwarmMotion, initial: readonly ArrayLike<number>[]): void {
  const { o, rng, range, vmax, pos, vel } = m;
  const n = o.swarmSize, d = o.dims, lower = o.lower, upper = o.upper;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      pos[i * d + j] = clampInto(lower[j] + range[j] * rng.next(), lower[j], upper[j]);
    }
  }
  initial.forEach((row, i) => {
    for (let j = 0; j < d; j++) pos[i * d + j] = clampInto(row[j], lower[j], upper[j]);
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j, vm = vmax[j];
      const v = lower[j] - pos[k] + range[j] * rng.next();
      vel[k] = v > vm ? vm : v < -vm ? -vm : v;
    }
  }
}

/**
 * Moves every particle once: `v ← w·v + c1·r1·(pbest − x) + c2·r2·(informant's pbest − x)`,
 * clamped, then `x ← x + v` with the bound handling of the options.
 *
 * @example Usage
 * ```ts ignore
 * moveSwarm(motion, inertia, bestIndex); // ParticleSwarm.ask() does this after a tell()
 * ```
 *
 * @param m The swarm's motion state.
 * @param w The inertia of this move.
 * @param bestIndex The global best particle (informant of all with the global topology).
 */
export function moveSwarm(m: SwarmMotion, w: number, bestIndex: number): void {
  const { o, rng, range, vmax, pos, vel, pbest, nbest } = m;
  const n = o.swarmSize, d = o.dims;
  const lower = o.lower, upper = o.upper, c1 = o.c1, c2 = o.c2;
  const ring = o.topology === "ring", mode = o.boundHandling, gbest = bestIndex;
  for (let i = 0; i < n; i++) {
    const g = (ring ? nbest[i] : gbest) * d;
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      const x = pos[k];
      const r1 = rng.next(), r2 = rng.next();
      let v = w * vel[k] + c1 * r1 * (pbest[k] - x) + c2 * r2 * (pbest[g + j] - x);
      const vm = vmax[j];
      if (v > vm) v = vm;
      else if (v < -vm) v = -vm;
      if (v - v !== 0) v = 0; // only reachable without a clamp and with diverging parameters
      let xn = x + v;
      const l = lower[j], u = upper[j];
      if (xn < l || xn > u) {
        const r = range[j];
        switch (mode) {
          case "clip":
            // MATLAB: clip, and zero the velocity component that points outward.
            if (xn < l) {
              xn = l;
              if (v < 0) v = 0;
            } else {
              xn = u;
              if (v > 0) v = 0;
            }
            break;
          case "reflect": {
            let y = (xn - l) % (2 * r);
            if (y < 0) y += 2 * r;
            xn = y > r ? l + (2 * r - y) : l + y;
            v = -v;
            break;
          }
          case "random":
            xn = l + r * rng.next();
            v = 0;
            break;
          case "periodic": {
            let y = (xn - l) % r;
            if (y < 0) y += r;
            xn = l + y;
            break;
          }
        }
      }
      // Rounding in the folds above (l + y) can land an ulp outside: no particle is ever
      // evaluated outside the box.
      pos[k] = clampInto(xn, l, u);
      vel[k] = v;
    }
  }
}
