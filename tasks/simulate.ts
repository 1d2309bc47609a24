/**
 * `deno task simulate`: one closed-loop run of the configured plant with one controller, its
 * metrics on stdout (text or JSON) and optionally an SVG plot of θ1, θ2, x and u.
 *
 * ```
 * deno task simulate --controller sta_smc
 * deno task simulate --controller classic_smc --gains 0.5,2.3,11,16,6.6,1.9 --plot out/classical.svg
 * deno task simulate --controller hybrid --gains-file out/gains.json --json
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  type Config,
  ConfigError,
  CONTROLLER_TYPES,
  type ControllerType,
  DEFAULT_CONFIG_PATH,
  loadConfig,
} from "../config/mod.ts";
import {
  canonicalControllerType,
  createController,
  listAvailableControllers,
  UnknownControllerError,
  validateGains,
} from "../factory/mod.ts";
import { createPlant, runSettings, simulate, type Trajectory } from "../plant/mod.ts";
import { controlCost } from "../optimizer/mod.ts";
import { type ClosedLoopMetrics, closedLoopMetrics, SETTLING_BAND } from "../study/mod.ts";
import { type ChartSeries, type LineChartOptions, stackedChartsSvg } from "./svg.ts";

/** Exit code of a completed run (whatever the pendulum did: see the printed status). */
export const EXIT_OK = 0;
/** Exit code when the configuration, the gains file or the plot file cannot be read or written. */
export const EXIT_FAILURE = 1;
/** Exit code for bad command-line arguments (the usage is printed to stderr). */
export const EXIT_USAGE = 2;

/** Collaborators of {@linkcode main}; all optional. */
export interface SimulateTaskDeps {
  /** Receives stdout text, one call per line block (default: console.log). */
  readonly stdout?: (text: string) => void;
  /** Receives stderr text (default: console.error). */
  readonly stderr?: (text: string) => void;
  /**
   * The control cost of the run (SPEC 5), printed with the metrics and added to the JSON as `cost`.
   * Default: `controlCost(run, config.cost_function).total`, the nominal cost the tuner uses.
   */
  readonly cost?: (run: Trajectory, config: Config) => number;
}

function defaultCost(run: Trajectory, config: Config): number {
  return controlCost(run, config.cost_function).total;
}

/** The usage text printed by `--help` and on bad arguments. */
export function usage(): string {
  return `Usage: deno task simulate --controller <name> [options]

Runs one closed loop of the configured plant (simulation.* in the config) and prints its metrics.

Options:
  --controller <name>   ${listAvailableControllers().join(", ")} (aliases accepted)
  --gains a,b,c,...     explicit gains; they win over --gains-file and the config
  --gains-file <path>   JSON { "<controller>": [gains...] } as written by \`deno task tune\`
  --config <path>       configuration file (default ${DEFAULT_CONFIG_PATH})
  --plot <file.svg>     write θ1, θ2, x and u over time as a standalone SVG
  --json                print the metrics as JSON
  -h, --help            show this help

Exit codes: 0 the run was simulated (its status is in the output), 1 a file could not be read or
written, 2 bad arguments.`;
}

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

class TaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
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

async function readGainsFile(path: string, type: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new TaskError(`--gains-file: cannot read "${path}": ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TaskError(`--gains-file: "${path}" is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TaskError(`--gains-file: "${path}" must hold an object { "<controller>": [gains...] }`);
  }
  // Keys may be canonical names or aliases, like the --controller flag.
  for (const [key, value] of Object.entries(data)) {
    let keyType: string;
    try {
      keyType = canonicalControllerType(key);
    } catch {
      continue;
    }
    if (keyType === type) return value;
  }
  const keys = Object.keys(data);
  throw new TaskError(
    `--gains-file: "${path}" has no gains for ${type}, got keys ${
      keys.length ? keys.map((k) => `"${k}"`).join(", ") : "none"
    }`,
  );
}

function gainsOrigin(config: Config, type: string): string {
  // Same precedence as createController(); a custom registered type has no config section.
  if (!(CONTROLLER_TYPES as readonly string[]).includes(type)) return "registry default";
  const t = type as ControllerType;
  return config.controllers[t].gains !== undefined
    ? `controllers.${t}.gains`
    : `controller_defaults.${t}.gains`;
}

/** u as a staircase: each control held from t_k to t_{k+1}, as the plant saw it. */
function holdSeries(run: Trajectory): ChartSeries {
  const t = new Float64Array(2 * run.steps), y = new Float64Array(2 * run.steps);
  for (let k = 0; k < run.steps; k++) {
    t[2 * k] = run.t[k];
    t[2 * k + 1] = run.t[k + 1];
    y[2 * k] = y[2 * k + 1] = run.u[k];
  }
  return { name: "u", t, y };
}

/** The four-panel plot of a run: θ1 and θ2 with the settling band, x, and u. */
function plotRun(run: Trajectory, title: string): string {
  const n = run.steps + 1;
  const col = (j: number) => Float64Array.from({ length: n }, (_, k) => run.x[6 * k + j]);
  const band = [{ y: SETTLING_BAND, label: `±${SETTLING_BAND} rad` }, { y: -SETTLING_BAND }];
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
      xLabel: "t [s]",
      series: [holdSeries(run)],
    },
  ];
  return stackedChartsSvg(panels);
}

const num = (
  v: number,
  digits = 4,
) => (Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : String(v));

function formatText(
  type: string,
  gains: readonly number[],
  origin: string,
  config: Config,
  m: ClosedLoopMetrics,
  cost: number | undefined,
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
  ];
  if (cost !== undefined) lines.push(`cost            ${num(cost, 6)}`);
  return lines.join("\n");
}

/**
 * Runs the simulate task with command-line `args` and returns the exit code.
 *
 * Bad arguments (unknown flag, missing or unknown controller, a gain that is not a number, the
 * wrong number of gains or gains the controller rejects) print the problem and the usage to stderr
 * and return 2; a configuration, gains file or plot that cannot be read or written returns 1 with
 * the reason. A simulated run returns 0 whatever its status, which the output reports.
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
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: false,
        options: {
          controller: { type: "string" },
          gains: { type: "string" },
          "gains-file": { type: "string" },
          config: { type: "string" },
          plot: { type: "string" },
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.help) {
      out(usage());
      return EXIT_OK;
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
      gains = await readGainsFile(values["gains-file"], type);
      origin = `--gains-file ${values["gains-file"]}`;
    }
    if (gains !== undefined) {
      const check = validateGains(type, gains);
      if (!check.ok) {
        const lines = check.errors.map((e) => `${origin}: ${e.message}`).join("\n");
        throw new UsageError(lines);
      }
    }

    let config: Config;
    try {
      config = loadConfig(values.config ?? DEFAULT_CONFIG_PATH, { onWarning: err });
    } catch (error) {
      if (error instanceof ConfigError) throw new TaskError(error.message);
      throw error;
    }
    const sim = config.simulation;
    const controller = createController(type, {
      config,
      gains: gains as number[] | undefined,
      dt: sim.dt,
    });
    origin ??= gainsOrigin(config, type);
    const plant = createPlant(config.physics, { model: sim.plant_model });
    const run = simulate({
      plant,
      controller,
      x0: sim.initial_state,
      ...runSettings(sim),
    });
    const metrics = closedLoopMetrics(run);
    const cost = (deps.cost ?? defaultCost)(run, config);

    if (values.plot !== undefined) {
      const svg = plotRun(run, `${type} (${metrics.status})`);
      try {
        await Deno.writeTextFile(values.plot, svg);
      } catch (error) {
        throw new TaskError(`--plot: cannot write "${values.plot}": ${(error as Error).message}`);
      }
    }

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
        lowControllabilitySteps: run.lowControllability,
        ...(cost === undefined ? {} : { cost }),
        ...(values.plot === undefined ? {} : { plot: values.plot }),
      };
      out(JSON.stringify(report, null, 2));
    } else {
      out(formatText(type, controller.gains, origin, config, metrics, cost));
      if (values.plot !== undefined) out(`plot            ${values.plot}`);
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n\n${usage()}`);
      return EXIT_USAGE;
    }
    if (error instanceof TaskError) {
      err(`error: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
