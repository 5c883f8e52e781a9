/**
 * A live progress line on the terminal. On a TTY one line is rewritten in place (\r, clear to end
 * of line); otherwise (CI logs, files) a plain line is printed every `plainEveryMs` so logs stay
 * readable.
 */
import type { Observable, Subscription } from 'rxjs';
import type { Progress } from './events.js';

export function formatProgress(p: Progress): string {
  const secs = (p.elapsedMs / 1000).toFixed(1).padStart(6);
  const faults = p.activeFaults.length > 0 ? ` faults: ${p.activeFaults.join(' ')}` : '';
  return (
    `[${secs}s] ${p.phase.padEnd(11)} ${p.opsPerSec.toFixed(0).padStart(5)} ops/s ` +
    `ok ${p.ok} fail ${p.fail} info ${p.info} in-flight ${p.inFlight}${faults}`
  );
}

export interface ProgressLineOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Non-TTY: print at most one line per this interval (plus the last one). Default 10 s. */
  plainEveryMs?: number;
}

/** Shows progress$ on the terminal until it completes; unsubscribe to stop early. */
export function attachProgressLine(
  progress$: Observable<Progress>,
  opts: ProgressLineOptions = {},
): Subscription {
  const out = opts.stream ?? process.stderr;
  const tty = out.isTTY === true;
  const every = opts.plainEveryMs ?? 10_000;
  let lastPlainAt = -Infinity;
  let last: Progress | undefined;
  let shown = false;
  let finished = false;
  const sub = progress$.subscribe({
    next: (p) => {
      last = p;
      const line = formatProgress(p);
      if (tty) {
        const width = out.columns ?? 120;
        out.write(`\r${line.slice(0, Math.max(20, width - 1))}\x1b[K`);
        shown = true;
      } else if (p.elapsedMs - lastPlainAt >= every || p.phase === 'done') {
        out.write(line + '\n');
        lastPlainAt = p.elapsedMs;
      }
    },
    complete: () => {
      finished = true;
      if (tty && shown) out.write('\n');
      else if (!tty && last && last.elapsedMs !== lastPlainAt)
        out.write(formatProgress(last) + '\n');
    },
  });
  // Leave the cursor on a fresh line if the caller stops early.
  sub.add(() => {
    if (tty && shown && !finished) out.write('\n');
  });
  return sub;
}
