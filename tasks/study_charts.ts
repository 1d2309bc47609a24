/**
 * The study's own figures as inline SVG: basin heatmaps, box plots and the cart-and-links
 * animation frame. Line charts come from svg.ts; these are the shapes it does not draw.
 *
 * @module
 */
import type { BasinResult } from "../study/mod.ts";
import { escapeXml, niceTicks } from "./svg.ts";

const LABEL_COLORS = { settled: "#2e7d32", not_settled: "#f9a825", fell: "#c62828" } as const;
const fmt = (v: number) => String(Math.round(v * 100) / 100);

/**
 * A basin-of-attraction heatmap: one square per grid point (θ1 down the rows, θ2 across), green
 * settled, amber not settled, red fell, with the largest settled square outlined.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { basinHeatmapSvg } from "./study_charts.ts";
 * const s = "settled" as const;
 * const svg = basinHeatmapSvg("demo", { theta1: [-0.1, 0, 0.1], theta2: [-0.1, 0, 0.1], settled: [], labels: [[s, s, s], [s, s, s], [s, s, "fell"]], areaFraction: 8 / 9, largestSquare: 0, counts: { settled: 8, fell: 1, not_settled: 0 } });
 * assert.equal(svg.match(/<rect class="cell"/g)?.length, 9);
 * ```
 *
 * @param title Chart title (the controller).
 * @param basin The basin result.
 * @param size Pixel size of the square plot area.
 * @returns The SVG text.
 */
export function basinHeatmapSvg(title: string, basin: BasinResult, size = 240): string {
  const n = basin.theta1.length;
  const left = 48, top = 28, cell = size / n;
  const width = left + size + 12, height = top + size + 40;
  const out: string[] = [
    `<svg class="figure basin" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<text x="${left + size / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${
      escapeXml(title)
    }</text>`,
  ];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const label = basin.labels[i][j];
      // θ1 grows upwards, so row i is drawn from the bottom.
      const x = left + j * cell, y = top + (n - 1 - i) * cell;
      out.push(
        `<rect class="cell" x="${fmt(x)}" y="${fmt(y)}" width="${fmt(cell + 0.2)}" height="${
          fmt(cell + 0.2)
        }" fill="${LABEL_COLORS[label]}"><title>θ1 ${basin.theta1[i].toFixed(3)}, θ2 ${
          basin.theta2[j].toFixed(3)
        }: ${label}</title></rect>`,
      );
    }
  }
  const r = basin.largestSquare, range = basin.theta1[n - 1];
  if (r > 0) {
    const half = (r / range) * (size / 2) + cell / 2;
    const c = size / 2;
    out.push(
      `<rect class="square" x="${fmt(left + c - half)}" y="${fmt(top + c - half)}" width="${
        fmt(2 * half)
      }" height="${fmt(2 * half)}" fill="none" stroke="#000" stroke-width="1.5"/>`,
    );
  }
  for (const v of niceTicks(-range, range, 4)) {
    const p = ((v + range) / (2 * range)) * (size - cell) + cell / 2;
    out.push(
      `<text x="${fmt(left + p)}" y="${top + size + 14}" text-anchor="middle" font-size="9">${v}</text>`,
      `<text x="${left - 4}" y="${
        fmt(top + size - p)
      }" text-anchor="end" dominant-baseline="middle" font-size="9">${v}</text>`,
    );
  }
  out.push(
    `<text x="${left + size / 2}" y="${
      top + size + 30
    }" text-anchor="middle" font-size="11">θ2(0) [rad]</text>`,
    `<text x="12" y="${top + size / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${
      top + size / 2
    })">θ1(0) [rad]</text>`,
    `</svg>`,
  );
  return out.join("\n");
}

/** One box of {@linkcode boxPlotSvg}. */
export interface BoxSeries {
  readonly name: string;
  /** The sample; non-finite values are left out (and counted in the label). */
  readonly values: ArrayLike<number>;
}

function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q, lo = Math.floor(h), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Box plots side by side: the box spans the quartiles, the line inside is the median, whiskers reach
 * the 1st and 99th percentiles (the study's tails), and the label says how many values were finite.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { boxPlotSvg } from "./study_charts.ts";
 * const svg = boxPlotSvg("settling time", "s", [{ name: "a", values: [1, 2, 3, 4] }, { name: "b", values: [2, 3, NaN] }]);
 * assert.equal(svg.match(/<rect class="box"/g)?.length, 2);
 * ```
 *
 * @param title Chart title.
 * @param unit Unit of the values (axis label).
 * @param series One box per entry.
 * @returns The SVG text.
 */
export function boxPlotSvg(title: string, unit: string, series: readonly BoxSeries[]): string {
  const left = 56, top = 30, plotH = 200, slot = 90;
  const width = left + slot * series.length + 20, height = top + plotH + 44;
  const sorted = series.map((s) => Array.from(s.values).filter(Number.isFinite).sort((a, b) => a - b));
  // Each sample is sorted; the range spans the smallest first and the largest last value.
  const filled = sorted.filter((v) => v.length > 0);
  let lo = filled.length ? Math.min(...filled.map((v) => v[0])) : 0;
  let hi = filled.length ? Math.max(...filled.map((v) => v[v.length - 1])) : 1;
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const sy = (v: number) => top + (1 - (v - lo) / (hi - lo)) * plotH;
  const out: string[] = [
    `<svg class="figure box" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${
      escapeXml(title)
    }</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`,
  ];
  for (const v of niceTicks(lo, hi, 5)) {
    out.push(
      `<line x1="${left}" y1="${fmt(sy(v))}" x2="${width - 20}" y2="${fmt(sy(v))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 5}" y="${
        fmt(sy(v))
      }" text-anchor="end" dominant-baseline="middle" font-size="9">${v}</text>`,
    );
  }
  out.push(
    `<text x="14" y="${top + plotH / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${
      top + plotH / 2
    })">${escapeXml(unit)}</text>`,
  );
  series.forEach((s, i) => {
    const cx = left + slot * i + slot / 2;
    const v = sorted[i];
    out.push(
      `<text x="${cx}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">${
        escapeXml(s.name)
      }</text>`,
      `<text x="${cx}" y="${
        top + plotH + 30
      }" text-anchor="middle" font-size="9" fill="#555">n = ${v.length}/${s.values.length}</text>`,
    );
    if (v.length === 0) return;
    const [p01, q1, med, q3, p99] = [0.01, 0.25, 0.5, 0.75, 0.99].map((q) => quantile(v, q));
    out.push(
      `<line class="whisker" x1="${cx}" y1="${fmt(sy(p01))}" x2="${cx}" y2="${fmt(sy(p99))}" stroke="#333"/>`,
      `<rect class="box" x="${cx - 22}" y="${fmt(sy(q3))}" width="44" height="${
        fmt(Math.max(1, sy(q1) - sy(q3)))
      }" fill="#90caf9" stroke="#1565c0"><title>${
        escapeXml(`${s.name}: median ${med.toPrecision(4)}, IQR ${q1.toPrecision(4)}–${q3.toPrecision(4)}`)
      }</title></rect>`,
      `<line class="median" x1="${cx - 22}" y1="${fmt(sy(med))}" x2="${cx + 22}" y2="${
        fmt(sy(med))
      }" stroke="#0d47a1" stroke-width="2"/>`,
    );
  });
  out.push(`</svg>`);
  return out.join("\n");
}

/** Pixels per metre in the animation. */
export const ANIMATION_SCALE = 220;

/**
 * The SVG scene of the cart-and-links animation for one controller: a track, a cart and two links,
 * drawn at the first sample; the page's script moves them (ids `cart-<k>`, `link1-<k>`, `link2-<k>`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { animationSceneSvg } from "./study_charts.ts";
 * const svg = animationSceneSvg(0, "classical_smc", [0, 0.05, -0.03], 0.4, 0.3);
 * assert.ok(svg.includes('id="link2-0"'));
 * ```
 *
 * @param k Index of the controller on the page (makes the ids unique).
 * @param title Controller name.
 * @param first The first sample [x, θ1, θ2].
 * @param l1 Link 1 length [m].
 * @param l2 Link 2 length [m].
 * @returns The SVG text.
 */
export function animationSceneSvg(
  k: number,
  title: string,
  first: readonly number[],
  l1: number,
  l2: number,
): string {
  const width = 360, height = 260, ground = 220, cx = width / 2;
  const [x, t1, t2] = first;
  const px = cx + x * ANIMATION_SCALE;
  const ax = px + l1 * Math.sin(t1) * ANIMATION_SCALE, ay = ground - 12 - l1 * Math.cos(t1) * ANIMATION_SCALE;
  const bx = ax + l2 * Math.sin(t2) * ANIMATION_SCALE, by = ay - l2 * Math.cos(t2) * ANIMATION_SCALE;
  return [
    `<svg class="figure animation" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<text x="${cx}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${
      escapeXml(title)
    }</text>`,
    `<line x1="10" y1="${ground}" x2="${width - 10}" y2="${ground}" stroke="#555" stroke-width="2"/>`,
    `<rect id="cart-${k}" x="${fmt(px - 24)}" y="${
      ground - 24
    }" width="48" height="24" fill="#455a64" rx="3"/>`,
    `<line id="link1-${k}" x1="${fmt(px)}" y1="${ground - 12}" x2="${fmt(ax)}" y2="${
      fmt(ay)
    }" stroke="#1e88e5" stroke-width="6" stroke-linecap="round"/>`,
    `<line id="link2-${k}" x1="${fmt(ax)}" y1="${fmt(ay)}" x2="${fmt(bx)}" y2="${
      fmt(by)
    }" stroke="#e53935" stroke-width="5" stroke-linecap="round"/>`,
    `<text id="time-${k}" x="12" y="${height - 12}" font-size="11">t = 0.00 s</text>`,
    `</svg>`,
  ].join("\n");
}
