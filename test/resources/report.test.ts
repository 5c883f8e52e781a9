/**
 * report.html plots each node's resources (from resources.jsonl) beside the perf plots, with
 * fault shading, drawn in headless Chromium. The samples come from the real sampler reading this
 * machine's /proc (two real processes) on a fake clock placed inside the fixture run's timeline.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CHROMIUM_PATH, probeReport } from '../support/browser-probe.js';
import { renderReport } from '../../src/report/render.js';
import { localReader } from '../../src/resources/proc.js';
import { ResourceSampler } from '../../src/resources/sampler.js';
import { describeIf } from '../support/env.js';

const dir = mkdtempSync(join(tmpdir(), `fl-res-report-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeIf(existsSync(CHROMIUM_PATH), 'chromium')('node resources in report.html', () => {
  it('draws RSS, CPU and open files per node', async () => {
    const run = join(dir, 'run');
    cpSync(resolve('test/fixtures/runs/etcd-3-register-serializable/20261121T160121'), run, {
      recursive: true,
    });
    let t = 0;
    const sampler = new ResourceSampler({
      nodes: ['n1', 'n2'],
      reader: localReader((n) => (n === 'n1' ? process.pid : process.ppid)),
      now: () => (t += 0.5e9),
      file: join(run, 'resources.jsonl'),
    });
    for (let i = 0; i < 12; i++) await sampler.sampleOnce();
    expect(sampler.samples).toHaveLength(24);
    await renderReport(run);
    const probe = await probeReport(join(run, 'report.html'));
    expect(probe.scriptErrors).toEqual([]);
    expect(probe.consoleErrors).toEqual([]);
    expect(probe.requests).toEqual([]);
    // x plus one series per node, 12 samples each.
    expect(probe.charts.rss).toEqual([12, 12, 12]);
    expect(probe.charts.cpu).toEqual([12, 12, 12]);
    expect(probe.charts.fds).toEqual([12, 12, 12]);
  }, 120_000);
});
