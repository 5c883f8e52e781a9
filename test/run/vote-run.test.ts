/**
 * `faultline run --workload vote` on a real PostgreSQL 15 in a namespace, through the CLI:
 * - READ COMMITTED: the check-then-insert rule double-votes; the election checker says so with
 *   evidence (the acked vote ops and the rows of the final read);
 * - SERIALIZABLE under kill, pause and partition-from-clients faults: no double vote, every
 *   fault applied, verified and healed, timeouts recorded as info, nothing left behind.
 * (Rates over many runs: `npm run bench:vote`.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadHistory } from '../../src/history/load.js';
import { validateHistory } from '../../src/history/validate.js';
import { join } from 'node:path';
import { exitFor, faultlineRun, journal, residue, testBase } from './helpers.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';

const CLUSTER = join(REPO, 'clusters/postgres.json');

interface Violation {
  kind: string;
  voter: string;
  term: number;
  candidates: string[];
  evidence: Array<{ kind: string; where: string; op: { f: string; type: string } }>;
}

describeAsRoot('faultline run --workload vote on PostgreSQL', () => {
  let t: ReturnType<typeof testBase>;
  beforeAll(() => {
    t = testBase('vote-run');
  });
  afterAll(() => t.cleanup());

  it('READ COMMITTED double-votes, and the election checker shows the evidence', async () => {
    const r = faultlineRun(
      [
        '--cluster',
        CLUSTER,
        '--workload',
        'vote',
        '--isolation',
        'read-committed',
        '--time-limit',
        '6',
        '--concurrency',
        '6',
        '--nemesis',
        'none',
        '--seed',
        '1',
      ],
      join(t.base, 'rc'),
      t.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.res.run.error).toBeNull();
    expect(r.res.run.workload).toBe('pg-vote');
    expect(r.res.run.isolation).toBe('read committed');
    expect(Object.keys(r.res.checks).sort()).toEqual(['convergence', 'election', 'perf', 'stuck']);
    expect(r.res.valid).toBe(false);
    expect(r.status).toBe(1);
    const election = r.res.checks.election as unknown as {
      valid: boolean;
      violations: Violation[];
    };
    expect(election.valid).toBe(false);
    const v = election.violations[0]!;
    expect(v.kind).toBe('double-vote');
    expect(new Set(v.candidates).size).toBeGreaterThanOrEqual(2);
    // Evidence: the acked vote ops and the stored rows of the final read.
    expect(v.evidence.some((e) => e.op.f === 'vote' && e.op.type === 'ok')).toBe(true);
    expect(v.evidence.some((e) => e.op.f === 'read-votes')).toBe(true);
    expect(r.stdout).toMatch(/INVALID\s+election[\s\S]*v\d voted for c\d and c\d in round \d+/);
    // Every client path read the same table: convergence holds; nothing else is wrong.
    expect(r.res.checks.convergence!.valid).toBe(true);
    expect(r.res.checks.stuck!.valid).toBe(true);
    const { ops } = await loadHistory(join(r.dir, 'history.jsonl'));
    expect(validateHistory(ops)).toEqual([]);
    expect(ops.filter((o) => o.f === 'read-votes' && o.type === 'ok')).toHaveLength(6);
    expect(residue(r.res.run.namespaces, t.base)).toEqual({ netns: [], processes: [] });
  }, 60_000);

  it('SERIALIZABLE under kill, pause and partition from clients: no double vote, all healed', async () => {
    const r = faultlineRun(
      [
        '--cluster',
        CLUSTER,
        '--workload',
        'vote',
        '--isolation',
        'serializable',
        '--time-limit',
        '12',
        '--concurrency',
        '6',
        '--nemesis',
        'kill,pause,partition',
        '--fault-count',
        '3',
        '--fault-duration',
        '1-2',
        '--op-timeout',
        '800',
        '--seed',
        '1',
      ],
      join(t.base, 'ser'),
      t.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.res.run.error).toBeNull();
    expect(r.status).toBe(exitFor(r.res.valid));
    expect(r.res.checks.election!.valid).toBe(true);
    expect(r.res.valid).toBe(true);
    const ex = r.res.run.execution!;
    expect(ex.faultsApplied).toBe(3);
    expect(ex.faultsFailed).toBe(0);
    expect(ex.recovered).toBe(true);
    // Every fault was verified when applied and healed afterwards.
    const entries = journal(r.dir);
    const applied = entries.filter((e) => e.event === 'applied');
    expect(applied).toHaveLength(3);
    for (const a of applied) expect((a.verification as { ok: unknown }).ok).toBe(true);
    expect(
      entries
        .filter((e) => e.event === 'healed')
        .map((e) => e.id)
        .sort(),
    ).toEqual(applied.map((a) => a.id).sort());
    const kinds = entries
      .filter((e) => e.event === 'apply')
      .map((e) => e.fault as { kind: string; params?: { shape?: string } });
    expect(kinds.map((k) => k.kind).sort()).toEqual(['kill', 'partition', 'pause']);
    expect(kinds.find((k) => k.kind === 'partition')!.params!.shape).toBe('clients');
    // Pause and partition make ops time out: recorded as info, the run did not hang.
    const { ops } = await loadHistory(join(r.dir, 'history.jsonl'));
    expect(validateHistory(ops)).toEqual([]);
    expect(ops.some((o) => o.f === 'vote' && o.type === 'info')).toBe(true);
    expect(residue(r.res.run.namespaces, t.base)).toEqual({ netns: [], processes: [] });
  }, 60_000);
});
