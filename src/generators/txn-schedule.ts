/**
 * Schedules for the list-append workload (src/clients/pg-txn.ts): every client process runs
 * generated transactions of 1-5 micro-ops (`r` a key, or `append` a unique element to it) over a
 * small key set, at the pace and with the faults `generateSchedule` draws for the same params
 * and seed (so `--nemesis kill,pause,partition` means the same timeline as elsewhere).
 *
 * Transactions come from a fast-check arbitrary (seeded, shrinkable: fewer micro-ops, lower
 * keys, reads instead of appends). Elements are numbered afterwards, in process-major order, so
 * they are unique whatever is shrunk away. Keys rotate as in Jepsen's list-append workload: the
 * key set of each `keyWindowMs` slice of the run is a fresh one, so lists stay short.
 */
import fc from 'fast-check';
import type { JsonValue } from '../history/op.js';
import { generateSchedule, type GeneratedSchedule } from './generate.js';
import type { ScheduleParams } from './params.js';
import type { Schedule, ScheduledFault, TxnOp } from './schedule.js';
import { forOneNode } from './vote-schedule.js';

export interface TxnScheduleOptions {
  /** Keys in use at any time (default params.keys, at least 2). */
  activeKeys?: number;
  /** A fresh key set every this many ms of schedule time (default 2000). */
  keyWindowMs?: number;
  /** One-node system (a single primary): faults target it (see vote-schedule.ts). */
  oneNode?: boolean;
}

export type TxnShape = Array<{ f: 'r' | 'append'; key: number }>;

/** One transaction's shape: 1-5 micro-ops over keys 0..keys-1. */
export function txnShapeArbitrary(keys: number): fc.Arbitrary<TxnShape> {
  return fc.array(
    fc.record({
      f: fc.constantFrom<'r' | 'append'>('r', 'append'),
      key: fc.integer({ min: 0, max: Math.max(0, keys - 1) }),
    }),
    { minLength: 1, maxLength: 5 },
  );
}

export interface GeneratedTxnSchedule extends GeneratedSchedule {
  schedule: Schedule<TxnOp>;
}

/** Every key a schedule's txns touch, ascending (the final reads read them all). */
export function txnKeysOf(schedule: Schedule): number[] {
  const keys = new Set<number>();
  for (const ops of schedule.processes)
    for (const op of ops) if (op.f === 'txn') for (const [, k] of op.value) keys.add(k);
  return [...keys].sort((a, b) => a - b);
}

/** The same (params, seed, options) always gives the same schedule. */
export function generateTxnSchedule(
  params: Partial<ScheduleParams>,
  o: TxnScheduleOptions = {},
  seed?: number,
): GeneratedTxnSchedule {
  const base = generateSchedule(params, seed);
  const active = Math.max(2, o.activeKeys ?? base.params.keys);
  const windowMs = Math.max(1, o.keyWindowMs ?? 2000);
  const counts = base.schedule.processes.map((ops) => ops.length);
  const [shapes] = fc.sample(
    fc.tuple(
      ...counts.map((n) => fc.array(txnShapeArbitrary(active), { minLength: n, maxLength: n })),
    ),
    { seed: base.seed, numRuns: 1 },
  );
  let element = 1;
  const processes: TxnOp[][] = base.schedule.processes.map((ops, p) => {
    let t = 0;
    return ops.map((op, i) => {
      t = op.atMs ?? t + op.delayMs;
      const window = Math.floor(t / windowMs);
      const value = (shapes as TxnShape[][])[p]![i]!.map(({ f, key }) => {
        const k = window * active + key;
        return f === 'r' ? (['r', k, null] as const) : (['append', k, element++] as const);
      }) as TxnOp['value'];
      return {
        delayMs: op.delayMs,
        ...(op.atMs !== undefined ? { atMs: op.atMs } : {}),
        f: 'txn',
        value,
      };
    });
  });
  const faults: ScheduledFault[] = base.schedule.faults.map((f) =>
    o.oneNode ? { ...f, fault: forOneNode(f.fault) } : f,
  );
  const schedule: Schedule<TxnOp> = {
    version: base.schedule.version,
    durationMs: base.schedule.durationMs,
    keyCount: 0,
    processes,
    faults,
    origin: {
      seed: base.seed,
      params: {
        ...(base.params as unknown as Record<string, JsonValue>),
        workload: 'list-append',
        txn: { activeKeys: active, keyWindowMs: windowMs, oneNode: o.oneNode ?? false },
      },
    },
  };
  const keys = txnKeysOf(schedule);
  schedule.keyCount = keys.length ? keys[keys.length - 1]! + 1 : 0;
  return { ...base, schedule };
}
