/**
 * Property tests of the list-append checker: histories produced by a serial execution (each txn
 * applied atomically at one point between its invoke and completion, some failing, some info)
 * are never flagged, under the strongest model; and a cycle of each kind planted into such a
 * history on fresh keys is found and named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkListAppend, type ExplainedCycle } from '../../../src/checkers/txn/index.js';
import type { History, JsonValue, Op } from '../../../src/history/op.js';
import type { M } from './txn-history.js';

interface Planned {
  mops: Array<{ f: 'r' | 'append'; key: number }>;
  outcome: 'ok' | 'fail' | 'info-applied' | 'info-lost';
}

const txnArb: fc.Arbitrary<Planned> = fc.record({
  mops: fc.array(
    fc.record({
      f: fc.constantFrom('r' as const, 'append' as const),
      key: fc.integer({ min: 0, max: 3 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'fail', 'info-applied', 'info-lost'),
});

/**
 * Runs the txns against an in-memory store, serially in apply order, with up to `concurrency`
 * in flight: `steps` choose whether to start a txn, or which in-flight txn to apply (reads take
 * their values then; the appends of ok and applied-info txns take effect) or complete next.
 */
function serialHistory(plan: Planned[], steps: number[], concurrency: number): History {
  const h: History = [];
  const store = new Map<number, number[]>();
  let next = 1;
  let nextProcess = concurrency;
  const free = Array.from({ length: concurrency }, (_, i) => i);
  type Live = { p: number; t: Planned; mops: M[]; applied: boolean };
  const live: Live[] = [];
  const push = (o: Omit<Op, 'index' | 'time'>) =>
    h.push({ index: h.length, time: h.length, ...o } as Op);
  const nulled = (mops: M[]): JsonValue => mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);
  const apply = (l: Live) => {
    l.applied = true;
    const own: number[][] = [];
    l.mops = l.mops.map(([f, k, v]) => {
      const key = k as number;
      if (f === 'append') {
        own.push([key, v as number]);
        return [f, k, v];
      }
      const mine = own.filter(([kk]) => kk === key).map(([, x]) => x!);
      return ['r', k, [...(store.get(key) ?? []), ...mine]];
    });
    if (l.t.outcome === 'ok' || l.t.outcome === 'info-applied')
      for (const [k, v] of own) store.set(k!, [...(store.get(k!) ?? []), v!]);
  };
  let i = 0;
  let s = 0;
  while (i < plan.length || live.length > 0) {
    const choice = steps[s++ % steps.length] ?? 0;
    if (i < plan.length && free.length > 0 && (live.length === 0 || choice % 3 === 0)) {
      const t = plan[i++]!;
      const mops: M[] = t.mops.map((m) =>
        m.f === 'r' ? ['r', m.key, null] : ['append', m.key, next++],
      );
      const l: Live = { p: free.shift()!, t, mops, applied: false };
      live.push(l);
      push({ type: 'invoke', process: l.p, f: 'txn', value: nulled(mops) });
      continue;
    }
    const l = live[choice % live.length]!;
    if (!l.applied) {
      apply(l);
      continue;
    }
    live.splice(live.indexOf(l), 1);
    const type = l.t.outcome === 'ok' ? 'ok' : l.t.outcome === 'fail' ? 'fail' : 'info';
    push({
      type,
      process: l.p,
      f: 'txn',
      value: type === 'ok' ? (l.mops as JsonValue) : nulled(l.mops),
    });
    free.push(type === 'info' ? nextProcess++ : l.p);
  }
  return h;
}

const histories = fc
  .tuple(
    fc.array(txnArb, { maxLength: 40 }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 1, max: 5 }),
  )
  .map(([plan, steps, c]) => serialHistory(plan, steps, c));

/** Planted patterns on keys of their own, all overlapping (no real-time order among them). */
const PLANTS: Record<string, Array<[number, M[]]>> = {
  G0: [
    [
      0,
      [
        ['append', 'g0x', 1],
        ['append', 'g0y', 1],
      ],
    ],
    [
      1,
      [
        ['append', 'g0x', 2],
        ['append', 'g0y', 2],
      ],
    ],
    [
      2,
      [
        ['r', 'g0x', [1, 2]],
        ['r', 'g0y', [2, 1]],
      ],
    ],
  ],
  G1c: [
    [
      0,
      [
        ['append', 'cx', 1],
        ['r', 'cy', [1]],
      ],
    ],
    [
      1,
      [
        ['append', 'cy', 1],
        ['r', 'cx', [1]],
      ],
    ],
  ],
  'G-single': [
    [
      0,
      [
        ['append', 'sx', 1],
        ['append', 'sy', 1],
      ],
    ],
    [
      1,
      [
        ['r', 'sx', []],
        ['r', 'sy', [1]],
      ],
    ],
    [2, [['r', 'sx', [1]]]],
  ],
  'G2-item': [
    [
      0,
      [
        ['r', 'wx', []],
        ['append', 'wy', 1],
      ],
    ],
    [
      1,
      [
        ['r', 'wy', []],
        ['append', 'wx', 1],
      ],
    ],
    [
      2,
      [
        ['r', 'wx', [1]],
        ['r', 'wy', [1]],
      ],
    ],
  ],
  'G-nonadjacent': [
    [
      0,
      [
        ['r', 'na', []],
        ['r', 'nd', [1]],
      ],
    ],
    [
      1,
      [
        ['append', 'na', 1],
        ['append', 'nb', 1],
      ],
    ],
    [
      2,
      [
        ['r', 'nb', [1]],
        ['r', 'nc', []],
      ],
    ],
    [
      3,
      [
        ['append', 'nc', 1],
        ['append', 'nd', 1],
      ],
    ],
    [
      4,
      [
        ['r', 'na', [1]],
        ['r', 'nc', [1]],
      ],
    ],
  ],
};

function plant(h: History, at: number, kind: string): { history: History; planted: Set<number> } {
  const cut = Math.min(at, h.length);
  const out: Op[] = h.slice(0, cut).map((o) => ({ ...o }));
  const planted = new Set<number>();
  const push = (o: Omit<Op, 'index' | 'time'>) =>
    out.push({ index: out.length, time: out.length, ...o } as Op);
  const txns = PLANTS[kind]!;
  for (const [p, m] of txns)
    push({
      type: 'invoke',
      process: 1000 + p,
      f: 'txn',
      value: m.map(([f, k, v]) => [f, k, f === 'r' ? null : v]) as JsonValue,
    });
  for (const [p, m] of txns) {
    planted.add(out.length);
    push({ type: 'ok', process: 1000 + p, f: 'txn', value: m as JsonValue });
  }
  for (const o of h.slice(cut)) push({ ...o });
  return { history: out, planted };
}

describe('list-append properties', () => {
  it('histories of a serial execution are never flagged (strict-serializable)', () => {
    fc.assert(
      fc.property(histories, (h) => {
        const r = checkListAppend(h, { consistencyModel: 'strict-serializable' });
        expect(r.anomalyTypes).toEqual([]);
        expect(r.valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the generator makes concurrent histories with non-empty reads (so the property bites)', () => {
    const samples = fc.sample(histories, { numRuns: 100, seed: 7 });
    const reads = samples.flatMap((h) =>
      h.filter((o) => o.type === 'ok').flatMap((o) => (o.value as M[]).filter(([f]) => f === 'r')),
    );
    expect(reads.filter(([, , v]) => (v as number[]).length > 1).length).toBeGreaterThan(50);
    const overlapping = samples.filter((h) =>
      h.some((o, i) => o.type === 'invoke' && h[i + 1]?.type === 'invoke'),
    );
    expect(overlapping.length).toBeGreaterThan(20);
  });

  for (const kind of Object.keys(PLANTS)) {
    it(`a planted ${kind} cycle is found and named`, () => {
      fc.assert(
        fc.property(histories, fc.nat(), (h, at) => {
          const { history, planted } = plant(h, at, kind);
          const r = checkListAppend(history, { consistencyModel: 'strict-serializable' });
          expect(r.anomalyTypes).toContain(kind);
          expect(r.valid).toBe(false);
          const c = r.anomalies[kind]![0] as ExplainedCycle;
          for (const op of c.ops) expect(planted.has(op)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }
});
