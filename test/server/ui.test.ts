/**
 * The UI in a real browser (Debian's headless Chromium driven by playwright-core) over real run
 * directories: two short trials run against a real 3-node etcd cluster in beforeAll (~20 s). The
 * runs list shows both with their verdicts, filters narrow it, a click opens a run whose page shows
 * the verdict and checks from its results.json, and its report link loads. The live page follows
 * LiveEvents pushed into a Subject.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser-probe.js';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import type { LiveEvent } from '../../src/server/live.js';
import { runCliAsync } from '../support/cli.js';

/** Screenshots land here for a person to look at (not asserted on). */
const SHOTS = join(tmpdir(), 'faultline-serve-screenshots');

let base: string;
let root: string;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;
const consoleErrors: string[] = [];
const runs: {
  id: string;
  verdict: string;
  seed: number;
  checks: Record<string, { valid: unknown }>;
}[] = [];

const verdictName = (v: unknown) => (v === true ? 'valid' : v === false ? 'invalid' : 'unknown');

async function trial(args: string[]): Promise<void> {
  // The real CLI from source (tsx), so the test never depends on a stale dist/.
  const r = await runCliAsync(
    [
      '--quiet',
      'run',
      '--cluster',
      'clusters/etcd-3.json',
      '--time-limit',
      '6',
      '--nemesis',
      'partition',
      '--results',
      root,
      ...args,
    ],
    { entry: 'source', timeoutMs: 90_000 },
  );
  // Exit 1 (invalid) and 2 (unknown) are verdicts, not failures to run.
  if (r.status !== 0 && r.status !== 1 && r.status !== 2)
    throw new Error(`faultline run failed (exit ${r.status}): ${r.stderr}`);
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), `fl-serve-ui-${process.pid}-`));
  root = join(base, 'results');
  await trial(['--seed', '3']);
  await trial(['--seed', '7', '--read-consistency', 'serializable']);
  for (const test of await readdir(root)) {
    if (test === 'latest') continue;
    for (const stamp of await readdir(join(root, test))) {
      const r = JSON.parse(await readFile(join(root, test, stamp, 'results.json'), 'utf8'));
      runs.push({
        id: `${test}/${stamp}`,
        verdict: verdictName(r.valid),
        seed: r.run.seed,
        checks: r.checks,
      });
    }
  }
  server = await startServer({ resultsRoot: root });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('runs list and run page', () => {
  it('lists the real runs newest first with their verdicts', async () => {
    expect(runs).toHaveLength(2);
    await page.goto(server!.url);
    const rows = page.locator('#runs tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    expect([...ids].sort()).toEqual(runs.map((r) => r.id).sort());
    // The serializable trial ran second, so it is first.
    expect(ids[0]).toMatch(/^etcd-3-register-serializable\//);
    for (const r of runs) {
      const badge = page.locator(`tr[data-run="${r.id}"] .badge`);
      expect((await badge.textContent())?.toLowerCase()).toBe(r.verdict);
    }
    await page.screenshot({ path: join(SHOTS, 'runs-list.png'), fullPage: true });
  });

  it('filters by verdict and by seed', async () => {
    await page.goto(server!.url);
    await page.fill('input[name=q]', '--seed 7');
    await page.click('button[type=submit]');
    await page.waitForURL(/q=/);
    const ids = await page
      .locator('#runs tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    expect(ids).toEqual(runs.filter((r) => r.seed === 7).map((r) => r.id));

    const verdict = runs[0]!.verdict;
    await page.goto(server!.url);
    await page.selectOption('select[name=verdict]', verdict);
    await page.click('button[type=submit]');
    await page.waitForURL(new RegExp(`verdict=${verdict}`));
    const shown = await page.locator('#runs tbody tr').count();
    expect(shown).toBe(runs.filter((r) => r.verdict === verdict).length);
  });

  it('opens a run: verdict, checks, files, and a report that loads', async () => {
    const target = runs.find((r) => r.id.startsWith('etcd-3-register-serializable/'))!;
    await page.goto(server!.url);
    await page.click(`tr[data-run="${target.id}"] a.run-link`);
    await page.waitForURL(`**/runs/${target.id}`);
    expect((await page.locator('#verdict .badge').textContent())?.toLowerCase()).toBe(
      target.verdict,
    );
    const checkNames = await page
      .locator('#checks tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-check')));
    expect(checkNames).toEqual(Object.keys(target.checks));
    for (const [name, c] of Object.entries(target.checks)) {
      const b = page.locator(`#checks tr[data-check="${name}"] .badge`);
      expect((await b.textContent())?.toLowerCase()).toBe(verdictName(c.valid));
    }
    await expect
      .poll(() => page.locator('ul.files a', { hasText: 'history.jsonl' }).count())
      .toBe(1);
    await page.screenshot({ path: join(SHOTS, 'run-page.png'), fullPage: true });

    const [response] = await Promise.all([
      page.waitForResponse(/report\.html$/),
      page.click('#report-link'),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
    await page.waitForLoadState('load');
    expect(await page.title()).toContain('Faultline report');
    await page.screenshot({ path: join(SHOTS, 'report.png') });

    // The raw history opens inline as text.
    const hist = await page.goto(new URL(`/files/${target.id}/history.jsonl`, server!.url).href);
    expect(hist?.status()).toBe(200);
    expect(await page.locator('body').textContent()).toContain('"type":"invoke"');
    expect(consoleErrors).toEqual([]);
  });
});

describe('live page', () => {
  it('shows the current trial as LiveEvents arrive', async () => {
    const live$ = new Subject<LiveEvent>();
    const liveServer = await startServer({ resultsRoot: root, live$ });
    try {
      await page.goto(new URL('/live', liveServer.url).href);
      await expect.poll(() => page.locator('#conn').textContent()).toBe('connected');
      const runDir = join(root, runs[0]!.id);
      live$.next({ type: 'daemon', state: 'running' });
      live$.next({ type: 'trial-start', trial: 3, runDir, seed: 99 });
      live$.next({
        type: 'fault',
        trial: 3,
        event: 'applied',
        id: 'f0',
        kind: 'partition',
        targets: ['n1'],
      });
      live$.next({
        type: 'progress',
        trial: 3,
        elapsedMs: 2500,
        opsPerSec: 41,
        ok: 80,
        fail: 4,
        info: 1,
        activeFaults: ['f0'],
      });
      await expect.poll(() => page.locator('#ops').textContent()).toBe('41');
      live$.next({
        type: 'progress',
        trial: 3,
        elapsedMs: 3500,
        opsPerSec: 36,
        ok: 80,
        fail: 4,
        info: 1,
        activeFaults: ['f0'],
      });
      await expect.poll(() => page.locator('#ops').textContent()).toBe('36');
      expect(await page.locator('#spark path').count()).toBe(1);
      expect(await page.locator('#ok').textContent()).toBe('80');
      expect(await page.locator('#faults .chip').allTextContents()).toEqual(['f0']);
      expect(await page.locator('#trial a').getAttribute('href')).toBe(`/runs/${runs[0]!.id}`);
      expect(await page.locator('#daemon').textContent()).toBe('running');
      await page.screenshot({ path: join(SHOTS, 'live-running.png'), fullPage: true });
      live$.next({
        type: 'trial-end',
        trial: 3,
        runDir,
        valid: false,
        signature: 'linearizability:stale-read',
      });
      await expect
        .poll(() => page.locator('#finished tr').first().textContent())
        .toContain('stale-read');
      expect(await page.locator('#current').isVisible()).toBe(false);
      await page.screenshot({ path: join(SHOTS, 'live.png'), fullPage: true });
      expect(consoleErrors).toEqual([]);
    } finally {
      await liveServer.close();
    }
  });
});
