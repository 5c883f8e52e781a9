/**
 * The voting workload against a real PostgreSQL 15 on loopback: the check-then-insert rule
 * double-votes at READ COMMITTED and REPEATABLE READ (write skew under snapshot isolation) and
 * never at SERIALIZABLE with retries; a stopped backend turns a vote into `info`, not a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Op } from '../../../src/history/op.js';
import {
  DEFAULT_PG_VOTE_OPTIONS,
  PgVoteClient,
  PgVoteWorkload,
  findDoubleVotes,
  runPgVote,
  setupPgVote,
  type Isolation,
  type OpSink,
  type PgVoteOptions,
  type Vote,
} from '../../../src/clients/pg-vote.js';
import { connectPg, destroyPg } from '../../../src/clients/pg/connection.js';
import { readVotes } from '../../../src/clients/pg/votes-table.js';
import { signalPostgres } from '../../../src/system/postgres.js';
import { checkElectionSafety } from '../../../src/checkers/election/index.js';
import { startLocalPostgres, type LocalPostgres } from './local-postgres.js';

/** In-memory sink with the recorder's contract: index in call order, monotonic ns time. */
function memorySink(): OpSink & { ops: Op[] } {
  const ops: Op[] = [];
  const t0 = process.hrtime.bigint();
  return {
    ops,
    record(op) {
      const full = { ...op, index: ops.length, time: Number(process.hrtime.bigint() - t0) } as Op;
      ops.push(full);
      return full;
    },
  };
}

/** Each process alternates invoke -> completion of the same op, and stops after an `info`. */
function expectWellFormed(ops: Op[]): void {
  const open = new Map<number | string, Op>();
  const crashed = new Set<number | string>();
  for (const op of ops) {
    expect(crashed.has(op.process), `process ${op.process} reused after info`).toBe(false);
    const pending = open.get(op.process);
    if (op.type === 'invoke') {
      expect(pending, `process ${op.process} has two ops in flight`).toBeUndefined();
      open.set(op.process, op);
    } else {
      expect(pending?.f).toBe(op.f);
      if (op.f === 'vote') expect(op.value).toEqual(pending?.value);
      open.delete(op.process);
      if (op.type === 'info') crashed.add(op.process);
    }
  }
  expect(open.size).toBe(0);
}

const key = (v: Vote) => JSON.stringify([v.voter, v.round, v.candidate]);

/** Runs the workload once and checks what every run must satisfy, whatever the isolation. */
async function voteRun(pg: LocalPostgres, o: Partial<PgVoteOptions>) {
  const sink = memorySink();
  const options = { ...DEFAULT_PG_VOTE_OPTIONS, rounds: 15, ...o };
  const result = await runPgVote(pg.target, options, sink);
  expectWellFormed(sink.ops);
  const read = sink.ops.find((op) => op.f === 'read-votes' && op.type === 'ok');
  expect(read, 'final read recorded').toBeDefined();
  const stored = read!.value as unknown as Vote[];
  expect(stored).toEqual(result.stored);
  // Acks agree with storage: every ok vote is stored, no definitely-failed vote is.
  const storedKeys = new Set(stored.map(key));
  for (const op of sink.ops.filter((op) => op.f === 'vote' && op.type !== 'invoke')) {
    if (op.type === 'ok') expect(storedKeys.has(key(op.value as unknown as Vote))).toBe(true);
    if (op.type === 'fail') expect(storedKeys.has(key(op.value as unknown as Vote))).toBe(false);
  }
  expect(result.counts.info).toBe(0); // no faults here
  expect(result.counts.ok + result.counts.fail).toBe(
    options.rounds * options.voters * options.racers,
  );
  const doubles = findDoubleVotes(stored);
  // The consumer: the election checker flags exactly the runs whose storage has double votes.
  const verdict = await checkElectionSafety(sink.ops);
  expect(verdict.valid).toBe(doubles.length === 0);
  return { result, doubles, sink };
}

describe('pg-vote on real PostgreSQL', () => {
  let pg: LocalPostgres;
  beforeAll(async () => {
    pg = await startLocalPostgres(`n1`);
  });
  afterAll(async () => {
    await pg?.stop();
  });

  /** Runs up to `maxRuns` runs (stopping at the first double vote unless `all`), returns stats. */
  async function measure(isolation: Isolation, maxRuns: number, all: boolean) {
    let runs = 0;
    let withDoubles = 0;
    let doubleVotes = 0;
    let retried = 0;
    const errors: Record<string, number> = {};
    for (; runs < maxRuns && (all || withDoubles === 0); runs++) {
      const { doubles, result } = await voteRun(pg, {
        isolation,
        table: `votes_${isolation.replace(' ', '_')}`,
      });
      if (doubles.length > 0) withDoubles++;
      doubleVotes += doubles.length;
      retried += result.retried;
      for (const [k, n] of Object.entries(result.errors)) errors[k] = (errors[k] ?? 0) + n;
    }
    console.log(
      `[pg-vote] ${isolation}: ${withDoubles}/${runs} runs with double votes ` +
        `(${doubleVotes} double-voted (voter, round) pairs; ${retried} votes retried; failures ${JSON.stringify(errors)})`,
    );
    return { runs, withDoubles, doubleVotes };
  }

  it('READ COMMITTED: concurrent check-then-insert stores double votes', async () => {
    const m = await measure('read committed', 5, true);
    expect(m.withDoubles).toBeGreaterThan(0);
  });

  it('REPEATABLE READ (snapshot isolation): write skew stores double votes too', async () => {
    const m = await measure('repeatable read', 5, true);
    expect(m.withDoubles).toBeGreaterThan(0);
  });

  it('SERIALIZABLE with retries: no double vote in 10 runs', async () => {
    const m = await measure('serializable', 10, true);
    expect(m.runs).toBe(10);
    expect(m.withDoubles).toBe(0);
  });

  it('a stopped backend turns the vote into info; the worker goes on with a new connection', async () => {
    const options: PgVoteOptions = {
      ...DEFAULT_PG_VOTE_OPTIONS,
      table: 'votes_timeout',
      timeouts: { connectMs: 1000, statementMs: 500, queryMs: 800, idleInTransactionMs: 5000 },
    };
    await setupPgVote(pg.target, options.table);
    const sink = memorySink();
    const client = new PgVoteClient(pg.target, options);
    const admin = await connectPg(pg.target, options.timeouts, 'faultline-test-admin');
    try {
      expect((await client.vote(sink, 0, { voter: 'v0', round: 1, candidate: 'c0' })).type).toBe(
        'ok',
      );
      const { rows } = await admin.client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'faultline-p0'`,
      );
      expect(rows).toHaveLength(1);
      const backend = rows[0]!.pid;
      process.kill(backend, 'SIGSTOP');
      let stalled;
      try {
        stalled = await client.vote(sink, 0, { voter: 'v0', round: 2, candidate: 'c1' });
      } finally {
        process.kill(backend, 'SIGCONT');
      }
      expect(stalled.type).toBe('info');
      expect(stalled.type === 'info' && stalled.error).toMatchObject({ type: 'timeout' });
      expect(sink.ops.at(-1)).toMatchObject({ type: 'info', process: 0, f: 'vote' });
      // Jepsen's rule: the worker continues as a new process, on a new connection.
      expect((await client.vote(sink, 1, { voter: 'v0', round: 3, candidate: 'c2' })).type).toBe(
        'ok',
      );
      expectWellFormed(sink.ops);
      const stored = await readVotes(admin.client, options.table);
      expect(stored.map((v) => v.round)).toEqual([1, 3]);
    } finally {
      client.close();
      destroyPg(admin);
    }
  });

  it('a paused server: open connections give info, new connections fail, then it recovers', async () => {
    const options: PgVoteOptions = {
      ...DEFAULT_PG_VOTE_OPTIONS,
      table: 'votes_pause',
      timeouts: { connectMs: 800, statementMs: 500, queryMs: 800, idleInTransactionMs: 5000 },
    };
    await setupPgVote(pg.target, options.table);
    const sink = memorySink();
    const warm = new PgVoteClient(pg.target, options);
    const cold = new PgVoteClient(pg.target, options);
    try {
      expect((await warm.vote(sink, 0, { voter: 'v0', round: 1, candidate: 'c0' })).type).toBe(
        'ok',
      );
      await signalPostgres(pg.proc, 'SIGSTOP');
      let outcomes;
      try {
        outcomes = await Promise.all([
          warm.vote(sink, 0, { voter: 'v1', round: 1, candidate: 'c1' }),
          cold.vote(sink, 1, { voter: 'v2', round: 1, candidate: 'c2' }),
        ]);
      } finally {
        await signalPostgres(pg.proc, 'SIGCONT');
      }
      expect(outcomes[0]).toMatchObject({ type: 'info', error: { type: 'timeout' } });
      expect(outcomes[1]).toMatchObject({ type: 'fail', error: { type: 'connect-failed' } });
      expect((await cold.vote(sink, 1, { voter: 'v3', round: 1, candidate: 'c0' })).type).toBe(
        'ok',
      );
      expectWellFormed(sink.ops);
    } finally {
      warm.close();
      cold.close();
    }
  });

  it("the executor's Workload/Client: vote, the rule's refusal, read-votes, deadline as info", async () => {
    const options: PgVoteOptions = {
      ...DEFAULT_PG_VOTE_OPTIONS,
      table: 'votes_workload',
      // pg's own timeouts are long here, so the executor's deadline is what fires.
      timeouts: { connectMs: 5000, statementMs: 5000, queryMs: 5000, idleInTransactionMs: 10000 },
    };
    await setupPgVote(pg.target, options.table);
    const workload = new PgVoteWorkload(options);
    const url = `postgres://postgres@${pg.target.host}:${pg.target.port}/postgres`;
    const client = await workload.open({ name: 'n1', url });
    try {
      expect(client.node).toBe('n1');
      const v = { voter: 'v0', round: 1, candidate: 'c0' };
      expect(await client.invoke({ f: 'vote', value: v })).toEqual({ type: 'ok' });
      expect(
        await client.invoke({ f: 'vote', value: { ...v, candidate: 'c1' } }, { timeoutMs: 2000 }),
      ).toMatchObject({ type: 'fail', error: { type: 'already-voted', candidate: 'c0' } });
      expect(await client.invoke({ f: 'read-votes' })).toEqual({ type: 'ok', value: [v] });
      expect((await client.invoke({ f: 'cas', value: [1, 2] })).type).toBe('fail');
      expect((await client.invoke({ f: 'vote', value: { voter: 1 } })).type).toBe('fail');

      await signalPostgres(pg.proc, 'SIGSTOP');
      let stalled;
      try {
        stalled = await client.invoke(
          { f: 'vote', value: { voter: 'v1', round: 1, candidate: 'c1' } },
          { timeoutMs: 300 },
        );
      } finally {
        await signalPostgres(pg.proc, 'SIGCONT');
      }
      expect(stalled).toEqual({ type: 'info', error: { type: 'timeout' } });
      expect(
        await client.invoke({ f: 'vote', value: { voter: 'v2', round: 1, candidate: 'c2' } }),
      ).toEqual({ type: 'ok' });
    } finally {
      await client.close();
    }
  });
});
