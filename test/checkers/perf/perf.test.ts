import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPerf, latencyStats } from '../../../src/checkers/perf/index.js';
import { HistoryBuilder } from '../support/build-history.js';

const ms = 1e6;

describe('performance checker', () => {
  it('computes HdrHistogram quantiles within 0.1 % of the nearest-rank sample', () => {
    const s = latencyStats(Array.from({ length: 1000 }, (_, i) => (1000 - i) * ms));
    expect(s).toMatchObject({ count: 1000, mean: 500.5 * ms, max: 1000 * ms });
    const near = (got: number, want: number) =>
      expect(Math.abs(got - want) / want).toBeLessThanOrEqual(0.001);
    near(s.p50, 500 * ms);
    near(s.p90, 900 * ms);
    near(s.p95, 950 * ms);
    near(s.p99, 990 * ms);
    near(s.p999, 999 * ms);
    expect(latencyStats([])).toMatchObject({ count: 0, p99: 0, max: 0 });
  });

  it('splits latency and throughput by outcome, by fault period and outside faults', () => {
    const h = new HistoryBuilder()
      .steady(0, 10, 0.1, { latency: 0.01 }) // 100 ok at 10 ms
      .fault('f3', 'partition', ['n1', 'n2'], 10, 20)
      .steady(10, 20, 1, { latency: 0.5, type: 'info' }) // 10 info at 500 ms
      .steady(20.1, 30.1, 0.1, { latency: 0.02, f: 'read' }) // 100 ok at 20 ms, after the heal
      .op({ at: 25, type: 'pending', f: 'cas' })
      .build();
    const r = checkPerf(h);
    expect(r.valid).toBe(true);
    expect(r.overall).toMatchObject({ ok: { count: 200 }, info: { count: 10 }, pending: 1 });
    expect(r.faults).toHaveLength(1);
    const f = r.faults[0]!;
    expect(f).toMatchObject({ id: 'f3', kind: 'partition', ok: { count: 0 }, info: { count: 10 } });
    expect(f.info.p50).toBeCloseTo(500 * ms, -3);
    expect(f.label).toBe('partition n1,n2 since 10.0 s until 20.1 s');
    expect(r.outsideFaults.ok.count).toBe(200);
    expect(r.outsideFaults.ok.max).toBeCloseTo(20 * ms, -3);
    // 200 ok completions over ~19.9 s outside the fault window.
    expect(r.outsideFaults.throughput.ok).toBeGreaterThan(9.5);
    expect(r.outsideFaults.throughput.ok).toBeLessThan(10.5);
    expect(f.throughput.ok).toBe(0);
    expect(Object.keys(r.byF).sort()).toEqual(['cas', 'read', 'write']);
    expect(r.byF.read!.ok.p50).toBeCloseTo(20 * ms, -3);
  });

  it('property: quantiles are ordered and counts add up to the completed ops', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 5_000 }),
            fc.constantFrom('ok', 'fail', 'info' as const),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const b = new HistoryBuilder();
          ops.forEach(([lat, type], i) => b.op({ at: i * 0.001, latency: lat / 1000, type }));
          const r = checkPerf(b.build());
          let n = 0;
          for (const o of ['ok', 'fail', 'info'] as const) {
            const s = r.overall[o];
            expect(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max).toBe(true);
            n += s.count;
          }
          expect(n).toBe(ops.length);
        },
      ),
    );
  });
});
