/**
 * A per-trial AbortSignal that follows long-lived ones. Node 20's AbortSignal.any keeps about a
 * kilobyte per call reachable from its long-lived sources, and the executor builds on the signal
 * it is given; so each trial gets its own controller, linked with listeners that are removed
 * when the trial ends, and nothing of the trial stays attached to the daemon's stop signal.
 */
export function linkedAbort(...sources: AbortSignal[]): {
  signal: AbortSignal;
  release: () => void;
} {
  const controller = new AbortController();
  const unlink: (() => void)[] = [];
  for (const s of sources) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = () => controller.abort(s.reason);
    s.addEventListener('abort', onAbort, { once: true });
    unlink.push(() => s.removeEventListener('abort', onAbort));
  }
  return { signal: controller.signal, release: () => unlink.forEach((f) => f()) };
}
