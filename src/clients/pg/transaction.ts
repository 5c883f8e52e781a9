/**
 * One PostgreSQL transaction with bounded retries, shared by the workloads that run on
 * PostgreSQL (voting, list-append). The outcome is what the history records:
 * - ok: the body ran and COMMIT succeeded;
 * - fail: definitely not committed (the body refused, a definite error, or every attempt was rolled
 *   back by a serialization failure / deadlock, 40001 / 40P01);
 * - info: unknown (timeout, lost connection, maybe mid-COMMIT); the connection is then destroyed
 *   (`conn.broken`) and the caller opens a new one under a new process number.
 * Only a rollback PostgreSQL reports is retried, with jittered backoff so racing retries do not
 * collide in lockstep.
 */
import type pg from 'pg';
import type { JsonValue } from '../../history/op.js';
import { destroyPg, type PgConn } from './connection.js';
import { classifyPgError } from './errors.js';

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

/** What the body decided: go on to COMMIT with `value`, or refuse (it rolled back itself). */
export type TxnBody<T> = (
  client: pg.Client,
) => Promise<{ type: 'ok'; value: T } | { type: 'fail'; error: JsonValue }>;

export type TxnResult<T> =
  | { type: 'ok'; attempts: number; value: T }
  | { type: 'fail' | 'info'; attempts: number; error: JsonValue };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTransaction<T>(
  conn: PgConn,
  isolation: Isolation,
  maxAttempts: number,
  body: TxnBody<T>,
): Promise<TxnResult<T>> {
  const attempts = Math.max(1, maxAttempts);
  let last: JsonValue = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await conn.client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
      const r = await body(conn.client);
      if (r.type === 'fail') return { type: 'fail', attempts: attempt, error: r.error };
      await conn.client.query('COMMIT');
      return { type: 'ok', attempts: attempt, value: r.value };
    } catch (err) {
      const verdict = classifyPgError(err, 'transaction');
      if (verdict.kind === 'info') {
        destroyPg(conn);
        return { type: 'info', attempts: attempt, error: verdict.error };
      }
      // Definite rejection: the transaction is aborted (or already gone after a failed COMMIT).
      const rolledBack = await conn.client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      if (!rolledBack) {
        // We cannot even roll back: the connection is unusable; the transaction did not commit.
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
