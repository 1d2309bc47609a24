/**
 * Hostile configs of `hostile_configs_test.ts`, part 2: the model's sections, physics, simulation,
 * gains (through gains/gains.ts) and controllers.
 */
import { type HostileCase, raw, replaced } from "./helpers.ts";

/** Problems in physics, simulation, controller_defaults and controllers. */
export const MODEL_CASES: readonly HostileCase[] = [
  // Physics.
  {
    name: "a negative mass",
    edits: { "physics.cart_mass": -1.5 },
    path: "physics.cart_mass",
    fragment: "must be greater than 0, got -1.5",
  },
  {
    name: "a zero mass",
    edits: { "physics.pendulum2_mass": 0 },
    path: "physics.pendulum2_mass",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "a zero length",
    edits: { "physics.pendulum1_length": 0 },
    path: "physics.pendulum1_length",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "a zero inertia",
    edits: { "physics.pendulum2_inertia": 0 },
    path: "physics.pendulum2_inertia",
    fragment: "must be greater than 0",
  },
  {
    name: "zero gravity",
    edits: { "physics.gravity": 0 },
    path: "physics.gravity",
    fragment: "must be greater than 0",
  },
  {
    name: "a negative friction",
    edits: { "physics.joint2_friction": -0.001 },
    path: "physics.joint2_friction",
    fragment: "must be at least 0, got -0.001",
  },
  {
    name: "a COM beyond the link",
    edits: { "physics.pendulum1_com": 0.45 },
    path: "physics.pendulum1_com",
    fragment: "must be less than physics.pendulum1_length (0.4), got 0.45",
  },
  {
    name: "a COM at the link's end",
    edits: { "physics.pendulum2_com": 0.3 },
    path: "physics.pendulum2_com",
    fragment: "must be less than physics.pendulum2_length (0.3), got 0.3",
  },
  // Simulation.
  {
    name: "dt = 0",
    edits: { "simulation.dt": 0 },
    path: "simulation.dt",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "dt < 0",
    edits: { "simulation.dt": -0.01 },
    path: "simulation.dt",
    fragment: "must be greater than 0, got -0.01",
  },
  {
    name: "duration < dt",
    edits: { "simulation.duration": 0.005 },
    path: "simulation.duration",
    fragment: "must be at least simulation.dt (0.01), got 0.005",
  },
  {
    name: "initial_state of length 5",
    edits: { "simulation.initial_state": [0, 0.05, -0.03, 0, 0] },
    path: "simulation.initial_state",
    fragment: "must have 6 values, got 5",
  },
  {
    name: "initial_state as a number",
    edits: { "simulation.initial_state": 0 },
    path: "simulation.initial_state",
    fragment: "must be an array of 6 numbers, got 0",
  },
  {
    name: "a wrong integrator",
    edits: { "simulation.integrator": "rk5" },
    path: "simulation.integrator",
    fragment: 'must be one of "rk4", "euler", got "rk5"',
  },
  {
    name: "a wrong plant model",
    edits: { "simulation.plant_model": "Full" },
    path: "simulation.plant_model",
    fragment: 'must be one of "full", "simplified", got "Full"',
  },
  {
    name: "fall_angle above π",
    edits: { "simulation.fall_angle": 4 },
    path: "simulation.fall_angle",
    fragment: "must be in (0, 3.141592653589793], got 4",
  },
  {
    name: "track_limit 0",
    edits: { "simulation.track_limit": 0 },
    path: "simulation.track_limit",
    fragment: "must be greater than 0, got 0",
  },
  {
    name: "track_limit as a string",
    edits: { "simulation.track_limit": "none" },
    path: "simulation.track_limit",
    fragment: 'must be a number or null, got "none"',
  },
  // Gains (through gains/gains.ts).
  {
    name: "default gains too short",
    edits: { "controller_defaults.classical_smc.gains": [1, 2, 3] },
    path: "controller_defaults.classical_smc.gains",
    fragment: "must have 6 values (k1, k2, lambda1, lambda2, K, kd), got 3",
  },
  {
    name: "a NaN default gain",
    // The shipped adaptive lambda1, written as text: the case is a YAML `.nan` literal in place of
    // whatever value config.yaml ships (so it follows the file when the defaults are re-tuned).
    text: replaced(
      `${(raw().controller_defaults as Record<string, { gains: number[] }>).adaptive_smc.gains[2]},`,
      ".nan,",
    ),
    path: "controller_defaults.adaptive_smc.gains[2]",
    fragment: "must be finite, got NaN",
  },
  {
    name: "STA K1 < K2 in controller_defaults",
    edits: { "controller_defaults.sta_smc.gains": [4.8375, 8.0025, 0.5, 2.5566, 23.8959, 6.7883] },
    path: "controller_defaults.sta_smc.gains[1]",
    fragment: "must be smaller than K1 (4.8375)",
  },
  {
    name: "gains that are not a list",
    edits: { "controller_defaults.sta_smc.gains": "8, 4, 1, 2, 3, 4" },
    path: "controller_defaults.sta_smc.gains",
    fragment: "must be an array of 6 numbers",
  },
  {
    name: "a negative configured gain",
    edits: { "controllers.hybrid_adaptive_sta_smc.gains": [1, 20, 2, -6] },
    path: "controllers.hybrid_adaptive_sta_smc.gains[3]",
    fragment: "must be greater than 0, got -6",
  },
  // Controllers.
  {
    name: "boundary_layer 0",
    edits: { "controllers.classical_smc.boundary_layer": 0 },
    path: "controllers.classical_smc.boundary_layer",
    fragment: "must be greater than 0",
  },
  {
    name: "max_force negative",
    edits: { "controllers.sta_smc.max_force": -150 },
    path: "controllers.sta_smc.max_force",
    fragment: "must be greater than 0",
  },
  {
    name: "cart_gain negative",
    edits: { "controllers.adaptive_smc.cart_gain": -0.5 },
    path: "controllers.adaptive_smc.cart_gain",
    fragment: "must be at least 0",
  },
  {
    name: "a wrong switch method",
    edits: { "controllers.sta_smc.switch_method": "sign" },
    path: "controllers.sta_smc.switch_method",
    fragment: 'got "sign"',
  },
  {
    name: "a wrong controller model",
    edits: { "controllers.classical_smc.model": "exact" },
    path: "controllers.classical_smc.model",
    fragment: 'must be one of "full", "simplified"',
  },
  {
    name: "controllability_threshold 0",
    edits: { "controllers.hybrid_adaptive_sta_smc.controllability_threshold": 0 },
    path: "controllers.hybrid_adaptive_sta_smc.controllability_threshold",
    fragment: "greater than 0",
  },
  {
    name: "K_min ≥ K_max",
    edits: { "controllers.adaptive_smc.K_min": 100 },
    path: "controllers.adaptive_smc.K_min",
    fragment: "must be less than controllers.adaptive_smc.K_max (100), got 100",
  },
  {
    name: "K_init outside [K_min, K_max]",
    edits: { "controllers.adaptive_smc.K_init": 0.01 },
    path: "controllers.adaptive_smc.K_init",
    fragment: "must be within [K_min, K_max] = [0.1, 100], got 0.01",
  },
  {
    name: "adapt_rate_limit 0",
    edits: { "controllers.adaptive_smc.adapt_rate_limit": 0 },
    path: "controllers.adaptive_smc.adapt_rate_limit",
    fragment: "greater than 0",
  },
  {
    name: "a negative leak",
    edits: { "controllers.hybrid_adaptive_sta_smc.leak": -0.01 },
    path: "controllers.hybrid_adaptive_sta_smc.leak",
    fragment: "must be at least 0",
  },
  {
    name: "a negative gamma1",
    edits: { "controllers.hybrid_adaptive_sta_smc.gamma1": -2 },
    path: "controllers.hybrid_adaptive_sta_smc.gamma1",
    fragment: "must be at least 0",
  },
  {
    name: "k_max not above the initial gains",
    edits: { "controllers.hybrid_adaptive_sta_smc.k_max": 4 },
    path: "controllers.hybrid_adaptive_sta_smc.k_max",
    fragment: "must be greater than max(k1_init, k2_init) (4), got 4",
  },
];
