/**
 * The study page and the tune report, opened in a real headless Chromium: no console errors, every
 * figure drew content inside its frame, the animation's slider and play button move the links, and a
 * screenshot is saved to out/browser/. Skipped with a printed reason where no browser can be had.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ConsoleMessage, HTTPRequest, Page } from "puppeteer-core";
import { runStudyTask as studyMain, runTune as tuneMain } from "../../tasks/mod.ts";
import { browserUnavailable, launchChromium } from "../fixtures/browser.ts";

const unavailable = browserUnavailable();
if (unavailable) console.log(`skipping the browser tests: ${unavailable}`);

const SCREENSHOT_DIR = join("out", "browser");
const quietIO = { stdout: () => {}, stderr: () => {}, isTerminal: false };

interface FigureCheck {
  readonly index: number;
  readonly shapes: number;
  readonly outside: number;
  readonly width: number;
  readonly height: number;
}

// Code that runs in the page is given as source text: the DOM types are not part of this project's
// type-check, and the page sees only what the string says.
const FIGURE_CHECK =
  `[...document.querySelectorAll("svg")].filter((svg) => !svg.parentElement?.closest("svg"))
  .map((svg, index) => {
    const frame = svg.getBoundingClientRect();
    const shapes = [...svg.querySelectorAll("path, rect, polyline, line, circle")].filter((s) => {
      const b = s.getBoundingClientRect();
      return b.width > 0 || b.height > 0;
    });
    const outside = shapes.filter((s) => {
      const b = s.getBoundingClientRect();
      return b.left < frame.left - 1 || b.top < frame.top - 1 || b.right > frame.right + 1 || b.bottom > frame.bottom + 1;
    }).length;
    return { index, shapes: shapes.length, outside, width: frame.width, height: frame.height };
  })`;

/**
 * Every top-level SVG of the page drew more than three shapes and none sticks out of its frame;
 * returns the figures for page-specific checks.
 */
async function assertFiguresDrawn(page: Page): Promise<FigureCheck[]> {
  const figures = await page.evaluate(FIGURE_CHECK) as FigureCheck[];
  for (const f of figures) {
    assert.ok(f.shapes > 3, `figure ${f.index} drew ${f.shapes} shapes`);
    assert.equal(f.outside, 0, `figure ${f.index}: ${f.outside} shapes outside its frame`);
  }
  return figures;
}

/**
 * Saves a full-page screenshot under out/browser/ (kept after the test, for a person to look at)
 * and checks it holds a real image.
 */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  const shot = join(SCREENSHOT_DIR, name);
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok((await Deno.stat(shot)).size > 10_000);
}

async function openPage(path: string, errors: string[]): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await launchChromium();
  const page = await browser.newPage();
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error: unknown) => errors.push(String(error)));
  // The pages load nothing from the network: any request other than the file itself is an error.
  page.on("request", (request: HTTPRequest) => {
    if (!request.url().startsWith("file:")) errors.push(`network request: ${request.url()}`);
  });
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
  return { page, close: () => browser.close() };
}

Deno.test({
  name: "study.html draws every figure and its animation moves the links in Chromium",
  ignore: unavailable !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "study-page-" });
    try {
      const code = await studyMain(
        [
          "--controllers",
          "classical,sta,lqr",
          "--mc",
          "24",
          "--grid",
          "7",
          "--workers",
          "0",
          "--out",
          dir,
          "--quiet",
        ],
        quietIO,
      );
      assert.equal(code, 0);
      const errors: string[] = [];
      const { page, close } = await openPage(join(dir, "study.html"), errors);
      try {
        const figures = await assertFiguresDrawn(page);
        // 3 basins, one stack per disturbance scenario, u(t), spectrum, 2 box plots, 3 animation scenes.
        assert.ok(figures.length >= 3 + 1 + 2 + 2 + 3, `${figures.length} figures`);
        const cells = await page.evaluate(`document.querySelectorAll("svg.basin rect.cell").length`);
        assert.equal(cells, 3 * 49);
        const polylines = await page.evaluate(
          `[...document.querySelectorAll("svg.line polyline")].map((p) => p.getAttribute("points").split(" ").length)`,
        ) as number[];
        assert.ok(polylines.length > 0 && polylines.every((n) => n > 10), `polyline points ${polylines}`);

        const tip = () =>
          page.evaluate(
            `(() => { const l = document.getElementById("link2-0"); return l.getAttribute("x2") + "," + l.getAttribute("y2"); })()`,
          );
        const start = await tip();
        await page.evaluate(
          `(() => { const s = document.getElementById("slider"); s.value = "5"; s.dispatchEvent(new Event("input")); })()`,
        );
        const moved = await tip();
        assert.notEqual(moved, start, "the slider did not move link 2");
        assert.match(
          String(await page.evaluate(`document.getElementById("clock").textContent`)),
          /t = 0\.10 s/,
        );
        await page.click("#play");
        await new Promise((resolve) => setTimeout(resolve, 400));
        await page.click("#play");
        const after = Number(await page.evaluate(`document.getElementById("slider").value`));
        assert.ok(after > 5, `playing did not advance the slider (value ${after})`);

        await saveScreenshot(page, "study.png");
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the tune report draws every figure in Chromium without console errors",
  ignore: unavailable !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tune-page-" });
    try {
      const report = join(dir, "report.html");
      const code = await tuneMain([
        "--controller",
        "classical",
        "--particles",
        "6",
        "--iters",
        "3",
        "--scenarios",
        "2",
        "--robustness",
        "2",
        "--workers",
        "0",
        "--quiet",
        "--out",
        join(dir, "g.json"),
        "--json",
        join(dir, "r.json"),
        "--report",
        report,
      ], quietIO);
      assert.equal(code, 0);
      const errors: string[] = [];
      const { page, close } = await openPage(report, errors);
      try {
        const figures = await assertFiguresDrawn(page);
        assert.ok(figures.length >= 1);
        await saveScreenshot(page, "report.png");
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
