/** Pure parts of the pg workload: error classification, the vote plan, double-vote detection. */
import { describe, expect, it } from 'vitest';
import { classifyPgError } from '../../../src/clients/pg/errors.js';
import {
  BadTableNameError,
  findDoubleVotes,
  tableIdent,
} from '../../../src/clients/pg/votes-table.js';
import {
  pgTargetFromUrl,
  planVoteOpsPerProcess,
  planVoteRounds,
} from '../../../src/clients/pg-vote.js';

const sqlError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyPgError', () => {
  it('retries serialization failures and deadlocks', () => {
    expect(classifyPgError(sqlError('40001'), 'transaction').kind).toBe('retry');
    expect(classifyPgError(sqlError('40P01'), 'transaction').kind).toBe('retry');
  });
  it('timeouts and lost connections are info', () => {
    expect(classifyPgError(new Error('Query read timeout'), 'transaction')).toMatchObject({
      kind: 'info',
      error: { type: 'timeout' },
    });
    expect(
      classifyPgError(
        sqlError('57014', 'canceling statement due to statement timeout'),
        'transaction',
      ),
    ).toMatchObject({ kind: 'info', error: { type: 'timeout', sqlstate: '57014' } });
    expect(
      classifyPgError(new Error('Connection terminated unexpectedly'), 'transaction'),
    ).toMatchObject({ kind: 'info', error: { type: 'connection-lost' } });
    expect(classifyPgError(sqlError('ECONNRESET'), 'transaction').kind).toBe('info');
    expect(classifyPgError(sqlError('EPIPE'), 'transaction').kind).toBe('info');
    expect(classifyPgError(sqlError('57P01'), 'transaction').kind).toBe('info');
    expect(classifyPgError(sqlError('08006'), 'transaction').kind).toBe('info');
  });
  it('other server errors are definite failures; so is any connect failure', () => {
    expect(
      classifyPgError(sqlError('42P01', 'relation does not exist'), 'transaction'),
    ).toMatchObject({
      kind: 'fail',
      error: { type: 'sql-error', sqlstate: '42P01' },
    });
    expect(classifyPgError(new Error('timeout expired'), 'connect')).toMatchObject({
      kind: 'fail',
      error: { type: 'connect-failed' },
    });
    expect(classifyPgError(sqlError('ECONNREFUSED'), 'connect').kind).toBe('fail');
  });
});

describe('vote plan', () => {
  const o = { voters: 3, rounds: 4, racers: 2, candidates: 3 };
  it('every voter votes from every racer in every round, racers for different candidates', () => {
    const plan = planVoteRounds(o);
    expect(plan).toHaveLength(4);
    for (const [i, round] of plan.entries()) {
      expect(round).toHaveLength(6);
      expect(new Set(round.map((p) => p.slot)).size).toBe(6);
      for (const voter of ['v0', 'v1', 'v2']) {
        const mine = round.filter((p) => p.vote.voter === voter);
        expect(mine).toHaveLength(2);
        expect(mine.every((p) => p.vote.round === i + 1)).toBe(true);
        expect(new Set(mine.map((p) => p.vote.candidate)).size).toBe(2);
      }
    }
  });
  it('per-process op lists line racers up round by round', () => {
    const per = planVoteOpsPerProcess(o);
    expect(per).toHaveLength(6);
    expect(per[0]![2]).toEqual({
      f: 'vote',
      value: { voter: 'v0', round: 3, candidate: expect.any(String) },
    });
    expect(per[1]![2]!.value).toMatchObject({ voter: 'v0', round: 3 });
  });
  it('needs at least as many candidates as racers', () => {
    expect(() => planVoteRounds({ ...o, candidates: 1 })).toThrow(/candidates/);
  });
});

describe('helpers', () => {
  it('findDoubleVotes finds a voter with two stored votes in one round', () => {
    expect(
      findDoubleVotes([
        { voter: 'v0', round: 1, candidate: 'c0' },
        { voter: 'v1', round: 1, candidate: 'c1' },
        { voter: 'v0', round: 2, candidate: 'c1' },
        { voter: 'v0', round: 1, candidate: 'c2' },
      ]),
    ).toEqual([{ voter: 'v0', round: 1, candidates: ['c0', 'c2'] }]);
  });
  it('table names are validated before they reach SQL', () => {
    expect(tableIdent('faultline_votes')).toBe('"faultline_votes"');
    expect(() => tableIdent('votes; DROP TABLE x')).toThrow(BadTableNameError);
  });
  it('pgTargetFromUrl reads the cluster client endpoint', () => {
    expect(pgTargetFromUrl('postgres://postgres@10.77.3.11:5432/postgres', 'n1')).toEqual({
      host: '10.77.3.11',
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      node: 'n1',
    });
    expect(() => pgTargetFromUrl('http://10.77.3.11:2379')).toThrow(/postgres/);
  });
});
