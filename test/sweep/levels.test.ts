import { describe, expect, it } from 'vitest';
import { opSamples } from '../../src/checkers/perf/samples.js';
import { findKnee, levelStats, type SweepLevel } from '../../src/sweep/levels.js';
import { sweepLevels } from '../../src/sweep/sweep.js';
import { HistoryBuilder } from '../checkers/support/build-history.js';
import { runCli } from '../support/cli.js';

const level = (concurrency: number, okPerSec: number, p95Ms: number): SweepLevel => ({
  concurrency,
  rate: null,
  runDir: `l${concurrency}`,
  valid: true,
  ops: 100,
  okPerSec,
  p50: p95Ms * 5e5,
  p95: p95Ms * 1e6,
  p99: p95Ms * 2e6,
  max: p95Ms * 3e6,
  errorRate: 0,
  infoRate: 0,
  faults: [],
});

describe('sweep levels', () => {
  it('the knee is the last level before latency grows faster than throughput', () => {
    const levels = [level(1, 10, 5), level(10, 95, 6), level(100, 120, 60)];
    const knee = findKnee(levels, (l) => l.concurrency)!;
    expect(knee.index).toBe(1);
    expect(knee.message).toBe('knee at 10: from 10 to 100 p95 grew x10.00 while ok/s grew x1.26');
    expect(findKnee([level(1, 10, 5), level(10, 100, 5)], (l) => l.concurrency)).toBeNull();
  });

  it('measures a level: ok/s over the main phase, quantiles, error and info rates', () => {
    const h = new HistoryBuilder()
      .steady(0, 10, 0.1, { latency: 0.01 })
      .steady(0.05, 10, 1, { latency: 0.2, type: 'fail' })
      .op({ at: 5, type: 'pending' })
      .build();
    const l = levelStats(
      opSamples(h),
      { concurrency: 2, rate: null, runDir: 'x', valid: true },
      10_000,
    );
    expect(l.okPerSec).toBeCloseTo(10, 0);
    expect(l.ops).toBe(111);
    expect(l.errorRate).toBeCloseTo(10 / 111);
    expect(l.infoRate).toBeCloseTo(1 / 111);
    expect(l.p50).toBeCloseTo(10e6, -5);
    expect(l.max).toBeCloseTo(200e6, -5);
  });

  it('levels are concurrencies, or rates at one concurrency', () => {
    expect(sweepLevels([1, 8], null)).toEqual([
      { concurrency: 1, rate: null },
      { concurrency: 8, rate: null },
    ]);
    expect(sweepLevels([4], [100, 200])).toEqual([
      { concurrency: 4, rate: 100 },
      { concurrency: 4, rate: 200 },
    ]);
  });

  it('bad levels are one usage line', () => {
    const r = runCli(['sweep', '--cluster', 'clusters/etcd-3.json', '--concurrency', '8,1']);
    expect(r.status).toBe(64);
    expect(r.stderr.trim()).toMatch(/^faultline: --concurrency: expected increasing whole numbers/);
    const both = runCli([
      'sweep',
      '--cluster',
      'clusters/etcd-3.json',
      '--concurrency',
      '1,2',
      '--rate',
      '10,20',
    ]);
    expect(both.status).toBe(64);
  });
});
