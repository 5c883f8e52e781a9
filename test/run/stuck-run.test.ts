/**
 * Stuck state and election safety from `faultline run` on a real 5-member etcd cluster:
 * - kill n1,n2,n3 and never heal (`--no-heal-until-teardown`): stuck, with the kill as its cause;
 *   the teardown ends the fault and the journal says so;
 * - the same kill healed: the stall is reported with its cause, then "recovered after heal";
 * - under partitions, kills and pauses the raft-log parser reads every vote and leader line of
 *   every node's log (checked against independent grep counts) and finds no violation.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkElectionSafety } from '../../src/checkers/election/index.js';
import { nodeLogs } from '../../src/run/checks.js';
import { grepCounts } from '../checkers/election/grep-counts.js';
import { faultlineRun, journal, residue, testBase } from './helpers.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';

const ETCD5 = join(REPO, 'clusters/etcd-5.json');
const KILL_3_OF_5 = ['--nemesis', 'kill', '--fault-count', '1', '--fault-targets', 'n1,n2,n3'];

interface StuckResult {
  valid: boolean | 'unknown';
  stuckAtEnd: boolean;
  activeAtEnd: string[];
  reason?: string;
  windows: Array<{ faults: string[]; duration: number }>;
  recovery?: { withinBound: boolean; duration?: number; message: string };
}

describeAsRoot('stuck state and election safety from faultline run (etcd)', () => {
  let t: ReturnType<typeof testBase>;
  beforeAll(() => {
    t = testBase('stuck-run');
  });
  afterAll(() => t.cleanup());

  it('3 of 5 members killed and never healed: stuck, caused by the kill', () => {
    const r = faultlineRun(
      [
        '--cluster',
        ETCD5,
        '--time-limit',
        '12',
        ...KILL_3_OF_5,
        '--fault-duration',
        '9',
        '--no-heal-until-teardown',
        '--seed',
        '1',
      ],
      join(t.base, 'noheal'),
      t.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.res.run.healAtEnd).toBe(false);
    const stuck = r.res.checks.stuck as unknown as StuckResult;
    expect(stuck.valid).toBe(false);
    expect(stuck.stuckAtEnd).toBe(true);
    expect(stuck.activeAtEnd).toEqual([expect.stringMatching(/^kill n1,n2,n3 since \d+\.\d s$/)]);
    expect(stuck.reason).toMatch(
      /^no op completed for the last \d+\.\d s .*; active: kill n1,n2,n3 since/,
    );
    expect(r.res.valid).toBe(false);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /INVALID\s+stuck\n\s+no op completed for the last .*active: kill n1,n2,n3/,
    );
    // No convergence after a heal that never happened; linearizability still holds.
    expect(r.res.checks.convergence).toBeUndefined();
    expect(r.res.checks.linearizability!.valid).toBe(true);
    // The history never stops the fault; the journal says the teardown ended it.
    expect(r.res.run.endedByTeardown).toEqual(['f0']);
    const entries = journal(r.dir);
    const ended = entries.find((e) => e.event === 'healed' && e.id === 'f0')!;
    expect(ended.verification).toMatchObject({
      endedBy: 'teardown',
      observed: { killed: ['n4', 'n5'] },
    });
    expect(entries.some((e) => e.event === 'heal')).toBe(false);
    expect(residue(r.res.run.namespaces, t.base)).toEqual({ netns: [], processes: [] });
  }, 60_000);

  it('the same kill, healed: the stall has its cause, then recovered after heal', () => {
    const r = faultlineRun(
      [
        '--cluster',
        ETCD5,
        '--time-limit',
        '12',
        ...KILL_3_OF_5,
        '--fault-duration',
        '6',
        '--seed',
        '1',
      ],
      join(t.base, 'heal'),
      t.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    const stuck = r.res.checks.stuck as unknown as StuckResult;
    expect(stuck.valid).toBe(true);
    expect(stuck.stuckAtEnd).toBe(false);
    expect(stuck.windows.some((w) => w.faults.some((f) => /^kill n1,n2,n3 since/.test(f)))).toBe(
      true,
    );
    expect(stuck.recovery).toMatchObject({
      withinBound: true,
      message: expect.stringMatching(/^recovered \d+\.\d s after the heal began/),
    });
    console.log(
      `[measure] ${stuck.recovery!.message}; stall ${(stuck.windows[0]!.duration / 1e9).toFixed(1)} s`,
    );
    expect(r.res.checks.convergence!.valid).toBe(true);
    expect(r.res.valid).toBe(true);
    expect(r.status).toBe(0);
    expect(residue(r.res.run.namespaces, t.base)).toEqual({ netns: [], processes: [] });
  }, 60_000);

  it('partitions, kills and pauses: every raft vote and leader line is read, no violation', async () => {
    const r = faultlineRun(
      [
        '--cluster',
        ETCD5,
        '--time-limit',
        '14',
        '--nemesis',
        'partition,kill,pause',
        '--fault-count',
        '4',
        '--fault-duration',
        '1-2',
        '--seed',
        '2',
      ],
      join(t.base, 'raft'),
      t.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.res.run.execution!.faultsApplied).toBeGreaterThanOrEqual(3);
    const logs = nodeLogs(r.dir);
    expect(Object.keys(logs).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    const grep = await grepCounts(Object.values(logs));
    const e = await checkElectionSafety([], { logs, voterCount: 5 });
    console.log(
      `[measure] raft lines: grep ${JSON.stringify(grep)}; parser ${JSON.stringify(e.summary.counts)}`,
    );
    expect(grep.becameLeader).toBeGreaterThanOrEqual(2); // faults forced at least one re-election
    expect(e.summary.counts.vote ?? 0).toBe(grep.vote);
    expect(e.summary.counts.preVote ?? 0).toBe(grep.preVote);
    expect(e.summary.counts.becameLeader ?? 0).toBe(grep.becameLeader);
    expect(e.summary.counts.electedLeader ?? 0).toBe(grep.electedLeader);
    expect(e.violations).toEqual([]);
    expect(e.valid).toBe(true);
    // The run's own election check read the same logs to the same verdict.
    expect(r.res.checks.election!.valid).toBe(true);
    expect(residue(r.res.run.namespaces, t.base)).toEqual({ netns: [], processes: [] });
  }, 60_000);
});
