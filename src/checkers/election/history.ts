/**
 * Election events recorded by a voting workload, as history ops:
 * - `f: 'vote'`, value `{voter, round, candidate}` (or `term`): an ok completion is a granted vote;
 * - `f: 'decide'`, value `{round, value, quorum?, votes?, voters?}` (`value` may be named
 *   `candidate` or `leader`): an ok completion is a decision.
 * - `f: 'read-votes'`, ok value `[{voter, round, candidate}, ...]`: what storage holds after
 *   the run. Each row is a `stored` vote, so a voter with two stored votes in one round is a
 *   double vote even when one ack was lost (an `info` vote that committed anyway).
 * The value is taken from the completion when it carries the fields, else from the invoke.
 * A decision without `votes`/`voters` counts the distinct voters whose ok votes went to it.
 * fail/info ops are not counted: a failed vote did not happen, an info vote may not have.
 * Several final reads (one per node) repeat the same rows: repeats agree, so they add no
 * violation; rows are counted once per read.
 */
import type { History, JsonValue, Op } from '../../history/op.js';
import { bump, emptyEvents, type ElectionEvents, type Term } from './events.js';

type Obj = { [k: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));
const asTerm = (v: JsonValue | undefined): Term | undefined =>
  typeof v === 'number' || typeof v === 'string' ? v : undefined;

export function electionEventsFromHistory(history: History): ElectionEvents {
  const out = emptyEvents();
  const invokes = new Map<number | string, Op>();
  const decides: Array<{ op: Op; v: Obj }> = [];
  for (const op of history) {
    if (op.f === 'read-votes') {
      if (op.type === 'ok') storedVotes(op, out);
      continue;
    }
    if (op.f !== 'vote' && op.f !== 'decide') continue;
    if (op.type === 'invoke') {
      invokes.set(op.process, op);
      continue;
    }
    const inv = invokes.get(op.process);
    invokes.delete(op.process);
    if (op.type !== 'ok') {
      bump(out.counts, `${op.f}-${op.type}`);
      continue;
    }
    const v =
      isObj(op.value) && asTerm(op.value.round ?? op.value.term) !== undefined
        ? op.value
        : inv?.value;
    if (!isObj(v)) {
      bump(out.counts, 'malformed');
      continue;
    }
    const term = asTerm(v.round ?? v.term);
    if (op.f === 'vote') {
      pushVote(out, v, 'vote', op, op);
    } else {
      if (term === undefined || (v.value ?? v.candidate ?? v.leader) === undefined) {
        bump(out.counts, 'malformed');
        continue;
      }
      bump(out.counts, 'decide');
      decides.push({ op, v });
    }
  }
  for (const { op, v } of decides) {
    const term = asTerm(v.round ?? v.term)!;
    const leader = str((v.value ?? v.candidate ?? v.leader)!);
    let votes: number;
    if (typeof v.votes === 'number') votes = v.votes;
    else if (Array.isArray(v.voters)) votes = new Set(v.voters.map(str)).size;
    else
      votes = new Set(
        out.votes.filter((x) => x.term === term && x.candidate === leader).map((x) => x.voter),
      ).size;
    out.leaders.push({
      leader,
      term,
      kind: 'decided',
      votes,
      quorum: typeof v.quorum === 'number' ? v.quorum : undefined,
      time: op.time,
      source: { kind: 'op', index: op.index, op },
    });
  }
  return out;
}

/**
 * The rows of an ok `read-votes` as `stored` votes. Evidence is the read op trimmed to the one
 * row (with its position in the read), not the whole table.
 */
function storedVotes(op: Op, out: ElectionEvents): void {
  if (!Array.isArray(op.value)) {
    bump(out.counts, 'malformed');
    return;
  }
  op.value.forEach((row, position) =>
    pushVote(out, row, 'stored', op, { ...op, value: { row, position } }),
  );
}

/** Records `v` ({voter, round or term, candidate}) as a vote of `kind`, or counts it malformed. */
function pushVote(
  out: ElectionEvents,
  v: JsonValue | undefined,
  kind: 'vote' | 'stored',
  op: Op,
  evidence: Op,
): void {
  const term = isObj(v) ? asTerm(v.round ?? v.term) : undefined;
  if (!isObj(v) || term === undefined || v.voter === undefined || v.candidate === undefined) {
    bump(out.counts, 'malformed');
    return;
  }
  bump(out.counts, kind === 'vote' ? 'vote' : 'storedVote');
  out.votes.push({
    voter: str(v.voter),
    term,
    candidate: str(v.candidate),
    kind,
    time: op.time,
    source: { kind: 'op', index: op.index, op: evidence },
  });
}
