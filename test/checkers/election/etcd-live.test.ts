/**
 * Live: a real 3-member etcd 3.4 cluster elects, loses its leader to SIGKILL and elects again;
 * the parser must read every vote and leader line of the real logs and find no violation.
 */
import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkElectionSafety } from '../../../src/checkers/election/index.js';
import { grepCounts } from './grep-counts.js';
import { ETCD_BIN, runEtcdElection } from './live-etcd.js';

describe('election safety on a live etcd cluster', () => {
  it('parses every vote/leader line of a real leader failover and finds no violation', async () => {
    await access(ETCD_BIN);
    const { run, cleanup } = await runEtcdElection({ logger: 'zap', deadlineMs: 30_000 });
    try {
      const r = await checkElectionSafety([], { logs: run.logs });
      const grep = await grepCounts(Object.values(run.logs));
      expect(grep.vote).toBeGreaterThanOrEqual(2); // two elections, each needs another voter
      expect(grep.becameLeader).toBeGreaterThanOrEqual(2);
      expect(r.summary.counts.vote).toBe(grep.vote);
      expect(r.summary.counts.preVote ?? 0).toBe(grep.preVote);
      expect(r.summary.counts.becameLeader).toBe(grep.becameLeader);
      expect(r.summary.counts.electedLeader).toBe(grep.electedLeader);
      expect(r.violations).toEqual([]);
      expect(r.valid).toBe(true);
      const leaders = r.leadersByTerm.map((t) => t.leader);
      expect(leaders).toContain(run.firstLeader);
      expect(leaders.at(-1)).toBe(run.secondLeader);
    } finally {
      await cleanup();
    }
  });
});
