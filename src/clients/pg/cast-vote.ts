/**
 * The application rule under test, as one transaction:
 *   BEGIN ISOLATION LEVEL <level>;
 *   SELECT ... WHERE voter = $1 AND round = $2;   -- has this voter voted in this round?
 *   (if so: ROLLBACK, "already voted")
 *   INSERT the vote; COMMIT.
 * Serialization failures (40001/40P01) are retried a bounded number of times; the outcome is
 * what the history records: ok, fail (already voted / definite error / retries exhausted) or
 * info (timeout, lost connection).
 */
import type { JsonValue } from '../../history/op.js';
import { destroyPg, type PgConn } from './connection.js';
import { classifyPgError } from './errors.js';
import { tableIdent, type Vote } from './votes-table.js';

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';
export const ISOLATIONS: readonly Isolation[] = [
  'read committed',
  'repeatable read',
  'serializable',
];

export interface VoteRule {
  table: string;
  isolation: Isolation;
  /** Attempts in total (>= 1) when the server reports a serialization failure. */
  maxAttempts: number;
  /** Application think time between the check and the insert (ms); 0 for none. */
  gapMs: number;
  /** Process number stored with the row, for diagnosis. */
  process?: number;
}

export type VoteOutcome =
  | { type: 'ok'; attempts: number }
  | { type: 'fail'; attempts: number; error: JsonValue }
  | { type: 'info'; attempts: number; error: JsonValue };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Casts one vote on an open connection. After an `info` outcome the connection has been
 * destroyed (`conn.broken`); the caller opens a new one under a new process number.
 */
export async function castVote(conn: PgConn, vote: Vote, rule: VoteRule): Promise<VoteOutcome> {
  const t = tableIdent(rule.table);
  const attempts = Math.max(1, rule.maxAttempts);
  let lastRetryError: JsonValue = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await conn.client.query(`BEGIN ISOLATION LEVEL ${rule.isolation.toUpperCase()}`);
      const prior = await conn.client.query<{ candidate: string }>(
        `SELECT candidate FROM ${t} WHERE voter = $1 AND round = $2 LIMIT 1`,
        [vote.voter, vote.round],
      );
      if (prior.rows.length > 0) {
        // The rule refused: nothing was written, whatever happens to the ROLLBACK.
        await conn.client.query('ROLLBACK').catch(() => destroyPg(conn));
        return {
          type: 'fail',
          attempts: attempt,
          error: { type: 'already-voted', candidate: prior.rows[0]!.candidate },
        };
      }
      if (rule.gapMs > 0) await sleep(rule.gapMs);
      await conn.client.query(
        `INSERT INTO ${t} (voter, round, candidate, process) VALUES ($1, $2, $3, $4)`,
        [vote.voter, vote.round, vote.candidate, rule.process ?? null],
      );
      await conn.client.query('COMMIT');
      return { type: 'ok', attempts: attempt };
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
        // We cannot even roll back: the connection is unusable; the vote itself did not commit.
        destroyPg(conn);
        return { type: 'fail', attempts: attempt, error: verdict.error };
      }
      if (verdict.kind === 'fail') return { type: 'fail', attempts: attempt, error: verdict.error };
      lastRetryError = verdict.error;
      // Jittered backoff so racing retries do not collide in lockstep.
      if (attempt < attempts) await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
  return {
    type: 'fail',
    attempts,
    error: { type: 'retries-exhausted', attempts, last: lastRetryError },
  };
}
