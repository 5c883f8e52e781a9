/**
 * Retention: every failing or undecided run is kept; passing runs are kept up to a limit, the
 * oldest deleted first. Pure decision + a small effect, so the policy is testable on its own.
 */
import { rmSync } from 'node:fs';

/** Splits the retained passing runs (oldest first) into those to keep and those to delete. */
export function planRetention(
  passing: readonly string[],
  limit: number,
): { keep: string[]; drop: string[] } {
  const excess = Math.max(0, passing.length - limit);
  return { keep: passing.slice(excess), drop: passing.slice(0, excess) };
}

/** Deletes the oldest passing run dirs beyond `limit`; returns the list still kept. */
export function applyRetention(passing: readonly string[], limit: number): string[] {
  const { keep, drop } = planRetention(passing, limit);
  for (const dir of drop) rmSync(dir, { recursive: true, force: true });
  return keep;
}
