/**
 * The list-append workload's client against a real PostgreSQL 15 on loopback: generated txns
 * from concurrent workers, recorded, then checked. Whatever the run, the history must satisfy
 * what each isolation level promises (serializable: valid even as strict-serializable on one
 * node; repeatable read: snapshot isolation, so never a G-single; read committed: nothing worse
 * than read committed), every ok read is a real list, and the final read sees every ok append.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { History, JsonValue, Op } from '../../../src/history/op.js';
import { DEFAULT_PG_TXN_OPTIONS, PgTxnWorkload } from '../../../src/clients/pg-txn.js';
import type { Isolation } from '../../../src/clients/pg/cast-vote.js';
import { checkListAppend } from '../../../src/checkers/txn/index.js';
import { generateTxnSchedule, txnKeysOf } from '../../../src/generators/txn-schedule.js';
import { startLocalPostgres, type LocalPostgres } from './local-postgres.js';

let pg: LocalPostgres;
beforeAll(async () => {
  pg = await startLocalPostgres('n1');
}, 90_000);
afterAll(async () => {
  await pg?.stop();
});

/** Workers run their scheduled txns back to back (max contention); Jepsen's process rule. */
async function run(isolation: Isolation, seed: number): Promise<History> {
  const { schedule } = generateTxnSchedule(
    { durationMs: 3000, concurrency: 8, rate: 15, keys: 3, faultKinds: [] },
    { oneNode: true },
    seed,
  );
  const keys = txnKeysOf(schedule);
  const w = new PgTxnWorkload({ ...DEFAULT_PG_TXN_OPTIONS, isolation, keys });
  const node = { name: 'n1', url: `postgres://postgres@127.0.0.1:${pg.target.port}/postgres` };
  await w.setup([node]);
  const h: History = [];
  const t0 = process.hrtime.bigint();
  const rec = (op: Omit<Op, 'index' | 'time'>) =>
    h.push({ ...op, index: h.length, time: Number(process.hrtime.bigint() - t0) } as Op);
  let nextProcess = schedule.processes.length;
  await Promise.all(
    schedule.processes.map(async (ops, worker) => {
      const client = await w.open(node);
      let p = worker;
      for (const op of ops) {
        rec({ type: 'invoke', process: p, f: 'txn', value: op.value as JsonValue });
        const c = await client.invoke(
          { f: 'txn', value: op.value as JsonValue },
          { timeoutMs: 5000 },
        );
        rec({
          type: c.type,
          process: p,
          f: 'txn',
          value: c.value ?? (op.value as JsonValue),
          ...(c.error ? { error: c.error } : {}),
        });
        if (c.type === 'info') p = nextProcess++;
      }
      await client.close();
    }),
  );
  const final = await w.open(node);
  const [fo] = w.finalOps();
  rec({ type: 'invoke', process: nextProcess, f: 'txn', value: fo!.value! });
  const c = await final.invoke(fo!, { timeoutMs: 5000 });
  rec({ type: c.type, process: nextProcess, f: 'txn', value: c.value ?? fo!.value! });
  await final.close();
  expect(c.type).toBe('ok');
  return h;
}

function finalReadHasEveryOkAppend(h: History): void {
  const last = h[h.length - 1]!;
  const seen = new Set<number>();
  for (const [, , v] of last.value as [string, number, number[]][]) for (const e of v) seen.add(e);
  for (const op of h.slice(0, -2))
    if (op.type === 'ok')
      for (const [f, , v] of op.value as [string, number, number][])
        if (f === 'append') expect(seen.has(v), `ok append ${v} is in the final read`).toBe(true);
}

describe('list-append on real PostgreSQL', () => {
  it('serializable: valid as strict-serializable', async () => {
    const h = await run('serializable', 11);
    const r = checkListAppend(h, { consistencyModel: 'strict-serializable' });
    expect(r.stats.ok).toBeGreaterThan(50);
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
    finalReadHasEveryOkAppend(h);
  }, 120_000);

  it('repeatable read: snapshot isolation (no G-single, no G1)', async () => {
    const h = await run('repeatable read', 12);
    const r = checkListAppend(h, { consistencyModel: 'snapshot-isolation' });
    expect(r.stats.ok).toBeGreaterThan(50);
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes.filter((t) => t.startsWith('G-single') || t.startsWith('G1'))).toEqual(
      [],
    );
    finalReadHasEveryOkAppend(h);
  }, 120_000);

  it('read committed: nothing worse than read committed', async () => {
    const h = await run('read committed', 13);
    const r = checkListAppend(h, { consistencyModel: 'read-committed' });
    expect(r.stats.ok).toBeGreaterThan(50);
    expect(r.valid).toBe(true);
    finalReadHasEveryOkAppend(h);
  }, 120_000);
});
