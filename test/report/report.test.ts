/**
 * The run report: built from a realistic run directory (many processes, ok/fail/info, nemesis
 * start/stop ops, a failing linearizability result), opened in real headless Chromium, and
 * checked for what a reader sees: plots and timeline drawn with data, no errors, no network,
 * evidence links that move the timeline, hover that shows the op.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/history/reader.js';
import { launchChromium, probeReport } from '../support/browser-probe.js';
import { ReportInputError } from '../../src/report/errors.js';
import { buildHistoryModel, Outcome } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { writeSampleRun, type SampleRun } from '../support/sample-run.js';

const OUT_DIR = resolve('results/test-output/report');
const OPS = 25_000; // above the scatter's keep-everything threshold, so thinning is exercised
const CONCURRENCY = 12;

let work: string;
let run: SampleRun;
let browser: Browser;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), `faultline-report-${process.pid}-`));
  run = await writeSampleRun(join(work, 'run'), { ops: OPS, concurrency: CONCURRENCY, seed: 7 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('report model', () => {
  it('pairs ops, packs processes into one lane per worker and reads faults with their verification', async () => {
    const m = await buildHistoryModel(readHistory(join(run.dir, 'history.jsonl')));
    expect(m.ops.count).toBe(OPS);
    expect(m.counts.ok + m.counts.fail + m.counts.info + m.counts.pending).toBe(OPS);
    expect(m.counts.info).toBeGreaterThan(0);
    expect(m.counts.fail).toBeGreaterThan(0);
    // after an info a worker continues as a new process: more processes than workers, but
    // processes that never overlap share a lane
    const processes = m.laneProcesses.flat();
    expect(processes.length).toBeGreaterThan(CONCURRENCY);
    expect(m.laneProcesses.length).toBe(CONCURRENCY);
    const sorted = m.ops.start.every((t, i) => i === 0 || t >= m.ops.start[i - 1]!);
    expect(sorted).toBe(true);
    expect(m.faults.map((f) => [f.id, f.kind, f.status])).toEqual([
      ['f1', 'partition', 'verified'],
      ['f2', 'kill', 'verified'],
      ['f3', 'latency', 'unverified'],
    ]);
    for (const f of m.faults) expect(f.end).toBeGreaterThan(f.start);
    // the violation's op can be found by its history index
    const row = m.rowByIndex.get(run.violationIndex)!;
    expect(m.ops.index[row]).toBe(run.violationIndex);
    expect(m.ops.outcome[row]).toBe(Outcome.ok);
  });

  it('keeps an op that never completed, as pending until the end', async () => {
    const dir = join(work, 'pending');
    await mkdir(dir);
    const lines = [
      { index: 0, time: 1_000_000, type: 'invoke', process: 0, f: 'write', value: 1 },
      { index: 1, time: 2_000_000, type: 'invoke', process: 1, f: 'read', value: null },
      { index: 2, time: 3_000_000, type: 'ok', process: 0, f: 'write', value: 1 },
      { index: 3, time: 9_000_000, type: 'invoke', process: 0, f: 'read', value: null },
      { index: 4, time: 10_000_000, type: 'ok', process: 0, f: 'read', value: 1 },
    ];
    await writeFile(
      join(dir, 'history.jsonl'),
      lines.map((l) => JSON.stringify(l) + '\n').join(''),
    );
    const m = await buildHistoryModel(readHistory(join(dir, 'history.jsonl')));
    expect(Array.from(m.ops.outcome)).toEqual([Outcome.ok, Outcome.pending, Outcome.ok]);
    expect(m.ops.dur[1]).toBeCloseTo(8, 6); // 2 ms -> end of history at 10 ms
    expect(m.ops.text[2]).toBe('→ 1');
    const r = await renderReport(dir); // no results.json, schedule or journal: still a page
    expect(r.bytes).toBeGreaterThan(0);
    const html = await readFile(r.path, 'utf8');
    expect(html).toContain('results.json not found');
  });
});

describe('fault verification', () => {
  it('reads nemesis verifications from the history and fills gaps from the fault journal', async () => {
    const dir = join(work, 'verification');
    await mkdir(dir);
    const nem = (
      index: number,
      ms: number,
      type: string,
      f: string,
      value: object,
      error?: string,
    ) => ({
      index,
      time: ms * 1e6,
      type,
      process: 'nemesis',
      f,
      value,
      ...(error ? { error } : {}),
    });
    const lines = [
      nem(0, 1, 'invoke', 'start-partition', {
        id: 'f1',
        kind: 'partition',
        targets: 'minority',
        params: {},
      }),
      nem(1, 2, 'info', 'start-partition', {
        id: 'f1',
        targets: ['n1', 'n2'],
        verified: { ok: true, observed: { cut: 2 } },
      }),
      nem(2, 3, 'invoke', 'start-latency', {
        id: 'f2',
        kind: 'latency',
        targets: 'all',
        params: {},
      }),
      nem(3, 4, 'info', 'start-latency', {
        id: 'f2',
        verified: { ok: 'unverifiable', observed: {} },
      }),
      nem(4, 5, 'invoke', 'start-pause', { id: 'f3', kind: 'pause', targets: 'one', params: {} }),
      nem(5, 6, 'info', 'start-pause', { id: 'f3', verified: null }, 'no such process'),
      nem(6, 7, 'invoke', 'start-kill', { id: 'f4', kind: 'kill', targets: 'one', params: {} }),
      nem(7, 8, 'info', 'start-kill', { id: 'f4', verified: null }),
      nem(8, 9, 'invoke', 'stop-partition', { id: 'f1' }),
      nem(9, 10, 'info', 'stop-partition', { id: 'f1' }),
    ];
    await writeFile(
      join(dir, 'history.jsonl'),
      lines.map((l) => JSON.stringify(l) + '\n').join(''),
    );
    const m = await buildHistoryModel(readHistory(join(dir, 'history.jsonl')));
    expect(m.faults.map((f) => [f.id, f.status, f.end])).toEqual([
      ['f1', 'verified', 10],
      ['f2', 'unverified', null],
      ['f3', 'failed', null],
      ['f4', 'unverified', null],
    ]);
    expect(m.faults[0]!.targets).toEqual(['n1', 'n2']); // the resolved nodes, not the spec
    // the journal knows f4 was verified
    const journal = [
      {
        event: 'applied',
        id: 'f4',
        at: '2025-01-01T00:00:00Z',
        verification: { ok: true, observed: { pidGone: true } },
      },
    ];
    await writeFile(
      join(dir, 'faults.journal.jsonl'),
      journal.map((j) => JSON.stringify(j) + '\n').join('') + '{"torn',
    );
    const html = await readFile((await renderReport(dir)).path, 'utf8');
    expect(html.match(/badge ok">verified/g)?.length).toBe(2);
    expect(html).toContain('error: no such process');
    expect(html).toContain('faults.journal.jsonl:2: not valid JSON; line skipped');
  });
});

describe('report.html', () => {
  let path: string;
  let html: string;

  beforeAll(async () => {
    const r = await renderReport(run.dir, { now: new Date('2025-06-01T12:00:00Z') });
    path = r.path;
    html = await readFile(path, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
  });

  it('is self-contained and carries the summary', () => {
    expect(path).toBe(join(run.dir, 'report.html'));
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toContain(`faultline replay ${run.dir}`);
    expect(html).toContain('cannot be linearized');
    expect(html).toMatch(/seed <code>7<\/code>/);
    for (const kind of ['partition', 'kill', 'latency'])
      expect(html).toContain(`data-kind="${kind}"`);
    expect(html.match(/badge ok">verified/g)?.length).toBe(2);
    expect(html).toContain('badge none">not verified');
    expect(html).toContain('show in timeline');
    // the linearizability checker's own diagram, embedded and linked to the timeline
    expect(html).toMatch(
      /<div class="diagram linked" data-t0="[\d.]+" data-t1="[\d.]+" data-rows="\d[\d,]*"[^>]*><svg/,
    );
  });

  it('draws the plots and the timeline with data in headless Chromium, without errors or network', async () => {
    await mkdir(OUT_DIR, { recursive: true });
    const screenshot = join(OUT_DIR, `report-${OPS}.png`);
    const p = await probeReport(path, { browser, screenshot });
    console.log(`report screenshot: ${screenshot} (page ready in ${p.loadMs.toFixed(0)} ms)`);
    expect(p.consoleErrors).toEqual([]);
    expect(p.scriptErrors).toEqual([]);
    expect(p.requests).toEqual([]);
    for (const name of ['latency', 'quantiles', 'throughput']) {
      const lengths = p.charts[name]!;
      expect(lengths.length).toBe(4);
      for (const n of lengths) expect(n).toBeGreaterThan(0);
    }
    // the latency scatter is thinned, but not emptied
    expect(p.charts.latency![0]).toBeLessThan(OPS);
    expect(p.charts.latency![0]).toBeGreaterThan(1000);
    expect(p.timeline.lanes).toBe(CONCURRENCY);
    expect(p.timeline.rects).toBeGreaterThan(100);
    const px = (name: string) => p.pixels.find((x) => x.name === name)!;
    expect(px('timeline').ok).toBeGreaterThan(2000);
    expect(px('timeline').fail).toBeGreaterThan(100);
    expect(px('timeline').info).toBeGreaterThan(100);
    expect(px('latency').ok + px('latency').fail).toBeGreaterThan(1000);
    expect(px('quantiles').coloured).toBeGreaterThan(500);
    expect(px('throughput').coloured).toBeGreaterThan(500);
    expect(existsSync(screenshot)).toBe(true);
  });

  describe('interaction', () => {
    let page: Page;
    beforeAll(async () => {
      page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      await page.goto(`file://${path}`);
      await page.waitForFunction('window.__faultline && window.__faultline.ready', undefined, {
        timeout: 30_000,
      });
    });
    afterAll(async () => page?.close());

    it('an evidence link zooms every plot and the timeline to the violation', async () => {
      const full = (await page.evaluate('window.__faultline.getView()')) as number[];
      await page.locator('#check-linearizability a.jump').first().click();
      await page.waitForFunction(
        `(function () { var v = window.__faultline.getView(); return v[1] - v[0] < ${(full[1]! - full[0]!) / 50}; })()`,
        undefined,
        { timeout: 10_000 },
      );
      const row = (await page.evaluate(
        `window.__faultline.rowOfHistoryIndex(${run.violationIndex})`,
      )) as number;
      expect(row).toBeGreaterThanOrEqual(0);
      const check = (await page.evaluate(`(function () {
        var s = window.__faultline, v = s.getView(), u = s.charts.latency;
        return { v: v, x: [u.scales.x.min, u.scales.x.max], box: s.opBox(${row}) };
      })()`)) as {
        v: number[];
        x: number[];
        box: { x0: number; x1: number; y: number; h: number };
      };
      expect(check.x[0]).toBeCloseTo(check.v[0]!, 6);
      expect(check.x[1]).toBeCloseTo(check.v[1]!, 6);
      // the op is inside the visible timeline: hovering it shows it
      const canvas = page.locator('#fl-timeline canvas');
      const bb = (await canvas.boundingBox())!;
      expect(check.box.x0).toBeGreaterThan(0);
      expect(check.box.x1).toBeLessThan(bb.width);
      await canvas.scrollIntoViewIfNeeded();
      const bb2 = (await canvas.boundingBox())!;
      await page.mouse.move(
        bb2.x + (check.box.x0 + check.box.x1) / 2,
        bb2.y + check.box.y + check.box.h / 2,
      );
      await expect.poll(() => page.locator('#fl-tip').isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await page.locator('#fl-tip').textContent()).toContain(
        `history #${run.violationIndex}`,
      );
    });

    it('the wheel zooms the timeline and double-click resets it', async () => {
      await page.locator('#fl-zoom-reset').click();
      const before = (await page.evaluate('window.__faultline.getView()')) as number[];
      const canvas = page.locator('#fl-timeline canvas');
      const bb = (await canvas.boundingBox())!;
      await page.mouse.move(bb.x + bb.width / 2, bb.y + bb.height - 10);
      await page.mouse.wheel(0, -600);
      await expect
        .poll(async () => {
          const v = (await page.evaluate('window.__faultline.getView()')) as number[];
          return v[1]! - v[0]!;
        })
        .toBeLessThan((before[1]! - before[0]!) / 2);
      await canvas.dblclick({ position: { x: bb.width / 2, y: 5 } });
      const after = (await page.evaluate('window.__faultline.getView()')) as number[];
      expect(after).toEqual(before);
    });
  });
});

describe('bad input', () => {
  it('names the missing history', async () => {
    const dir = join(work, 'empty');
    await mkdir(dir);
    const err = await renderReport(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportInputError);
    expect((err as ReportInputError).userMessage).toBe(
      `${join(dir, 'history.jsonl')}: missing: a run directory holds history.jsonl`,
    );
  });

  it('names results.json and the field when it is malformed', async () => {
    const dir = join(work, 'bad-results');
    await mkdir(dir);
    await writeFile(join(dir, 'history.jsonl'), '');
    await writeFile(
      join(dir, 'results.json'),
      '{"valid": false, "checks": {"linearizability": 3}}',
    );
    const err = (await renderReport(dir).catch((e: unknown) => e)) as ReportInputError;
    expect(err).toBeInstanceOf(ReportInputError);
    expect(err.userMessage).toContain('results.json');
    expect(err.userMessage).toContain("field 'checks.linearizability'");
  });
});

/** Real runs written by `faultline run`, when there are any in results/. */
/** Real run directories: the recorded fixture (always), plus the newest under results/ if any. */
async function realRunDirs(): Promise<string[]> {
  const root = resolve('results');
  const fixtures = resolve('test/fixtures/runs');
  const out: string[] = [];
  for (const test of await readdir(fixtures)) {
    if (!(await stat(join(fixtures, test))).isDirectory()) continue;
    for (const r of await readdir(join(fixtures, test))) out.push(join(fixtures, test, r));
  }
  for (const test of await readdir(root).catch(() => [] as string[])) {
    if (test === 'test-output') continue;
    for (const r of await readdir(join(root, test)).catch(() => [] as string[])) {
      const dir = join(root, test, r);
      if (existsSync(join(dir, 'history.jsonl')) && existsSync(join(dir, 'results.json')))
        out.push(dir);
    }
  }
  return [...out.slice(0, 1), ...out.slice(1).sort().slice(-3)];
}

describe('real runs (the recorded fixture, and results/ when present)', async () => {
  const dirs = await realRunDirs();
  it('render and draw without errors', async () => {
    expect(dirs.length).toBeGreaterThan(0);
    for (const dir of dirs) {
      const out = join(work, `real-${dirs.indexOf(dir)}.html`);
      const r = await renderReport(dir, { out });
      const p = await probeReport(r.path, {
        browser,
        screenshot: join(OUT_DIR, `real-${dirs.indexOf(dir)}.png`),
      });
      console.log(
        `real run ${dir}: ${(r.bytes / 1e6).toFixed(2)} MB, ready in ${p.loadMs.toFixed(0)} ms`,
      );
      expect(p.consoleErrors).toEqual([]);
      expect(p.requests).toEqual([]);
      expect(p.timeline.rects).toBeGreaterThan(0);
    }
  });
});
