/**
 * The report's view of a history: client ops paired into intervals (invoke -> completion) held
 * in compact columns, and fault periods taken from the nemesis ops. Built in one streaming pass
 * so a 100k-op history never exists as an array of Op objects; everything the page draws is
 * derived from these columns.
 */
import type { JsonValue, Op } from '../history/op.js';
import { assignLanes } from './lanes.js';

/** Outcome codes as stored in `OpColumns.outcome` (and understood by the page script). */
export const Outcome = { ok: 0, fail: 1, info: 2, pending: 3 } as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];

/** One row per client operation, sorted by invocation time. Times are ms since run start. */
export interface OpColumns {
  count: number;
  start: Float64Array;
  /** Latency in ms; for ops that never completed, time until the end of the history. */
  dur: Float64Array;
  lane: Uint16Array;
  outcome: Uint8Array;
  /** Index into `HistoryModel.fns`. */
  fn: Uint16Array;
  process: Uint32Array;
  /** History index of the invocation. */
  index: Uint32Array;
  /** 0 = no error, else 1 + index into `HistoryModel.errors`. */
  error: Uint16Array;
  /** Short human text of the op's key/value/result, e.g. `k1 · 1→4`. */
  text: string[];
}

export type FaultStatus = 'verified' | 'unverified' | 'failed' | 'pending';

/** A fault as seen in the history: from its start invocation to its stop completion. */
export interface FaultPeriod {
  id: string;
  kind: string;
  targets: JsonValue;
  /** Resolved details from the start's completion (a partition's grudge), when recorded. */
  details: JsonValue;
  /** Every node the history's clients talked to (a partition's sides show the uncut ones too). */
  members: string[];
  params: JsonValue;
  /** ms: start invoked, start completed (applied), stop invoked, stop completed. */
  start: number;
  applied: number | null;
  stopInvoked: number | null;
  /** null: never healed within the history (the page extends it to the end). */
  end: number | null;
  verified: JsonValue;
  status: FaultStatus;
  error: string | null;
}

export interface HistoryModel {
  ops: OpColumns;
  fns: string[];
  errors: string[];
  /** Per lane, the processes that ran in it, in order. */
  laneProcesses: number[][];
  /** Row of the client op whose invocation or completion has this history index. */
  rowByIndex: Map<number, number>;
  faults: FaultPeriod[];
  /** Time of the last event in the history, ms. */
  endMs: number;
  counts: { ok: number; fail: number; info: number; pending: number; events: number };
}

const NS_PER_MS = 1e6;
const MAX_TEXT = 60;
const MAX_ERRORS = 2000;

interface OpenInvoke {
  op: Op;
}

interface Row {
  start: number;
  end: number;
  outcome: OutcomeCode;
  fn: number;
  process: number;
  index: number;
  /** History index of the completion, -1 if none. */
  cindex: number;
  error: number;
  text: string;
}

/** Short, single-line JSON for display. */
export function brief(v: JsonValue | undefined, max = MAX_TEXT): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** What an op did, in a few characters: `k1 · write 3`, `read → 3`, `cas 1→4 → 4`. */
function describe(invoke: Op, completion: Op | undefined): string {
  const key = invoke.key !== undefined ? `${invoke.key} · ` : '';
  const arg = invoke.value;
  let s = '';
  if (invoke.f === 'cas' && Array.isArray(arg) && arg.length === 2)
    s = `${brief(arg[0])}→${brief(arg[1])}`;
  else if (arg !== undefined && arg !== null) s = brief(arg);
  const res = completion?.value;
  if (
    completion?.type === 'ok' &&
    res !== undefined &&
    JSON.stringify(res) !== JSON.stringify(arg)
  ) {
    s += (s ? ' ' : '') + '→ ' + brief(res);
  }
  const out = key + s;
  return out.length > MAX_TEXT ? out.slice(0, MAX_TEXT - 1) + '…' : out;
}

function asRecord(v: JsonValue | undefined): Record<string, JsonValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

/** verified: what the nemesis observed after applying the fault; absent means nobody looked. */
function statusOf(completion: Op | undefined, verified: JsonValue): FaultStatus {
  if (!completion) return 'pending';
  if (completion.type === 'fail' || completion.error !== undefined) return 'failed';
  if (verified === undefined || verified === null) return 'unverified';
  return verificationStatus(verified);
}

/**
 * A nemesis verification (src/nemesis/verify.ts: `{ok: true|false|'unverifiable', observed}`),
 * a bare boolean, or any other record of what was observed (taken as confirmation).
 */
export function verificationStatus(verified: JsonValue): FaultStatus {
  if (verified === null || verified === 'unverifiable') return 'unverified';
  if (verified === false) return 'failed';
  const r = asRecord(verified);
  if (r.ok === 'unverifiable') return 'unverified';
  if (r.ok === false || r.verified === false || r.applied === false) return 'failed';
  return 'verified';
}

/** Streaming builder: feed ops in file order, then call `finish()`. */
export class HistoryModelBuilder {
  private readonly rows: Row[] = [];
  private readonly open = new Map<number, OpenInvoke>();
  private readonly fnIds = new Map<string, number>();
  private readonly fns: string[] = [];
  private readonly errIds = new Map<string, number>();
  private readonly errors: string[] = [];
  private readonly faults = new Map<string, FaultPeriod>();
  /** Nemesis invocations waiting for their completion, by f (one in flight per f). */
  private readonly nemesisOpen = new Map<string, { op: Op; id: string }>();
  private endNs = 0;
  private events = 0;
  private readonly nodes = new Set<string>();
  private anon = 0;

  add(op: Op): void {
    this.events++;
    if (op.time > this.endNs) this.endNs = op.time;
    if (op.node !== undefined) this.nodes.add(op.node);
    if (op.process === 'nemesis') this.addNemesis(op);
    else if (op.type === 'invoke') this.open.set(op.process, { op });
    else {
      const inv = this.open.get(op.process);
      if (!inv) return; // a completion without invocation: nothing to draw
      this.open.delete(op.process);
      this.rows.push(this.row(inv.op, op));
    }
  }

  finish(): HistoryModel {
    for (const { op } of this.open.values()) this.rows.push(this.row(op, undefined));
    this.open.clear();
    const endMs = this.endNs / NS_PER_MS;
    const rows = this.rows.sort((a, b) => a.start - b.start || a.index - b.index);
    const n = rows.length;
    const ops: OpColumns = {
      count: n,
      start: new Float64Array(n),
      dur: new Float64Array(n),
      lane: new Uint16Array(n),
      outcome: new Uint8Array(n),
      fn: new Uint16Array(n),
      process: new Uint32Array(n),
      index: new Uint32Array(n),
      error: new Uint16Array(n),
      text: new Array<string>(n),
    };
    const counts = { ok: 0, fail: 0, info: 0, pending: 0, events: this.events };
    const rowByIndex = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const end = r.outcome === Outcome.pending ? endMs : r.end;
      ops.start[i] = r.start;
      ops.dur[i] = Math.max(0, end - r.start);
      ops.outcome[i] = r.outcome;
      ops.fn[i] = r.fn;
      ops.process[i] = r.process;
      ops.index[i] = r.index;
      ops.error[i] = r.error;
      ops.text[i] = r.text;
      rowByIndex.set(r.index, i);
      if (r.cindex >= 0) rowByIndex.set(r.cindex, i);
      counts[(['ok', 'fail', 'info', 'pending'] as const)[r.outcome]]++;
    }
    const laneProcesses = assignLanes(ops);
    const faults = [...this.faults.values()].sort((a, b) => a.start - b.start);
    for (const f of faults) f.members = [...this.nodes];
    return {
      ops,
      fns: this.fns,
      errors: this.errors,
      laneProcesses,
      rowByIndex,
      faults,
      endMs,
      counts,
    };
  }

  private row(invoke: Op, completion: Op | undefined): Row {
    let fn = this.fnIds.get(invoke.f);
    if (fn === undefined) {
      fn = this.fns.length;
      this.fns.push(invoke.f);
      this.fnIds.set(invoke.f, fn);
    }
    let error = 0;
    if (completion?.error !== undefined && completion.error !== null) {
      const e = brief(completion.error, 80);
      let id = this.errIds.get(e);
      if (id === undefined) {
        if (this.errors.length >= MAX_ERRORS) id = this.errIds.get('(other error)');
        if (id === undefined) {
          const label = this.errors.length >= MAX_ERRORS ? '(other error)' : e;
          this.errors.push(label);
          id = this.errors.length;
          this.errIds.set(label, id);
        }
        this.errIds.set(e, id);
      }
      error = id;
    }
    const outcome =
      completion === undefined
        ? Outcome.pending
        : completion.type === 'ok'
          ? Outcome.ok
          : completion.type === 'fail'
            ? Outcome.fail
            : Outcome.info;
    return {
      start: invoke.time / NS_PER_MS,
      end: (completion?.time ?? invoke.time) / NS_PER_MS,
      outcome,
      fn,
      process: invoke.process as number,
      index: invoke.index,
      cindex: completion?.index ?? -1,
      error,
      text: describe(invoke, completion),
    };
  }

  private addNemesis(op: Op): void {
    const t = op.time / NS_PER_MS;
    const v = asRecord(op.value);
    if (op.type === 'invoke') {
      const stop = op.f.startsWith('stop-');
      let id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : undefined;
      if (stop && id === undefined) {
        // No id: heal the most recent open fault of this kind.
        const kind = op.f.slice(5);
        id = [...this.faults.values()]
          .reverse()
          .find((p) => p.kind === kind && p.stopInvoked === null)?.id;
      }
      id ??= `anon-${++this.anon}`;
      this.nemesisOpen.set(op.f, { op, id });
      const existing = this.faults.get(id);
      if (stop && existing) existing.stopInvoked = t;
      else if (!stop) {
        this.faults.set(id, {
          id,
          kind: typeof v.kind === 'string' ? v.kind : op.f.replace(/^start-/, ''),
          targets: v.targets ?? null,
          details: null,
          members: [],
          params: v.params ?? null,
          start: t,
          applied: null,
          stopInvoked: null,
          end: null,
          verified: null,
          status: 'pending',
          error: null,
        });
      }
      return;
    }
    const inv = this.nemesisOpen.get(op.f);
    this.nemesisOpen.delete(op.f);
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : inv?.id;
    const p = id === undefined ? undefined : this.faults.get(id);
    if (!p) return;
    if (op.f.startsWith('stop-')) {
      p.end = t;
      p.stopInvoked ??= inv ? inv.op.time / NS_PER_MS : t;
    } else {
      p.applied = t;
      // the completion names the nodes the fault really hit; the invocation only the spec
      if (v.targets !== undefined && v.targets !== null) p.targets = v.targets;
      if (v.details !== undefined) p.details = v.details;
      p.verified = v.verified ?? null;
      p.status = statusOf(op, v.verified ?? null);
      if (op.error !== undefined) p.error = brief(op.error, 200);
      // A one-shot nemesis op (neither start- nor stop-): its period is invoke -> completion.
      if (!op.f.startsWith('start-')) p.end = t;
    }
  }
}

/** Builds the model from any op stream (e.g. `readHistory(path)`). */
export async function buildHistoryModel(
  ops: AsyncIterable<Op> | Iterable<Op>,
): Promise<HistoryModel> {
  const b = new HistoryModelBuilder();
  for await (const op of ops) b.add(op);
  return b.finish();
}
