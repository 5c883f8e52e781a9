/**
 * How a vote run reads (pure, on a small recorded-shape history): the number of violations is
 * shown, stored votes are not multiplied by the number of final reads, a one-node cluster read
 * by six workers is not "6 replicas", and the run records no read consistency for votes.
 */
import { describe, expect, it } from 'vitest';
import { checkConvergence } from '../../src/checkers/convergence/check.js';
import { checkElection } from '../../src/checkers/election/check.js';
import { electionEventsFromHistory } from '../../src/checkers/election/history.js';
import type { Op } from '../../src/history/op.js';
import { describeCheck } from '../../src/run/summary.js';
import { runCardRows } from '../../src/report/run-card.js';

const READERS = 6;
const VOTERS = 10;

/** Each voter votes twice in round 1 for different candidates (10 double votes); 6 final reads. */
function voteHistory(): Op[] {
  const ops: Op[] = [];
  const push = (o: Omit<Op, 'index' | 'time'>) =>
    ops.push({ ...o, index: ops.length, time: ops.length * 1000 });
  const rows = [];
  for (let v = 0; v < VOTERS; v++)
    for (const candidate of ['a', 'b']) {
      const value = { voter: `v${v}`, round: 1, candidate };
      push({ type: 'invoke', process: v, f: 'vote', value });
      push({ type: 'ok', process: v, f: 'vote', value });
      rows.push(value);
    }
  for (let r = 0; r < READERS; r++) {
    push({ type: 'invoke', process: 100 + r, f: 'read-votes', value: null, node: 'n1' });
    push({ type: 'ok', process: 100 + r, f: 'read-votes', value: rows, node: 'n1' });
  }
  return ops;
}

describe('a vote run in words', () => {
  const election = checkElection(electionEventsFromHistory(voteHistory()));

  it('counts the violations and does not multiply stored votes by the readers', () => {
    expect(election.violations.length).toBe(VOTERS);
    const [head, ...rest] = describeCheck('election', election);
    expect(head).toMatch(
      /^20 votes acked, 20 distinct votes stored \(seen by each of 6 final reads\)/,
    );
    expect(head).toMatch(/10 violation\(s\)/);
    expect(head).not.toMatch(/120/);
    expect(rest.at(-1)).toMatch(/and 7 more/);
  });

  it('says six final reads of one node, not six replicas', () => {
    const obs = Array.from({ length: READERS }, (_, r) => ({
      replica: `n1 via p${100 + r}`,
      via: 'postgres://10.0.0.1:5432',
      reads: { votes: [1, 2] },
    }));
    const conv = checkConvergence(obs);
    expect(conv.nodes).toBe(1);
    const lines = describeCheck('convergence', conv);
    expect(lines[0]).toBe('6 observations (final reads) of 1 node(s) agree');
    expect(lines.join(' ')).not.toMatch(/replicas: 6/);
  });

  it('shows isolation, not read consistency, for the vote workload', () => {
    const rows = runCardRows({ workload: 'pg-vote', isolation: 'read committed' });
    const workload = rows.find(([k]) => k === 'workload')?.[1] ?? '';
    expect(workload).toBe('pg-vote, read committed isolation');
    expect(rows.some(([k, v]) => /readConsistency|reads$/.test(k + v))).toBe(false);
  });
});
