/**
 * A small, dependency-free SVG line-chart writer: one chart with axes, "nice" ticks and a legend,
 * and a vertical stack of such charts in one standalone file.
 *
 * @module
 */

/** One line of a chart. `t` and `y` are read pairwise up to the shorter length. */
export interface ChartSeries {
  readonly name: string;
  readonly t: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Stroke colour; a palette colour by default. */
  readonly color?: string;
}

/** A horizontal reference line (drawn dashed, not as a series). */
export interface ChartGuide {
  readonly y: number;
  readonly label?: string;
}

/** Options of {@linkcode lineChartSvg}. */
export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Dashed horizontal guides (e.g. a tolerance band); they widen the y range to stay visible. */
  readonly guides?: readonly ChartGuide[];
  /** Pixel width, default 720. */
  readonly width?: number;
  /** Pixel height, default 240. */
  readonly height?: number;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const MARGIN = { left: 64, right: 16, top: 28, bottom: 40 };

/**
 * Escapes text for use in SVG character data and attribute values.
 *
 * @example Usage
 * ```ts
 * import { escapeXml } from "./svg.ts";
 * console.log(escapeXml("|θ| < 0.02 & \"x\"")); // "|θ| &lt; 0.02 &amp; &quot;x&quot;"
 * ```
 *
 * @param text Any text.
 * @returns The escaped text.
 */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

/**
 * Tick positions at 1, 2 or 5 × 10^k covering `[lo, hi]`, about `count` of them.
 *
 * @example Usage
 * ```ts
 * import { niceTicks } from "./svg.ts";
 * console.log(niceTicks(0, 10, 5)); // [0, 2, 4, 6, 8, 10]
 * ```
 *
 * @param lo Lower end (finite).
 * @param hi Upper end (finite, ≥ lo).
 * @param count Desired number of intervals.
 * @returns Ascending tick values inside `[lo, hi]` (rounded to the step's precision).
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The 1-2-5 step nearest to the raw step (geometric thresholds), so the count stays near `count`.
  const r = raw / mag;
  const step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  // A tolerance of half a step's rounding keeps an end that is itself a tick.
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(digits)) + 0); // + 0 turns a -0 from rounding into 0
  }
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(6)));
}

function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function* pairs(s: ChartSeries): Generator<[number, number]> {
  const n = Math.min(s.t.length, s.y.length);
  for (let i = 0; i < n; i++) yield [s.t[i], s.y[i]];
}

/** Pads a degenerate or missing range so that the scale never divides by zero. */
function padded(range: [number, number] | null, margin: number): [number, number] {
  if (range === null) return [0, 1];
  const [lo, hi] = range;
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * margin;
  return [lo - d, hi + d];
}

const fmt = (v: number) => String(Math.round(v * 100) / 100);

/**
 * The body of one chart (everything inside its `<svg>`), for reuse in a stack.
 */
function chartBody(o: LineChartOptions, width: number, height: number): string {
  const plotW = width - MARGIN.left - MARGIN.right, plotH = height - MARGIN.top - MARGIN.bottom;
  const allT = o.series.flatMap((s) => [...pairs(s)].filter(([, y]) => Number.isFinite(y)).map(([t]) => t));
  const allY = o.series.flatMap((s) => [...pairs(s)].filter(([t]) => Number.isFinite(t)).map(([, y]) => y));
  const [t0, t1] = padded(extent(allT), 0);
  const [y0, y1] = padded(extent([...allY, ...(o.guides ?? []).map((g) => g.y)]), 0.05);
  const sx = (t: number) => MARGIN.left + ((t - t0) / (t1 - t0)) * plotW;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const out: string[] = [];
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${
      escapeXml(o.title)
    }</text>`,
  );
  // Grid and ticks.
  for (const v of niceTicks(y0, y1)) {
    const y = fmt(sy(v));
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`,
      `<line x1="${MARGIN.left - 4}" y1="${y}" x2="${MARGIN.left}" y2="${y}" stroke="#333333"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="10">${
        formatTick(v)
      }</text>`,
    );
  }
  const base = MARGIN.top + plotH;
  for (const v of niceTicks(t0, t1, 8)) {
    const x = fmt(sx(v));
    out.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${base}" stroke="#e5e5e5"/>`,
      `<line x1="${x}" y1="${base}" x2="${x}" y2="${base + 4}" stroke="#333333"/>`,
      `<text x="${x}" y="${base + 15}" text-anchor="middle" font-size="10">${formatTick(v)}</text>`,
    );
  }
  // Axes.
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${base}" stroke="#333333"/>`,
    `<line x1="${MARGIN.left}" y1="${base}" x2="${MARGIN.left + plotW}" y2="${base}" stroke="#333333"/>`,
  );
  if (y0 < 0 && y1 > 0) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${fmt(sy(0))}" x2="${MARGIN.left + plotW}" y2="${
        fmt(sy(0))
      }" stroke="#999999"/>`,
    );
  }
  if (o.xLabel) {
    out.push(
      `<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${
        escapeXml(o.xLabel)
      }</text>`,
    );
  }
  if (o.yLabel) {
    const cy = MARGIN.top + plotH / 2;
    out.push(
      `<text x="14" y="${cy}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${cy})">${
        escapeXml(o.yLabel)
      }</text>`,
    );
  }
  for (const g of o.guides ?? []) {
    const y = fmt(sy(g.y));
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${
        MARGIN.left + plotW
      }" y2="${y}" stroke="#777777" stroke-dasharray="4 3"/>`,
    );
    if (g.label) {
      out.push(
        `<text x="${
          MARGIN.left + plotW - 4
        }" y="${y}" dy="-3" text-anchor="end" font-size="9" fill="#555555">${escapeXml(g.label)}</text>`,
      );
    }
  }
  // Series: non-finite points are dropped (a diverged run ends in NaN or ±Infinity), so no
  // coordinate is ever NaN.
  o.series.forEach((s, i) => {
    const pts: string[] = [];
    for (const [t, y] of pairs(s)) {
      if (Number.isFinite(t) && Number.isFinite(y)) pts.push(`${fmt(sx(t))},${fmt(sy(y))}`);
    }
    const color = s.color ?? PALETTE[i % PALETTE.length];
    out.push(
      `<polyline fill="none" stroke="${escapeXml(color)}" stroke-width="1.5" points="${
        pts.join(" ")
      }"><title>${escapeXml(s.name)}</title></polyline>`,
    );
  });
  // Legend, top right inside the plot.
  o.series.forEach((s, i) => {
    const y = MARGIN.top + 12 + 14 * i, x = MARGIN.left + plotW - 120;
    const color = s.color ?? PALETTE[i % PALETTE.length];
    out.push(
      `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${escapeXml(color)}" stroke-width="2"/>`,
      `<text x="${x + 24}" y="${y}" dominant-baseline="middle" font-size="10">${escapeXml(s.name)}</text>`,
    );
  });
  return out.join("\n");
}

function checkOptions(o: LineChartOptions): { width: number; height: number } {
  const width = o.width ?? 720, height = o.height ?? 240;
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!(v > 120) || !Number.isFinite(v)) {
      throw new RangeError(`${name}: must be a finite number > 120, got ${v}`);
    }
  }
  if (o.series.length === 0) throw new RangeError(`series: must hold at least one series, got none`);
  return { width, height };
}

/**
 * Renders a line chart as a standalone SVG document (an `<svg>` root, no XML declaration): a
 * title, axes with 1-2-5 ticks and a light grid, optional dashed guides, one `<polyline>` per
 * series and a legend.
 *
 * Non-finite points are left out of a series, so a trajectory that diverged still renders and no
 * coordinate is NaN. A series whose values are all equal gets a padded range.
 *
 * @example Usage
 * ```ts
 * import { lineChartSvg } from "./svg.ts";
 * const svg = lineChartSvg({ title: "θ1", series: [{ name: "θ1", t: [0, 1, 2], y: [0.05, 0.01, 0] }] });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 *
 * @param options Title, series, axis labels, guides, size.
 * @returns The SVG text.
 */
export function lineChartSvg(options: LineChartOptions): string {
  const { width, height } = checkOptions(options);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n${
    chartBody(options, width, height)
  }\n</svg>\n`;
}

/**
 * Stacks several charts vertically in one standalone SVG document; each chart is a nested `<svg>`
 * positioned below the previous one, all with the width of the widest.
 *
 * @example Usage
 * ```ts
 * import { stackedChartsSvg } from "./svg.ts";
 * const t = [0, 1, 2];
 * const svg = stackedChartsSvg([
 *   { title: "θ1", series: [{ name: "θ1", t, y: [0.05, 0.01, 0] }] },
 *   { title: "u", series: [{ name: "u", t, y: [17, 3, 0] }] },
 * ]);
 * console.log(svg.match(/<polyline/g)?.length); // 2
 * ```
 *
 * @param charts The charts, top to bottom.
 * @returns The SVG text.
 */
export function stackedChartsSvg(charts: readonly LineChartOptions[]): string {
  if (charts.length === 0) throw new RangeError(`charts: must hold at least one chart, got none`);
  const sizes = charts.map(checkOptions);
  const width = Math.max(...sizes.map((s) => s.width));
  const height = sizes.reduce((acc, s) => acc + s.height, 0);
  let y = 0;
  const parts = charts.map((c, i) => {
    const h = sizes[i].height;
    const part = `<svg x="0" y="${y}" width="${width}" height="${h}">\n${chartBody(c, width, h)}\n</svg>`;
    y += h;
    return part;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n${
    parts.join("\n")
  }\n</svg>\n`;
}
