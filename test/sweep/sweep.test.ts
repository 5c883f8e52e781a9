/**
 * `faultline sweep` on a real etcd-3: three concurrency levels, sweep.json with p95 per level,
 * and sweep.html drawing the curve in headless Chromium.
 * Run under the cluster lock: flock /tmp/faultline-cluster.lock npx vitest run test/sweep
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser-probe.js';
import type { SweepFile } from '../../src/sweep/sweep.js';
import { runCli } from '../support/cli.js';
import { describeAsRoot } from '../support/env.js';

let base: string;
let env: NodeJS.ProcessEnv;

describeAsRoot('faultline sweep on real etcd-3', () => {
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), `fl-sweep-${process.pid}-`));
    env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
  });
  afterAll(() => {
    runCli(['cluster', 'down', '--all'], { env });
    rmSync(base, { recursive: true, force: true });
  });

  it('writes sweep.json with every level and a page with the degradation curve', async () => {
    const out = join(base, 'sweep');
    const r = runCli(
      [
        '-q',
        'sweep',
        '--cluster',
        'clusters/etcd-3.json',
        '--workload',
        'register',
        '--concurrency',
        '1,8,64',
        '--time-limit',
        '10',
        '--out',
        out,
      ],
      { env, timeoutMs: 600_000 },
    );
    console.log(r.stdout);
    expect([0, 1], r.stderr).toContain(r.status);
    const file = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepFile;
    expect(file.levels.map((l) => l.concurrency)).toEqual([1, 8, 64]);
    for (const l of file.levels) {
      expect(l.p95).toBeGreaterThan(0);
      expect(l.p95).toBeLessThanOrEqual(l.p99);
    }
    for (const l of file.levels) {
      const res = JSON.parse(readFileSync(join(l.runDir, 'results.json'), 'utf8'));
      console.log(
        l.concurrency,
        JSON.stringify(res.checks.perf.overall.throughput),
        JSON.stringify(res.run.execution),
      );
    }
    console.log(
      JSON.stringify(
        file.levels.map((l) => ({
          c: l.concurrency,
          okPerSec: l.okPerSec,
          p95: l.p95,
          runDir: l.runDir,
        })),
      ),
    );
    // More workers, more throughput at first (etcd is not saturated by one client).
    expect(file.levels[0]!.okPerSec).toBeGreaterThan(0);
    expect(file.levels[1]!.okPerSec).toBeGreaterThan(file.levels[0]!.okPerSec);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const requests: string[] = [];
      page.on('request', (q) => !q.url().startsWith('file:') && requests.push(q.url()));
      await page.goto(`file://${join(out, 'sweep.html')}`);
      await page.waitForFunction(
        () => (globalThis as unknown as { __sweepCharts?: object }).__sweepCharts !== undefined,
      );
      const charts = await page.evaluate(
        () => (globalThis as unknown as { __sweepCharts: Record<string, number[]> }).__sweepCharts,
      );
      expect(charts.throughput).toEqual([3, 3]);
      expect(charts.latency).toEqual([3, 3, 3, 3]);
      expect(await page.locator('canvas').count()).toBe(2);
      expect(await page.locator('#levels tbody tr').count()).toBe(3);
      expect(await page.locator('#knee').textContent()).toMatch(/knee|no knee/);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 900_000);
});
