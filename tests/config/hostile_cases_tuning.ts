/**
 * Hostile configs of `hostile_configs_test.ts`, part 3: the tuning's sections, pso, cost_function and
 * the uncertainties, and environment overrides.
 */
import { type HostileCase, REMOVE } from "./helpers.ts";

/** Problems in pso, cost_function, physics_uncertainty and uncertainty, and in DIP__ overrides. */
export const TUNING_CASES: readonly HostileCase[] = [
  // PSO.
  {
    name: "n_particles 0",
    edits: { "pso.n_particles": 0 },
    path: "pso.n_particles",
    fragment: "must be at least 1, got 0",
  },
  {
    name: "n_particles 1.5",
    edits: { "pso.n_particles": 1.5 },
    path: "pso.n_particles",
    fragment: "must be an integer, got 1.5",
  },
  {
    name: "iters as a string",
    edits: { "pso.iters": "200" },
    path: "pso.iters",
    fragment: 'must be an integer, got "200"',
  },
  { name: "w above 1.2", edits: { "pso.w": 1.5 }, path: "pso.w", fragment: "must be in [0, 1.2], got 1.5" },
  { name: "a negative c2", edits: { "pso.c2": -1 }, path: "pso.c2", fragment: "must be at least 0" },
  {
    name: "linear inertia without w_final",
    edits: { "pso.inertia": "linear" },
    path: "pso.w_final",
    fragment: 'must be a number when pso.inertia is "linear", got null',
  },
  {
    name: "a wrong topology",
    edits: { "pso.topology": "star" },
    path: "pso.topology",
    fragment: 'must be one of "global", "ring", got "star"',
  },
  {
    name: "ring_neighbours ≥ n_particles",
    edits: { "pso.topology": "ring", "pso.ring_neighbours": 40 },
    path: "pso.ring_neighbours",
    fragment: "must be less than pso.n_particles (40) with the ring topology, got 40",
  },
  {
    name: "velocity_clamp 0",
    edits: { "pso.velocity_clamp": 0 },
    path: "pso.velocity_clamp",
    fragment: "must be in (0, 1], got 0",
  },
  {
    name: "a wrong bound handling",
    edits: { "pso.bound_handling": "bounce" },
    path: "pso.bound_handling",
    fragment: '"periodic", got "bounce"',
  },
  {
    name: "stall_iterations 0",
    edits: { "pso.stall_iterations": 0 },
    path: "pso.stall_iterations",
    fragment: "must be at least 1",
  },
  {
    name: "a negative seed",
    edits: { "pso.seed": -1 },
    path: "pso.seed",
    fragment: "must be at least 0, got -1",
  },
  {
    name: "a fractional global_seed",
    edits: { global_seed: 4.2 },
    path: "global_seed",
    fragment: "must be an integer, got 4.2",
  },
  {
    name: "bounds lower ≥ upper",
    edits: { "pso.bounds.classical_smc.lower[0]": 40 },
    path: "pso.bounds.classical_smc.lower[0]",
    fragment: "must be less than pso.bounds.classical_smc.upper[0] (30), got 40",
  },
  {
    name: "a bound outside the gains' domain",
    edits: { "pso.bounds.adaptive_smc.lower[4]": 0 },
    path: "pso.bounds.adaptive_smc.lower[4]",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "bounds of the wrong length",
    edits: { "pso.bounds.hybrid_adaptive_sta_smc.upper": [30, 40, 30] },
    path: "pso.bounds.hybrid_adaptive_sta_smc.upper",
    fragment: "must have 4 values, got 3",
  },
  {
    name: "STA bounds without a K1 > K2 region at the lower corner",
    edits: { "pso.bounds.sta_smc.lower[1]": 1.0 },
    path: "pso.bounds.sta_smc.lower[1]",
    fragment: "must be less than pso.bounds.sta_smc.lower[0] (1) so that K1 > K2 is feasible, got 1",
  },
  {
    name: "missing bounds for a type",
    edits: { "pso.bounds.sta_smc": REMOVE },
    path: "pso.bounds.sta_smc",
    fragment: "missing required key",
  },
  // Cost function and uncertainty.
  {
    name: "a negative weight",
    edits: { "cost_function.weights.control_effort": -0.1 },
    path: "cost_function.weights.control_effort",
    fragment: "must be at least 0",
  },
  {
    name: "a zero norm",
    edits: { "cost_function.norms.sliding": 0 },
    path: "cost_function.norms.sliding",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "instability_penalty 0",
    edits: { "cost_function.instability_penalty": 0 },
    path: "cost_function.instability_penalty",
    fragment: "greater than 0",
  },
  {
    name: "a wrong time weighting",
    edits: { "cost_function.time_weighting": "quadratic" },
    path: "cost_function.time_weighting",
    fragment: 'got "quadratic"',
  },
  {
    name: "a negative constraint weight",
    edits: { "cost_function.constraints.weight": -1 },
    path: "cost_function.constraints.weight",
    fragment: "got -1",
  },
  {
    name: "a zero settling-time target",
    edits: { "cost_function.constraints.settling_time": 0 },
    path: "cost_function.constraints.settling_time",
    fragment: "got 0",
  },
  {
    name: "combine weights both 0",
    edits: { "cost_function.combine_weights.mean": 0, "cost_function.combine_weights.max": 0 },
    path: "cost_function.combine_weights",
    fragment: "mean and max must not both be 0",
  },
  {
    name: "a combine weight above 1",
    edits: { "cost_function.combine_weights.max": 1.3 },
    path: "cost_function.combine_weights.max",
    fragment: "must be in [0, 1], got 1.3",
  },
  {
    name: "n_evals 0",
    edits: { "physics_uncertainty.n_evals": 0 },
    path: "physics_uncertainty.n_evals",
    fragment: "must be at least 1, got 0",
  },
  {
    name: "an uncertainty of 50 %",
    edits: { "physics_uncertainty.cart_mass": 0.5 },
    path: "physics_uncertainty.cart_mass",
    fragment: "must be in [0, 0.5), got 0.5",
  },
  {
    name: "a negative initial_angle",
    edits: { "uncertainty.initial_angle": -0.1 },
    path: "uncertainty.initial_angle",
    fragment: "must be at least 0, got -0.1",
  },
  // Environment overrides.
  {
    name: "a bad env value",
    env: { DIP__PHYSICS__CART_MASS: "heavy" },
    path: "physics.cart_mass",
    fragment: 'got "heavy" (set by DIP__PHYSICS__CART_MASS)',
  },
  {
    name: "an env override of an unknown key",
    env: { DIP__PSO__FOO: "1" },
    path: "pso.foo",
    fragment: "unknown key set by DIP__PSO__FOO; allowed: n_particles",
  },
  {
    name: "an env override of an unknown section",
    env: { DIP__PLANT__DT: "1" },
    path: "plant",
    fragment: "unknown key set by DIP__PLANT__DT",
  },
  {
    name: "an env override below a number",
    env: { DIP__SIMULATION__DT__X: "1" },
    path: "simulation.dt.x",
    fragment: "DIP__SIMULATION__DT__X; simulation.dt is not a mapping",
  },
  {
    name: "an env value that is malformed YAML",
    env: { DIP__SIMULATION__INITIAL_STATE: "[0, 1" },
    path: "simulation.initial_state",
    fragment: "DIP__SIMULATION__INITIAL_STATE is not a valid YAML value",
  },
  {
    name: "an empty env value",
    env: { DIP__SIMULATION__DT: "" },
    path: "simulation.dt",
    fragment: "must be a number, got null (set by DIP__SIMULATION__DT)",
  },
];
