/**
 * The study's self-contained HTML page (study.html): the comparison table, basin heatmaps,
 * disturbance responses, control signals and their spectra, Monte-Carlo distributions and an
 * animation of each controller's nominal run. Everything is inline SVG plus one small script; the
 * page loads nothing from the network (docs/study.md#studyhtml).
 *
 * @module
 */
import { controlSpectrum, type StudyRecordings, type StudyResult } from "../study/mod.ts";
import { ANIMATION_SCALE, animationSceneSvg, basinHeatmapSvg, boxPlotSvg } from "./study_charts.ts";
import { escapeXml, type LineChartOptions, lineChartSvg, stackedChartsSvg } from "./svg.ts";

const num = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/** The comparison table's rows: one per controller, the headline number of each part. */
export interface ComparisonRow {
  readonly controller: string;
  readonly cells: readonly string[];
}

/** Column titles of {@linkcode comparisonRows}. */
export const COMPARISON_COLUMNS = Object.freeze([
  "nominal settling [s]",
  "overshoot θ1 / θ2",
  "max |x| [m]",
  "max |u| [N]",
  "∫u² dt [N²s]",
  "TV(u) [N/s]",
  "impulse recovery [s]",
  "MC success (95 % CI)",
  "MC settling p50 / p90 / p99 [s]",
  "basin area",
  "largest square [rad]",
]);

/**
 * The comparison table of a study as text cells (the README and the HTML page show the same
 * table).
 *
 * @example Usage
 * ```ts ignore
 * const rows = comparisonRows(result);
 * console.log(rows[0].controller, rows[0].cells[0]);
 * ```
 *
 * @param result The study result.
 * @returns One row per controller, cells in {@linkcode COMPARISON_COLUMNS} order.
 */
export function comparisonRows(result: StudyResult): ComparisonRow[] {
  return Object.entries(result.controllers).map(([controller, c]) => {
    const n = c.nominal, mc = c.monteCarlo, b = c.basin;
    // Recovery is defined for a disturbance that ends: the first impulse scenario's is the headline.
    const impulse = Object.entries(result.config.disturbances).find(([, d]) => d.force?.kind === "impulse");
    const recovery = impulse && c.disturbances?.[impulse[0]];
    const impulseRecovery = recovery
      ? (recovery.recoveryTime === null ? "never" : num(recovery.recoveryTime, 2))
      : "–";
    return {
      controller,
      cells: [
        num(n?.settlingTime, 2),
        n ? `${num(n.overshoot[0], 2)} / ${num(n.overshoot[1], 2)}` : "–",
        num(n?.maxAbsX),
        num(n?.maxAbsU, 1),
        num(n?.controlEnergy, 1),
        num(n?.totalVariation, 1),
        impulseRecovery,
        mc ? `${pct(mc.successRate)} (${pct(mc.ci95[0])}–${pct(mc.ci95[1])})` : "–",
        mc
          ? `${num(mc.settlingTime.p50, 2)} / ${num(mc.settlingTime.p90, 2)} / ${num(mc.settlingTime.p99, 2)}`
          : "–",
        b ? pct(b.areaFraction) : "–",
        b ? num(b.largestSquare, 3) : "–",
      ],
    };
  });
}

/**
 * The comparison table as GitHub markdown.
 *
 * @example Usage
 * ```ts ignore
 * console.log(comparisonMarkdown(result));
 * ```
 *
 * @param result The study result.
 * @returns The table, one line per row.
 */
export function comparisonMarkdown(result: StudyResult): string {
  const head = `| controller | ${COMPARISON_COLUMNS.join(" | ")} |`;
  const rule = `|${"---|".repeat(COMPARISON_COLUMNS.length + 1)}`;
  const rows = comparisonRows(result).map((r) =>
    `| ${r.controller} | ${r.cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`
  );
  return [head, rule, ...rows].join("\n");
}

const DISTURBANCE_COLUMNS = [
  "scenario",
  "controller",
  "status",
  "from [s]",
  "peak |θ1| / |θ2| from then [rad]",
  "peak |x| from then [m]",
  "recovery [s]",
  "∫u² dt [N²s]",
  "u above f_c",
];

// The disturbance table: the peaks are those of the response, from the disturbance's start on
// (study.json's peakTheta and peakX), not the whole run's, which would repeat the nominal transient.
function disturbanceTable(result: StudyResult): string {
  const rows: string[][] = [];
  for (const name of Object.keys(result.config.disturbances)) {
    for (const [controller, c] of Object.entries(result.controllers)) {
      const d = c.disturbances?.[name];
      if (!d) continue;
      rows.push([
        name,
        controller,
        d.status,
        num(d.disturbanceStart, 2),
        d.peakTheta ? `${num(d.peakTheta[0])} / ${num(d.peakTheta[1])}` : "–",
        num(d.peakX),
        d.recoveryTime === null ? "never" : num(d.recoveryTime, 2),
        num(d.controlEnergy, 1),
        pct(d.highFrequencyShare),
      ]);
    }
  }
  if (rows.length === 0) return "";
  return `<table class="disturbances"><thead><tr>${
    DISTURBANCE_COLUMNS.map((c) => `<th>${escapeXml(c)}</th>`).join("")
  }</tr></thead>
<tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join("")}</tr>`).join("\n")
  }</tbody></table>`;
}

function column(x: Float64Array, samples: number, index: number): Float64Array {
  const out = new Float64Array(samples);
  for (let k = 0; k < samples; k++) out[k] = x[k * 6 + index];
  return out;
}

function disturbanceFigures(result: StudyResult, recordings: StudyRecordings): string {
  const names = Object.keys(result.config.disturbances);
  return names.map((name) => {
    const charts: LineChartOptions[] = [0, 1, 2].map((idx) => ({
      title: `${name}: ${["x [m]", "θ1 [rad]", "θ2 [rad]"][idx]}`,
      xLabel: "t [s]",
      series: Object.entries(recordings.runs).flatMap(([type, r]) => {
        const run = r.disturbances[name];
        if (!run) return [];
        return [{ name: type, t: run.t, y: column(run.x, run.t.length, idx) }];
      }),
    }));
    if (charts[0].series.length === 0) return "";
    return `<div class="panel"><h3>${escapeXml(name)}</h3>${
      stackedChartsSvg(charts).replace("<svg ", '<svg class="figure line" ')
    }</div>`;
  }).join("\n");
}

function controlFigures(recordings: StudyRecordings): string {
  const entries = Object.entries(recordings.runs).filter(([, r]) => r.nominal);
  if (entries.length === 0) return "";
  const u = lineChartSvg({
    title: "u(t), nominal run",
    xLabel: "t [s]",
    yLabel: "u [N]",
    series: entries.map(([type, r]) => ({
      name: type,
      t: r.nominal!.t.subarray(0, r.nominal!.u.length),
      y: r.nominal!.u,
    })),
  });
  const spectrum = lineChartSvg({
    title: "spectrum of u: log10 power",
    xLabel: "f [Hz]",
    yLabel: "log10 |U(f)|²",
    series: entries.map(([type, r]) => {
      const s = controlSpectrum(r.nominal!.u, r.nominal!.dt);
      return {
        name: type,
        t: s.frequency.subarray(1),
        y: s.power.subarray(1).map((p) => Math.log10(Math.max(p, 1e-30))),
      };
    }),
  });
  return [u, spectrum].map((svg) => svg.replace("<svg ", '<svg class="figure line" ')).join("\n");
}

function animation(result: StudyResult, recordings: StudyRecordings): string {
  const { pendulum1_length: l1, pendulum2_length: l2 } = result.config.physics;
  const entries = Object.entries(recordings.runs).filter(([, r]) => r.nominal);
  // Every other sample (50 frames per second at dt = 0.01) keeps the page small.
  const stride = Math.max(1, Math.round(0.02 / result.config.simulation.dt));
  const frames = entries.map(([, r]) => {
    const run = r.nominal!, out: number[] = [];
    for (let k = 0; k < run.t.length; k += stride) out.push(run.x[k * 6], run.x[k * 6 + 1], run.x[k * 6 + 2]);
    return out.map((v) => Number(v.toPrecision(6)));
  });
  const count = Math.max(1, ...frames.map((f) => f.length / 3));
  const scenes = entries.map(([type, r], k) =>
    animationSceneSvg(k, type, Array.from(r.nominal!.x.subarray(0, 3)), l1, l2)
  ).join("\n");
  const data = JSON.stringify({
    frames,
    stride,
    dt: result.config.simulation.dt,
    l1,
    l2,
    scale: ANIMATION_SCALE,
  });
  return `<div class="controls"><button id="play" type="button">play</button>
<input id="slider" type="range" min="0" max="${count - 1}" value="0" step="1" aria-label="time">
<span id="clock">t = 0.00 s</span></div>
<div class="row">${scenes}</div>
<script id="animation-data" type="application/json">${data.replaceAll("<", "\\u003c")}</script>`;
}

// The page's only script: it reads the embedded frames and moves the cart and links. Each scene is
// 360 px wide with the track at y = 220 and the pivot 12 px above it (see animationSceneSvg).
const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById("animation-data").textContent);
  const slider = document.getElementById("slider"), play = document.getElementById("play");
  const clock = document.getElementById("clock");
  const r = (v) => Math.round(v * 100) / 100;
  function show(frame) {
    data.frames.forEach((f, k) => {
      const i = Math.min(frame, f.length / 3 - 1) * 3;
      const x = f[i], t1 = f[i + 1], t2 = f[i + 2];
      const px = 180 + x * data.scale, py = 208;
      const ax = px + data.l1 * Math.sin(t1) * data.scale, ay = py - data.l1 * Math.cos(t1) * data.scale;
      const bx = ax + data.l2 * Math.sin(t2) * data.scale, by = ay - data.l2 * Math.cos(t2) * data.scale;
      document.getElementById("cart-" + k).setAttribute("x", r(px - 24));
      const l1 = document.getElementById("link1-" + k), l2 = document.getElementById("link2-" + k);
      l1.setAttribute("x1", r(px)); l1.setAttribute("y1", r(py)); l1.setAttribute("x2", r(ax)); l1.setAttribute("y2", r(ay));
      l2.setAttribute("x1", r(ax)); l2.setAttribute("y1", r(ay)); l2.setAttribute("x2", r(bx)); l2.setAttribute("y2", r(by));
      document.getElementById("time-" + k).textContent = "t = " + (frame * data.stride * data.dt).toFixed(2) + " s";
    });
    clock.textContent = "t = " + (frame * data.stride * data.dt).toFixed(2) + " s";
  }
  let timer = null;
  play.addEventListener("click", () => {
    if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
    play.textContent = "pause";
    timer = setInterval(() => {
      const next = (Number(slider.value) + 1) % (Number(slider.max) + 1);
      slider.value = String(next);
      show(next);
    }, data.stride * data.dt * 1000);
  });
  slider.addEventListener("input", () => show(Number(slider.value)));
  show(0);
})();
`;

/**
 * Renders study.html.
 *
 * @example Usage
 * ```ts ignore
 * const html = studyHtml(result, recordings);
 * await Deno.writeTextFile("out/study/study.html", html);
 * ```
 *
 * @param result The study result.
 * @param recordings Its recorded runs and Monte-Carlo samples.
 * @returns The page.
 */
export function studyHtml(result: StudyResult, recordings: StudyRecordings): string {
  const rows = comparisonRows(result);
  const table = `<table><thead><tr><th>controller</th>${
    COMPARISON_COLUMNS.map((c) => `<th>${escapeXml(c)}</th>`).join("")
  }</tr></thead>
<tbody>${
    rows.map((r) =>
      `<tr><th>${escapeXml(r.controller)}</th>${r.cells.map((c) => `<td>${escapeXml(c)}</td>`).join("")}</tr>`
    ).join("\n")
  }</tbody></table>`;
  const basins = Object.entries(result.controllers).filter(([, c]) => c.basin)
    .map(([type, c]) => basinHeatmapSvg(`${type}: ${pct(c.basin!.areaFraction)}`, c.basin!)).join("\n");
  const mc = Object.entries(recordings.monteCarlo);
  const boxes = mc.length === 0 ? "" : [
    boxPlotSvg(
      "Monte-Carlo settling time",
      "settling time [s]",
      mc.map(([name, m]) => ({ name, values: m.settlingTime })),
    ),
    boxPlotSvg("Monte-Carlo max |x|", "max |x| [m]", mc.map(([name, m]) => ({ name, values: m.maxAbsX }))),
  ].join("\n");
  const s = result.settings;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dip-smc-pso controller study</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
thead th { background: #f0f0f0; }
.row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.panel { margin-bottom: 16px; }
.controls { margin: 8px 0; display: flex; gap: 12px; align-items: center; }
#slider { width: 480px; }
</style></head><body>
<h1>Controller study</h1>
<p>Seed ${result.seed}; ${
    result.complete ? "complete" : `interrupted (finished: ${result.partsDone.join(", ") || "none"})`
  };
Monte-Carlo: ${s.monteCarlo.runs} runs (${s.monteCarlo.sampling}), basin: ${s.basin.grid} × ${s.basin.grid} over ±${s.basin.range} rad;
success = never falls and |θ1|, |θ2| &lt; ${s.band} rad over the last ${s.finalWindow} s.</p>
<h2>Comparison</h2>
${table}
<h2>Basin of attraction</h2>
<p>Green: settled, amber: did not settle, red: fell; outlined: the largest centred square that settles entirely.</p>
<div class="row">${basins}</div>
<h2>Disturbance rejection</h2>
<p>Peaks from the disturbance's start on (the force's start; 0 for noise alone), recovery time from its start
back inside the band for good; ∫u² dt and the share of u's power above ${result.config.metrics.chattering_frequency} Hz (detrended, Hann-windowed) over the whole run.</p>
${disturbanceTable(result)}
<div class="row">${disturbanceFigures(result, recordings)}</div>
<h2>Control signal and chattering</h2>
<p>The spectrum is that of u's fluctuation with its least-squares line removed and a Hann window applied, the
one the chattering share is read from (docs/metrics.md).</p>
<div class="row">${controlFigures(recordings)}</div>
<h2>Monte-Carlo distributions</h2>
<div class="row">${boxes}</div>
<h2>Nominal run, animated</h2>
${animation(result, recordings)}
<script>${SCRIPT}</script>
</body></html>
`;
}
