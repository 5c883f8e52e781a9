/**
 * A list-append transaction on PostgreSQL: one row per key holding the list as integer[],
 *   BEGIN ISOLATION LEVEL <level>;
 *   r k:        SELECT v FROM t WHERE k = $1            (no row = the empty list)
 *   append k e: INSERT INTO t VALUES ($1, ARRAY[$2]) ON CONFLICT (k) DO UPDATE SET v = t.v || $2
 *   COMMIT
 * Retries and outcomes are transaction.ts's: ok with every read filled in, fail (definitely not
 * committed) or info (unknown: timeout or lost connection, maybe mid-COMMIT).
 */
import type pg from 'pg';
import type { JsonValue } from '../../history/op.js';
import type { PgConn } from './connection.js';
import { runTransaction, type Isolation } from './transaction.js';
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

/** Runs one transaction on an open connection; after `info` the connection is destroyed. */
export function runAppendTxn(
  conn: PgConn,
  mops: readonly AppendMicroOp[],
  rule: AppendRule,
): Promise<TxnOutcome> {
  const t = tableIdent(rule.table);
  return runTransaction(conn, rule.isolation, rule.maxAttempts, async (client) => {
    const out: AppendMicroOp[] = [];
    for (const [f, k, v] of mops) {
      if (f === 'r') {
        const res = await client.query<{ v: number[] }>(`SELECT v FROM ${t} WHERE k = $1`, [k]);
        out.push(['r', k, res.rows[0]?.v ?? []]);
      } else {
        await client.query(
          `INSERT INTO ${t} AS cur (k, v) VALUES ($1, ARRAY[$2::integer]) ON CONFLICT (k) DO UPDATE SET v = cur.v || $2::integer`,
          [k, v],
        );
        out.push(['append', k, v as number]);
      }
    }
    return { type: 'ok', value: out };
  });
}
