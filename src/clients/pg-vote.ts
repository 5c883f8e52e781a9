/**
 * The PostgreSQL voting workload (issue 6): many client processes cast votes per round through
 * the application rule "check this voter has not voted in this round, then insert" (see
 * pg/cast-vote.ts), at a chosen isolation level. Each voter votes from `racers` client processes
 * at once in every round, each for a different candidate, so a rule that is not isolated
 * (READ COMMITTED, REPEATABLE READ = snapshot isolation: write skew) really stores two votes.
 *
 * History (consumed by the election / double-vote checker):
 *   invoke {f:'vote', value:{voter, round, candidate}}  ->  ok | fail | info (same value)
 *   invoke {f:'read-votes', value:null}  ->  ok {value: [{voter, round, candidate}, ...]}
 * The final read is the evidence: it lists what is stored, so two stored votes by one voter in
 * one round are visible whatever the acks said.
 *
 * `runPgVote` is a self-contained runner (rounds with a start barrier, Jepsen's new-process-
 * after-info rule, final read). `PgVoteWorkload` is the same client behind the executor's
 * Workload/Client interface (ops `vote` and `read-votes`); `planVoteOpsPerProcess` gives the
 * per-process op lists a schedule needs so that racers line up.
 */
import type { JsonValue, Op } from '../history/op.js';
import type {
  Client,
  ClientOp,
  Completion,
  InvokeOptions,
  NodeEndpoint,
  Workload,
} from './client.js';
import { castVote, type Isolation, type VoteOutcome } from './pg/cast-vote.js';
import {
  connectPg,
  destroyPg,
  DEFAULT_PG_TIMEOUTS,
  type PgConn,
  type PgTarget,
  type PgTimeouts,
} from './pg/connection.js';
import { classifyPgError } from './pg/errors.js';
import { withOpDeadline } from './op-deadline.js';
import { ensureVotesTable, readVotes, truncateVotes, type Vote } from './pg/votes-table.js';

export type { Isolation } from './pg/cast-vote.js';
export { ISOLATIONS } from './pg/cast-vote.js';
export type { Vote } from './pg/votes-table.js';
export { findDoubleVotes } from './pg/votes-table.js';
export type { PgTarget, PgTimeouts } from './pg/connection.js';
export { DEFAULT_PG_TIMEOUTS } from './pg/connection.js';

export interface PgVoteOptions {
  isolation: Isolation;
  /** Votes table (created if missing, emptied by `setupPgVote`). */
  table: string;
  /** Distinct voter identities (`v0`, `v1`, ...). */
  voters: number;
  /** Rounds (1..rounds); every voter votes once per racer in each round. */
  rounds: number;
  /** Concurrent client processes per voter per round, each for a different candidate (>= 1). */
  racers: number;
  /** Candidates (`c0`, ...); at least `racers` so racing votes differ. */
  candidates: number;
  /** Total attempts per vote on serialization failure (SERIALIZABLE). */
  maxAttempts: number;
  /** Application think time between check and insert, ms. */
  gapMs: number;
  timeouts: PgTimeouts;
}

export const DEFAULT_PG_VOTE_OPTIONS: PgVoteOptions = {
  isolation: 'read committed',
  table: 'faultline_votes',
  voters: 3,
  rounds: 20,
  racers: 2,
  candidates: 3,
  maxAttempts: 10,
  gapMs: 0,
  timeouts: DEFAULT_PG_TIMEOUTS,
};

/** Where ops go: the history Recorder fits (it assigns index and time). */
export interface OpSink {
  record(op: Omit<Op, 'index' | 'time'>): unknown;
}

/** One slot = one (voter, racer) worker; it keeps its slot but changes process after `info`. */
export interface PlannedVote {
  slot: number;
  vote: Vote;
}

/**
 * The plan of a run, pure: per round, one vote per (voter, racer) slot. Racers of one voter get
 * distinct candidates, rotated per round so every candidate wins sometimes.
 */
export function planVoteRounds(
  o: Pick<PgVoteOptions, 'voters' | 'rounds' | 'racers' | 'candidates'>,
): PlannedVote[][] {
  if (o.candidates < o.racers) {
    throw new RangeError(`candidates (${o.candidates}) must be >= racers (${o.racers})`);
  }
  const rounds: PlannedVote[][] = [];
  for (let r = 1; r <= o.rounds; r++) {
    const votes: PlannedVote[] = [];
    for (let v = 0; v < o.voters; v++) {
      for (let j = 0; j < o.racers; j++) {
        votes.push({
          slot: v * o.racers + j,
          vote: { voter: `v${v}`, round: r, candidate: `c${(j + v + r) % o.candidates}` },
        });
      }
    }
    rounds.push(votes);
  }
  return rounds;
}

const voteValue = (v: Vote): JsonValue => ({
  voter: v.voter,
  round: v.round,
  candidate: v.candidate,
});

/**
 * One client process of the workload: a pg connection (opened lazily, reopened after it broke)
 * and the rule. `vote` records invoke + completion in the sink and returns the outcome; after
 * an `info` the caller must continue under a new process number (Jepsen's rule).
 */
export class PgVoteClient {
  private conn: PgConn | undefined;

  constructor(
    readonly target: PgTarget,
    readonly options: PgVoteOptions,
  ) {}

  async vote(sink: OpSink, process: number, vote: Vote): Promise<VoteOutcome> {
    const node = this.target.node;
    const base = { process, f: 'vote', value: voteValue(vote), ...(node ? { node } : {}) };
    sink.record({ ...base, type: 'invoke' });
    const outcome = await this.cast(process, vote);
    sink.record({
      ...base,
      type: outcome.type,
      ...(outcome.type === 'ok' ? {} : { error: outcome.error }),
    });
    return outcome;
  }

  /**
   * The vote without recording: connect if needed (a failed connect is a definite `fail`).
   * `process` only labels the connection and the stored row, for diagnosis.
   */
  async cast(process: number | null, vote: Vote): Promise<VoteOutcome> {
    if (!this.conn || this.conn.broken) {
      try {
        this.conn = await connectPg(
          this.target,
          this.options.timeouts,
          process === null ? 'faultline' : `faultline-p${process}`,
        );
      } catch (err) {
        this.conn = undefined;
        return { type: 'fail', attempts: 0, error: classifyPgError(err, 'connect').error };
      }
    }
    return castVote(this.conn, vote, {
      table: this.options.table,
      isolation: this.options.isolation,
      maxAttempts: this.options.maxAttempts,
      gapMs: this.options.gapMs,
      ...(process === null ? {} : { process }),
    });
  }

  close(): void {
    if (this.conn) destroyPg(this.conn);
    this.conn = undefined;
  }
}

/** Creates the votes table if needed and empties it: a fresh election. */
export async function setupPgVote(
  target: PgTarget,
  table: string,
  timeouts: PgTimeouts = DEFAULT_PG_TIMEOUTS,
): Promise<void> {
  const conn = await connectPg(target, timeouts, 'faultline-setup');
  try {
    await ensureVotesTable(conn.client, table);
    await truncateVotes(conn.client, table);
  } finally {
    destroyPg(conn);
  }
}

export interface FinalReadOptions {
  /** Attempts before giving up (the server may still be recovering from a fault). */
  attempts?: number;
  /** Give up after this long in total, ms. */
  deadlineMs?: number;
}

/**
 * The final read, recorded as `read-votes`: retried (each attempt its own invoke/completion,
 * under a fresh process number) until it succeeds or the deadline passes. Returns the votes, or
 * undefined if none succeeded.
 */
export async function finalReadVotes(
  target: PgTarget,
  options: Pick<PgVoteOptions, 'table' | 'timeouts'>,
  sink: OpSink,
  nextProcess: () => number,
  read: FinalReadOptions = {},
): Promise<Vote[] | undefined> {
  const deadline = Date.now() + (read.deadlineMs ?? 30_000);
  const attempts = read.attempts ?? 10;
  const node = target.node ? { node: target.node } : {};
  for (let i = 0; i < attempts && Date.now() < deadline; i++) {
    const process = nextProcess();
    sink.record({ process, f: 'read-votes', type: 'invoke', value: null, ...node });
    let conn: PgConn | undefined;
    try {
      conn = await connectPg(target, options.timeouts, `faultline-read-p${process}`);
      const votes = await readVotes(conn.client, options.table);
      sink.record({
        process,
        f: 'read-votes',
        type: 'ok',
        value: votes.map(voteValue),
        ...node,
      });
      return votes;
    } catch (err) {
      // A read changes nothing, so a failed one is simply `fail`.
      const verdict = classifyPgError(err, conn ? 'transaction' : 'connect');
      sink.record({ process, f: 'read-votes', type: 'fail', error: verdict.error, ...node });
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
    } finally {
      if (conn) destroyPg(conn);
    }
  }
  return undefined;
}

export interface PgVoteRunResult {
  /** Completions of vote ops by type. */
  counts: { ok: number; fail: number; info: number };
  /** Votes that needed more than one attempt (serialization failures retried). */
  retried: number;
  /** fail/info completions by error type (`already-voted`, `retries-exhausted`, `timeout`...). */
  errors: Record<string, number>;
  /** The stored votes from the final read; undefined if it never succeeded. */
  stored: Vote[] | undefined;
  /** Process numbers used (after `info` a slot moves to a fresh one). */
  processes: number;
}

/**
 * Runs the whole workload: setup, then round after round every slot casts its planned vote at
 * once (the round starts when the previous one has finished, so racers really overlap), then
 * the final read. `signal` stops issuing new rounds (e.g. the run's duration is up).
 */
export async function runPgVote(
  target: PgTarget,
  options: PgVoteOptions,
  sink: OpSink,
  run: { signal?: AbortSignal; finalRead?: FinalReadOptions } = {},
): Promise<PgVoteRunResult> {
  await setupPgVote(target, options.table, options.timeouts);
  const plan = planVoteRounds(options);
  const slots = options.voters * options.racers;
  const clients = Array.from({ length: slots }, () => new PgVoteClient(target, options));
  const processOf = Array.from({ length: slots }, (_, i) => i);
  let nextProcess = slots;
  const counts = { ok: 0, fail: 0, info: 0 };
  let retried = 0;
  const errors: Record<string, number> = {};
  try {
    for (const round of plan) {
      if (run.signal?.aborted) break;
      await Promise.all(
        round.map(async ({ slot, vote }) => {
          const outcome = await clients[slot]!.vote(sink, processOf[slot]!, vote);
          counts[outcome.type]++;
          if (outcome.attempts > 1) retried++;
          if (outcome.type !== 'ok') {
            const e = outcome.error;
            const t = typeof e === 'object' && e && 'type' in e ? String(e.type) : String(e);
            errors[t] = (errors[t] ?? 0) + 1;
          }
          if (outcome.type === 'info') processOf[slot] = nextProcess++;
        }),
      );
    }
  } finally {
    for (const c of clients) c.close();
  }
  const stored = await finalReadVotes(target, options, sink, () => nextProcess++, run.finalRead);
  return { counts, retried, errors, stored, processes: nextProcess };
}

/** Same plan, reshaped per client process: slot i's ops, round by round (for a schedule). */
export function planVoteOpsPerProcess(
  o: Pick<PgVoteOptions, 'voters' | 'rounds' | 'racers' | 'candidates'>,
): ClientOp[][] {
  const perSlot: ClientOp[][] = Array.from({ length: o.voters * o.racers }, () => []);
  for (const round of planVoteRounds(o)) {
    for (const { slot, vote } of round) perSlot[slot]!.push({ f: 'vote', value: voteValue(vote) });
  }
  return perSlot;
}

/** `postgres://user@host:port/db` (the cluster's clientEndpoint) to a target. */
export function pgTargetFromUrl(url: string, node?: string): PgTarget {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new RangeError(`not a postgres:// URL: ${url}`);
  }
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 5432,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { database: decodeURIComponent(u.pathname.slice(1)) } : {}),
    ...(node ? { node } : {}),
  };
}

const asVote = (v: JsonValue | undefined): Vote | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { voter, round, candidate } = v;
  return typeof voter === 'string' && typeof round === 'number' && typeof candidate === 'string'
    ? { voter, round, candidate }
    : undefined;
};

/**
 * The voting workload behind the executor's interface. The executor calls `setup` before the
 * run (creates and empties the votes table on the first node: one primary), probes recovery
 * with `read-votes`, and ends with one `read-votes` per client path (`finalOps`) instead of key reads.
 */
export class PgVoteWorkload implements Workload {
  readonly name = 'pg-vote';
  readonly probeOp: ClientOp = { f: 'read-votes' };
  constructor(readonly options: PgVoteOptions = DEFAULT_PG_VOTE_OPTIONS) {}
  async open(node: NodeEndpoint): Promise<Client> {
    return new PgVoteWorkloadClient(pgTargetFromUrl(node.url, node.name), this.options);
  }
  async setup(nodes: readonly NodeEndpoint[]): Promise<void> {
    const first = nodes[0];
    if (!first) throw new Error('no node to set the votes table up on');
    await setupPgVote(
      pgTargetFromUrl(first.url, first.name),
      this.options.table,
      this.options.timeouts,
    );
  }
  finalOps(): ClientOp[] {
    return [{ f: 'read-votes' }];
  }
}

/**
 * ops: `vote` (value {voter, round, candidate}) and `read-votes` (ok value: every stored vote).
 * The executor's timeout / abort is a backstop over pg's own timeouts: when it fires first the
 * connection is destroyed and the op is `info` (a vote) or `fail` (a read changes nothing).
 */
export class PgVoteWorkloadClient implements Client {
  readonly node: string;
  private readonly voter: PgVoteClient;

  constructor(
    readonly target: PgTarget,
    readonly options: PgVoteOptions,
  ) {
    this.node = target.node ?? `${target.host}:${target.port}`;
    this.voter = new PgVoteClient(target, options);
  }

  async invoke(op: ClientOp, opts: InvokeOptions = {}): Promise<Completion> {
    if (op.f === 'vote') {
      const vote = asVote(op.value);
      if (!vote)
        return {
          type: 'fail',
          error: { type: 'bad-op', message: 'vote needs {voter, round, candidate}' },
        };
      return this.withDeadline(
        this.voter
          .cast(null, vote)
          .then((o) => (o.type === 'ok' ? { type: 'ok' } : { type: o.type, error: o.error })),
        opts,
        'info',
      );
    }
    if (op.f === 'read-votes') {
      return this.withDeadline(this.readOnce(), opts, 'fail');
    }
    return { type: 'fail', error: { type: 'unsupported-op', f: op.f } };
  }

  private async readOnce(): Promise<Completion> {
    let conn: PgConn | undefined;
    try {
      conn = await connectPg(this.target, this.options.timeouts, 'faultline-read');
      const votes = await readVotes(conn.client, this.options.table);
      return { type: 'ok', value: votes.map(voteValue) };
    } catch (err) {
      return { type: 'fail', error: classifyPgError(err, conn ? 'transaction' : 'connect').error };
    } finally {
      if (conn) destroyPg(conn);
    }
  }

  private withDeadline(
    work: Promise<Completion>,
    opts: InvokeOptions,
    onTimeout: 'info' | 'fail',
  ): Promise<Completion> {
    return withOpDeadline(work, opts, (why) => {
      this.voter.close(); // the connection may be mid-transaction: never reuse it
      return { type: onTimeout, error: { type: why } };
    });
  }

  async close(): Promise<void> {
    this.voter.close();
  }
}
