/**
 * The history semantics the checker promises: failed ops never happened, indeterminate ops may
 * take effect any time after their invocation or never, reads without a result constrain
 * nothing, and a read of nil means "absent" or "unknown" as asked.
 */
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../../src/checkers/linearizability/index.js';
import { type Spec, toHistory } from './histories.js';

const w = (v: number, start: number, end: number, status: Spec['status'] = 'ok'): Spec => ({
  f: 'write',
  value: v,
  status,
  start,
  end,
});
const r = (
  out: number | null,
  start: number,
  end: number,
  status: Spec['status'] = 'ok',
): Spec => ({
  f: 'read',
  value: null,
  output: out,
  status,
  start,
  end,
});

describe('history semantics', () => {
  it('a failed write never happened', async () => {
    const h = toHistory([w(1, 0, 1), w(2, 2, 3, 'fail'), r(2, 4, 5)]);
    expect((await checkLinearizability(h, { model: 'register' })).valid).toBe(false);
  });

  it('an indeterminate write may take effect long after its invocation', async () => {
    const h = toHistory([w(1, 0, 1), w(2, 2, 3, 'info'), r(1, 10, 11), r(2, 20, 21)]);
    expect((await checkLinearizability(h, { model: 'register' })).valid).toBe(true);
  });

  it('an indeterminate write is never forced to take effect', async () => {
    const h = toHistory([w(1, 0, 1), w(2, 2, 3, 'info'), r(1, 10, 11), r(1, 20, 21)]);
    expect((await checkLinearizability(h, { model: 'register' })).valid).toBe(true);
  });

  it('an indeterminate write cannot take effect before it was invoked', async () => {
    const h = toHistory([w(1, 0, 1), r(2, 2, 3), w(2, 10, 11, 'info')]);
    expect((await checkLinearizability(h, { model: 'register' })).valid).toBe(false);
  });

  it('a read that timed out constrains nothing', async () => {
    const h = toHistory([w(1, 0, 1), r(7, 2, 3, 'fail'), r(7, 4, 5, 'info')]);
    expect((await checkLinearizability(h, { model: 'register' })).valid).toBe(true);
  });

  it('readNil: absent means never written, unknown constrains nothing', async () => {
    const h = toHistory([w(1, 0, 1), r(null, 2, 3)]);
    expect((await checkLinearizability(h, { model: 'register', readNil: 'absent' })).valid).toBe(
      false,
    );
    expect((await checkLinearizability(h, { model: 'register', readNil: 'unknown' })).valid).toBe(
      true,
    );
    const first = toHistory([r(null, 0, 1), w(1, 2, 3)]);
    expect(
      (await checkLinearizability(first, { model: 'register', readNil: 'absent' })).valid,
    ).toBe(true);
  });

  it('a cas that applied needs its expected value; an indeterminate one may or may not apply', async () => {
    const cas = (
      from: number,
      to: number,
      s: number,
      e: number,
      status: Spec['status'] = 'ok',
    ): Spec => ({
      f: 'cas',
      value: [from, to],
      status,
      start: s,
      end: e,
    });
    expect(
      (
        await checkLinearizability(toHistory([w(1, 0, 1), cas(2, 3, 2, 3)]), {
          model: 'cas-register',
        })
      ).valid,
    ).toBe(false);
    const maybe = [w(1, 0, 1), cas(1, 3, 2, 3, 'info')];
    expect(
      (await checkLinearizability(toHistory([...maybe, r(3, 4, 5)]), { model: 'cas-register' }))
        .valid,
    ).toBe(true);
    expect(
      (await checkLinearizability(toHistory([...maybe, r(1, 4, 5)]), { model: 'cas-register' }))
        .valid,
    ).toBe(true);
  });

  it('initial state is configurable', async () => {
    const h = toHistory([r(5, 0, 1)]);
    expect((await checkLinearizability(h, { model: 'register' })).valid).toBe(false);
    expect((await checkLinearizability(h, { model: 'register', initial: 5 })).valid).toBe(true);
  });

  it('keyed register ops split per key, or form one map when unsplit', async () => {
    const specs: Spec[] = [
      { ...w(1, 0, 1), key: 'a' },
      { ...w(2, 2, 3), key: 'b' },
      { ...r(1, 4, 5), key: 'a' },
      { ...r(2, 6, 7), key: 'b' },
    ];
    const split = await checkLinearizability(toHistory(specs), { model: 'register' });
    expect(split.valid).toBe(true);
    expect(split.partitions.map((p) => p.key).sort()).toEqual(['a', 'b']);
    const whole = await checkLinearizability(toHistory(specs), { model: 'register', split: false });
    expect(whole.valid).toBe(true);
    expect(whole.partitions).toHaveLength(1);
  });
});

describe('indeterminate dequeues (issue 12.6)', () => {
  // enqueue 1, enqueue 2; a dequeue crashes; then dequeue -> 1 and dequeue -> empty. Legal only
  // if the crashed dequeue took 2.
  const specs = (key?: string): Spec[] =>
    [
      { f: 'enqueue', value: 1, status: 'ok', start: 0, end: 1 },
      { f: 'enqueue', value: 2, status: 'ok', start: 2, end: 3 },
      { f: 'dequeue', value: null, status: 'info', start: 4, end: 5 },
      { f: 'dequeue', value: null, output: 1, status: 'ok', start: 6, end: 7 },
      { f: 'dequeue', value: null, output: null, status: 'ok', start: 8, end: 9 },
    ].map((s) => ({ ...s, ...(key === undefined ? {} : { key }) }) as Spec);

  it('unordered: it may have removed any one element', async () => {
    const r = await checkLinearizability(toHistory(specs()), { model: 'unordered-queue' });
    expect(r.valid).toBe(true);
  });

  it('unordered: but only one, and not one that was never there', async () => {
    const extra: Spec = { f: 'dequeue', value: null, output: 1, status: 'ok', start: 10, end: 11 };
    const r = await checkLinearizability(toHistory([...specs(), extra]), {
      model: 'unordered-queue',
    });
    expect(r.valid).toBe(false);
  });

  it('unordered, keyed and unsplit: per key as well', async () => {
    const both = [
      ...specs('a'),
      ...specs('b').map((s) => ({ ...s, start: s.start + 20, end: s.end + 20 })),
    ];
    for (const split of [true, false]) {
      const r = await checkLinearizability(toHistory(both), { model: 'unordered-queue', split });
      expect(r.valid).toBe(true);
    }
  });

  it('fifo (no such gap): it removed the head, before or after the next dequeue', async () => {
    expect((await checkLinearizability(toHistory(specs()), { model: 'fifo-queue' })).valid).toBe(
      true,
    );
    const took1 = specs().map((s, i) => (i === 3 ? { ...s, output: 2 } : s));
    expect((await checkLinearizability(toHistory(took1), { model: 'fifo-queue' })).valid).toBe(
      true,
    );
  });
});
