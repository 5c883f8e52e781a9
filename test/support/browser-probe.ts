/**
 * Opens a report.html in headless Chromium and measures what a reader would see: load time,
 * console errors, network requests (there must be none), the data each uPlot chart holds and
 * how many pixels of each canvas carry data colours. Used by the report test and benchmark;
 * needs playwright-core (a dev dependency) and Debian's /usr/bin/chromium.
 */
import { chromium, type Browser } from 'playwright-core';
import { pathToFileURL } from 'node:url';

export const CHROMIUM_PATH = process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface CanvasPixels {
  /** Which canvas: `timeline`, or the uPlot chart's name. */
  name: string;
  width: number;
  height: number;
  /** Pixels close to the ok / fail / info colours. */
  ok: number;
  fail: number;
  info: number;
  /** Pixels that are neither white nor grey (anything drawn in colour). */
  coloured: number;
}

export interface ProbeResult {
  /** From navigation start until the page script reported ready, ms. */
  loadMs: number;
  consoleErrors: string[];
  /** URLs the page tried to fetch besides itself. */
  requests: string[];
  scriptErrors: string[];
  /** uPlot chart name -> length of each data array (x first). */
  charts: Record<string, number[]>;
  timeline: { rects: number; draws: number; lanes: number; width: number; height: number };
  pixels: CanvasPixels[];
}

export interface ProbeOptions {
  browser?: Browser;
  /** Save a full-page PNG here. */
  screenshot?: string;
  viewport?: { width: number; height: number };
  /** Give up waiting for the page script after this long (ms). */
  timeoutMs?: number;
}

/**
 * Browser-side code, as strings: the project's TS has no DOM types, and functions passed to
 * page.evaluate would be serialised after the test runner's transform (which may add helpers).
 */
const COUNT_PIXELS_JS = String.raw`(function (colors) {
  function hex(h) { return [1, 3, 5].map(function (i) { return parseInt(h.slice(i, i + 2), 16); }); }
  var refs = { ok: hex(colors.ok), fail: hex(colors.fail), info: hex(colors.info) };
  var out = [];
  Array.prototype.forEach.call(document.querySelectorAll('canvas'), function (c) {
    var chart = c.closest('.chart');
    var name = chart ? chart.id.replace(/^fl-/, '') : c.closest('#fl-timeline') ? 'timeline' : 'other';
    var ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return;
    var d = ctx.getImageData(0, 0, c.width, c.height).data;
    var px = { name: name, width: c.width, height: c.height, ok: 0, fail: 0, info: 0, coloured: 0 };
    for (var i = 0; i < d.length; i += 4) {
      var r = d[i], g = d[i + 1], b = d[i + 2];
      if (d[i + 3] < 128) continue;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) px.coloured++;
      for (var k in refs) {
        var ref = refs[k];
        if (Math.abs(r - ref[0]) + Math.abs(g - ref[1]) + Math.abs(b - ref[2]) < 40) px[k]++;
      }
    }
    out.push(px);
  });
  return out;
})`;

const READY_JS =
  'window.__faultline !== undefined && (window.__faultline.ready || window.__faultline.errors.length > 0)';

const STATE_JS = String.raw`(function () {
  var s = window.__faultline, charts = {};
  Object.keys(s.charts).forEach(function (k) { charts[k] = s.charts[k].data.map(function (a) { return a.length; }); });
  var data = JSON.parse(document.getElementById('fl-data').textContent);
  return { errors: s.errors, charts: charts, timeline: Object.assign({}, s.timeline), colors: data.colors };
})()`;

export async function probeReport(htmlPath: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const own = opts.browser === undefined;
  const browser = opts.browser ?? (await launchChromium());
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  try {
    const page = await context.newPage();
    const url = pathToFileURL(htmlPath).href;
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      requests.push(u);
      return route.abort();
    });
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(READY_JS, undefined, {
      timeout: opts.timeoutMs ?? 30_000,
      polling: 20,
    });
    const loadMs = performance.now() - t0;
    const state = (await page.evaluate(STATE_JS)) as {
      errors: string[];
      charts: Record<string, number[]>;
      timeline: ProbeResult['timeline'];
      colors: Record<string, string>;
    };
    const pixels = (await page.evaluate(
      `${COUNT_PIXELS_JS}(${JSON.stringify(state.colors)})`,
    )) as CanvasPixels[];
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true });
    return {
      loadMs,
      consoleErrors,
      requests,
      scriptErrors: state.errors,
      charts: state.charts,
      timeline: state.timeline,
      pixels,
    };
  } finally {
    await context.close();
    if (own) await browser.close();
  }
}
