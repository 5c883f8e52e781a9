import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History, JsonValue, Op } from '../../../src/history/op.js';
import {
  checkElection,
  checkElectionSafety,
  electionEventsFromHistory,
} from '../../../src/checkers/election/index.js';

type Step = [number, string, JsonValue, 'ok' | 'fail' | 'info', JsonValue?];

/** Builds a history from [process, f, invoke value, completion type, completion value?]. */
function history(steps: Step[]): History {
  const ops: Op[] = [];
  let t = 0;
  for (const [process, f, value, type, result] of steps) {
    ops.push({ index: ops.length, time: (t += 1000), type: 'invoke', process, f, value });
    ops.push({ index: ops.length, time: (t += 1000), type, process, f, value: result ?? value });
  }
  return ops;
}

describe('vote/decide ops from a voting workload', () => {
  it('flags a voter with two different votes in one round, citing the ops', async () => {
    const h = history([
      [0, 'vote', { voter: 'v1', round: 1, candidate: 'a' }, 'ok'],
      [1, 'vote', { voter: 'v1', round: 1, candidate: 'b' }, 'ok'],
      [2, 'vote', { voter: 'v2', round: 1, candidate: 'a' }, 'ok'],
    ]);
    const r = await checkElectionSafety(h);
    expect(r.valid).toBe(false);
    expect(r.violations).toMatchObject([
      { kind: 'double-vote', voter: 'v1', term: 1, candidates: ['a', 'b'] },
    ]);
    expect(r.violations[0]!.evidence.map((e) => e.where)).toEqual(['op #1', 'op #3']);
  });

  it('flags two decisions in one round and a decision short of its quorum', async () => {
    const h = history([
      [0, 'vote', { voter: 'v1', round: 3, candidate: 'a' }, 'ok'],
      [0, 'vote', { voter: 'v2', round: 3, candidate: 'a' }, 'ok'],
      [1, 'decide', { round: 3, value: 'a', quorum: 2 }, 'ok'],
      [2, 'decide', { round: 3, value: 'b', quorum: 2 }, 'ok'],
    ]);
    const r = await checkElectionSafety(h);
    expect(r.valid).toBe(false);
    expect(r.violations.map((v) => v.kind).sort()).toEqual(['no-quorum', 'two-leaders']);
    expect(r.violations.find((v) => v.kind === 'no-quorum')).toMatchObject({
      leader: 'b',
      votes: 0,
      quorum: 2,
    });
  });

  it('counts only ok votes: a failed or indeterminate second vote is not a double vote', async () => {
    const h = history([
      [0, 'vote', { voter: 'v1', round: 1, candidate: 'a' }, 'ok'],
      [1, 'vote', { voter: 'v1', round: 1, candidate: 'b' }, 'fail'],
      [2, 'vote', { voter: 'v1', round: 1, candidate: 'c' }, 'info'],
      [3, 'vote', { voter: 'v1', round: 1, candidate: 'a' }, 'ok'],
      [4, 'decide', { round: 1, value: 'a' }, 'ok', { round: 1, value: 'a', votes: 3, quorum: 3 }],
    ]);
    const r = await checkElectionSafety(h);
    expect(r.violations).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.summary.counts).toMatchObject({ vote: 2, 'vote-fail': 1, 'vote-info': 1, decide: 1 });
  });

  it('uses the quorum option when decisions do not carry one', () => {
    const h = history([
      [0, 'vote', { voter: 'v1', round: 'r1', candidate: 'x' }, 'ok'],
      [1, 'vote', { voter: 'v2', round: 'r1', candidate: 'x' }, 'ok'],
      [2, 'decide', { round: 'r1', value: 'x' }, 'ok'],
    ]);
    const events = electionEventsFromHistory(h);
    expect(checkElection(events, { quorum: 2 }).valid).toBe(true);
    expect(checkElection(events, { voterCount: 5 }).violations).toMatchObject([
      { kind: 'no-quorum', votes: 2, quorum: 3 },
    ]);
    expect(checkElection(events).summary.quorumUnchecked).toBe(1);
  });

  it('property: votes that never differ within (voter, round) never make a double vote; one differing vote always does', () => {
    const voter = fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5');
    const round = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(voter, round), { minLength: 1, maxLength: 40 }),
        fc.func(fc.constantFrom('a', 'b', 'c')),
        fc.nat(),
        (pairs, choose, pick) => {
          // Each (voter, round) always votes the same candidate: repeats are legal.
          const steps = pairs.map(([v, r], i): Step => [
            i,
            'vote',
            { voter: v, round: r, candidate: choose(v, r) },
            'ok',
          ]);
          const ok = checkElection(electionEventsFromHistory(history([...steps])));
          expect(ok.violations.filter((x) => x.kind === 'double-vote')).toEqual([]);
          // Now one voter also votes for a different candidate in the same round.
          const [v, r] = pairs[pick % pairs.length]!;
          const other = choose(v, r) === 'a' ? 'b' : 'a';
          const bad = checkElection(
            electionEventsFromHistory(
              history([...steps, [999, 'vote', { voter: v, round: r, candidate: other }, 'ok']]),
            ),
          );
          expect(bad.violations).toMatchObject([{ kind: 'double-vote', voter: v, term: r }]);
        },
      ),
    );
  });
});
