import { describe, expect, it } from 'vitest';
import { opSamples } from '../../src/checkers/perf/samples.js';
import { compareSamples, formatComparison } from '../../src/compare/compare.js';
import { bootstrapRatio, quantileStat, rng } from '../../src/compare/bootstrap.js';
import { HistoryBuilder } from '../checkers/support/build-history.js';
import { runCli } from '../support/cli.js';

/** 20 s of ops every 10 ms with log-normal-ish latencies around `scale` s. */
function run(seed: number, scale: number, every = 0.01) {
  const rand = rng(seed);
  const b = new HistoryBuilder();
  for (let t = 0; t < 20; t += every) b.op({ at: t, latency: scale * Math.exp(rand() - 0.5) });
  return opSamples(b.build());
}

describe('compare', () => {
  const a = run(1, 0.005);

  it('a run against itself: no regression, every ratio 1', () => {
    const c = compareSamples(a, a, { tolerance: 0.1 });
    expect(c.regressed).toBe(false);
    expect(c.metrics.map((m) => `${m.period} ${m.metric}`)).toEqual([
      'overall p50',
      'overall p95',
      'overall p99',
      'overall throughput',
      'steady p50',
      'steady p95',
      'steady p99',
      'steady throughput',
    ]);
    for (const m of c.metrics) expect(m.ratio).toBe(1);
    expect(c.skipped).toEqual(['during faults: only in neither']);
  });

  it('another sample of the same system is within tolerance', () => {
    const c = compareSamples(a, run(2, 0.005), { tolerance: 0.1 });
    expect(c.regressed).toBe(false);
  });

  it('latency twice as high is a regression that names the quantiles', () => {
    const slow = run(3, 0.01);
    const c = compareSamples(a, slow, { tolerance: 0.1 });
    expect(c.regressed).toBe(true);
    const reg = c.metrics.filter((m) => m.regressed).map((m) => `${m.period} ${m.metric}`);
    expect(reg).toEqual(expect.arrayContaining(['overall p50', 'overall p95', 'overall p99']));
    const text = formatComparison(c, 'A', 'B');
    expect(text).toMatch(/REGRESSED p99 overall: [\d.]+ ms -> [\d.]+ ms \(\+\d+\.\d%/);
    // Throughput is the same (same timetable).
    expect(
      c.metrics.find((m) => m.metric === 'throughput' && m.period === 'overall')!.regressed,
    ).toBe(false);
  });

  it('half the throughput is a regression', () => {
    const c = compareSamples(a, run(4, 0.005, 0.02), { tolerance: 0.1 });
    const t = c.metrics.find((m) => m.metric === 'throughput' && m.period === 'overall')!;
    expect(t.ratio).toBeCloseTo(0.5, 1);
    expect(t.regressed).toBe(true);
  });

  it('a CI widens on a small sample: 30 ops with one slow tail op is not called a regression', () => {
    const base = Float64Array.from({ length: 30 }, (_, i) => 1 + (i % 5) * 0.01);
    const withTail = Float64Array.from(base, (v, i) => (i === 0 ? 2 : v));
    const e = bootstrapRatio(base, withTail, quantileStat(0.99));
    expect(e.ratio).toBeGreaterThan(1.5);
    expect(e.low).toBeLessThanOrEqual(1.1);
  });
});

describe('faultline compare (CLI)', () => {
  const run = 'test/fixtures/runs/etcd-3-register-serializable/20261121T160121';
  it('a run against itself exits 0; a missing run and a bad tolerance are one line each', () => {
    const same = runCli(['compare', run, run]);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/during partition\s+p99/);
    expect(same.stdout).toMatch(/no regression beyond 10%/);
    const missing = runCli(['compare', run, '/nonexistent-run']);
    expect(missing.status).toBe(65);
    expect(missing.stderr.trim()).toBe(
      'faultline: /nonexistent-run: no such run directory or history file',
    );
    const bad = runCli(['compare', run, run, '--tolerance', 'lots']);
    expect(bad.status).toBe(64);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
