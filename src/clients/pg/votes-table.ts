/**
 * The votes table. Deliberately NO unique constraint on (voter, round): the workload tests the
 * application's check-then-insert rule, not a constraint. The non-unique index keeps the rule's
 * SELECT an index scan, so SERIALIZABLE's predicate locks cover just the (voter, round) range
 * instead of the whole table (fewer needless serialization failures).
 */
import type pg from 'pg';

export interface Vote {
  voter: string;
  round: number;
  candidate: string;
}

export class BadTableNameError extends Error {
  constructor(readonly table: string) {
    super(`invalid votes table name '${table}': use [a-z_][a-z0-9_]* (max 63 chars)`);
    this.name = 'BadTableNameError';
  }
  get userMessage(): string {
    return `workload.table: ${this.message}`;
  }
}

/** Validates and quotes the table name (it is interpolated into SQL). */
export function tableIdent(table: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new BadTableNameError(table);
  return `"${table}"`;
}

export async function ensureVotesTable(client: pg.Client, table: string): Promise<void> {
  const t = tableIdent(table);
  await client.query(`CREATE TABLE IF NOT EXISTS ${t} (
    id bigserial PRIMARY KEY,
    voter text NOT NULL,
    round integer NOT NULL,
    candidate text NOT NULL,
    process integer,
    cast_at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`);
  await client.query(
    `CREATE INDEX IF NOT EXISTS ${tableIdent(`${table.slice(0, 56)}_vr_idx`)} ON ${t} (voter, round)`,
  );
}

/** Empties the table (a fresh election for the next run). */
export async function truncateVotes(client: pg.Client, table: string): Promise<void> {
  await client.query(`TRUNCATE ${tableIdent(table)} RESTART IDENTITY`);
}

/** Every stored vote, in insertion order. */
export async function readVotes(client: pg.Client, table: string): Promise<Vote[]> {
  const res = await client.query<Vote>(
    `SELECT voter, round, candidate FROM ${tableIdent(table)} ORDER BY id`,
  );
  return res.rows.map((r) => ({ voter: r.voter, round: r.round, candidate: r.candidate }));
}

/** (voter, round) pairs with more than one stored vote: the double votes, for tests and summaries. */
export function findDoubleVotes(
  votes: readonly Vote[],
): { voter: string; round: number; candidates: string[] }[] {
  const byKey = new Map<string, Vote[]>();
  for (const v of votes) {
    const k = JSON.stringify([v.voter, v.round]);
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  return [...byKey.values()]
    .filter((vs) => vs.length > 1)
    .map((vs) => ({
      voter: vs[0]!.voter,
      round: vs[0]!.round,
      candidates: vs.map((v) => v.candidate),
    }));
}
