/**
 * Delta debugging (Zeller & Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
 * 2002): the ddmin algorithm. Given items whose full set fails a test, finds a subset that still
 * fails and is 1-minimal: removing any single item makes the test pass. Deterministic; results of
 * the test are memoized per subset.
 */
export type FailsTest<T> = (items: readonly T[]) => Promise<boolean> | boolean;

export interface DdminStats {
  tests: number;
  cached: number;
}

/** Splits `xs` into `n` contiguous chunks of near-equal size (none empty while n <= length). */
function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((xs.length - start) / (n - i));
    out.push(xs.slice(start, end));
    start = end;
  }
  return out.filter((c) => c.length > 0);
}

/**
 * ddmin over `items` (which must fail `fails`). `keyOf` identifies an item for memoization.
 * Returns a 1-minimal failing subset, in the original order.
 */
export async function ddmin<T>(
  items: readonly T[],
  fails: FailsTest<T>,
  keyOf: (t: T) => string | number,
  stats: DdminStats = { tests: 0, cached: 0 },
): Promise<T[]> {
  const memo = new Map<string, boolean>();
  const test = async (xs: readonly T[]): Promise<boolean> => {
    const k = xs.map(keyOf).join(',');
    const hit = memo.get(k);
    if (hit !== undefined) {
      stats.cached++;
      return hit;
    }
    stats.tests++;
    const r = await fails(xs);
    memo.set(k, r);
    return r;
  };

  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const parts = chunks(current, Math.min(n, current.length));
    let reduced = false;
    // Reduce to a subset...
    for (const part of parts) {
      if (await test(part)) {
        current = part;
        n = 2;
        reduced = true;
        break;
      }
    }
    // ...or to a complement.
    if (!reduced && parts.length > 2) {
      for (let i = 0; i < parts.length; i++) {
        const complement = parts.filter((_, j) => j !== i).flat();
        if (await test(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break; // every single removal passes: 1-minimal
      n = Math.min(current.length, n * 2);
    }
  }
  // With two items ddmin tests only the halves; removing either is the same as keeping the other,
  // so the result is 1-minimal here too.
  return current;
}
