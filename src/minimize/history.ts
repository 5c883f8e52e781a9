/**
 * `faultline minimize`: the smallest sub-history that still fails the linearizability checker.
 * Deterministic and offline (no cluster). Delta debugging (ddmin.ts) in three passes, coarse to
 * fine, each over whole units so the history stays well-formed:
 *   1. keys (independent sub-histories): keep only the keys needed for the violation;
 *   2. processes: drop whole processes;
 *   3. ops: an op is an invoke with its completion (or an invoke that never completed), so no
 *      completion is ever left without its invoke.
 * Nemesis ops do not affect linearizability and are dropped first (if the failure survives).
 * The result is re-indexed (index = position) and 1-minimal over ops: removing any single op
 * makes the checker pass (or be undecided).
 *
 * Provenance (register models): dropping the write of a value that a read returned always "fails"
 * — the read now returns a value nobody wrote — which is a violation the minimizer made, not the
 * one in the history. So a candidate counts only if every value read (or compared by a cas) that
 * had a writer in the input still has one; the minimized case then shows the real anomaly
 * (e.g. a stale read: the write, the newer write, the read of the old value).
 */
import {
  checkLinearizability,
  type LinearizabilityOptions,
} from '../checkers/linearizability/index.js';
import type { History, Op } from '../history/op.js';
import { ddmin, type DdminStats } from './ddmin.js';

/** A client op: its invoke and completion (absent when it never completed). */
export interface OpUnit {
  id: number;
  invoke: Op;
  completion?: Op;
}

export interface MinimizeHistoryOptions extends Omit<LinearizabilityOptions, 'full' | 'workers'> {
  /** Called after each pass with the unit count left. */
  onPass?: (pass: 'nemesis' | 'keys' | 'processes' | 'ops', units: number) => void;
}

export interface MinimizedHistory {
  history: History;
  before: { ops: number; events: number; keys: number; processes: number };
  after: { ops: number; events: number; keys: number; processes: number };
  tests: number;
  timeMs: number;
}

export class NotFailingError extends Error {
  override readonly name = 'NotFailingError';
  constructor(readonly verdict: unknown) {
    super(
      verdict === 'unknown'
        ? 'the checker could not decide the history (unknown): nothing to minimize'
        : 'the history is linearizable: nothing to minimize',
    );
  }
  get userMessage(): string {
    return this.message;
  }
}

/** Pairs client invokes with completions by process (one op in flight per process). */
export function opUnits(history: History): { units: OpUnit[]; nemesis: Op[] } {
  const units: OpUnit[] = [];
  const nemesis: Op[] = [];
  const open = new Map<number, OpUnit>();
  for (const op of history) {
    if (typeof op.process !== 'number') {
      nemesis.push(op);
      continue;
    }
    if (op.type === 'invoke') {
      const u: OpUnit = { id: units.length, invoke: op };
      units.push(u);
      open.set(op.process, u);
    } else {
      const u = open.get(op.process);
      if (u) {
        u.completion = op;
        open.delete(op.process);
      }
      // A completion without an invoke is malformed input; the loader reports it. Dropped here.
    }
  }
  return { units, nemesis };
}

/** Rebuilds a history from units (plus optional nemesis ops), in original order, re-indexed. */
export function historyOf(units: readonly OpUnit[], nemesis: readonly Op[] = []): History {
  const ops: Op[] = [...nemesis];
  for (const u of units) {
    ops.push(u.invoke);
    if (u.completion) ops.push(u.completion);
  }
  ops.sort((a, b) => a.index - b.index);
  return ops.map((op, i) => ({ ...op, index: i }));
}

const REGISTER_MODELS = new Set(['register', 'cas-register']);

const valueKey = (key: unknown, v: unknown) => JSON.stringify([key ?? null, v ?? null]);

/** Values a unit may have installed (a write or cas that did not definitely fail), by key. */
function writtenBy(u: OpUnit): string | undefined {
  if (u.completion?.type === 'fail') return undefined;
  const v = u.invoke.value;
  if (u.invoke.f === 'write') return valueKey(u.invoke.key, v);
  if (u.invoke.f === 'cas' && Array.isArray(v) && v.length === 2)
    return valueKey(u.invoke.key, v[1]);
  return undefined;
}

/** Values a unit observed: an ok read's result, an ok cas's expected value. */
function observedBy(u: OpUnit): string | undefined {
  if (u.completion?.type !== 'ok') return undefined;
  if (u.invoke.f === 'read') return valueKey(u.invoke.key, u.completion.value);
  const v = u.invoke.value;
  if (u.invoke.f === 'cas' && Array.isArray(v) && v.length === 2)
    return valueKey(u.invoke.key, v[0]);
  return undefined;
}

/** Where an op's effect can have been seen by: its completion (never completed: the end). */
const endOf = (u: OpUnit) => (u.completion ? u.completion.index : Infinity);

/**
 * A test of candidates: an op that observed a value (an ok read, an ok cas's expected value)
 * keeps its source, the *latest* op in `all` that may have written that value and was invoked
 * before the observer completed. Any earlier writer of the same value would do to make the
 * sub-history fail, but then the failure could be an artifact: dropping the real (later) source
 * makes the observation look stale when it was not. With the latest source kept, a minimized
 * stale read is one that the full history had too.
 */
export function provenanceCheck(all: readonly OpUnit[]): (units: readonly OpUnit[]) => boolean {
  // Writers per value, in invoke order (units are in invoke order).
  const writers = new Map<string, OpUnit[]>();
  for (const w of all) {
    const v = writtenBy(w);
    if (v === undefined) continue;
    const list = writers.get(v);
    if (list) list.push(w);
    else writers.set(v, [w]);
  }
  const source = new Map<OpUnit, OpUnit>();
  for (const u of all) {
    const o = observedBy(u);
    if (o === undefined) continue;
    const ws = writers.get(o) ?? [];
    // Binary search: the last writer invoked before `u` completed (not `u` itself).
    let lo = 0;
    let hi = ws.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ws[mid]!.invoke.index < endOf(u)) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--)
      if (ws[i] !== u) {
        source.set(u, ws[i]!);
        break;
      }
  }
  return (units) => {
    const kept = new Set(units);
    return units.every((u) => {
      const s = source.get(u);
      return s === undefined || kept.has(s);
    });
  };
}

const keyOfUnit = (u: OpUnit) => (u.invoke.key === undefined ? '' : JSON.stringify(u.invoke.key));

function sizes(units: readonly OpUnit[], nemesis: readonly Op[]) {
  return {
    ops: units.length,
    events: units.reduce((n, u) => n + (u.completion ? 2 : 1), 0) + nemesis.length,
    keys: new Set(units.map(keyOfUnit)).size,
    processes: new Set(units.map((u) => u.invoke.process)).size,
  };
}

export async function minimizeHistory(
  history: History,
  opts: MinimizeHistoryOptions,
): Promise<MinimizedHistory> {
  const t0 = performance.now();
  const { onPass, ...checkOpts } = opts;
  const stats: DdminStats = { tests: 0, cached: 0 };
  // Single-threaded and stopping at the first violation: the fastest deterministic yes/no.
  const fails = async (h: History) => {
    const r = await checkLinearizability(h, { ...checkOpts, full: false, workers: 0 });
    return r.valid === false;
  };
  const all = opUnits(history);
  const before = sizes(all.units, all.nemesis);
  const first = await checkLinearizability(history, { ...checkOpts, full: false, workers: 0 });
  if (first.valid !== false) throw new NotFailingError(first.valid);

  let units = all.units;
  let nemesis = all.nemesis;
  if (nemesis.length > 0) {
    stats.tests++;
    if (await fails(historyOf(units))) nemesis = [];
  }
  onPass?.('nemesis', units.length);

  const explained =
    typeof checkOpts.model === 'string' && REGISTER_MODELS.has(checkOpts.model)
      ? provenanceCheck(units)
      : () => true;
  const unitFails = async (us: readonly OpUnit[]) =>
    explained(us) && (await fails(historyOf(us, nemesis)));

  // 1. keys
  const keys = [...new Set(units.map(keyOfUnit))];
  if (keys.length > 1) {
    const keep = new Set(
      await ddmin(
        keys,
        (ks) => unitFails(units.filter((u) => ks.includes(keyOfUnit(u)))),
        (k) => k,
        stats,
      ),
    );
    units = units.filter((u) => keep.has(keyOfUnit(u)));
  }
  onPass?.('keys', units.length);

  // 2. processes
  const procs = [...new Set(units.map((u) => u.invoke.process as number))];
  if (procs.length > 1) {
    const keep = new Set(
      await ddmin(
        procs,
        (ps) => unitFails(units.filter((u) => ps.includes(u.invoke.process as number))),
        (p) => p,
        stats,
      ),
    );
    units = units.filter((u) => keep.has(u.invoke.process as number));
  }
  onPass?.('processes', units.length);

  // 3. ops
  units = await ddmin(units, unitFails, (u) => u.id, stats);
  onPass?.('ops', units.length);

  return {
    history: historyOf(units, nemesis),
    before,
    after: sizes(units, nemesis),
    tests: stats.tests,
    timeMs: performance.now() - t0,
  };
}
