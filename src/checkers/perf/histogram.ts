/**
 * Latency quantiles through HdrHistogram (hdr-histogram-js) instead of sorting every sample:
 * constant memory per distribution whatever the op count, values kept to 3 significant digits
 * (a quantile is within 0.1 % of the exact sample), the same structure Jepsen, wrk2 and most
 * load tools report from. Mean and max are kept exact on the side.
 */
import { build, type Histogram } from 'hdr-histogram-js';

/** Latency in ns. Quantiles are HdrHistogram's (highest equivalent value, 3 digits). */
export interface LatencyStats {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** The quantiles reported everywhere (name -> percentile). */
export const QUANTILES = { p50: 50, p90: 90, p95: 95, p99: 99, p999: 99.9 } as const;
export type QuantileName = keyof typeof QUANTILES;

/** A fresh histogram for ns latencies; grows as values arrive (callers destroy() it). */
export function latencyHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 20,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Stats of ns latencies (any order). Negative values count as 0. */
export function latencyStats(values: ArrayLike<number>): LatencyStats {
  const n = values.length;
  if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const h = latencyHistogram();
  let sum = 0;
  let max = 0;
  try {
    for (let i = 0; i < n; i++) {
      const v = Math.max(0, Math.round(values[i]!));
      h.recordValue(v);
      sum += v;
      if (v > max) max = v;
    }
    // HdrHistogram reports a bucket's highest equivalent value; never above the true max.
    const q = (p: number) => Math.min(max, h.getValueAtPercentile(p));
    return {
      count: n,
      mean: sum / n,
      p50: q(QUANTILES.p50),
      p90: q(QUANTILES.p90),
      p95: q(QUANTILES.p95),
      p99: q(QUANTILES.p99),
      p999: q(QUANTILES.p999),
      max,
    };
  } finally {
    h.destroy();
  }
}

/** One quantile (0 < q <= 1) of ns latencies through the histogram; NaN for no values. */
export function latencyQuantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  const h = latencyHistogram();
  let max = 0;
  try {
    for (let i = 0; i < values.length; i++) {
      const v = Math.max(0, Math.round(values[i]!));
      h.recordValue(v);
      if (v > max) max = v;
    }
    return Math.min(max, h.getValueAtPercentile(q * 100));
  } finally {
    h.destroy();
  }
}
