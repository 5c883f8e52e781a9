/**
 * What a pg error means for the history: retry the transaction, `fail` (it definitely did not
 * happen) or `info` (it may have happened). Pure, so it is unit-tested on its own.
 *
 * - Nothing reached the server (connect failed): `fail`.
 * - SQLSTATE 40001 serialization_failure / 40P01 deadlock_detected: the server rolled the
 *   transaction back; `retry` (the caller turns exhausted retries into `fail`).
 * - Timeouts (client `query_timeout`, server `statement_timeout` 57014) and lost connections:
 *   `info`. Strictly, a transaction whose COMMIT was never sent cannot commit, but we stay
 *   conservative as Jepsen does: an indeterminate vote only weakens what the acks prove; the
 *   stored votes in the final read are the evidence of double votes.
 * - Any other server error (an SQLSTATE): the statement and its transaction were rejected: `fail`.
 */
import type { JsonValue } from '../../history/op.js';

export type PgPhase = 'connect' | 'transaction';
export type ErrorVerdict =
  | { kind: 'retry'; error: { [k: string]: JsonValue } }
  | { kind: 'fail'; error: { [k: string]: JsonValue } }
  | { kind: 'info'; error: { [k: string]: JsonValue } };

/** SQLSTATEs after which the same transaction may simply be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01']);

/** SQLSTATE classes/codes meaning the session is gone or the outcome unknown. */
const INDETERMINATE_SQLSTATES: ReadonlySet<string> = new Set([
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown (server terminated the backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '25P03', // idle_in_transaction_session_timeout
  '40003', // statement_completion_unknown
]);

const sqlstateOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  // pg puts SQLSTATEs (5 chars) in `code`; Node puts errno names (ECONNRESET, ...) there too.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E')
    ? code
    : undefined;
};

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function classifyPgError(err: unknown, phase: PgPhase): ErrorVerdict {
  const message = messageOf(err);
  const sqlstate = sqlstateOf(err);
  if (phase === 'connect') {
    return {
      kind: 'fail',
      error: { type: 'connect-failed', message, ...(sqlstate ? { sqlstate } : {}) },
    };
  }
  if (sqlstate && RETRYABLE_SQLSTATES.has(sqlstate)) {
    return { kind: 'retry', error: { type: 'serialization-failure', sqlstate, message } };
  }
  if (sqlstate === '57014' || /timeout/i.test(message)) {
    return { kind: 'info', error: { type: 'timeout', message, ...(sqlstate ? { sqlstate } : {}) } };
  }
  if (sqlstate && (INDETERMINATE_SQLSTATES.has(sqlstate) || sqlstate.startsWith('08'))) {
    return { kind: 'info', error: { type: 'connection-lost', sqlstate, message } };
  }
  if (sqlstate) return { kind: 'fail', error: { type: 'sql-error', sqlstate, message } };
  // No SQLSTATE: a socket-level failure (ECONNRESET, EPIPE, "Connection terminated ...").
  return { kind: 'info', error: { type: 'connection-lost', message } };
}
