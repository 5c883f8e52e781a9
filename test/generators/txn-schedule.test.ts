/**
 * List-append schedules: the same seed gives the same schedule, every txn has 1-5 micro-ops,
 * appended elements are unique, keys rotate per window, faults target the one node, and the
 * schedule survives schedule.json (zod schema) unchanged.
 */
import { describe, expect, it } from 'vitest';
import { generateTxnSchedule, txnKeysOf } from '../../src/generators/txn-schedule.js';
import { formatSchedule, parseScheduleText } from '../../src/generators/schedule.js';

const params = {
  durationMs: 6000,
  concurrency: 4,
  rate: 20,
  keys: 3,
  faultKinds: ['kill' as const, 'pause' as const],
};

describe('list-append schedules', () => {
  it('are deterministic per seed and differ between seeds', () => {
    const a = generateTxnSchedule(params, { oneNode: true }, 5).schedule;
    const b = generateTxnSchedule(params, { oneNode: true }, 5).schedule;
    const c = generateTxnSchedule(params, { oneNode: true }, 6).schedule;
    expect(a).toEqual(b);
    expect(a.processes).not.toEqual(c.processes);
  });

  it('have txns of 1-5 micro-ops, unique elements, rotating keys, one-node faults', () => {
    const s = generateTxnSchedule(params, { oneNode: true, keyWindowMs: 2000 }, 9).schedule;
    const elements: number[] = [];
    for (const ops of s.processes)
      for (const op of ops) {
        expect(op.value.length).toBeGreaterThanOrEqual(1);
        expect(op.value.length).toBeLessThanOrEqual(5);
        for (const [f, , v] of op.value)
          if (f === 'append') elements.push(v);
          else expect(v).toBeNull();
      }
    expect(new Set(elements).size).toBe(elements.length);
    expect(elements.length).toBeGreaterThan(50);
    const keys = txnKeysOf(s);
    expect(keys.length).toBeGreaterThan(3); // 3 active keys per 2 s window over 6 s
    expect(Math.max(...keys)).toBeLessThan(s.keyCount);
    for (const f of s.faults) expect(f.fault.targets).toBe('all');
  });

  it('round-trips through schedule.json', () => {
    const s = generateTxnSchedule(params, { oneNode: true }, 3).schedule;
    expect(parseScheduleText(formatSchedule(s))).toEqual(s);
  });
});
