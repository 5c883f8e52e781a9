/**
 * Stuck state (liveness), fault-aware and pure:
 * - windows in which no client op completed ok for longer than a threshold while clients were
 *   trying (an idle workload is not stuck), each with the faults active during it;
 * - recovery: time from the start of the last heal (invoke of the last stop-* op) to the first ok
 *   completion after it, against a bound;
 * - keys and processes that stopped advancing while others progressed.
 * Verdict: false when stuck at the end of the history, when recovery exceeds the bound (or
 * never came within it), or when a key/process stalled for good; 'unknown' when the history
 * is too short to tell (nothing completed within one stall threshold, or it ends right after a
 * heal); else true.
 */
import type { History, Key, Op } from '../../history/op.js';
import type { Validity } from '../result.js';
import {
  describeFault,
  faultPeriods,
  faultsDuring,
  periodEnd,
  seconds,
  type FaultPeriod,
} from './fault-periods.js';

export interface StuckOptions {
  /**
   * A window without ok completions longer than this is a stall (ns). Default 5 s;
   * `'auto'`: 10 x the median gap between ok completions, at least 1 s.
   */
  gapThresholdNs?: number | 'auto';
  /** Longest acceptable time from the last heal to the first ok completion (ns). Default 30 s. */
  recoveryBoundNs?: number;
  /** Being stuck at the end while faults are still active is expected (quorum lost on purpose). */
  allowStuckUnderFaults?: boolean;
  /**
   * Count `fail` completions as progress too (default: only `ok`). Right for workloads whose
   * fails are answers (a cas whose precondition did not hold), wrong when fails are refusals.
   */
  failIsProgress?: boolean;
}

export interface StallWindow {
  /** ns since the run started. */
  from: number;
  to: number;
  duration: number;
  /** The window runs to the end of the history: the system never came back. */
  atEnd: boolean;
  /** Client ops invoked during the window, and how those ended. */
  attempts: number;
  outcomes: { ok: number; fail: number; info: number; pending: number };
  faults: string[];
  message: string;
}

export interface Recovery {
  /** When the last heal began: invoke of the last stop-* op (ns). */
  healStarted: number;
  /** Completion of the last stop-* op (ns). Healing a kill includes restarting the members. */
  lastHeal: number;
  /** First ok completion after the heal began (ns), if any. */
  firstOk?: number;
  /** firstOk - healStarted (ns): how long the system took to serve again once healing began. */
  duration?: number;
  bound: number;
  withinBound: boolean | 'unknown';
  message: string;
}

export interface StalledEntity {
  kind: 'key' | 'process';
  id: Key;
  /** Last ok completion for a key; the hung invoke for a process (ns). */
  since: number;
  /** Ops tried on the key since then (keys). */
  attempts: number;
  /** Last ok completion of anything else (ns): others kept progressing. */
  othersUntil: number;
  message: string;
}

export interface StuckResult {
  valid: Validity;
  [detail: string]: unknown;
  thresholdNs: number;
  windows: StallWindow[];
  stuckAtEnd: boolean;
  recovery?: Recovery;
  stalled: StalledEntity[];
  faults: string[];
  /** Faults still active when the history ends. */
  activeAtEnd: string[];
  summary: string[];
  reason?: string;
}

interface ClientOp {
  invoke: Op;
  completion?: Op;
}

/** Pairs client invokes with their completions (one op in flight per process). */
function clientOps(history: History): ClientOp[] {
  const out: ClientOp[] = [];
  const inFlight = new Map<number, ClientOp>();
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const c = { invoke: op };
      out.push(c);
      inFlight.set(op.process, c);
    } else {
      const c = inFlight.get(op.process);
      if (c) {
        c.completion = op;
        inFlight.delete(op.process);
      }
    }
  }
  return out;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = Float64Array.from(xs).sort();
  return s[Math.floor(s.length / 2)]!;
}

export function checkStuck(history: History, opts: StuckOptions = {}): StuckResult {
  const periods = faultPeriods(history);
  const ops = clientOps(history);
  const end = history.reduce((m, op) => Math.max(m, op.time), -Infinity);
  const okList: number[] = [];
  const progress = (c: ClientOp) =>
    c.completion?.type === 'ok' || (opts.failIsProgress === true && c.completion?.type === 'fail');
  for (const c of ops) if (progress(c)) okList.push(c.completion!.time);
  // A typed-array sort is numeric and several times faster than Array#sort on millions.
  const okTimes = Float64Array.from(okList).sort();
  const threshold =
    opts.gapThresholdNs === 'auto'
      ? Math.max(1e9, 10 * median(Array.from(okTimes.subarray(1), (t, i) => t - okTimes[i]!)))
      : (opts.gapThresholdNs ?? 5e9);
  const bound = opts.recoveryBoundNs ?? 30e9;
  const activeAtEndP = periods.filter((p) => periodEnd(p) === Infinity);
  const base = {
    thresholdNs: threshold,
    faults: periods.map(describeFault),
    activeAtEnd: activeAtEndP.map(describeFault),
  };
  // Nothing to judge: no ops, or a history shorter than one stall window in which nothing
  // completed (too short to call stuck). A short history with progress is judged as usual: no
  // stall can exceed the threshold, but recovery after a heal can still be late or missing.
  const undecided = (reason: string): StuckResult => ({
    valid: 'unknown',
    ...base,
    windows: [],
    stuckAtEnd: false,
    stalled: [],
    summary: [],
    reason,
  });
  if (ops.length === 0) return undecided('no client operations');
  const begin = ops[0]!.invoke.time;
  if (end - begin < threshold && okTimes.length === 0)
    return undecided(
      `no op completed, and the history spans ${seconds(end - begin)}, shorter than the ${seconds(threshold)} stall threshold`,
    );

  const windows = stallWindows(ops, okTimes, begin, end, threshold, periods);
  const last = windows.at(-1);
  const stuckAtEnd = last?.atEnd === true;
  const recovery = recoveryAfterHeal(periods, okTimes, end, bound);
  const stalled = stalledEntities(ops, okTimes, end, threshold, progress);

  const summary: string[] = windows.map((w) => w.message);
  if (recovery) summary.push(recovery.message);
  summary.push(...stalled.map((s) => s.message));

  const excused = stuckAtEnd && opts.allowStuckUnderFaults === true && activeAtEndP.length > 0;
  let valid: Validity = true;
  let reason: string | undefined;
  if (stuckAtEnd && !excused) {
    valid = false;
    reason = last!.message;
  } else if (recovery?.withinBound === false) {
    valid = false;
    reason = recovery.message;
  } else if (stalled.length > 0) {
    valid = false;
    reason = stalled[0]!.message;
  } else if (recovery?.withinBound === 'unknown') {
    valid = 'unknown';
    reason = recovery.message;
  }
  return {
    valid,
    ...base,
    windows,
    stuckAtEnd,
    recovery,
    stalled,
    summary,
    ...(reason ? { reason } : {}),
  };
}

function stallWindows(
  ops: ClientOp[],
  okTimes: Float64Array,
  begin: number,
  end: number,
  threshold: number,
  periods: FaultPeriod[],
): StallWindow[] {
  // Candidate windows: between consecutive ok completions, plus the head and the tail.
  const gaps: Array<[number, number]> = [];
  let prev = begin;
  for (let i = 0; i <= okTimes.length; i++) {
    const t = i < okTimes.length ? okTimes[i]! : end;
    if (t - prev > threshold) gaps.push([prev, t]);
    prev = t;
  }
  if (gaps.length === 0) return [];
  // One sweep over ops in invoke order (history order): `i` walks the ops invoked before the
  // current gap's end, `reach` is the latest end of any op invoked before the gap's start.
  const windows: StallWindow[] = [];
  let i = 0;
  let reach = -Infinity;
  for (const [from, to] of gaps) {
    const atEnd = to === end && okTimes.at(-1) !== end;
    const outcomes = { ok: 0, fail: 0, info: 0, pending: 0 };
    let attempts = 0;
    for (; i < ops.length && ops[i]!.invoke.time < from; i++)
      reach = Math.max(reach, ops[i]!.completion?.time ?? Infinity);
    // The stall starts when a client began waiting: at the gap's start if an earlier op was
    // still in flight, else at the first invoke inside the gap (an idle workload is not stuck).
    let waitFrom = reach > from ? from : Infinity;
    for (let j = i; j < ops.length && ops[j]!.invoke.time < to; j++) {
      const c = ops[j]!;
      waitFrom = Math.min(waitFrom, c.invoke.time);
      attempts++;
      outcomes[c.completion ? (c.completion.type as 'ok' | 'fail' | 'info') : 'pending']++;
    }
    if (to - waitFrom <= threshold) continue;
    const faults = faultsDuring(periods, waitFrom, to).map(describeFault);
    const dur = to - waitFrom;
    const message =
      (atEnd
        ? `no op completed for the last ${seconds(dur)} (since ${seconds(waitFrom)})`
        : `no op completed for ${seconds(dur)} (${seconds(waitFrom)} to ${seconds(to)})`) +
      (faults.length ? `; active: ${faults.join('; ')}` : '; no fault active');
    windows.push({ from: waitFrom, to, duration: dur, atEnd, attempts, outcomes, faults, message });
  }
  return windows;
}

function recoveryAfterHeal(
  periods: FaultPeriod[],
  okTimes: Float64Array,
  end: number,
  bound: number,
): Recovery | undefined {
  if (periods.length === 0 || periods.some((p) => periodEnd(p) === Infinity)) return undefined;
  const last = periods.reduce((a, b) => (periodEnd(b) > periodEnd(a) ? b : a));
  const lastHeal = periodEnd(last);
  // Measured from when healing began: healing a kill restarts members and waits for health,
  // which is part of recovering, not a head start.
  const healStarted = Math.min(last.stop ?? lastHeal, lastHeal);
  const healTook = lastHeal - healStarted;
  const firstOk = okTimes.find((t) => t >= healStarted);
  if (firstOk === undefined) {
    const waited = end - healStarted;
    return waited > bound
      ? {
          healStarted,
          lastHeal,
          bound,
          withinBound: false,
          message: `no op completed in the ${seconds(waited)} after the last heal began at ${seconds(healStarted)} (bound ${seconds(bound)})`,
        }
      : {
          healStarted,
          lastHeal,
          bound,
          withinBound: 'unknown',
          message: `history ends ${seconds(waited)} after the last heal began at ${seconds(healStarted)}, before any op completed`,
        };
  }
  const duration = firstOk - healStarted;
  const healNote = healTook >= 0.05e9 ? ` (the heal itself took ${seconds(healTook)})` : '';
  return {
    healStarted,
    lastHeal,
    firstOk,
    duration,
    bound,
    withinBound: duration <= bound,
    message:
      duration <= bound
        ? `recovered ${seconds(duration)} after the heal began${healNote}`
        : `recovered ${seconds(duration)} after the heal began${healNote}, over the ${seconds(bound)} bound`,
  };
}

/**
 * Keys with tries but no ok completion for longer than the threshold up to the end while other
 * keys kept completing; processes whose op never returned while others kept completing.
 */
function stalledEntities(
  ops: ClientOp[],
  okTimes: Float64Array,
  end: number,
  threshold: number,
  progress: (c: ClientOp) => boolean,
): StalledEntity[] {
  const out: StalledEntity[] = [];
  const lastOk = okTimes.at(-1) ?? -Infinity;
  const byKey = new Map<Key, { lastOk: number; firstOp: number; attemptsSince: number }>();
  for (const c of ops) {
    if (c.invoke.key === undefined) continue;
    let k = byKey.get(c.invoke.key);
    if (!k)
      byKey.set(
        c.invoke.key,
        (k = { lastOk: -Infinity, firstOp: c.invoke.time, attemptsSince: 0 }),
      );
    if (progress(c)) {
      if (c.completion!.time > k.lastOk) {
        k.lastOk = c.completion!.time;
        k.attemptsSince = 0;
      }
    } else k.attemptsSince++;
  }
  if (byKey.size > 1) {
    for (const [key, k] of byKey) {
      const since = Number.isFinite(k.lastOk) ? k.lastOk : k.firstOp;
      if (k.attemptsSince === 0 || end - since <= threshold) continue;
      // Others must have progressed well past this key's last success.
      let othersUntil = -Infinity;
      for (const [other, o] of byKey)
        if (other !== key) othersUntil = Math.max(othersUntil, o.lastOk);
      if (othersUntil - since <= threshold) continue;
      out.push({
        kind: 'key',
        id: key,
        since,
        attempts: k.attemptsSince,
        othersUntil,
        message: `key ${String(key)}: no ok op since ${seconds(since)} (${k.attemptsSince} tries) while other keys progressed until ${seconds(othersUntil)}`,
      });
    }
  }
  for (const c of ops) {
    if (c.completion) continue;
    const since = c.invoke.time;
    if (lastOk - since <= threshold) continue;
    out.push({
      kind: 'process',
      id: c.invoke.process as number,
      since,
      attempts: 1,
      othersUntil: lastOk,
      message: `process ${String(c.invoke.process)}: ${c.invoke.f} invoked at ${seconds(since)} never returned while others completed until ${seconds(lastOk)}`,
    });
  }
  return out;
}
