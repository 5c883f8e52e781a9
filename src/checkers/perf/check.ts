/**
 * Performance (pure): latency quantiles and throughput of client ops, overall, outside any
 * fault, and within each nemesis fault period; split by outcome (ok/fail/info) and, overall,
 * by function. One pass to pair ops; quantiles from HdrHistogram (histogram.ts).
 *
 * Open-loop runs record when each op was meant to start (`intended`): latency counts from there,
 * as wrk2 does, so a stall that delays the ops queued behind it shows in the quantiles instead
 * of being hidden by coordinated omission; the op's period is that of its intended start too.
 *
 * An op belongs to the period in which it was invoked; a period's throughput counts the
 * completions inside it. Informational: the verdict is always true.
 */
import type { History } from '../../history/op.js';
import type { Validity } from '../result.js';
import {
  describeFault,
  faultPeriods,
  periodEnd,
  type FaultPeriod,
} from '../stuck/fault-periods.js';
import { latencyStats, type LatencyStats } from './histogram.js';

export { latencyStats, type LatencyStats };

export interface PeriodStats {
  label: string;
  /** ns since the run started; a fault period's bounds, or the whole run. */
  from: number;
  to: number;
  /** Time covered, ns (outside faults: the run minus the fault periods). */
  duration: number;
  ok: LatencyStats;
  fail: LatencyStats;
  info: LatencyStats;
  /** Invoked but never completed. */
  pending: number;
  /** Completions per second inside the period. */
  throughput: { ok: number; all: number };
}

export interface PerfResult {
  valid: Validity;
  [detail: string]: unknown;
  overall: PeriodStats;
  outsideFaults: PeriodStats;
  faults: Array<PeriodStats & { id: string; kind: string }>;
  /** Overall, by op function (`read`, `write`, ...). */
  byF: Record<string, { ok: LatencyStats; fail: LatencyStats; info: LatencyStats }>;
}

type Outcome = 'ok' | 'fail' | 'info';

/** Growable latency buckets per outcome plus completion times for throughput. */
class Bucket {
  readonly lat: Record<Outcome, number[]> = { ok: [], fail: [], info: [] };
  pending = 0;
  okDone = 0;
  allDone = 0;
}

export function checkPerf(history: History): PerfResult {
  const periods = faultPeriods(history);
  let begin = Infinity;
  let end = -Infinity;
  for (const op of history) {
    if (op.time < begin) begin = op.time;
    if (op.time > end) end = op.time;
  }
  if (!Number.isFinite(begin)) begin = end = 0;

  const overall = new Bucket();
  const outside = new Bucket();
  const perFault = periods.map(() => new Bucket());
  const byF = new Map<string, Bucket>();
  const windows = periods.map((p) => ({ from: p.start, to: Math.min(periodEnd(p), end) }));
  const covering = coverageIndex(windows);

  const inFlight = new Map<number, { time: number; f: string; buckets: Bucket[] }>();
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const start = op.intended ?? op.time;
      const faults = covering(start);
      let f = byF.get(op.f);
      if (!f) byF.set(op.f, (f = new Bucket()));
      const buckets = [
        overall,
        f,
        ...(faults.length ? faults.map((i) => perFault[i]!) : [outside]),
      ];
      inFlight.set(op.process, { time: start, f: op.f, buckets });
      continue;
    }
    const inv = inFlight.get(op.process);
    if (!inv) continue;
    inFlight.delete(op.process);
    const latency = op.time - inv.time;
    for (const b of inv.buckets) b.lat[op.type].push(latency);
    // Throughput counts completions by where they happen, not where the op began.
    const done = covering(op.time);
    for (const b of [overall, ...(done.length ? done.map((i) => perFault[i]!) : [outside])]) {
      b.allDone++;
      if (op.type === 'ok') b.okDone++;
    }
  }
  for (const inv of inFlight.values()) for (const b of inv.buckets) b.pending++;

  const covered = unionLength(windows.map((w) => [w.from, w.to]));
  const stats = (
    label: string,
    b: Bucket,
    from: number,
    to: number,
    duration: number,
  ): PeriodStats => ({
    label,
    from,
    to,
    duration,
    ok: latencyStats(b.lat.ok),
    fail: latencyStats(b.lat.fail),
    info: latencyStats(b.lat.info),
    pending: b.pending,
    throughput: {
      ok: duration > 0 ? b.okDone / (duration / 1e9) : 0,
      all: duration > 0 ? b.allDone / (duration / 1e9) : 0,
    },
  });
  return {
    valid: true,
    overall: stats('overall', overall, begin, end, end - begin),
    outsideFaults: stats('no fault active', outside, begin, end, end - begin - covered),
    faults: periods.map((p: FaultPeriod, i) => ({
      id: p.id,
      kind: p.kind,
      ...stats(
        describeFault(p),
        perFault[i]!,
        windows[i]!.from,
        windows[i]!.to,
        windows[i]!.to - windows[i]!.from,
      ),
    })),
    byF: Object.fromEntries(
      [...byF].map(([f, b]) => [
        f,
        {
          ok: latencyStats(b.lat.ok),
          fail: latencyStats(b.lat.fail),
          info: latencyStats(b.lat.info),
        },
      ]),
    ),
  };
}

/**
 * Which windows (by index) cover time t, half-open [from, to): the boundaries cut the timeline
 * into segments with a fixed set of active windows, found by binary search.
 */
function coverageIndex(windows: Array<{ from: number; to: number }>): (t: number) => number[] {
  if (windows.length === 0) return () => [];
  const points = [...new Set(windows.flatMap((w) => [w.from, w.to]))].sort((a, b) => a - b);
  const active = points.map((p) => windows.flatMap((w, i) => (w.from <= p && p < w.to ? [i] : [])));
  return (t) => {
    let lo = 0;
    let hi = points.length - 1;
    if (t < points[0]!) return [];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (points[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return active[lo]!;
  };
}

/** Total length of a union of intervals. */
function unionLength(intervals: Array<[number, number]>): number {
  const s = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of s) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      [curA, curB] = [a, b];
    } else curB = Math.max(curB, b);
  }
  if (curB > curA) total += curB - curA;
  return total;
}
