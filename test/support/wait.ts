/**
 * Waiting with a deadline, never "sleep long enough": polling a condition (the same poll the
 * cluster code uses, src/wait.ts) and bounding a promise.
 */
import { waitFor } from '../../src/wait.js';

/** Resolves with the first truthy value of `check`; rejects naming `what` at the deadline. */
export function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return waitFor(what, check, { timeoutMs, intervalMs });
}

/** `p`, or a rejection naming `what` when it has not settled within `ms`. */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
