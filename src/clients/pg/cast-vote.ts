/**
 * The application rule under test, as one transaction:
 *   BEGIN ISOLATION LEVEL <level>;
 *   SELECT ... WHERE voter = $1 AND round = $2;   -- has this voter voted in this round?
 *   (if so: ROLLBACK, "already voted")
 *   INSERT the vote; COMMIT.
 * Retries and outcomes (ok, fail: already voted / definite error / retries exhausted, info) are
 * transaction.ts's.
 */
import type { JsonValue } from '../../history/op.js';
import { destroyPg, type PgConn } from './connection.js';
import { runTransaction, type Isolation } from './transaction.js';
import { tableIdent, type Vote } from './votes-table.js';

export type { Isolation } from './transaction.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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

/**
 * Casts one vote on an open connection. After an `info` outcome the connection has been
 * destroyed (`conn.broken`); the caller opens a new one under a new process number.
 */
export async function castVote(conn: PgConn, vote: Vote, rule: VoteRule): Promise<VoteOutcome> {
  const t = tableIdent(rule.table);
  const r = await runTransaction(conn, rule.isolation, rule.maxAttempts, async (client) => {
    const prior = await client.query<{ candidate: string }>(
      `SELECT candidate FROM ${t} WHERE voter = $1 AND round = $2 LIMIT 1`,
      [vote.voter, vote.round],
    );
    if (prior.rows.length > 0) {
      // The rule refused: nothing was written, whatever happens to the ROLLBACK.
      await client.query('ROLLBACK').catch(() => destroyPg(conn));
      return {
        type: 'fail',
        error: { type: 'already-voted', candidate: prior.rows[0]!.candidate },
      };
    }
    if (rule.gapMs > 0) await sleep(rule.gapMs);
    await client.query(
      `INSERT INTO ${t} (voter, round, candidate, process) VALUES ($1, $2, $3, $4)`,
      [vote.voter, vote.round, vote.candidate, rule.process ?? null],
    );
    return { type: 'ok', value: null };
  });
  return r.type === 'ok' ? { type: 'ok', attempts: r.attempts } : r;
}
