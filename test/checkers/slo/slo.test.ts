import { describe, expect, it } from 'vitest';
import { checkSlos, parseSlo, SloSyntaxError } from '../../../src/checkers/slo/index.js';
import { HistoryBuilder } from '../support/build-history.js';

const ms = 1e6;

describe('SLO expressions', () => {
  it('parses metrics, bounds with units and periods', () => {
    expect(parseSlo('p95 < 500ms')).toMatchObject({
      metric: { kind: 'latency', quantile: 0.95 },
      cmp: '<',
      bound: 500 * ms,
      period: { kind: 'overall' },
    });
    expect(parseSlo('success >= 0.99')).toMatchObject({ metric: { kind: 'success' }, bound: 0.99 });
    expect(parseSlo('success >= 99.5%').bound).toBeCloseTo(0.995);
    expect(parseSlo('p99 < 2s during faults')).toMatchObject({
      bound: 2e9,
      period: { kind: 'faults' },
    });
    expect(parseSlo('p99.9 <= 250 ms during pause')).toMatchObject({
      bound: 250 * ms,
      period: { kind: 'fault', fault: 'pause' },
    });
    expect((parseSlo('p99.9 <= 250 ms').metric as { quantile: number }).quantile).toBeCloseTo(
      0.999,
    );
    expect((parseSlo('p999 < 1s').metric as { quantile: number }).quantile).toBeCloseTo(0.999);
    expect(parseSlo('max-gap < 3s steady')).toMatchObject({
      metric: { kind: 'max-gap' },
      period: { kind: 'steady' },
    });
    expect(parseSlo('recovery < 10s after heal').period).toEqual({ kind: 'after-heal' });
    expect(parseSlo('throughput > 100 ops/s').bound).toBe(100);
  });

  it.each([
    ['p95 < 500', /needs a unit/],
    ['p95 < 500ms parsecs', /unknown period 'parsecs'/],
    ['p95 < 500xs', /unknown time unit 'xs'/],
    ['latency < 5ms', /unknown metric 'latency'/],
    ['success >= 2', /fraction 0..1/],
    ['p99 < 2s during paws', /unknown fault kind 'paws'/],
    ['p95 500ms', /expected '<metric> <op> <value> \[period\]'/],
    ['', /expected/],
  ])('rejects %j with one line naming it', (text, reason) => {
    let err: unknown;
    try {
      parseSlo(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SloSyntaxError);
    const msg = (err as SloSyntaxError).userMessage;
    expect(msg).toMatch(reason);
    expect(msg.startsWith(`SLO '${text}'`)).toBe(true);
    expect(msg).not.toContain('\n');
  });
});

describe('SLO checker', () => {
  // 10 ms ops for 10 s, a partition from 10 s to 20 s under which ops take 500 ms and half are
  // info, then 20 ms ops again.
  const history = new HistoryBuilder()
    .steady(0, 10, 0.1, { latency: 0.01 })
    .fault('f1', 'partition', ['n1'], 10, 20)
    .steady(10, 20, 1, { latency: 0.5 })
    .steady(10.5, 20, 1, { latency: 0.5, type: 'info' })
    .steady(20.1, 30.1, 0.1, { latency: 0.02 })
    .build();

  it('measures each SLO over its period and reports the measured value beside the bound', () => {
    const r = checkSlos(history, {
      slos: [
        'p95 < 100ms steady',
        'p95 < 100ms during faults',
        'p50 < 600ms during partition',
        'success >= 0.99',
        'success >= 0.9',
        'max-gap < 2s',
        'recovery < 1s',
        'p99 < 1s during kill',
      ],
    });
    const by = Object.fromEntries(r.slos.map((s) => [s.slo, s]));
    expect(by['p95 < 100ms steady']).toMatchObject({ valid: true });
    expect(by['p95 < 100ms steady']!.measured).toBeCloseTo(20 * ms, -5);
    expect(by['p95 < 100ms during faults']).toMatchObject({
      valid: false,
      period: 'during faults',
    });
    expect(by['p95 < 100ms during faults']!.measured).toBeCloseTo(500 * ms, -6);
    expect(by['p95 < 100ms during faults']!.message).toMatch(
      /measured p95 500\.\d+ ms during faults over 20 ops \(bound < 100\.000 ms\)/,
    );
    expect(by['p50 < 600ms during partition']!.valid).toBe(true);
    // 10 info among 220 ops.
    expect(by['success >= 0.99']!.measured).toBeCloseTo(210 / 220, 5);
    expect(by['success >= 0.99']!.valid).toBe(false);
    expect(by['success >= 0.9']!.valid).toBe(true);
    // The partition's first ok completes at 10.5 s: gaps stay under 1 s.
    expect(by['max-gap < 2s']!.valid).toBe(true);
    // Healed at 20.05 s; the next ok completes at 20.12 s.
    expect(by['recovery < 1s']!.measured).toBeCloseTo(0.07e9, -7);
    expect(by['p99 < 1s during kill']).toMatchObject({ valid: 'unknown', measured: null });
    expect(r.valid).toBe(false);
  });

  it('passes when every SLO holds, and a gap longer than the bound fails max-gap', () => {
    const ok = checkSlos(history, { slos: ['p99 < 1s', 'success >= 0.5'] });
    expect(ok.valid).toBe(true);
    const stalled = new HistoryBuilder().steady(0, 5, 0.1).steady(9, 12, 0.1).build();
    const r = checkSlos(stalled, { slos: ['max-gap < 3s'] });
    expect(r.valid).toBe(false);
    expect(r.slos[0]!.measured).toBeCloseTo(4.1e9, -7);
  });

  it('open-loop ops count latency from their intended start', () => {
    const h = new HistoryBuilder().steady(1, 2, 0.1, { latency: 0.01 }).build();
    // Every op was meant to start 1 s before it did.
    const shifted = h.map((op) => (op.type === 'invoke' ? { ...op, intended: op.time - 1e9 } : op));
    expect(checkSlos(h, { slos: ['p50 < 100ms'] }).valid).toBe(true);
    const r = checkSlos(shifted, { slos: ['p50 < 100ms'] });
    expect(r.valid).toBe(false);
    expect(r.slos[0]!.measured).toBeGreaterThan(900 * ms);
  });
});
