/**
 * Why a member died before it became healthy, read from its log: a program that refuses its
 * arguments prints the cause first and then pages of usage text (etcd's `flag provided but not
 * defined: -x`, then `Usage: ...`), so the log's tail says nothing. This finds the first line of
 * the latest start that reads as an error. Pure.
 */

/** zap/pino-style levels that mean the process is reporting a failure. */
const ERROR_LEVELS = new Set(['error', 'fatal', 'panic', 'dpanic', 'crit', 'critical']);

/** Plain-text lines that state a cause (Go flag errors, exec failures, PostgreSQL FATAL...). */
const ERROR_TEXT =
  /\b(error|fatal|panic|failed|failure|cannot|can't|unable|invalid|unknown|not defined|no such|not found|denied|refused|in use|bad)\b/i;

/** Faultline's own marker line, written before each start (see Cluster.startNode). */
function isStartMarker(line: string): boolean {
  return line.includes('"caller":"faultline"') && line.includes('"msg":"starting member"');
}

/** A structured log line's message (with its `error` field), when the line is JSON at an error level. */
function structuredError(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const level = typeof o.level === 'string' ? o.level.toLowerCase() : '';
    if (!ERROR_LEVELS.has(level)) return undefined;
    const msg = typeof o.msg === 'string' ? o.msg : typeof o.message === 'string' ? o.message : '';
    const err = typeof o.error === 'string' ? o.error : typeof o.err === 'string' ? o.err : '';
    return [msg, err].filter(Boolean).join(': ') || line;
  } catch {
    return undefined;
  }
}

/**
 * The first error line of the member's latest start in `log`; failing that, the first line it
 * printed at all; undefined when it printed nothing.
 */
export function firstErrorLine(log: string): string | undefined {
  const lines = log.split('\n');
  let start = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (isStartMarker(lines[i]!)) {
      start = i + 1;
      break;
    }
  }
  const own = lines
    .slice(start)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  for (const line of own) {
    const structured = structuredError(line);
    if (structured !== undefined) return structured;
    if (!line.startsWith('{') && ERROR_TEXT.test(line)) return line;
  }
  return own[0];
}
