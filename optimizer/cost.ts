/**
 * The control cost of a closed-loop run (docs/tuning.md#control-cost): normalised, weighted integrals of the
 * state error, the control effort, the control rate and σ, plus a penalty for a run that fails.
 *
 * @module
 */
import type { CostFunctionConfig } from "../config/mod.ts";
import {
  type BatchWorkspace,
  RUN_STATUSES,
  STATE_SIZE,
  STATUS_DIVERGED,
  STATUS_OK,
  type Trajectory,
} from "../plant/mod.ts";
import { controlOffset, stateOffset } from "./batch_layout.ts";

/** Everything the cost needs besides the trajectory. */
export interface CostSettings {
  readonly weights: CostFunctionConfig["weights"];
  readonly norms: CostFunctionConfig["norms"];
  readonly instabilityPenalty: number;
  readonly timeWeighting: "none" | "linear";
  readonly dt: number;
  /** The requested horizon T (a run that fails at t_f pays penalty·(T − t_f)/T). */
  readonly duration: number;
  /**
   * The acceptance targets of docs/acceptance.md#nominal-control, enforced by {@linkcode
   * constraintPenaltyAt}.
   */
  readonly constraints: CostFunctionConfig["constraints"];
}

/**
 * Builds {@linkcode CostSettings} from the `cost_function` section and the simulation step and horizon.
 *
 * @example Usage
 * ```ts ignore
 * const settings = costSettings(config.cost_function, config.simulation.dt, config.simulation.duration);
 * ```
 *
 * @param cf The `cost_function` config section.
 * @param dt Simulation step [s].
 * @param duration Horizon T [s].
 * @returns The settings.
 */
export function costSettings(cf: CostFunctionConfig, dt: number, duration: number): CostSettings {
  return {
    weights: cf.weights,
    norms: cf.norms,
    instabilityPenalty: cf.instability_penalty,
    timeWeighting: cf.time_weighting,
    dt,
    duration,
    constraints: cf.constraints,
  };
}

/** The parts of a cost, each already normalised and weighted. */
export interface CostBreakdown {
  readonly stateError: number;
  readonly controlEffort: number;
  readonly controlRate: number;
  readonly sliding: number;
  readonly failurePenalty: number;
  readonly total: number;
}

/**
 * The allocation-free core: the cost of `steps` controls and the matching states of one run, read at
 * offsets (row-major states), given its status code and number of controls applied.
 *
 * ISE = Σ dt·Σ_j x_j² over the states at which a control was applied (optionally weighted by t/T),
 * U = Σ dt·u², DU = Σ dt·((u_k − u_{k−1})/dt)² (the first difference is 0), S = Σ dt·σ². A run that
 * failed at sample n (time n·dt) adds `penalty·(T − n·dt)/T`; a diverged run and an empty run
 * (`n` = 0, whatever its status) cost the full penalty, so no failed or empty run is ever cheap.
 *
 * @example Usage
 * ```ts ignore
 * const j = costAt(ws.x, p * (N + 1) * 6, ws.u, ws.sigma, p * N, ws.length[p] - 1, ws.status[p], settings);
 * ```
 *
 * @param x States buffer.
 * @param xo Offset of the run's first state.
 * @param u Controls buffer.
 * @param sigma σ buffer (same layout as `u`).
 * @param uo Offset of the run's first control.
 * @param n Number of controls applied.
 * @param status Status code (0 ok, 1 fell, 2 diverged, 3 off track).
 * @param s Cost settings.
 * @returns The total cost.
 */
export function costAt(
  x: Float64Array,
  xo: number,
  u: Float64Array,
  sigma: Float64Array,
  uo: number,
  n: number,
  status: number,
  s: CostSettings,
): number {
  const T = s.duration, dt = s.dt, penalty = s.instabilityPenalty;
  // An empty run (no control applied) proves nothing, whatever its status says: with the shortfall
  // charged only to failed runs, a status-ok run of 0 steps would cost exactly 0, the best cost.
  if (status === STATUS_DIVERGED || n === 0) return penalty;
  const linear = s.timeWeighting === "linear";
  let ise = 0, eff = 0, rate = 0, sl = 0, prev = n > 0 ? u[uo] : 0;
  for (let k = 0; k < n; k++) {
    const o = xo + k * STATE_SIZE;
    let e = 0;
    for (let j = 0; j < STATE_SIZE; j++) e += x[o + j] * x[o + j];
    ise += linear ? e * (k * dt) / T : e;
    const uk = u[uo + k];
    eff += uk * uk;
    const du = (uk - prev) / dt;
    rate += du * du;
    prev = uk;
    const sk = sigma[uo + k];
    sl += sk * sk;
  }
  const w = s.weights, nm = s.norms;
  let total = dt * (w.state_error * ise / nm.state_error + w.control_effort * eff / nm.control_effort +
    w.control_rate * rate / nm.control_rate + w.sliding * sl / nm.sliding);
  if (status !== STATUS_OK) total += penalty * Math.max(0, T - n * dt) / T;
  // Integrals of a run that blew up without being caught as diverged are still no excuse for NaN.
  return Number.isFinite(total) ? total : penalty;
}

/**
 * The cost of particle `p` of a batch workspace.
 *
 * @example Usage
 * ```ts ignore
 * const ws = simulateBatch({ particles, dt, steps });
 * const j0 = costOfBatchRun(ws, 0, settings);
 * ```
 *
 * @param ws The workspace from `simulateBatch`.
 * @param p Particle index.
 * @param s Cost settings.
 * @returns The cost.
 */
export function costOfBatchRun(ws: BatchWorkspace, p: number, s: CostSettings): number {
  const xo = stateOffset(p, ws.steps), uo = controlOffset(p, ws.steps);
  return costAt(ws.x, xo, ws.u, ws.sigma, uo, ws.length[p] - 1, ws.status[p], s);
}

/**
 * The control cost of one trajectory (docs/tuning.md#control-cost), with its parts.
 *
 * The parts add up to `total` (up to rounding); a diverged or empty run is all failure penalty, as
 * in {@linkcode costAt}.
 *
 * @example Usage
 * ```ts ignore
 * import { controlCost } from "./cost.ts";
 * const run = simulate({ plant, controller, x0, dt: 0.01, duration: 10 });
 * console.log(controlCost(run, config.cost_function).total);
 * ```
 *
 * @param run A trajectory from `simulate()`.
 * @param cf The `cost_function` config section.
 * @returns The breakdown; `total` equals what the tuner minimises for this run.
 */
export function controlCost(run: Trajectory, cf: CostFunctionConfig): CostBreakdown {
  const s = costSettings(cf, run.dt, run.duration);
  // The plant's status codes are the indices of its status names.
  const code = RUN_STATUSES.indexOf(run.status);
  const total = costAt(run.x, 0, run.u, run.sigma, 0, run.steps, code, s);
  const only = (key: keyof CostFunctionConfig["weights"]) =>
    costAt(run.x, 0, run.u, run.sigma, 0, run.steps, STATUS_OK, {
      ...s,
      weights: {
        state_error: 0,
        control_effort: 0,
        control_rate: 0,
        sliding: 0,
        [key]: s.weights[key],
      },
    });
  if (code === STATUS_DIVERGED || run.steps === 0) {
    // costAt() charges a diverged or empty run the full penalty and nothing else: report the same
    // split, or the finite integrals up to a blow-up would make the parts add up to more than the total.
    return {
      stateError: 0,
      controlEffort: 0,
      controlRate: 0,
      sliding: 0,
      failurePenalty: total,
      total,
    };
  }
  const failurePenalty = code === STATUS_OK
    ? 0
    : s.instabilityPenalty * Math.max(0, s.duration - run.steps * run.dt) / s.duration;
  return {
    stateError: only("state_error"),
    controlEffort: only("control_effort"),
    controlRate: only("control_rate"),
    sliding: only("sliding"),
    failurePenalty,
    total,
  };
}

/**
 * The hinge penalty that enforces the acceptance targets of docs/acceptance.md#nominal-control in the tuner's
 * robust cost (`cost_function.constraints`; 0 when `weight` is 0 or the run meets them).
 *
 * With t_s the settling time (the time from which |θ1|, |θ2| < band hold to the end; T for a run
 * that did not complete) and X the largest |x|: every run pays `weight·max(0, t_s − (T − final_window))/T`
 * (it must be inside the band over the final window), and the nominal run also pays
 * `weight·(max(0, t_s − settling_time)/T + max(0, X − max_cart_position) + max(0, X_f − final_cart_position))`,
 * per second of lateness over T and per metre of excess, with X_f the largest |x| over the final
 * window (the cart back near the origin at the end; `final_cart_position: null` drops that term).
 * The plain integrals alone favour surfaces whose slow cart mode settles late; the hinge leaves runs
 * that meet the targets untouched (docs/tuning.md#constraints).
 *
 * @example Usage
 * ```ts ignore
 * const extra = constraintPenaltyAt(ws.x, 0, ws.length[0] - 1, ws.status[0], settings, true);
 * ```
 *
 * @param x States buffer.
 * @param xo Offset of the run's first state.
 * @param n Number of controls applied (the run has n + 1 samples).
 * @param status Status code.
 * @param s Cost settings.
 * @param nominal Whether this is the nominal scenario (the settling and cart targets apply).
 * @returns The penalty, ≥ 0.
 */
export function constraintPenaltyAt(
  x: Float64Array,
  xo: number,
  n: number,
  status: number,
  s: CostSettings,
  nominal: boolean,
): number {
  const c = s.constraints, T = s.duration;
  if (c.weight === 0) return 0;
  let settle = T, maxX = 0;
  if (status === STATUS_OK) {
    settle = 0;
    for (let k = n; k >= 0; k--) {
      const o = xo + k * STATE_SIZE;
      if (!(Math.abs(x[o + 1]) < c.band && Math.abs(x[o + 2]) < c.band)) {
        settle = Math.min(T, (k + 1) * s.dt);
        break;
      }
    }
  }
  let penalty = Math.max(0, settle - (T - c.final_window)) / T;
  if (nominal) {
    // Samples from this index on lie in the final window (the last final_window seconds).
    const finalFrom = Math.max(0, Math.round((T - c.final_window) / s.dt));
    let maxXFinal = 0;
    for (let k = 0; k <= n; k++) {
      const v = Math.abs(x[xo + k * STATE_SIZE]);
      if (v > maxX) maxX = v;
      if (k >= finalFrom && v > maxXFinal) maxXFinal = v;
    }
    // A run that ended early never reached the final window: its cart term is the whole excursion.
    if (n < finalFrom) maxXFinal = maxX;
    penalty += Math.max(0, settle - c.settling_time) / T + Math.max(0, maxX - c.max_cart_position);
    if (c.final_cart_position !== null) penalty += Math.max(0, maxXFinal - c.final_cart_position);
  }
  // A diverged run has non-finite states; its cost is the full penalty already.
  return Number.isFinite(penalty) ? c.weight * penalty : c.weight;
}
