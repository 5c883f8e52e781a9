/**
 * The executor's per-op deadline and abort signal as a backstop over a client's own timeouts:
 * whichever comes first, the work's completion or giving up. `giveUp` decides what giving up
 * records (`info` for a write that may still land, `fail` for a read) and closes what it must.
 */
import type { Completion, InvokeOptions } from './client.js';

export async function withOpDeadline(
  work: Promise<Completion>,
  opts: InvokeOptions,
  giveUp: (why: 'timeout' | 'aborted') => Completion,
): Promise<Completion> {
  if (opts.timeoutMs === undefined && !opts.signal) return work;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const gaveUp = new Promise<Completion>((resolve) => {
    if (opts.timeoutMs !== undefined)
      timer = setTimeout(() => resolve(giveUp('timeout')), opts.timeoutMs);
    if (opts.signal) {
      onAbort = () => resolve(giveUp('aborted'));
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([work, gaveUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
  }
}
