/**
 * Load-sweep arithmetic (pure): what one level measured (ok/s, latency quantiles, error and
 * info rates) and where the knee is — the first step up in load where latency grows by a larger
 * factor than throughput does, i.e. more load buys mostly waiting.
 */
import { latencyStats } from '../checkers/perf/histogram.js';
import { latencies, type Samples } from '../checkers/perf/samples.js';
import { periodEnd } from '../checkers/stuck/fault-periods.js';
import type { Validity } from '../checkers/result.js';

export interface SweepLevel {
  /** Workers of the level (the sweep's x when sweeping concurrency). */
  concurrency: number;
  /** Open-loop total ops/s, or null (closed loop). */
  rate: number | null;
  runDir: string;
  valid: Validity;
  ops: number;
  /** ok completions per second of the main phase. */
  okPerSec: number;
  /** ns, every completed client op. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** fail / ops, (info + pending) / ops. */
  errorRate: number;
  infoRate: number;
  /** Fault periods of the level as [from, to] s since its start (marked on the page). */
  faults: Array<{ kind: string; from: number; to: number }>;
}

export function levelStats(
  s: Samples,
  level: Pick<SweepLevel, 'concurrency' | 'rate' | 'runDir' | 'valid'>,
  mainPhaseMs: number,
): SweepLevel {
  const until = s.begin + mainPhaseMs * 1e6;
  const main = s.samples.filter((x) => x.start < until);
  const pending = s.pending.filter((t) => t < until).length;
  const ops = main.length + pending;
  const lat = latencyStats(latencies(main));
  const ok = s.samples.filter((x) => x.type === 'ok' && x.done <= until).length;
  return {
    ...level,
    ops,
    okPerSec: mainPhaseMs > 0 ? ok / (mainPhaseMs / 1000) : 0,
    p50: lat.p50,
    p95: lat.p95,
    p99: lat.p99,
    max: lat.max,
    errorRate: ops ? main.filter((x) => x.type === 'fail').length / ops : 0,
    infoRate: ops ? (main.filter((x) => x.type === 'info').length + pending) / ops : 0,
    faults: s.periods.map((p) => ({
      kind: p.kind,
      from: (p.start - s.begin) / 1e9,
      to: (Math.min(periodEnd(p), s.end) - s.begin) / 1e9,
    })),
  };
}

export interface Knee {
  /** Index into the levels: the last level before latency outgrew throughput. */
  index: number;
  /** How much p95 and ok/s grew on the next step. */
  latencyGrowth: number;
  throughputGrowth: number;
  message: string;
}

/** The first step where p95 grows by a larger factor than ok/s; null if scaling held throughout. */
export function findKnee(levels: readonly SweepLevel[], x: (l: SweepLevel) => number): Knee | null {
  for (let i = 1; i < levels.length; i++) {
    const a = levels[i - 1]!;
    const b = levels[i]!;
    if (!(a.p95 > 0 && a.okPerSec > 0)) continue;
    const lg = b.p95 / a.p95;
    const tg = b.okPerSec / a.okPerSec;
    if (lg > tg) {
      return {
        index: i - 1,
        latencyGrowth: lg,
        throughputGrowth: tg,
        message: `knee at ${x(a)}: from ${x(a)} to ${x(b)} p95 grew x${lg.toFixed(2)} while ok/s grew x${tg.toFixed(2)}`,
      };
    }
  }
  return null;
}
