/**
 * What the report says about the run, read as a person would (the recorded run fixture,
 * rendered and opened in headless Chromium): the Run card in words (no raw JSON, no `null`
 * fields), the counts labelled (client ops, final reads), stuck's threshold in seconds, y-axis
 * titles clear of their tick labels, and timeline lanes named so "process 22" is findable.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser-probe.js';
import { checkSummary } from '../../src/report/html.js';
import { renderReport } from '../../src/report/render.js';
import { REPO } from '../support/repo.js';

const FIXTURE = join(REPO, 'test/fixtures/runs/etcd-3-register-serializable/20261121T160121');
const tmp = mkdtempSync(join(tmpdir(), `fl-run-card-${process.pid}-`));
const dir = join(tmp, 'run');
let html = '';
let browser: Browser;

beforeAll(async () => {
  cpSync(FIXTURE, dir, { recursive: true });
  const r = await renderReport(dir);
  html = readFileSync(r.path, 'utf8');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The text of the card with this title. */
function card(title: string): string {
  const m = new RegExp(`<div class="card[^"]*"><h2>${title}</h2>([\\s\\S]*?)</div>\\n`).exec(html);
  expect(m, `card ${title}`).not.toBeNull();
  return m![1]!;
}

describe('report Run card', () => {
  it('says what ran in words: no raw JSON, no null fields', () => {
    const run = card('Run');
    expect(run).not.toMatch(/\{&quot;|\{"/); // no JSON object dumped
    expect(run).not.toMatch(/>null</);
    expect(run).not.toMatch(/<th>(execution|checkPlan|path|error)<\/th>/);
    expect(run).toMatch(/<th>healthy<\/th><td>in 2\.4 s/);
    expect(run).toMatch(
      /<th>checkers<\/th><td>linearizability, stuck, convergence, election, perf/,
    );
  });

  it('labels the final reads apart from the client ops', () => {
    expect(card('History')).toMatch(/197 \(incl\. 9 final reads\)/);
  });

  it('gives a stuck threshold in seconds, not nanoseconds', () => {
    const text = checkSummary({ valid: true, thresholdNs: 5_000_000_000, windows: [] });
    expect(text).toContain('threshold 5.0 s');
    expect(text).not.toMatch(/5000000000/);
  });

  it('keeps y-axis titles clear of the tick labels, and names lanes after workers', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`file://${join(dir, 'report.html')}`);
    await page.waitForFunction('window.__faultline && window.__faultline.ready', undefined, {
      timeout: 30_000,
    });
    const axes = (await page.evaluate(`(() => {
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
      return Object.entries(window.__faultline.charts).map(([name, u]) => {
        const y = u.axes[1];
        const widest = Math.max(...(y._values || []).map((v) => ctx.measureText(String(v ?? '')).width));
        return { name, size: y._size, widest, gap: y.gap ?? 5, tick: y.ticks.size ?? 10 };
      });
    })()`)) as { name: string; size: number; widest: number; gap: number; tick: number }[];
    expect(axes.length).toBe(3);
    for (const a of axes) expect(a.size, a.name).toBeGreaterThanOrEqual(a.widest + a.gap + a.tick);
    const lanes = (await page.evaluate(
      `JSON.parse(document.getElementById('fl-data').textContent).lanes`,
    )) as string[];
    expect(lanes[0]).toBe('worker 0');
    await page.close();
    // The explanation names the worker whose lane holds the op.
    expect(html).toMatch(/process 22 \(worker \d+\) · history #380/);
  });
});
