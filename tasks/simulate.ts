/**
 * `deno task simulate`: one closed-loop run of the configured plant with one controller, its
 * metrics on stdout (text or JSON) and optionally an SVG plot of θ1, θ2, x, u (and the disturbance
 * force when there is one).
 *
 * ```
 * deno task simulate --controller sta_smc
 * deno task simulate --controller classic_smc --gains 0.5,2.3,11,16,6.6,1.9 --plot out/classical.svg
 * deno task simulate --controller hybrid --gains-file out/gains.json --json
 * deno task simulate --controller sta_smc --disturbance impulse --noise 0.001 --seed 3
 * ```
 *
 * @module
 */
import {
  type Config,
  ConfigError,
  CONTROLLER_TYPES,
  type ControllerType,
  DEFAULT_CONFIG_PATH,
} from "../config/mod.ts";
import {
  canonicalControllerType,
  createController,
  listAvailableControllers,
  UnknownControllerError,
  validateGains,
} from "../factory/mod.ts";
import {
  createPlant,
  type DisturbanceSpec,
  type NoiseSpec,
  runSettings,
  simulate,
  SimulationSizeError,
  type Trajectory,
} from "../plant/mod.ts";
import { controlCost } from "../optimizer/mod.ts";
import { type RunMetrics, runMetrics } from "../study/mod.ts";
import { type ChartSeries, type LineChartOptions, stackedChartsSvg } from "./svg.ts";
import {
  checkOutputPaths,
  type CliOptions,
  EXIT,
  formatOptions,
  intOption,
  loadConfigFlag,
  parseCli,
  TaskError,
  type TextFileWriter,
  UsageError,
  writeTextFileCreatingFolders,
} from "./cli.ts";
import { gainsOf, readGainsFile } from "./gains_file.ts";

/** The simulate task's options: `parseArgs` reads this table and {@linkcode usage} is made from it. */
export const SIMULATE_OPTIONS = {
  controller: {
    type: "string",
    arg: "<name>",
    description: "controller type (aliases accepted, list below)",
  },
  gains: {
    type: "string",
    arg: "a,b,c,...",
    description: "explicit gains; they win over --gains-file and the config",
  },
  "gains-file": {
    type: "string",
    arg: "<path>",
    description: 'JSON { "<controller>": [gains...] } as written by `deno task tune`',
  },
  config: {
    type: "string",
    arg: "<path>",
    description: `configuration file (default ${DEFAULT_CONFIG_PATH})`,
  },
  plot: {
    type: "string",
    arg: "<file.svg>",
    description: "write θ1, θ2, x and u over time as a standalone SVG (missing folders are created)",
  },
  disturbance: {
    type: "string",
    arg: "<name>",
    description:
      "apply the named scenario of the config's disturbances section (a force on the cart, measurement noise or both) and report the recovery after it",
  },
  noise: {
    type: "string",
    arg: "<std>",
    description:
      "Gaussian measurement noise with this std on every state the controller sees (replaces the scenario's noise)",
  },
  seed: { type: "string", arg: "<n>", description: "seed of the --noise noise (default global_seed)" },
  json: { type: "boolean", description: "print the metrics as JSON" },
  help: { type: "boolean", short: "h", description: "show this help" },
} as const satisfies CliOptions;

/** Collaborators of {@linkcode main}; all optional. */
export interface SimulateTaskDeps {
  /** Receives stdout text, one call per line block (default: console.log). */
  readonly stdout?: (text: string) => void;
  /** Receives stderr text (default: console.error). */
  readonly stderr?: (text: string) => void;
  /**
   * The control cost of the run (docs/tuning.md#control-cost), printed with the metrics and added to the JSON
   * as `cost`. Default: `controlCost(run, config.cost_function).total`, the nominal cost the tuner uses.
   */
  readonly cost?: (run: Trajectory, config: Config) => number;
  /** Writes the `--plot` file (default: creates the missing folders, then writes). */
  readonly writeTextFile?: TextFileWriter;
}

function defaultCost(run: Trajectory, config: Config): number {
  return controlCost(run, config.cost_function).total;
}

/**
 * The usage text printed by `--help` and on bad arguments, generated from {@linkcode SIMULATE_OPTIONS}.
 *
 * @example Every flag is listed
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIMULATE_OPTIONS, usage } from "./simulate.ts";
 * for (const flag of Object.keys(SIMULATE_OPTIONS)) assert.ok(usage().includes(`--${flag}`), flag);
 * ```
 *
 * @returns The text.
 */
export function usage(): string {
  return `Usage: deno task simulate --controller <name> [options]

Runs one closed loop of the configured plant (simulation.* in the config) and prints its metrics.

Options:
${formatOptions(SIMULATE_OPTIONS)}

Controllers: ${listAvailableControllers().join(", ")}

Exit codes: 0 the run was simulated (its status is in the output), 1 the plot could not be written
(the metrics are still printed) or the run is too large to hold in memory, 2 bad arguments, a config or
gains file that cannot be read or is invalid, or an output path that cannot be written.`;
}

/**
 * Parses `--gains a,b,c` into numbers: every entry must be a numeric literal.
 *
 * @example Usage
 * ```ts
 * import { parseGainList } from "./simulate.ts";
 * console.log(parseGainList("0.5, 2.3,1e1")); // [0.5, 2.3, 10]
 * ```
 *
 * @param text The comma-separated list.
 * @returns The gains.
 * @throws {Error} Naming the first entry that is not a number.
 */
export function parseGainList(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  return parts.map((s, i) => {
    // Number("") is 0 and Number(" ") is 0: an empty entry is a typo, not a zero gain.
    const v = s === "" ? NaN : Number(s);
    if (Number.isNaN(v)) {
      throw new UsageError(`--gains: entry ${i + 1} of ${parts.length} is not a number, got "${s}"`);
    }
    return v;
  });
}

function gainsOrigin(config: Config, type: string): string {
  // Same precedence as createController(); a custom registered type has no config section.
  if (!(CONTROLLER_TYPES as readonly string[]).includes(type)) return "registry default";
  const t = type as ControllerType;
  if (config.controllers[t].gains !== undefined) return `controllers.${t}.gains`;
  if ((config.controller_defaults as Partial<Record<ControllerType, unknown>>)[t] !== undefined) {
    return `controller_defaults.${t}.gains`;
  }
  // lqr without configured gains: the factory designs K from controllers.lqr.Q and R.
  return t === "lqr" ? "designed from controllers.lqr.Q and R" : "registry default";
}

/** A per-step signal as a staircase: each value held from t_k to t_{k+1}, as the plant saw it. */
function holdSeries(run: Trajectory, values: Float64Array, name: string): ChartSeries {
  const t = new Float64Array(2 * run.steps), y = new Float64Array(2 * run.steps);
  for (let k = 0; k < run.steps; k++) {
    t[2 * k] = run.t[k];
    t[2 * k + 1] = run.t[k + 1];
    y[2 * k] = y[2 * k + 1] = values[k];
  }
  return { name, t, y };
}

/**
 * The plot of a run: θ1 and θ2 with the settling band, x, u, and the disturbance force (the step
 * means the plant saw) in a fifth panel when the run had one.
 */
function plotRun(run: Trajectory, title: string, settlingBand: number): string {
  const n = run.steps + 1;
  const col = (j: number) => Float64Array.from({ length: n }, (_, k) => run.x[6 * k + j]);
  const band = [{ y: settlingBand, label: `±${settlingBand} rad` }, { y: -settlingBand }];
  const panels: LineChartOptions[] = [
    {
      title: `${title}: θ1`,
      yLabel: "θ1 [rad]",
      guides: band,
      series: [{ name: "θ1", t: run.t, y: col(1) }],
    },
    { title: "θ2", yLabel: "θ2 [rad]", guides: band, series: [{ name: "θ2", t: run.t, y: col(2) }] },
    { title: "cart position x", yLabel: "x [m]", series: [{ name: "x", t: run.t, y: col(0) }] },
    {
      title: "control force u (zero-order hold)",
      yLabel: "u [N]",
      xLabel: run.disturbance === undefined ? "t [s]" : undefined,
      series: [holdSeries(run, run.u, "u")],
    },
  ];
  if (run.disturbance !== undefined) {
    panels.push({
      title: "disturbance force d on the cart (mean over each step)",
      yLabel: "d [N]",
      xLabel: "t [s]",
      series: [holdSeries(run, run.disturbance, "d")],
    });
  }
  return stackedChartsSvg(panels);
}

/** Parses a standard-deviation flag: a finite number ≥ 0, as the config's `noise.std` entries. */
function parseStdFlag(flag: string, text: string): number {
  const v = text.trim() === "" ? NaN : Number(text);
  if (!(Number.isFinite(v) && v >= 0)) {
    throw new UsageError(`${flag}: must be a finite number ≥ 0, got "${text}"`);
  }
  return v;
}

/**
 * The disturbance of the run: the named scenario of `config.disturbances` (an unknown name is a
 * usage error listing the names), with its noise replaced by `--noise` when given; undefined when
 * neither flag is.
 */
function pickDisturbance(
  config: Config,
  name: string | undefined,
  noiseStd: number | undefined,
  seed: number | undefined,
): { name: string | undefined; spec: DisturbanceSpec } | undefined {
  let spec: DisturbanceSpec = {};
  if (name !== undefined) {
    if (!Object.hasOwn(config.disturbances, name)) {
      const names = Object.keys(config.disturbances).sort();
      throw new UsageError(
        `--disturbance: unknown scenario "${name}": available are ${
          names.length ? names.join(", ") : "none (the config's disturbances section is empty)"
        }`,
      );
    }
    spec = config.disturbances[name];
  }
  if (noiseStd !== undefined) {
    const noise: NoiseSpec = { std: Array(6).fill(noiseStd), seed: seed ?? config.global_seed };
    spec = { ...spec, noise };
  }
  return name === undefined && noiseStd === undefined ? undefined : { name, spec };
}

/** A number for the text output; a NaN or infinite value (a diverged run's peaks) is said in words. */
const num = (v: number, digits = 4) =>
  Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : NOT_A_NUMBER_TEXT;

/**
 * What the text output prints for a value a diverged run leaves without a number (JSON has null).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { NOT_A_NUMBER_TEXT } from "./simulate.ts";
 * assert.equal(NOT_A_NUMBER_TEXT, "n/a (diverged)");
 * ```
 */
export const NOT_A_NUMBER_TEXT = "n/a (diverged)";

/** One line describing the applied disturbance. */
function describeDisturbance(name: string | undefined, spec: DisturbanceSpec): string {
  const parts: string[] = [];
  const f = spec.force;
  if (f !== undefined) {
    const start = f.start ?? 0;
    parts.push(
      f.kind === "impulse"
        ? `impulse ${f.amplitude} N from ${start} s for ${f.duration} s`
        : f.kind === "step"
        ? `step ${f.amplitude} N from ${start} s`
        : f.kind === "sine"
        ? `sine ${f.amplitude} N at ${f.frequency} Hz from ${start} s`
        : `random ${f.std} N std up to ${f.bandwidth} Hz from ${start} s (seed ${f.seed})`,
    );
  }
  if (spec.noise !== undefined) {
    parts.push(`noise std [${spec.noise.std.join(", ")}] (seed ${spec.noise.seed})`);
  }
  return `${name ?? "--noise"}: ${parts.join(" + ")}`;
}

function formatText(
  type: string,
  gains: readonly number[],
  origin: string,
  config: Config,
  m: RunMetrics,
  cost: number | undefined,
  disturbance: { name: string | undefined; spec: DisturbanceSpec } | undefined,
): string {
  const sim = config.simulation;
  const lines = [
    `controller      ${type}`,
    `gains           [${gains.join(", ")}] (${origin})`,
    `plant           ${sim.plant_model} model, ${sim.integrator}, dt ${sim.dt} s, ${sim.duration} s from [${
      sim.initial_state.join(", ")
    }]`,
    `status          ${m.status}${m.failTime === null ? "" : ` at t = ${num(m.failTime)} s`}`,
    `settling time   ${
      m.settlingTime === null ? "not settled" : `${num(m.settlingTime)} s`
    } (|θ1|, |θ2| < ${m.band} rad held to the end)`,
    `max |θ1|        ${num(m.maxTheta1)} rad`,
    `max |θ2|        ${num(m.maxTheta2)} rad`,
    `max |x|         ${num(m.maxX)} m`,
    `max |u|         ${num(m.maxU)} N`,
    `control energy  ${num(m.controlEnergy)} N²·s (∫u² dt)`,
    `overshoot       θ1 ${m.overshootTheta1 === null ? "n/a" : num(m.overshootTheta1)}, θ2 ${
      m.overshootTheta2 === null ? "n/a" : num(m.overshootTheta2)
    } (max |θi| / |θi(0)|)`,
    `total variation ${num(m.chattering.totalVariation)} N/s (Σ|Δu| per second)`,
    `Δu sign changes ${num(m.chattering.signChanges)} per second`,
    `chattering      ${
      num(100 * m.chattering.highFrequencyShare)
    } % of u's power above ${m.chattering.frequency} Hz`,
  ];
  if (disturbance !== undefined) {
    lines.push(`disturbance     ${describeDisturbance(disturbance.name, disturbance.spec)}`);
  }
  const r = m.recovery;
  if (r !== null) {
    lines.push(
      `recovery        ${
        r.fromStart === null
          ? "not recovered"
          : `${num(r.fromStart)} s from the force's start${
            r.fromEnd === null ? "" : `, ${num(r.fromEnd)} s from its end`
          }${r.leftBand ? "" : " (never left the band)"}`
      } (|θ1|, |θ2| < ${r.band} rad held to the end)`,
    );
  }
  if (cost !== undefined) lines.push(`cost            ${num(cost, 6)}`);
  return lines.join("\n");
}

/**
 * Runs the simulate task with command-line `args` and returns the exit code.
 *
 * Bad arguments (unknown flag, missing or unknown controller, a gain that is not a number, the
 * wrong number of gains or gains the controller rejects), a config or gains file that cannot be read
 * or a gains file with a bad entry (naming the flag and the path), and a `--plot` path that cannot be
 * written (checked before the run; missing folders are created) print the problem and the usage to
 * stderr and return 2; an invalid configuration prints its problems (without the usage) and returns
 * 2 too. A plot whose write fails after the run returns 1 (the metrics are printed first). A
 * simulated run returns 0 whatever its status, which the output reports; a value a diverged run
 * leaves without a number prints as {@linkcode NOT_A_NUMBER_TEXT}, never `NaN`.
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "./simulate.ts";
 * const code = await main(["--controller", "sta_smc", "--json"]);
 * ```
 *
 * @param args Command-line arguments (without the program name).
 * @param deps Output sinks and the cost hook.
 * @returns The exit code.
 */
export async function main(args: readonly string[], deps: SimulateTaskDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((s: string) => console.log(s));
  const err = deps.stderr ?? ((s: string) => console.error(s));
  try {
    const values = parseCli(args, SIMULATE_OPTIONS);
    if (values.help) {
      out(usage());
      return EXIT.ok;
    }
    if (values.controller === undefined) throw new UsageError("--controller: required");
    let type: string;
    try {
      type = canonicalControllerType(values.controller);
    } catch (error) {
      if (error instanceof UnknownControllerError) throw new UsageError(`--controller: ${error.message}`);
      throw error;
    }

    // Explicit --gains win over the gains file, which wins over the config (factory precedence).
    let gains: unknown, origin: string | undefined;
    if (values.gains !== undefined) {
      gains = parseGainList(values.gains);
      origin = "--gains";
    } else if (values["gains-file"] !== undefined) {
      // Every entry of the file is checked by the shared parser (the study reads it the same way).
      const path = values["gains-file"];
      gains = gainsOf(readGainsFile(path), type, path);
      origin = `--gains-file ${path}`;
    }
    if (values.gains !== undefined) {
      const check = validateGains(type, gains);
      if (!check.ok) {
        const lines = check.errors.map((e) => `${origin}: ${e.message}`).join("\n");
        throw new UsageError(lines);
      }
    }

    // Checked before the run, with the same rule as the tune task's outputs.
    if (values.plot !== undefined) await checkOutputPaths([{ flag: "--plot", path: values.plot }]);

    const noiseStd = values.noise === undefined ? undefined : parseStdFlag("--noise", values.noise);
    // A seed of the config's own kind (noise.seed): an integer ≥ 0.
    const seedFlag = intOption("seed", values.seed, 0);
    if (seedFlag !== undefined && noiseStd === undefined) {
      throw new UsageError("--seed: seeds the --noise noise, so it needs --noise");
    }

    // An unreadable --config is a UsageError; an invalid one a ConfigError (exit 2, no usage text).
    const config = loadConfigFlag(values.config, { onWarning: err });
    const disturbance = pickDisturbance(config, values.disturbance, noiseStd, seedFlag);
    const sim = config.simulation;
    const controller = createController(type, {
      config,
      gains: gains as number[] | undefined,
      dt: sim.dt,
    });
    origin ??= gainsOrigin(config, type);
    const plant = createPlant(config.physics, { model: sim.plant_model });
    let run: Trajectory;
    try {
      run = simulate({
        plant,
        controller,
        x0: sim.initial_state,
        ...runSettings(sim),
        disturbance: disturbance?.spec,
      });
    } catch (error) {
      // The horizon comes from the config: name its keys, not simulate()'s options.
      if (error instanceof SimulationSizeError) {
        throw new TaskError(
          error.message.replace(/^duration \/ dt/, "simulation.duration / simulation.dt") +
            " (shorten simulation.duration or lengthen simulation.dt)",
        );
      }
      throw error;
    }
    const metrics = runMetrics(run, {
      band: config.metrics.settling_band,
      chatteringFrequency: config.metrics.chattering_frequency,
      disturbance: disturbance?.spec,
    });
    const cost = (deps.cost ?? defaultCost)(run, config);

    // A plot that cannot be written still leaves the metrics printed: the run is not lost.
    let plotError: string | undefined;
    if (values.plot !== undefined) {
      try {
        await (deps.writeTextFile ?? writeTextFileCreatingFolders)(
          values.plot,
          plotRun(run, `${type} (${metrics.status})`, config.metrics.settling_band),
        );
      } catch (error) {
        plotError = `--plot: cannot write "${values.plot}": ${(error as Error).message}`;
      }
    }
    const plot = plotError === undefined ? values.plot : undefined;

    if (values.json) {
      const report = {
        controller: type,
        gains: controller.gains,
        gainsSource: origin,
        plant: {
          model: sim.plant_model,
          integrator: sim.integrator,
          dt: sim.dt,
          duration: sim.duration,
          initialState: sim.initial_state,
        },
        ...metrics,
        disturbance: disturbance === undefined
          ? null
          : { name: disturbance.name ?? null, ...disturbance.spec },
        lowControllabilitySteps: run.lowControllability,
        ...(cost === undefined ? {} : { cost }),
        ...(plot === undefined ? {} : { plot }),
      };
      out(JSON.stringify(report, null, 2));
    } else {
      out(formatText(type, controller.gains, origin, config, metrics, cost, disturbance));
      if (plot !== undefined) out(`plot            ${plot}`);
    }
    if (plotError !== undefined) throw new TaskError(plotError);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n\n${usage()}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      // The config's problems alone: the usage text is for flag errors.
      err(`error: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof TaskError) {
      err(`error: ${error.message}`);
      return EXIT.failure;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
