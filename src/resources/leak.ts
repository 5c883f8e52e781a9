/**
 * The leak check of a soak (pure): per node, one value per trial (its last RSS, or open files)
 * and a least-squares line through them. Steady growth — a slope that adds up to more than
 * `minGrowth` of the mean over the trials, explained well by the line (r² >= `minR2`) — is a
 * leak; a fresh process per trial, or noise around a level, is not.
 */

export interface LeakPoint {
  trial: number;
  value: number;
}

export interface LeakVerdict {
  leaking: boolean;
  /** Per trial, in the value's units. */
  slope: number;
  r2: number;
  /** slope × (trials − 1) / mean. */
  growth: number;
  points: number;
}

export function regression(points: readonly LeakPoint[]): {
  slope: number;
  r2: number;
  mean: number;
} {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.trial, 0) / n;
  const my = points.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.trial - mx) * (p.value - my);
    sxx += (p.trial - mx) ** 2;
    syy += (p.value - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const r2 = sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : 0;
  return { slope, r2, mean: my };
}

export function leakCheck(
  points: readonly LeakPoint[],
  opts: { minPoints?: number; minGrowth?: number; minR2?: number } = {},
): LeakVerdict {
  const minPoints = opts.minPoints ?? 8;
  if (points.length < minPoints)
    return { leaking: false, slope: 0, r2: 0, growth: 0, points: points.length };
  const { slope, r2, mean } = regression(points);
  const span = points[points.length - 1]!.trial - points[0]!.trial;
  const growth = mean > 0 ? (slope * span) / mean : 0;
  return {
    leaking: slope > 0 && growth >= (opts.minGrowth ?? 0.2) && r2 >= (opts.minR2 ?? 0.7),
    slope,
    r2,
    growth,
    points: points.length,
  };
}
