/**
 * Client ops as latency samples with the fault periods they fall in: the one pairing of invokes
 * and completions that the SLO checker, `faultline compare` and `faultline sweep` measure from
 * (pure). A sample's start is its intended start in open-loop runs, else its invoke; it belongs
 * to the periods covering its start.
 */
import type { History } from '../../history/op.js';
import { faultPeriods, periodEnd, type FaultPeriod } from '../stuck/fault-periods.js';

export type Outcome = 'ok' | 'fail' | 'info';

export interface OpSample {
  /** ns: intended start (open loop) or invoke. */
  start: number;
  /** ns: completion. */
  done: number;
  type: Outcome;
  f: string;
  node?: string;
}

export interface Samples {
  samples: OpSample[];
  /** Starts of ops invoked but never completed. */
  pending: number[];
  periods: FaultPeriod[];
  /** First and last op time, ns. */
  begin: number;
  end: number;
}

export function opSamples(history: History): Samples {
  const samples: OpSample[] = [];
  const open = new Map<number, { start: number; f: string; node?: string }>();
  let begin = Infinity;
  let end = -Infinity;
  for (const op of history) {
    if (op.time < begin) begin = op.time;
    if (op.time > end) end = op.time;
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      if (op.intended !== undefined && op.intended < begin) begin = op.intended;
      open.set(op.process, {
        start: op.intended ?? op.time,
        f: op.f,
        ...(op.node !== undefined ? { node: op.node } : {}),
      });
      continue;
    }
    const inv = open.get(op.process);
    if (!inv) continue;
    open.delete(op.process);
    samples.push({ ...inv, done: op.time, type: op.type });
  }
  if (!Number.isFinite(begin)) begin = end = 0;
  return {
    samples,
    pending: [...open.values()].map((o) => o.start),
    periods: faultPeriods(history),
    begin,
    end,
  };
}

/** Which part of a run a measurement covers. */
export type PeriodSpec =
  | { kind: 'overall' }
  | { kind: 'steady' }
  | { kind: 'faults' }
  | { kind: 'fault'; fault: string }
  | { kind: 'after-heal' };

export function describePeriod(p: PeriodSpec): string {
  switch (p.kind) {
    case 'overall':
      return 'overall';
    case 'steady':
      return 'steady';
    case 'faults':
      return 'during faults';
    case 'fault':
      return `during ${p.fault}`;
    case 'after-heal':
      return 'after heal';
  }
}

/** Half-open [from, to) windows, ns. */
export type Window = { from: number; to: number };

/** The time windows a period covers in this run (empty: the period never happened). */
export function periodWindows(s: Samples, p: PeriodSpec): Window[] {
  const end = s.end;
  const faultWindows = (ps: FaultPeriod[]) =>
    merge(ps.map((f) => ({ from: f.start, to: Math.min(periodEnd(f), end) })));
  switch (p.kind) {
    case 'overall':
      return [{ from: s.begin, to: end + 1 }];
    case 'faults':
      return faultWindows(s.periods);
    case 'fault':
      return faultWindows(s.periods.filter((f) => f.kind === p.fault));
    case 'steady': {
      const out: Window[] = [];
      let at = s.begin;
      for (const w of faultWindows(s.periods)) {
        if (w.from > at) out.push({ from: at, to: w.from });
        at = Math.max(at, w.to);
      }
      if (at <= end) out.push({ from: at, to: end + 1 });
      return out;
    }
    case 'after-heal': {
      if (s.periods.length === 0) return [];
      const lastHeal = Math.max(...s.periods.map(periodEnd));
      return Number.isFinite(lastHeal) && lastHeal <= end ? [{ from: lastHeal, to: end + 1 }] : [];
    }
  }
}

function merge(ws: Window[]): Window[] {
  const sorted = ws.filter((w) => w.to > w.from).sort((a, b) => a.from - b.from);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.from <= last.to) last.to = Math.max(last.to, w.to);
    else out.push({ ...w });
  }
  return out;
}

export const inWindows = (ws: readonly Window[], t: number): boolean =>
  ws.some((w) => w.from <= t && t < w.to);

export const windowsLength = (ws: readonly Window[]): number =>
  ws.reduce((n, w) => n + (w.to - w.from), 0);

/** The samples (and pending starts) of a period: those that started inside its windows. */
export function samplesIn(
  s: Samples,
  ws: readonly Window[],
): { samples: OpSample[]; pending: number } {
  return {
    samples: s.samples.filter((x) => inWindows(ws, x.start)),
    pending: s.pending.filter((t) => inWindows(ws, t)).length,
  };
}

/** Latencies (ns) of samples. */
export const latencies = (xs: readonly OpSample[]): Float64Array =>
  Float64Array.from(xs, (x) => x.done - x.start);
