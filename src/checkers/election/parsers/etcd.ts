/**
 * etcd raft log parser: zap JSON lines (`--logger=zap`, etcd >= 3.4) and the older capnslog
 * text format (`raft2026/11/21 15:36:48 INFO: ...` in 3.4, `... I | raft: ...` in 3.3).
 *
 * The raft messages are the same in every format (etcd's raft/raft.go and raft/node.go):
 *   `<id> [logterm: X, index: Y, vote: Z] cast MsgVote for <id> [logterm: X, index: Y] at term N`
 *   `<id> became candidate at term N`          (the candidate votes for itself)
 *   `<id> has received K MsgVoteResp votes and R vote rejections`   (tally, just before:)
 *   `<id> became leader at term N`
 *   `raft.node: <id> elected leader <id> at term N`   (a node learning the leader: cross-check)
 *   `<id> switched to configuration voters=(<decimal ids>)`         (the voter set -> quorum)
 * `cast MsgPreVote` and `MsgPreVoteResp` tallies are NOT votes (pre-vote does not bind a
 * node); they are counted as `preVote` and skipped. Member ids are hex; the configuration
 * line lists them in decimal, so only its length (the voter count) is used.
 */
import { bump, emptyEvents, type Evidence } from '../events.js';
import type { LogFileContext, LogFileParser, LogParser } from './types.js';

const VOTE_RE =
  /^([0-9a-f]+) \[logterm: \d+, index: \d+, vote: [0-9a-f]+\] cast (MsgVote|MsgPreVote) for ([0-9a-f]+) \[logterm: \d+, index: \d+\] at term (\d+)$/;
const CANDIDATE_RE = /^([0-9a-f]+) became candidate at term (\d+)$/;
const LEADER_RE = /^([0-9a-f]+) became leader at term (\d+)$/;
const ELECTED_RE = /^raft\.node: ([0-9a-f]+) elected leader ([0-9a-f]+) at term (\d+)$/;
const TALLY_RE =
  /^([0-9a-f]+) has received (\d+) (MsgVoteResp|MsgPreVoteResp) votes and (\d+) vote rejections$/;
const VOTERS_RE = /^([0-9a-f]+) switched to configuration voters=\(([\d ]*)\)/;
const REJECT_RE =
  /^[0-9a-f]+ \[logterm: \d+, index: \d+, vote: [0-9a-f]+\] rejected (MsgVote|MsgPreVote) from/;

// capnslog: `2026-11-21 15:36:48.153996 I | embed: name = e2`
const CAPNS_RE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) [A-Z] \| ([\w./-]+): (.*)$/;
// 3.4's raft logger under capnslog: `raft2026/11/21 15:36:48 INFO: <msg>`
const RAFT_STD_RE = /^raft(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)?) [A-Z]+: (.*)$/;
const CAPNS_NAME_RE = /^name = (\S+)$/;
const CAPNS_MEMBER_RE = /^starting member ([0-9a-f]+) in cluster/;

// Cheap pre-filter: most etcd lines are about networking and are never JSON-parsed.
const INTERESTING =
  /at term|vote rejections|switched to configuration|rejected Msg|starting (local )?member|name = |starting an etcd server/;

interface Line {
  ts?: string;
  msg: string;
  /** zap structured fields (member identity lines). */
  fields?: Record<string, unknown>;
}

function splitLine(text: string): Line | undefined {
  if (text.startsWith('{')) {
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch {
      return undefined; // a torn last line after SIGKILL
    }
    if (typeof rec !== 'object' || rec === null) return undefined;
    const r = rec as Record<string, unknown>;
    if (typeof r.msg !== 'string') return undefined;
    return { ts: typeof r.ts === 'string' ? r.ts : undefined, msg: r.msg, fields: r };
  }
  const raft = RAFT_STD_RE.exec(text);
  if (raft) return { ts: raft[1], msg: raft[2]! };
  const capns = CAPNS_RE.exec(text);
  if (capns) {
    // 3.3 and older: `... I | raft: <msg>`; other packages carry member identity.
    return { ts: capns[1], msg: capns[3]! };
  }
  return undefined;
}

class EtcdFileParser implements LogFileParser {
  private readonly out = emptyEvents();
  private localId?: string;
  private localName?: string;
  private voterCount?: number;
  /** The latest real-vote tally, attached to the `became leader` line that follows it. */
  private tally?: { node: string; granted: number; source: Evidence };

  constructor(private readonly ctx: LogFileContext) {}

  line(text: string, lineNo: number): void {
    if (!INTERESTING.test(text)) return;
    const parsed = splitLine(text);
    if (!parsed) return;
    const { msg, ts, fields } = parsed;
    const source: Evidence = { kind: 'log', file: this.ctx.file, line: lineNo, text };
    const counts = this.out.counts;
    let m: RegExpExecArray | null;

    if ((m = VOTE_RE.exec(msg))) {
      if (m[2] === 'MsgPreVote') return bump(counts, 'preVote');
      bump(counts, 'vote');
      this.out.votes.push({
        voter: m[1]!,
        candidate: m[3]!,
        term: Number(m[4]),
        kind: 'vote',
        ts,
        source,
      });
    } else if ((m = CANDIDATE_RE.exec(msg))) {
      bump(counts, 'candidate');
      this.tally = undefined; // a new election: an earlier tally must not attach to its outcome
      this.out.votes.push({
        voter: m[1]!,
        candidate: m[1]!,
        term: Number(m[2]),
        kind: 'self',
        ts,
        source,
      });
    } else if ((m = TALLY_RE.exec(msg))) {
      if (m[3] === 'MsgPreVoteResp') return bump(counts, 'preVoteTally');
      bump(counts, 'tally');
      this.tally = { node: m[1]!, granted: Number(m[2]), source };
    } else if ((m = LEADER_RE.exec(msg))) {
      bump(counts, 'becameLeader');
      const node = m[1]!;
      const tally = this.tally?.node === node ? this.tally : undefined;
      this.tally = undefined;
      this.out.leaders.push({
        leader: node,
        term: Number(m[2]),
        kind: 'became',
        votes: tally?.granted,
        voterCount: this.voterCount,
        quorum: this.voterCount === undefined ? undefined : Math.floor(this.voterCount / 2) + 1,
        ts,
        source,
        tallySource: tally?.source,
      });
    } else if ((m = ELECTED_RE.exec(msg))) {
      bump(counts, 'electedLeader');
      this.out.leaders.push({
        leader: m[2]!,
        reporter: m[1]!,
        term: Number(m[3]),
        kind: 'learned',
        ts,
        source,
      });
    } else if ((m = VOTERS_RE.exec(msg))) {
      const ids = m[2]!.trim();
      this.voterCount = ids === '' ? 0 : ids.split(/\s+/).length;
      this.localId ??= m[1];
    } else if (REJECT_RE.test(msg)) {
      bump(counts, 'rejected');
    } else {
      this.identity(msg, fields);
    }
  }

  /** The log's own member id and name, to show `e1` instead of `9c136609e1b76f5d`. */
  private identity(msg: string, fields?: Record<string, unknown>): void {
    let m: RegExpExecArray | null;
    if (fields) {
      if (msg === 'starting local member' && typeof fields['local-member-id'] === 'string')
        this.localId = fields['local-member-id'];
      else if (msg === 'starting an etcd server' && typeof fields.name === 'string')
        this.localName = fields.name;
    } else if ((m = CAPNS_MEMBER_RE.exec(msg))) this.localId = m[1];
    else if ((m = CAPNS_NAME_RE.exec(msg))) this.localName = m[1];
  }

  finish() {
    // Every raft line starts with the local member's id: name it after its log when no
    // identity line was seen (a log cut short, or trimmed).
    this.localId ??=
      this.out.votes[0]?.voter ?? this.out.leaders.find((l) => l.kind === 'learned')?.reporter;
    const name = this.localName ?? this.ctx.node;
    if (this.localId && name) this.out.members[this.localId] = name;
    return this.out;
  }
}

export const etcdRaftParser: LogParser = {
  name: 'etcd',
  open: (ctx) => new EtcdFileParser(ctx),
};
