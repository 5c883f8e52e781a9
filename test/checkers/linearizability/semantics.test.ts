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
