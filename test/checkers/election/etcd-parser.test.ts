import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkElectionSafety,
  parseLogFile,
  etcdRaftParser,
} from '../../../src/checkers/election/index.js';
import { grepCounts } from './grep-counts.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/etcd-raft');
const A = 'aaaaaaaaaaaaaaa1';
const B = 'bbbbbbbbbbbbbbb2';
const C = 'ccccccccccccccc3';

/** A zap line as etcd 3.4 writes it. */
const zap = (msg: string, ts = '2026-11-21T15:35:48.861Z') =>
  JSON.stringify({ level: 'info', ts, caller: 'raft/raft.go:966', msg });
const vote = (voter: string, cand: string, term: number, type = 'MsgVote') =>
  zap(
    `${voter} [logterm: 1, index: 3, vote: 0] cast ${type} for ${cand} [logterm: 1, index: 3] at term ${term}`,
  );
const config = (self: string) => zap(`${self} switched to configuration voters=(1 2 3)`);
const becameLeader = (id: string, term: number, granted = 2) => [
  zap(`${id} has received ${granted} MsgVoteResp votes and 0 vote rejections`),
  zap(`${id} became leader at term ${term}`),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `faultline-election-${process.pid}-`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function logs(files: Record<string, string[]>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [node, lines] of Object.entries(files)) {
    const path = join(dir, `${node}-${Math.random().toString(36).slice(2)}.log`);
    await writeFile(path, lines.join('\n') + '\n');
    out[node] = path;
  }
  return out;
}

describe('etcd raft log parser + election checker (made-up logs)', () => {
  it('catches a double vote, with file:line evidence', async () => {
    const l = await logs({
      n3: [config(C), zap('noise line at term 9 that is not raft'), vote(C, A, 5), vote(C, B, 5)],
    });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.valid).toBe(false);
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v.kind).toBe('double-vote');
    expect(v.term).toBe(5);
    expect(v.evidence.map((e) => e.where)).toEqual([`${l.n3}:3`, `${l.n3}:4`]);
    expect(v.message).toContain('in term 5');
  });

  it('catches two leaders in one term (became leader in two logs)', async () => {
    const l = await logs({
      n1: [config(A), zap(`${A} became candidate at term 7`), ...becameLeader(A, 7)],
      n2: [config(B), zap(`${B} became candidate at term 7`), ...becameLeader(B, 7)],
    });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.valid).toBe(false);
    expect(r.violations.map((v) => v.kind)).toEqual(['two-leaders']);
    expect(r.violations[0]!.message).toMatch(/term 7 has 2 leaders: n1, n2/);
  });

  it('catches two leaders in one term seen only by followers (elected leader lines)', async () => {
    const l = await logs({
      n3: [config(C), zap(`raft.node: ${C} elected leader ${A} at term 4`)],
      n4: [zap(`raft.node: dddd elected leader ${B} at term 4`)],
    });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.valid).toBe(false);
    expect(r.violations[0]).toMatchObject({ kind: 'two-leaders', term: 4 });
  });

  it('catches a leader elected on fewer votes than its quorum', async () => {
    const l = await logs({ n1: [config(A), ...becameLeader(A, 3, 1)] });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.valid).toBe(false);
    expect(r.violations[0]).toMatchObject({ kind: 'no-quorum', votes: 1, quorum: 2, leader: 'n1' });
    expect(r.violations[0]!.evidence.map((e) => e.where)).toEqual([`${l.n1}:2`, `${l.n1}:3`]);
  });

  it('does not flag a repeated vote for the same candidate, nor pre-votes', async () => {
    const l = await logs({
      n3: [
        config(C),
        vote(C, A, 5),
        vote(C, A, 5), // raft re-grants a vote to the candidate it already voted for
        vote(C, B, 5, 'MsgPreVote'), // pre-votes bind nothing
        vote(C, B, 6, 'MsgPreVote'),
        vote(C, A, 6, 'MsgPreVote'),
        zap(`${C} has received 2 MsgPreVoteResp votes and 0 vote rejections`),
        zap(`raft.node: ${C} elected leader ${A} at term 5`),
      ],
    });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.violations).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.summary.counts).toMatchObject({
      vote: 2,
      preVote: 3,
      preVoteTally: 1,
      electedLeader: 1,
    });
  });

  it('a candidate that also votes for another candidate in its own term is a double vote', async () => {
    const l = await logs({
      n1: [config(A), zap(`${A} became candidate at term 9`), vote(A, B, 9)],
    });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.violations).toMatchObject([
      { kind: 'double-vote', voter: 'n1', candidates: ['n1', B] },
    ]);
  });

  it('names members from the log, or from an explicit mapping', async () => {
    const l = await logs({
      x: [
        JSON.stringify({ level: 'info', msg: 'starting an etcd server', name: 'east-1' }),
        JSON.stringify({ level: 'info', msg: 'starting local member', 'local-member-id': A }),
        vote(A, B, 2),
        vote(A, C, 2),
      ],
    });
    const learned = await checkElectionSafety([], { logs: l });
    expect(learned.violations[0]).toMatchObject({ voter: 'east-1', candidates: [B, C] });
    const mapped = await checkElectionSafety([], { logs: l, names: { [B]: 'west-2' } });
    expect(mapped.violations[0]).toMatchObject({ candidates: ['west-2', C] });
  });

  it('reads capnslog text lines (etcd 3.3 style and 3.4 raft std logger)', async () => {
    const l = await logs({
      n1: [
        '2026-11-21 15:36:48.153996 I | embed: name = alpha',
        '2026-11-21 15:36:48.158852 I | etcdserver: starting member aaaa in cluster 65b9',
        `2018-01-01 00:00:00.000000 I | raft: aaaa [logterm: 1, index: 3, vote: 0] cast MsgVote for ${B} [logterm: 1, index: 3] at term 2`,
        `raft2026/11/21 15:36:48 INFO: aaaa [logterm: 1, index: 3, vote: 0] cast MsgVote for ${C} [logterm: 1, index: 3] at term 2`,
      ],
    });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.violations).toMatchObject([{ kind: 'double-vote', voter: 'alpha', term: 2 }]);
  });

  it('tolerates a torn last line and reports an unreadable log clearly', async () => {
    const l = await logs({ n1: [vote(A, B, 2), '{"level":"info","ts":"2026-11-21T15:35:4'] });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.valid).toBe(true);
    await expect(
      checkElectionSafety([], { logs: { n9: join(dir, 'missing.log') } }),
    ).rejects.toMatchObject({
      userMessage: expect.stringContaining('missing.log: no such file or directory'),
    });
  });

  it('is unknown when the logs hold no election lines', async () => {
    const l = await logs({ n1: [zap('serving client traffic')] });
    const r = await checkElectionSafety([], { logs: l });
    expect(r.valid).toBe('unknown');
  });
});

describe.each(['zap', 'zap-prevote', 'capnslog'])('real etcd 3.4 logs: %s', (variant) => {
  const logsOf = (v: string) =>
    Object.fromEntries(['e1', 'e2', 'e3'].map((n) => [n, join(FIXTURES, v, `${n}.log`)]));

  it('reads every vote and leader line and finds no violation', async () => {
    const l = logsOf(variant);
    const scenario = JSON.parse(await readFile(join(FIXTURES, variant, 'scenario.json'), 'utf8'));
    const r = await checkElectionSafety([], { logs: l });
    const grep = await grepCounts(Object.values(l));
    expect(r.summary.counts.vote ?? 0).toBe(grep.vote);
    expect(r.summary.counts.preVote ?? 0).toBe(grep.preVote);
    expect(r.summary.counts.becameLeader).toBe(grep.becameLeader);
    expect(r.summary.counts.electedLeader).toBe(grep.electedLeader);
    expect(grep.vote).toBeGreaterThan(0);
    expect(r.violations).toEqual([]);
    expect(r.valid).toBe(true);
    // The two elections of the scenario, by member name, each on a majority of 3.
    expect(r.leadersByTerm.map((x) => x.leader)).toEqual([
      scenario.firstLeader,
      scenario.secondLeader,
    ]);
    for (const t of r.leadersByTerm) expect(t).toMatchObject({ votes: 2, quorum: 2 });
  });

  it('one file at a time yields the same events as all together', async () => {
    const l = logsOf(variant);
    let votes = 0;
    for (const [node, path] of Object.entries(l))
      votes += (await parseLogFile(path, etcdRaftParser, node)).votes.length;
    const r = await checkElectionSafety([], { logs: l });
    expect(votes).toBe(r.summary.votes + r.summary.selfVotes);
  });
});
