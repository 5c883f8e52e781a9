/**
 * Stored votes (a voting workload's final `read-votes`) as election evidence: a voter with two
 * stored votes in one round is a double vote even when only one of them was acked.
 */
import { describe, expect, it } from 'vitest';
import {
  checkElectionSafety,
  electionEventsFromHistory,
} from '../../../src/checkers/election/index.js';
import type { History, JsonValue, Op } from '../../../src/history/op.js';

function history(ops: Array<Omit<Op, 'index' | 'time'>>): History {
  return ops.map((op, index) => ({ ...op, index, time: index * 1_000_000 }));
}
const vote = (voter: string, round: number, candidate: string): JsonValue => ({
  voter,
  round,
  candidate,
});

describe('stored votes from read-votes', () => {
  it('a lost ack (info) that committed anyway is a double vote in the stored votes', async () => {
    const h = history([
      { process: 0, type: 'invoke', f: 'vote', value: vote('v0', 1, 'c0') },
      { process: 1, type: 'invoke', f: 'vote', value: vote('v0', 1, 'c1') },
      { process: 0, type: 'ok', f: 'vote', value: vote('v0', 1, 'c0') },
      { process: 1, type: 'info', f: 'vote', value: vote('v0', 1, 'c1'), error: 'timeout' },
      { process: 2, type: 'invoke', f: 'read-votes', value: null },
      {
        process: 2,
        type: 'ok',
        f: 'read-votes',
        value: [vote('v0', 1, 'c0'), vote('v0', 1, 'c1')],
      },
    ]);
    // The acks alone show one vote: no violation without the stored votes.
    const acksOnly = await checkElectionSafety(h.slice(0, 4));
    expect(acksOnly.violations).toEqual([]);
    const r = await checkElectionSafety(h);
    expect(r.valid).toBe(false);
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v).toMatchObject({
      kind: 'double-vote',
      voter: 'v0',
      term: 1,
      candidates: ['c0', 'c1'],
    });
    expect(v.message).toBe('v0 voted for c0 and c1 in round 1');
    // Evidence: the acked op, and each stored row (the read trimmed to that row).
    expect(v.evidence.map((e) => e.where)).toEqual(['op #2', 'op #5', 'op #5']);
    expect(v.evidence[2]!).toMatchObject({
      kind: 'op',
      op: { f: 'read-votes', value: { row: vote('v0', 1, 'c1'), position: 1 } },
    });
    expect(r.summary).toMatchObject({ votes: 1, storedVotes: 2 });
  });

  it('the same rows read through several client paths add no violation', async () => {
    const rows = [vote('v0', 1, 'c0'), vote('v1', 1, 'c2'), vote('v0', 2, 'c1')];
    const h = history([
      { process: 0, type: 'invoke', f: 'vote', value: vote('v0', 1, 'c0') },
      { process: 0, type: 'ok', f: 'vote', value: vote('v0', 1, 'c0') },
      ...[3, 4, 5].flatMap((p) => [
        { process: p, type: 'invoke' as const, f: 'read-votes', value: null },
        { process: p, type: 'ok' as const, f: 'read-votes', value: rows },
      ]),
      { process: 6, type: 'invoke', f: 'read-votes', value: null },
      { process: 6, type: 'fail', f: 'read-votes', error: 'connect-failed' },
    ]);
    const r = await checkElectionSafety(h);
    expect(r.violations).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.summary.storedVotes).toBe(9);
    expect(r.summary.counts.storedVote).toBe(9);
  });

  it('malformed rows are counted, not trusted', () => {
    const ev = electionEventsFromHistory(
      history([
        { process: 0, type: 'invoke', f: 'read-votes', value: null },
        { process: 0, type: 'ok', f: 'read-votes', value: [{ voter: 'v0' }, vote('v1', 3, 'c0')] },
      ]),
    );
    expect(ev.counts).toEqual({ malformed: 1, storedVote: 1 });
    expect(ev.votes.map((v) => v.kind)).toEqual(['stored']);
  });
});
