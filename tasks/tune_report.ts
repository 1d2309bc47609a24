/**
 * How the tune task presents its results: the results JSON's shape, the Markdown table that stdout
 * and README.md show, and the standalone HTML report with inline SVG charts.
 *
 * @module
 */
import type { Trajectory } from "../plant/mod.ts";
import { escapeXml, stackedChartsSvg } from "./svg.ts";
import type { TuneRecord, TuneSettings } from "./tuning.ts";

/** The results JSON. */
export interface TuneReport {
  readonly command: string;
  readonly date: string;
  readonly settings: TuneSettings;
  readonly aborted: boolean;
  readonly results: TuneRecord[];
}

/** The nominal runs of one controller, by controller type: what the HTML report plots. */
export type TuneRuns = ReadonlyMap<string, { readonly tuned: Trajectory; readonly baseline: Trajectory }>;

const fmt = (v: number | null, digits = 3) => v === null ? "—" : v.toFixed(digits);

/**
 * Renders the results as the Markdown table README.md shows.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsMarkdown } from "./tune_report.ts";
 * const md = resultsMarkdown({
 *   command: "deno task tune",
 *   date: "2026-01-02T00:00:00.000Z",
 *   settings: { particles: 6, iterations: 1, scenarios: 2, workers: 1, seed: 7, robustnessRuns: 0 },
 *   aborted: false,
 *   results: [],
 * });
 * assert.ok(md.startsWith("Produced by `deno task tune` on 2026-01-02 (6 particles × 1 iterations"));
 * ```
 *
 * @param report The results JSON.
 * @returns Markdown: one sentence on how the table was produced, then one row per controller.
 */
export function resultsMarkdown(report: TuneReport): string {
  const s = report.settings;
  const lines = [
    `Produced by \`${report.command}\` on ${
      report.date.slice(0, 10)
    } (${s.particles} particles × ${s.iterations} ` +
    `iterations, ${s.scenarios} scenarios per particle, seed ${s.seed}, ${
      s.natsWorkers === undefined
        ? `${s.workers} Workers`
        : `NATS, ${s.natsWorkers} worker${s.natsWorkers === 1 ? "" : "s"}`
    }). Costs are the robust ` +
    `cost (0.7·mean + 0.3·max over the scenarios); metrics are the nominal full-model run from ` +
    `simulation.initial_state; robustness counts runs that never fall and stay within 0.02 rad over the last 2 s.`,
    "",
    "| controller | default cost | tuned cost | tuned gains | status | settling [s] | max \\|θ1\\| [rad] | max \\|θ2\\| [rad] | max \\|x\\| [m] | max \\|u\\| [N] | robustness (physics / angles) | time [s] |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of report.results) {
    const rb = r.robustness
      ? `${r.robustness.physics.passed}/${r.robustness.physics.total} / ${r.robustness.initialAngles.passed}/${r.robustness.initialAngles.total} (${
        (100 * r.robustness.passRate).toFixed(1)
      } %)`
      : "not run";
    lines.push(
      `| ${r.controller} | ${r.defaultCost.toFixed(4)} | ${r.bestCost.toFixed(4)} | ${
        r.bestGains.map((g) => g.toFixed(4)).join(", ")
      } | ${r.tuned.status} | ${fmt(r.tuned.settlingTime, 2)} | ${fmt(r.tuned.maxTheta1)} | ${
        fmt(r.tuned.maxTheta2)
      } | ${fmt(r.tuned.maxX)} | ${fmt(r.tuned.maxU, 1)} | ${rb} | ${(r.elapsedMs / 1000).toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Renders the HTML report: per controller its costs and gains, the cost history on a log scale,
 * and θ1, θ2, x and u over time for the configured and the tuned gains.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportHtml } from "./tune_report.ts";
 * const html = reportHtml({
 *   command: "deno task tune",
 *   date: "2026-01-02T00:00:00.000Z",
 *   settings: { particles: 6, iterations: 1, scenarios: 2, workers: 1, seed: 7, robustnessRuns: 0 },
 *   aborted: false,
 *   results: [],
 * }, new Map());
 * assert.ok(html.startsWith("<!doctype html>"));
 * ```
 *
 * @param report The results JSON.
 * @param runs The nominal runs of every controller in `report.results`.
 * @returns A standalone HTML document.
 * @throws {Error} When `runs` lacks a controller of the report.
 */
export function reportHtml(report: TuneReport, runs: TuneRuns): string {
  const sections = report.results.map((r) => {
    const it = r.history.best.map((_, i) => i);
    const history = stackedChartsSvg([{
      // Costs fall by orders of magnitude once the swarm stops falling over: a log scale keeps the
      // late, small improvements visible.
      title: `${r.controller}: cost per iteration (log10)`,
      xLabel: "iteration",
      yLabel: "log10 cost",
      series: [
        { name: "best", t: it, y: r.history.best.map(Math.log10) },
        { name: "mean personal best", t: it, y: r.history.meanPersonalBest.map(Math.log10) },
      ],
    }]);
    const pairOfRuns = runs.get(r.controller);
    if (pairOfRuns === undefined) throw new Error(`runs: no nominal runs for ${r.controller}`);
    const { tuned, baseline } = pairOfRuns;
    const col = (run: Trajectory, j: number) => {
      const n = run.t.length, out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = run.x[k * 6 + j];
      return out;
    };
    const pair = (title: string, j: number) => ({
      title,
      xLabel: "t [s]",
      series: [
        { name: "default gains", t: baseline.t, y: col(baseline, j) },
        { name: "tuned gains", t: tuned.t, y: col(tuned, j) },
      ],
    });
    const trajectories = stackedChartsSvg([
      { ...pair("θ1 [rad]", 1), guides: [{ y: 0.02, label: "+0.02" }, { y: -0.02, label: "−0.02" }] },
      { ...pair("θ2 [rad]", 2), guides: [{ y: 0.02, label: "+0.02" }, { y: -0.02, label: "−0.02" }] },
      pair("x [m]", 0),
      {
        title: "u [N]",
        xLabel: "t [s]",
        series: [
          { name: "default gains", t: baseline.t, y: baseline.u },
          { name: "tuned gains", t: tuned.t, y: tuned.u },
        ],
      },
    ]);
    return `<section><h2>${escapeXml(r.controller)}</h2>
<p>Robust cost: default ${r.defaultCost.toFixed(5)}, tuned ${r.bestCost.toFixed(5)} (${
      escapeXml(r.exitReason)
    }, ${r.evaluations} evaluations, ${(r.elapsedMs / 1000).toFixed(1)} s).
Tuned gains: <code>${r.bestGains.map((g) => g.toFixed(6)).join(", ")}</code>.
Nominal run: ${escapeXml(r.tuned.status)}, settling ${fmt(r.tuned.settlingTime, 2)} s, max |x| ${
      fmt(r.tuned.maxX)
    } m,
max |u| ${fmt(r.tuned.maxU, 1)} N.</p>
${history}
${trajectories}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dip-smc-pso tuning report</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}code{font-size:90%}</style></head>
<body><h1>dip-smc-pso tuning report</h1>
<p><code>${escapeXml(report.command)}</code>, ${escapeXml(report.date)}</p>
${sections.join("\n")}
</body></html>
`;
}
