/**
 * The live view while a daemon shrinks a failure (headless Chromium over a real server fed
 * LiveEvents as the daemon emits them): the shrinker's step, candidate size and reproductions
 * show live instead of "No trial is running"; a trial still being written is "running" with its
 * seed on the runs page (not "no result" and "–"); fault events name their trial.
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser-probe.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { emptyLiveState, reduceLive, type LiveEvent } from '../../src/server/live.js';
import { FIXTURE_RUN_ID, tempResults, type TempResults } from './helpers.js';

let tmp: TempResults;
let server: RunningServer;
let browser: Browser;
let page: Page;
const live$ = new Subject<LiveEvent>();
let trialDir: string;

beforeAll(async () => {
  tmp = await tempResults();
  // A trial in progress: schedule and history written, no results yet.
  trialDir = join(tmp.root, 'soak', 'trials', '000004');
  await cp(join(tmp.root, FIXTURE_RUN_ID), trialDir, { recursive: true });
  await rm(join(trialDir, 'results.json'));
  await rm(join(trialDir, 'summary.txt'));
  server = await startServer({ resultsRoot: tmp.root, live$ });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tmp?.cleanup();
});

const fault = (trial: number, id: string): LiveEvent => ({
  type: 'fault',
  trial,
  event: 'applied',
  id,
  kind: 'partition',
  targets: ['n1', 'n2'],
});

describe('live view of a shrink', () => {
  it('folds shrink events into a shrinking state that outlives the trial-end', () => {
    const origin = join(tmp.root, FIXTURE_RUN_ID);
    const events: LiveEvent[] = [
      { type: 'trial-start', trial: 3, runDir: origin, seed: 7 },
      { type: 'trial-end', trial: 3, runDir: origin, valid: false },
      { type: 'shrink-start', trial: 3, seed: 7, runDir: origin },
      { type: 'shrink-attempt', trial: 3, runDir: '/x/a1', label: 'c1-a1' },
      {
        type: 'progress',
        trial: 3,
        elapsedMs: 1200,
        opsPerSec: 9,
        ok: 5,
        fail: 1,
        info: 0,
        activeFaults: [],
      },
      fault(3, 'f0'),
      {
        type: 'shrink',
        trial: 3,
        step: 2,
        size: 40,
        candidateSize: 31,
        failing: true,
        failures: 2,
        attempts: 3,
      },
    ];
    const s = events.reduce(reduceLive, emptyLiveState());
    expect(s.current).toBeNull();
    expect(s.shrinking).toMatchObject({
      trial: 3,
      step: 2,
      size: 40,
      candidateSize: 31,
      failures: 2,
      attempts: 3,
    });
    expect(s.shrinking?.attempt).toMatchObject({ label: 'c1-a1', ok: 5, elapsedMs: 1200 });
    expect(s.faults.at(-1)).toMatchObject({ trial: 3, id: 'f0', shrink: true });
    expect(reduceLive(s, { type: 'shrink-end', trial: 3, size: 40 }).shrinking).toBeNull();
  });

  it('shows the shrinker live, the running trial as running with its seed, and a trial column', async () => {
    await page.goto(new URL('/live', server.url).href);
    await expect.poll(() => page.locator('#conn').textContent()).toBe('connected');
    const origin = join(tmp.root, FIXTURE_RUN_ID);
    live$.next({ type: 'daemon', state: 'running' });
    live$.next({ type: 'trial-start', trial: 3, runDir: origin, seed: 7 });
    live$.next(fault(3, 'f0'));
    live$.next({ type: 'trial-end', trial: 3, runDir: origin, valid: false });
    live$.next({ type: 'shrink-start', trial: 3, seed: 7, runDir: origin });
    live$.next({ type: 'shrink-attempt', trial: 3, runDir: join(tmp.base, 'a1'), label: 'c1-a1' });
    live$.next(fault(3, 'f0'));
    live$.next({
      type: 'shrink',
      trial: 3,
      step: 4,
      size: 38,
      candidateSize: 27,
      failing: false,
      failures: 0,
      attempts: 2,
    });
    await expect.poll(() => page.locator('#shrink-step').textContent()).toBe('4');
    expect(await page.locator('#idle').isVisible()).toBe(false);
    expect(await page.locator('#shrinking').isVisible()).toBe(true);
    expect(await page.locator('#shrink-candidate').textContent()).toBe('27');
    expect(await page.locator('#shrink-repro').textContent()).toBe('0 / 2');
    expect(await page.locator('#shrink-size').textContent()).toBe('38');
    expect(await page.locator('#shrink-attempt').textContent()).toContain('c1-a1');
    const rows = await page.locator('#fault-log tr').allTextContents();
    expect(rows[0]).toMatch(/^#3 shrink/);
    expect(rows[1]).toMatch(/^#3f0/);

    // The next trial starts while nothing shrinks: on the runs page it is running, with its seed.
    live$.next({ type: 'shrink-end', trial: 3, size: 38 });
    live$.next({ type: 'trial-start', trial: 4, runDir: trialDir, seed: 7 });
    await expect.poll(() => page.locator('#trial').textContent()).toContain('#4');
    await page.goto(new URL('/runs', server.url).href);
    const row = page.locator('tr[data-run="soak/trials/000004"]');
    await expect.poll(() => row.locator('.badge').first().textContent()).toBe('running');
    expect(await row.locator('td').nth(3).textContent()).toBe('7');
  });
});
