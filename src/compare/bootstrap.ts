/**
 * Percentile-bootstrap confidence intervals for the ratio of a statistic between two samples
 * (run / baseline), seeded so a comparison is reproducible. Why the bootstrap and not
 * Mann-Whitney: the questions asked of a baseline are about quantiles ("did p99 grow by more than
 * 10 %?"); Mann-Whitney tests whether one whole distribution tends to be larger, says nothing about
 * the tail's size, and flags a 1 % shift of the median on a big sample as significant. Bootstrapping
 * the quantile ratio answers the question in its own units and widens honestly when a tail rests
 * on a few ops.
 */

/** xorshift32: small, seeded, fast enough for resampling. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** Nearest-rank quantile of a sorted array. */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export type Statistic = (sorted: Float64Array) => number;

export const quantileStat =
  (q: number): Statistic =>
  (s) =>
    sortedQuantile(s, q);

export const meanStat: Statistic = (s) => {
  let sum = 0;
  for (const v of s) sum += v;
  return s.length ? sum / s.length : NaN;
};

export interface RatioEstimate {
  baseline: number;
  run: number;
  /** run / baseline. */
  ratio: number;
  /** The central `level` interval of the bootstrapped ratio. */
  low: number;
  high: number;
}

function resample(
  xs: Float64Array,
  n: number,
  rand: () => number,
  out: Float64Array,
): Float64Array {
  for (let i = 0; i < n; i++) out[i] = xs[Math.floor(rand() * xs.length)]!;
  return out.sort();
}

/**
 * The ratios stat(run)/stat(baseline) for several statistics, each with a percentile-bootstrap
 * CI: each side is resampled with replacement (at most `maxN` draws, which bounds the cost on
 * long runs) once per round, every statistic taken from the same resample, and the ratios'
 * central `level` interval reported.
 */
export function bootstrapRatios(
  baseline: Float64Array,
  run: Float64Array,
  stats: readonly Statistic[],
  opts: { resamples?: number; level?: number; seed?: number; maxN?: number } = {},
): RatioEstimate[] {
  const b = Float64Array.from(baseline).sort();
  const r = Float64Array.from(run).sort();
  const B = opts.resamples ?? 500;
  const level = opts.level ?? 0.95;
  const maxN = opts.maxN ?? 2000;
  const rand = rng(opts.seed ?? 1);
  const nb = Math.min(b.length, maxN);
  const nr = Math.min(r.length, maxN);
  const bufB = new Float64Array(nb);
  const bufR = new Float64Array(nr);
  const ratios = stats.map(() => new Float64Array(B));
  for (let i = 0; i < B; i++) {
    const rb = resample(b, nb, rand, bufB);
    const rr = resample(r, nr, rand, bufR);
    stats.forEach((stat, k) => {
      const sb = stat(rb);
      const sr = stat(rr);
      ratios[k]![i] = sb > 0 ? sr / sb : sr > 0 ? Infinity : 1;
    });
  }
  const tail = (1 - level) / 2;
  return stats.map((stat, k) => {
    const rs = ratios[k]!.sort();
    const point = { baseline: stat(b), run: stat(r) };
    return {
      ...point,
      ratio: point.baseline > 0 ? point.run / point.baseline : point.run > 0 ? Infinity : 1,
      low: sortedQuantile(rs, tail),
      high: sortedQuantile(rs, 1 - tail),
    };
  });
}

export const bootstrapRatio = (
  baseline: Float64Array,
  run: Float64Array,
  stat: Statistic,
  opts: Parameters<typeof bootstrapRatios>[3] = {},
): RatioEstimate => bootstrapRatios(baseline, run, [stat], opts)[0]!;
