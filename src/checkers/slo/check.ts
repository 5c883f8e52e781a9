/**
 * The SLO checker (pure): each SLO is measured over its period of the history and judged
 * against its bound; any violated SLO makes the verdict false (so the run is INVALID), a period
 * with nothing to measure (no faults for `during faults`) is 'unknown'.
 *
 * What is measured (documented in the README):
 * - latency (pN, mean, max): every completed client op started in the period, ok, fail and info
 *   alike (an info's latency is how long the client waited: a lower bound), from its intended
 *   start in open-loop runs; quantiles from HdrHistogram.
 * - success: ok / all ops started in the period (pending included); info: (info + pending) / all.
 * - throughput: ok completions inside the period per second of the period.
 * - max-gap: the longest time inside the period with no ok completion.
 * - recovery: after each heal in the period, the time until every node that served an ok before
 *   the fault serves one again (the worst heal counts; never = infinite).
 */
import type { History } from '../../history/op.js';
import type { CheckResult, Validity } from '../result.js';
import { composeValidity } from '../result.js';
import { latencyQuantile } from '../perf/histogram.js';
import {
  describePeriod,
  latencies,
  opSamples,
  periodWindows,
  samplesIn,
  windowsLength,
  type Samples,
  type Window,
} from '../perf/samples.js';
import { periodEnd } from '../stuck/fault-periods.js';
import { formatMeasure, holds, parseSlo, type Slo } from './expression.js';

export interface SloOutcome {
  slo: string;
  period: string;
  /** The bound as written (`500ms`), and in base units (ns, fraction, ops/s). */
  bound: number;
  measured: number | null;
  /** `p95 612.400 ms during faults (bound < 500ms)`. */
  message: string;
  /** Ops the measurement rests on. */
  ops: number;
  valid: Validity;
}

export interface SloResult extends CheckResult {
  slos: SloOutcome[];
  summary: string[];
}

export interface SloOptions {
  /** SLO expressions (parsed here: a plan in results.json holds the text). */
  slos?: string[];
}

export function checkSlos(history: History, opts: SloOptions): SloResult {
  const slos = (opts.slos ?? []).map(parseSlo);
  const s = opSamples(history);
  const outcomes = slos.map((slo) => judge(s, slo));
  return {
    valid: composeValidity(outcomes.map((o) => o.valid)),
    slos: outcomes,
    summary: outcomes.map(
      (o) => `${o.valid === true ? 'ok  ' : o.valid === false ? 'FAIL' : '??  '} ${o.message}`,
    ),
  };
}

function judge(s: Samples, slo: Slo): SloOutcome {
  const { measured, ops } = measure(s, slo);
  const period = describePeriod(slo.period);
  const valid: Validity = measured === null ? 'unknown' : holds(measured, slo.cmp, slo.bound);
  const what = slo.metric.kind === 'latency' ? slo.metric.name : slo.metric.kind;
  const message =
    measured === null
      ? `${slo.text}: nothing to measure ${period} (no ops or no such period in this run)`
      : `${slo.text}: measured ${what} ${formatMeasure(slo.metric, measured)} ${period} over ${ops} ops (bound ${slo.cmp} ${formatMeasure(slo.metric, slo.bound)})`;
  return { slo: slo.text, period, bound: slo.bound, measured, message, ops, valid };
}

/** The SLO's metric over its period; null when the period is empty or has no ops. */
export function measure(s: Samples, slo: Slo): { measured: number | null; ops: number } {
  const windows = periodWindows(s, slo.period);
  if (windows.length === 0) return { measured: null, ops: 0 };
  const { samples, pending } = samplesIn(s, windows);
  const total = samples.length + pending;
  switch (slo.metric.kind) {
    case 'success':
      return {
        measured: total ? samples.filter((x) => x.type === 'ok').length / total : null,
        ops: total,
      };
    case 'info':
      return {
        measured: total
          ? (samples.filter((x) => x.type === 'info').length + pending) / total
          : null,
        ops: total,
      };
    case 'throughput': {
      const len = windowsLength(windows);
      const ok = s.samples.filter(
        (x) => x.type === 'ok' && windows.some((w) => w.from <= x.done && x.done < w.to),
      ).length;
      return { measured: len > 0 ? ok / (len / 1e9) : null, ops: ok };
    }
    case 'latency': {
      if (samples.length === 0) return { measured: null, ops: 0 };
      const lat = latencies(samples);
      const q = slo.metric.quantile;
      let v: number;
      if (q === 'max') v = lat.reduce((a, b) => Math.max(a, b), 0);
      else if (q === 'mean') v = lat.reduce((a, b) => a + b, 0) / lat.length;
      else v = latencyQuantile(lat, q);
      return { measured: v, ops: samples.length };
    }
    case 'max-gap':
      return { measured: maxGap(s, windows), ops: samples.length };
    case 'recovery':
      return recovery(s, slo);
  }
}

/** The longest stretch inside the windows without an ok completion, ns. */
function maxGap(s: Samples, windows: readonly Window[]): number {
  const done = s.samples
    .filter((x) => x.type === 'ok')
    .map((x) => x.done)
    .sort((a, b) => a - b);
  let worst = 0;
  for (const w of windows) {
    const to = Math.min(w.to, s.end);
    let at = w.from;
    for (const t of done) {
      if (t < w.from) continue;
      if (t >= to) break;
      worst = Math.max(worst, t - at);
      at = t;
    }
    worst = Math.max(worst, to - at);
  }
  return worst;
}

function recovery(s: Samples, slo: Slo): { measured: number | null; ops: number } {
  const p = slo.period;
  if (p.kind === 'steady') return { measured: null, ops: 0 };
  const faults = s.periods.filter(
    (f) => Number.isFinite(periodEnd(f)) && (p.kind !== 'fault' || f.kind === p.fault),
  );
  if (faults.length === 0) return { measured: null, ops: 0 };
  const oks = s.samples.filter((x) => x.type === 'ok').sort((a, b) => a.done - b.done);
  let worst = 0;
  for (const f of faults) {
    const heal = periodEnd(f);
    const before = new Set(oks.filter((x) => x.done < f.start).map((x) => x.node ?? ''));
    if (before.size === 0) before.add('');
    let last = heal;
    for (const node of before) {
      const first = oks.find((x) => x.done >= heal && (node === '' || x.node === node));
      if (!first) return { measured: Infinity, ops: oks.length };
      last = Math.max(last, first.done);
    }
    worst = Math.max(worst, last - heal);
  }
  return { measured: worst, ops: faults.length };
}
