/**
 * Election events: what the election-safety checker reasons about, whatever produced them
 * (a database's raft log lines, or vote/decide ops recorded by a voting workload).
 */
import type { Op } from '../../history/op.js';

/** Where an event came from, so every violation can show its evidence. */
export type Evidence =
  { kind: 'log'; file: string; line: number; text: string } | { kind: 'op'; index: number; op: Op };

/** Term or round: raft terms are numbers; a workload may use any scalar. */
export type Term = number | string;

export interface VoteEvent {
  voter: string;
  term: Term;
  /** The candidate (raft) or value (a voting workload) the vote went to. */
  candidate: string;
  /**
   * `self`: a raft candidate's implicit vote for itself when it starts an election;
   * `stored`: a vote a final read found in storage (a workload's `read-votes`), acked or not.
   */
  kind: 'vote' | 'self' | 'stored';
  /** Wall-clock timestamp as written by the source (log lines), for people. */
  ts?: string;
  /** Nanoseconds since the run started (history ops). */
  time?: number;
  source: Evidence;
}

export interface LeaderEvent {
  /** The leader (raft) or decided value (a voting workload). */
  leader: string;
  term: Term;
  /**
   * `became`: the node itself says it became leader; `learned`: another node says it learned
   * who the leader is (a cross-check); `decided`: a workload's decision op.
   */
  kind: 'became' | 'learned' | 'decided';
  /** For `learned`: the node that reported it. */
  reporter?: string;
  /** Votes the leader/decision says it stands on (raft: the candidate's own tally). */
  votes?: number;
  /** Votes needed; when absent the checker derives it from the voter set or options. */
  quorum?: number;
  /** Size of the voter set at the time, when the source tells it (raft configuration). */
  voterCount?: number;
  ts?: string;
  time?: number;
  source: Evidence;
  /** The line/op the vote count came from, when separate from `source`. */
  tallySource?: Evidence;
}

export interface ElectionEvents {
  votes: VoteEvent[];
  leaders: LeaderEvent[];
  /** Member id -> human name learned from the sources (e.g. etcd's `name = e1`). */
  members: Record<string, string>;
  /**
   * Lines/ops recognised, by kind, including those deliberately not counted as votes
   * (e.g. `preVote`, `rejected`): lets a report say what was read and what was skipped.
   */
  counts: Record<string, number>;
}

export function emptyEvents(): ElectionEvents {
  return { votes: [], leaders: [], members: {}, counts: {} };
}

export function mergeEvents(into: ElectionEvents, more: ElectionEvents): ElectionEvents {
  into.votes.push(...more.votes);
  into.leaders.push(...more.leaders);
  Object.assign(into.members, more.members);
  for (const [k, n] of Object.entries(more.counts)) into.counts[k] = (into.counts[k] ?? 0) + n;
  return into;
}

export function bump(counts: Record<string, number>, kind: string): void {
  counts[kind] = (counts[kind] ?? 0) + 1;
}

/** `file:line` or `op #index`, for messages. */
export function where(e: Evidence): string {
  return e.kind === 'log' ? `${e.file}:${e.line}` : `op #${e.index}`;
}
