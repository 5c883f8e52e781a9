/**
 * `faultline compare` (pure): a run against a baseline, period by period (overall, steady,
 * during faults, during each fault kind both runs had), on latency quantiles (p50, p95, p99 of
 * every completed client op, from the intended start in open-loop runs) and ok throughput
 * (ok completions per second of the period, one sample per second). Each is a ratio
 * run/baseline with a bootstrap CI (bootstrap.ts says why not Mann-Whitney); a metric regressed
 * when the whole CI lies beyond the tolerance — latency grew by more than it, throughput fell
 * by more than it — so noise alone (a CI straddling the bound) is never called a regression.
 */
import {
  describePeriod,
  latencies,
  periodWindows,
  samplesIn,
  type PeriodSpec,
  type Samples,
  type Window,
} from '../checkers/perf/samples.js';
import {
  bootstrapRatio,
  bootstrapRatios,
  meanStat,
  quantileStat,
  type RatioEstimate,
} from './bootstrap.js';

export interface CompareOptions {
  /** Relative change allowed, e.g. 0.1 for 10 %. */
  tolerance: number;
  resamples?: number;
  level?: number;
  seed?: number;
  /** Fewer ops than this on either side: not compared (too few for a tail). */
  minOps?: number;
}

export interface MetricComparison extends RatioEstimate {
  period: string;
  metric: 'p50' | 'p95' | 'p99' | 'throughput';
  /** Ops (latency) or seconds (throughput) on each side. */
  n: { baseline: number; run: number };
  regressed: boolean;
  /** Significantly better by more than the tolerance. */
  improved: boolean;
}

export interface Comparison {
  regressed: boolean;
  tolerance: number;
  level: number;
  resamples: number;
  metrics: MetricComparison[];
  /** Periods one side lacks, or with too few ops. */
  skipped: string[];
}

const QUANTILES = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

/** The periods both runs have. */
function commonPeriods(a: Samples, b: Samples): PeriodSpec[] {
  const kinds = (s: Samples) => new Set(s.periods.map((p) => p.kind));
  const ka = kinds(a);
  const both = [...kinds(b)].filter((k) => ka.has(k)).sort();
  return [
    { kind: 'overall' },
    { kind: 'steady' },
    { kind: 'faults' },
    ...both.map((fault) => ({ kind: 'fault' as const, fault })),
  ];
}

/** ok completions per whole second of the windows: the throughput samples. */
function perSecondOk(s: Samples, ws: readonly Window[]): Float64Array {
  const counts: number[] = [];
  for (const w of ws) {
    const secs = Math.floor((w.to - w.from) / 1e9);
    if (secs < 1) continue;
    const c = new Array<number>(secs).fill(0);
    for (const x of s.samples) {
      if (x.type !== 'ok' || x.done < w.from) continue;
      const i = Math.floor((x.done - w.from) / 1e9);
      if (i < secs) c[i]!++;
    }
    counts.push(...c);
  }
  return Float64Array.from(counts);
}

export function compareSamples(baseline: Samples, run: Samples, o: CompareOptions): Comparison {
  const level = o.level ?? 0.95;
  const resamples = o.resamples ?? 500;
  const minOps = o.minOps ?? 20;
  const metrics: MetricComparison[] = [];
  const skipped: string[] = [];
  let seed = o.seed ?? 17;
  for (const period of commonPeriods(baseline, run)) {
    const name = describePeriod(period);
    const wb = periodWindows(baseline, period);
    const wr = periodWindows(run, period);
    if (wb.length === 0 || wr.length === 0) {
      skipped.push(
        `${name}: only in ${wb.length ? 'the baseline' : wr.length ? 'the run' : 'neither'}`,
      );
      continue;
    }
    const lb = latencies(samplesIn(baseline, wb).samples);
    const lr = latencies(samplesIn(run, wr).samples);
    if (lb.length < minOps || lr.length < minOps) {
      skipped.push(`${name}: too few ops (${lb.length} vs ${lr.length}, need ${minOps})`);
      continue;
    }
    const est = { resamples, level };
    const estimates = bootstrapRatios(
      lb,
      lr,
      QUANTILES.map(([, q]) => quantileStat(q)),
      { ...est, seed: seed++ },
    );
    QUANTILES.forEach(([metric], k) => {
      const e = estimates[k]!;
      metrics.push({
        period: name,
        metric,
        ...e,
        n: { baseline: lb.length, run: lr.length },
        regressed: e.low > 1 + o.tolerance,
        improved: e.high < 1 - o.tolerance,
      });
    });
    const tb = perSecondOk(baseline, wb);
    const tr = perSecondOk(run, wr);
    if (tb.length >= 2 && tr.length >= 2) {
      const e = bootstrapRatio(tb, tr, meanStat, { ...est, seed: seed++ });
      metrics.push({
        period: name,
        metric: 'throughput',
        ...e,
        n: { baseline: tb.length, run: tr.length },
        regressed: e.high < 1 - o.tolerance,
        improved: e.low > 1 + o.tolerance,
      });
    }
  }
  return {
    regressed: metrics.some((m) => m.regressed),
    tolerance: o.tolerance,
    level,
    resamples,
    metrics,
    skipped,
  };
}

const pct = (r: number) =>
  Number.isFinite(r) ? `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%` : '+inf';
const fmt = (metric: string, v: number) =>
  metric === 'throughput' ? `${v.toFixed(1)} ok/s` : `${(v / 1e6).toFixed(2)} ms`;

/** The table a person reads, then one line per regression. */
export function formatComparison(c: Comparison, baselineName: string, runName: string): string {
  const out: string[] = [
    `compare ${runName} against baseline ${baselineName}: tolerance ${(c.tolerance * 100).toFixed(0)}%, ${Math.round(c.level * 100)}% bootstrap CI of run/baseline (${c.resamples} resamples)`,
    '',
    `${'period'.padEnd(22)}${'metric'.padEnd(12)}${'baseline'.padStart(14)}${'run'.padStart(14)}${'change'.padStart(10)}   ${'CI'.padEnd(20)}verdict`,
  ];
  for (const m of c.metrics) {
    out.push(
      `${m.period.padEnd(22)}${m.metric.padEnd(12)}${fmt(m.metric, m.baseline).padStart(14)}${fmt(m.metric, m.run).padStart(14)}${pct(m.ratio).padStart(10)}   ${`[${pct(m.low)}, ${pct(m.high)}]`.padEnd(20)}${m.regressed ? 'REGRESSED' : m.improved ? 'improved' : 'ok'}`,
    );
  }
  for (const s of c.skipped) out.push(`not compared: ${s}`);
  out.push('');
  const reg = c.metrics.filter((m) => m.regressed);
  if (reg.length === 0) out.push(`no regression beyond ${(c.tolerance * 100).toFixed(0)}%`);
  for (const m of reg)
    out.push(
      `REGRESSED ${m.metric} ${m.period}: ${fmt(m.metric, m.baseline)} -> ${fmt(m.metric, m.run)} (${pct(m.ratio)}, CI ${pct(m.low)}..${pct(m.high)})`,
    );
  return out.join('\n') + '\n';
}

/** The comparison as a check of a run (`run --baseline`, the daemon): false on a regression. */
export function baselineCheck(
  c: Comparison,
  baselineRun: string,
): Record<string, unknown> & {
  valid: boolean;
} {
  const reg = c.metrics.filter((m) => m.regressed);
  return {
    valid: !c.regressed,
    baseline: baselineRun,
    summary: reg.length
      ? reg.map(
          (m) =>
            `regressed ${m.metric} ${m.period}: ${fmt(m.metric, m.baseline)} -> ${fmt(m.metric, m.run)} (${pct(m.ratio)}, CI ${pct(m.low)}..${pct(m.high)})`,
        )
      : [`no regression beyond ${(c.tolerance * 100).toFixed(0)}% against ${baselineRun}`],
    ...c,
  };
}
