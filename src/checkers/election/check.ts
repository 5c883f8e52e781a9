/**
 * Election safety (pure): over vote and leader/decision events,
 * - no voter casts two DIFFERENT votes in one term (voting twice for the same candidate is
 *   legal: raft re-grants a vote to the candidate it already voted for);
 * - no term has two different leaders (or a round two different decisions), counting both what
 *   leaders say (`became leader`) and what other nodes learned (`elected leader`);
 * - no leader/decision stands on fewer votes than its quorum.
 */
import type { Validity } from '../result.js';
import {
  where,
  type ElectionEvents,
  type Evidence,
  type LeaderEvent,
  type Term,
  type VoteEvent,
} from './events.js';

export interface ElectionCheckOptions {
  /** Votes a leader/decision needs when its event does not say. */
  quorum?: number;
  /** Size of the voter set when neither the event nor `quorum` says (quorum = majority). */
  voterCount?: number;
  /** Member id -> name for messages; overrides names learned from the sources. */
  names?: Record<string, string>;
  /** Evidence items kept per violation (default 10). */
  maxEvidence?: number;
}

/** Evidence as shown in results: `where` is `file:line` or `op #index`. */
export type EvidenceView = Evidence & { where: string };

interface ViolationBase {
  term: Term;
  message: string;
  evidence: EvidenceView[];
}

export type ElectionViolation =
  | (ViolationBase & { kind: 'double-vote'; voter: string; candidates: string[] })
  | (ViolationBase & { kind: 'two-leaders'; leaders: string[] })
  | (ViolationBase & { kind: 'no-quorum'; leader: string; votes: number; quorum: number });

export interface ElectionResult {
  valid: Validity;
  [detail: string]: unknown;
  violations: ElectionViolation[];
  /** One row per term/round with a known leader (or decision). */
  leadersByTerm: Array<{ term: Term; leader: string; votes?: number; quorum?: number }>;
  summary: {
    votes: number;
    selfVotes: number;
    /** Votes found in storage by a final read (`read-votes`), repeats across reads included. */
    storedVotes: number;
    /** Distinct stored votes (each final read sees the same rows: not a count of votes cast). */
    storedDistinct: number;
    /** Final reads that found stored votes. */
    storedReads: number;
    becameLeader: number;
    learnedLeader: number;
    decided: number;
    terms: number;
    /** Leaders/decisions whose quorum could not be checked (no vote count or no quorum). */
    quorumUnchecked: number;
    /** What the sources contained, by kind (`preVote` lines are read and skipped). */
    counts: Record<string, number>;
  };
  notes: string[];
  reason?: string;
}

const termKey = (t: Term): string => (typeof t === 'number' ? `n:${t}` : `s:${t}`);
const compareTerms = (a: Term, b: Term): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return m;
}

export function checkElection(
  events: ElectionEvents,
  opts: ElectionCheckOptions = {},
): ElectionResult {
  const names = { ...events.members, ...opts.names };
  const name = (id: string): string => names[id] ?? id;
  const maxEvidence = opts.maxEvidence ?? 10;
  const view = (e: Evidence): EvidenceView => ({ ...e, where: where(e) });
  const violations: ElectionViolation[] = [];
  const notes: string[] = [];

  // 1. Double votes: one voter, one term, more than one distinct candidate.
  for (const votes of groupBy(events.votes, (v) => `${v.voter}\u0000${termKey(v.term)}`).values()) {
    const byCandidate = groupBy(votes, (v) => v.candidate);
    if (byCandidate.size < 2) continue;
    const first = votes[0]!;
    const candidates = [...byCandidate.keys()].map(name);
    violations.push({
      kind: 'double-vote',
      voter: name(first.voter),
      term: first.term,
      candidates,
      // Raft logs have terms; a voting workload's ops have rounds.
      message: `${name(first.voter)} voted for ${candidates.join(' and ')} in ${first.source.kind === 'op' ? 'round' : 'term'} ${first.term}`,
      evidence: [...byCandidate.values()]
        .flatMap((vs) => vs.slice(0, 2))
        .slice(0, maxEvidence)
        .map((v) => view(v.source)),
    });
  }

  // 2. Two leaders (or decisions) in one term.
  const leadersByTermKey = groupBy(events.leaders, (l) => termKey(l.term));
  const leadersByTerm: ElectionResult['leadersByTerm'] = [];
  for (const leaders of leadersByTermKey.values()) {
    const byLeader = groupBy(leaders, (l) => l.leader);
    const term = leaders[0]!.term;
    if (byLeader.size > 1) {
      const who = [...byLeader.keys()].map(name);
      violations.push({
        kind: 'two-leaders',
        term,
        leaders: who,
        message: `term ${term} has ${who.length} leaders: ${who.join(', ')}`,
        evidence: [...byLeader.values()]
          .flatMap((ls) => ls.slice(0, 2))
          .slice(0, maxEvidence)
          .map((l) => view(l.source)),
      });
    }
    const main = leaders.find((l) => l.kind !== 'learned') ?? leaders[0]!;
    leadersByTerm.push({
      term,
      leader: name(main.leader),
      votes: main.votes,
      quorum: quorumOf(main, opts),
    });
  }
  leadersByTerm.sort((a, b) => compareTerms(a.term, b.term));

  // 3. Quorum: each leader/decision's vote count against what it needed.
  let quorumUnchecked = 0;
  for (const l of events.leaders) {
    if (l.kind === 'learned') continue;
    const quorum = quorumOf(l, opts);
    if (l.votes === undefined || quorum === undefined) {
      quorumUnchecked++;
      continue;
    }
    if (l.votes < quorum) {
      violations.push({
        kind: 'no-quorum',
        term: l.term,
        leader: name(l.leader),
        votes: l.votes,
        quorum,
        message: `${name(l.leader)} ${l.kind === 'decided' ? 'was decided' : 'became leader'} in term ${l.term} with ${l.votes} vote(s); quorum is ${quorum}`,
        evidence: [l.tallySource, l.source].filter((e): e is Evidence => e !== undefined).map(view),
      });
    }
  }

  // Cross-check notes (not violations: a log may be cut short by SIGKILL).
  const localIds = new Set(Object.keys(events.members));
  for (const leaders of leadersByTermKey.values()) {
    for (const l of leaders) {
      if (l.kind !== 'learned' || !localIds.has(l.leader)) continue;
      if (!leaders.some((o) => o.kind === 'became' && o.leader === l.leader)) {
        notes.push(
          `${where(l.source)}: ${name(l.reporter ?? '?')} learned leader ${name(l.leader)} at term ${l.term}, but ${name(l.leader)}'s log has no "became leader" line for it`,
        );
        break;
      }
    }
  }

  const selfVotes = events.votes.filter((v) => v.kind === 'self').length;
  const stored = events.votes.filter((v) => v.kind === 'stored');
  const storedVotes = stored.length;
  const summary = {
    votes: events.votes.length - selfVotes - storedVotes,
    selfVotes,
    storedVotes,
    storedDistinct: new Set(
      stored.map((v) => `${v.voter}\u0000${termKey(v.term)}\u0000${v.candidate}`),
    ).size,
    storedReads: new Set(stored.map((v) => (v.source.kind === 'op' ? v.source.index : -1))).size,
    becameLeader: events.leaders.filter((l) => l.kind === 'became').length,
    learnedLeader: events.leaders.filter((l) => l.kind === 'learned').length,
    decided: events.leaders.filter((l) => l.kind === 'decided').length,
    terms: new Set(
      [...events.votes, ...events.leaders].map((e: VoteEvent | LeaderEvent) => termKey(e.term)),
    ).size,
    quorumUnchecked,
    counts: events.counts,
  };
  const empty = events.votes.length === 0 && events.leaders.length === 0;
  return {
    valid: violations.length > 0 ? false : empty ? 'unknown' : true,
    ...(empty && violations.length === 0 ? { reason: 'no vote or leader events found' } : {}),
    violations,
    leadersByTerm,
    summary,
    notes,
  };
}

function quorumOf(l: LeaderEvent, opts: ElectionCheckOptions): number | undefined {
  if (l.quorum !== undefined) return l.quorum;
  if (opts.quorum !== undefined) return opts.quorum;
  const n = l.voterCount ?? opts.voterCount;
  return n === undefined ? undefined : Math.floor(n / 2) + 1;
}
