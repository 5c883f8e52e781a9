import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStuck } from '../../../src/checkers/stuck/index.js';
import type { History } from '../../../src/history/op.js';
import { HistoryBuilder } from '../support/build-history.js';

describe('stuck-state checker', () => {
  it('reports quorum loss (3 of 5 killed, never healed) as stuck, with the faults as its cause', () => {
    const h = new HistoryBuilder()
      .steady(0, 12.3, 0.1)
      .fault('f1', 'kill', ['n1', 'n2', 'n3'], 12.3)
      // Clients keep trying; every op times out.
      .steady(12.4, 52.3, 1, { type: 'info', latency: 1 })
      .build();
    const r = checkStuck(h);
    expect(r.valid).toBe(false);
    expect(r.stuckAtEnd).toBe(true);
    expect(r.reason).toMatch(
      /^no op completed for the last 40\.0 s \(since 12\.4 s\); active: kill n1,n2,n3 since 12\.3 s$/,
    );
    expect(r.windows).toHaveLength(1);
    expect(r.windows[0]).toMatchObject({ atEnd: true, outcomes: { info: 40, ok: 0 } });
    expect(r.activeAtEnd).toEqual(['kill n1,n2,n3 since 12.3 s']);
    expect(r.recovery).toBeUndefined();
  });

  it('the same quorum loss is excused when asked (expected unavailability)', () => {
    const h = new HistoryBuilder()
      .steady(0, 10, 0.1)
      .fault('f1', 'kill', ['n1', 'n2', 'n3'], 10)
      .steady(10, 30, 1, { type: 'fail' })
      .build();
    expect(checkStuck(h, { allowStuckUnderFaults: true }).valid).toBe(true);
    expect(checkStuck(h).valid).toBe(false);
  });

  it('reports a stall during a partition and the recovery after heal', () => {
    const h = new HistoryBuilder()
      .steady(0, 10, 0.1)
      .fault('f3', 'partition', ['n1', 'n2'], 10, 20)
      .steady(10, 22, 0.5, { type: 'fail' })
      .steady(22, 40, 0.1)
      .build();
    const r = checkStuck(h);
    expect(r.valid).toBe(true);
    expect(r.windows).toHaveLength(1);
    expect(r.windows[0]!.message).toBe(
      'no op completed for 12.0 s (10.0 s to 22.0 s); active: partition n1,n2 since 10.0 s until 20.1 s',
    );
    expect(r.recovery).toMatchObject({
      withinBound: true,
      message: 'recovered 2.0 s after the heal began (the heal itself took 0.1 s)',
    });
  });

  it('is invalid when recovery exceeds the bound, and when nothing recovers long after heal', () => {
    const slow = new HistoryBuilder()
      .steady(0, 10, 0.1)
      .fault('f1', 'pause', ['n1'], 10, 11)
      .steady(10, 25, 1, { type: 'info', latency: 1 })
      .steady(25, 30, 0.1)
      .build();
    const r1 = checkStuck(slow, { recoveryBoundNs: 5e9 });
    expect(r1.valid).toBe(false);
    expect(r1.reason).toMatch(/recovered 14\.0 s after the heal began.*, over the 5\.0 s bound/);
    const never = new HistoryBuilder()
      .steady(0, 10, 0.1)
      .fault('f1', 'pause', ['n1'], 10, 11)
      .steady(10, 60, 1, { type: 'fail' })
      .build();
    const r2 = checkStuck(never, { recoveryBoundNs: 30e9 });
    expect(r2.valid).toBe(false);
    expect(r2.recovery).toMatchObject({ withinBound: false });
  });

  it('is unknown when the history ends right after the heal, before any op completed', () => {
    const h = new HistoryBuilder()
      .steady(0, 10, 0.1)
      .fault('f1', 'kill', ['n1', 'n2'], 10, 12)
      .steady(10, 13, 0.5, { type: 'fail' })
      .build();
    const r = checkStuck(h);
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/history ends .* after the last heal/);
  });

  it('judges a history shorter than the threshold by its progress', () => {
    // Ops completed: no stall can be longer than the threshold, so not stuck.
    const r = checkStuck(new HistoryBuilder().steady(0, 2, 0.1).build());
    expect(r.valid).toBe(true);
    expect(r.windows).toEqual([]);
    // Nothing completed in 2 s: too short to call stuck.
    const none = checkStuck(new HistoryBuilder().steady(0, 2, 0.5, { type: 'info' }).build());
    expect(none.valid).toBe('unknown');
    expect(none.reason).toMatch(
      /^no op completed, and the history spans \d\.\d s, shorter than the 5\.0 s/,
    );
    expect(checkStuck([]).valid).toBe('unknown');
  });

  it('an idle workload is not stuck', () => {
    const h = new HistoryBuilder().steady(0, 5, 0.1).steady(30, 35, 0.1).build();
    const r = checkStuck(h);
    expect(r.windows).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('reports a key that stopped advancing while other keys progressed', () => {
    const h = new HistoryBuilder()
      .steady(0, 30, 0.2, { key: 'k1' })
      .steady(0, 10, 0.2, { key: 'k2' })
      .steady(10, 30, 1, { key: 'k2', type: 'fail' })
      .build();
    const r = checkStuck(h);
    expect(r.valid).toBe(false);
    expect(r.stalled).toMatchObject([{ kind: 'key', id: 'k2', attempts: 20 }]);
    expect(r.stalled[0]!.message).toMatch(
      /^key k2: no ok op since 9\.8 s \(20 tries\) while other keys progressed until 29\.8 s$/,
    );
  });

  it('reports a process whose op never returned while others completed', () => {
    const h = new HistoryBuilder()
      .op({ at: 1, type: 'pending', f: 'read', process: 99 })
      .steady(0, 20, 0.1)
      .build();
    const r = checkStuck(h);
    expect(r.stalled).toMatchObject([{ kind: 'process', id: 99 }]);
    expect(r.valid).toBe(false);
  });

  it("'auto' threshold follows the op rate", () => {
    const h = new HistoryBuilder()
      .steady(0, 10, 0.01)
      .steady(10, 12, 0.5, { type: 'fail' })
      .steady(12, 20, 0.01)
      .build();
    expect(checkStuck(h).windows).toEqual([]); // 2 s gap < 5 s default
    const auto = checkStuck(h, { gapThresholdNs: 'auto' });
    expect(auto.thresholdNs).toBe(1e9);
    expect(auto.windows).toHaveLength(1);
  });

  it('reads Jepsen-style nemesis ops without ids (a stop heals every open fault of its kind)', () => {
    const h: History = new HistoryBuilder().steady(0, 10, 0.1).steady(16, 20, 0.1).build();
    const t = (x: number) => x * 1e9;
    h.push(
      { index: 0, time: t(9), type: 'invoke', process: 'nemesis', f: 'start', value: null },
      {
        index: 0,
        time: t(9.1),
        type: 'info',
        process: 'nemesis',
        f: 'start',
        value: 'Cut off {n1 #{n2}}',
      },
      { index: 0, time: t(15), type: 'invoke', process: 'nemesis', f: 'stop', value: null },
      {
        index: 0,
        time: t(15.1),
        type: 'info',
        process: 'nemesis',
        f: 'stop',
        value: 'fully connected',
      },
    );
    h.sort((a, b) => a.time - b.time).forEach((op, i) => (op.index = i));
    const r = checkStuck(h.concat());
    expect(r.faults).toEqual(['fault since 9.0 s until 15.1 s']);
    expect(r.recovery).toMatchObject({ lastHeal: t(15.1), withinBound: true });
  });

  it('failIsProgress: definite fails (cas preconditions) count as the system answering', () => {
    const h = new HistoryBuilder()
      .steady(0, 5, 0.1)
      .steady(5, 20, 0.1, { f: 'cas', type: 'fail' })
      .build();
    expect(checkStuck(h).stuckAtEnd).toBe(true);
    const r = checkStuck(h, { failIsProgress: true });
    expect(r.windows).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('property: a history where every op is ok and no gap exceeds the threshold is never stuck', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4_900 }), { minLength: 2, maxLength: 200 }),
        fc.array(fc.constantFrom('k1', 'k2', 'k3', undefined)),
        (gapsMs, keys) => {
          const b = new HistoryBuilder();
          let t = 0;
          gapsMs.forEach((g, i) => {
            b.op({ at: t, latency: 0.001, key: keys[i % Math.max(1, keys.length)] });
            t += g / 1000;
          });
          const r = checkStuck(b.build());
          expect(r.windows).toEqual([]);
          expect(r.stuckAtEnd).toBe(false);
          expect(r.valid === true || r.valid === 'unknown').toBe(true);
        },
      ),
    );
  });
});
