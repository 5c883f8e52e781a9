/**
 * A list-append transaction on PostgreSQL: one row per key holding the list as integer[],
 *   BEGIN ISOLATION LEVEL <level>;
 *   r k:        SELECT v FROM t WHERE k = $1            (no row = the empty list)
 *   append k e: INSERT INTO t VALUES ($1, ARRAY[$2]) ON CONFLICT (k) DO UPDATE SET v = t.v || $2
 *   COMMIT
 * Retried only when PostgreSQL says the transaction did not commit (40001 serialization failure,
 * 40P01 deadlock: rolled back), a bounded number of times; the outcome is what the history
 * records: ok with every read filled in, fail (definitely not committed) or info (unknown:
 * timeout or lost connection, maybe mid-COMMIT).
 */
import type pg from 'pg';
import type { JsonValue } from '../../history/op.js';
import type { Isolation } from './cast-vote.js';
import { destroyPg, type PgConn } from './connection.js';
import { classifyPgError } from './errors.js';
import { tableIdent } from './votes-table.js';

export type AppendMicroOp = ['r', number, JsonValue] | ['append', number, number];

export type TxnOutcome =
  | { type: 'ok'; attempts: number; value: AppendMicroOp[] }
  | { type: 'fail' | 'info'; attempts: number; error: JsonValue };

export interface AppendRule {
  table: string;
  isolation: Isolation;
  /** Attempts in total (>= 1) when the server rolled the transaction back. */
  maxAttempts: number;
}

export async function ensureAppendTable(client: pg.Client, table: string): Promise<void> {
  const t = tableIdent(table);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${t} (k integer PRIMARY KEY, v integer[] NOT NULL)`,
  );
}

export async function truncateAppendTable(client: pg.Client, table: string): Promise<void> {
  await client.query(`TRUNCATE ${tableIdent(table)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one transaction on an open connection; after `info` the connection is destroyed. */
export async function runAppendTxn(
  conn: PgConn,
  mops: readonly AppendMicroOp[],
  rule: AppendRule,
): Promise<TxnOutcome> {
  const t = tableIdent(rule.table);
  const attempts = Math.max(1, rule.maxAttempts);
  let last: JsonValue = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await conn.client.query(`BEGIN ISOLATION LEVEL ${rule.isolation.toUpperCase()}`);
      const out: AppendMicroOp[] = [];
      for (const [f, k, v] of mops) {
        if (f === 'r') {
          const res = await conn.client.query<{ v: number[] }>(`SELECT v FROM ${t} WHERE k = $1`, [
            k,
          ]);
          out.push(['r', k, res.rows[0]?.v ?? []]);
        } else {
          await conn.client.query(
            `INSERT INTO ${t} AS cur (k, v) VALUES ($1, ARRAY[$2::integer]) ON CONFLICT (k) DO UPDATE SET v = cur.v || $2::integer`,
            [k, v],
          );
          out.push(['append', k, v as number]);
        }
      }
      await conn.client.query('COMMIT');
      return { type: 'ok', attempts: attempt, value: out };
    } catch (err) {
      const verdict = classifyPgError(err, 'transaction');
      if (verdict.kind === 'info') {
        destroyPg(conn);
        return { type: 'info', attempts: attempt, error: verdict.error };
      }
      const rolledBack = await conn.client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      if (!rolledBack) {
        destroyPg(conn);
        return { type: 'fail', attempts: attempt, error: verdict.error };
      }
      if (verdict.kind === 'fail') return { type: 'fail', attempts: attempt, error: verdict.error };
      last = verdict.error;
      if (attempt < attempts) await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
  return { type: 'fail', attempts, error: { type: 'retries-exhausted', attempts, last } };
}
