/**
 * Election safety / double vote: events from node logs (through the database's log parser)
 * and from vote/decide ops in the history, checked together.
 */
import type { History } from '../../history/op.js';
import { UsageError } from '../../errors.js';
import { checkElection, type ElectionCheckOptions, type ElectionResult } from './check.js';
import { emptyEvents, mergeEvents } from './events.js';
import { electionEventsFromHistory } from './history.js';
import { readElectionEvents } from './logs.js';
import { getLogParser, logParserNames, type LogParser } from './parsers/index.js';

export interface ElectionSafetyOptions extends ElectionCheckOptions {
  /** Node name -> log file. */
  logs?: Record<string, string>;
  /** Log parser (a registered name or a parser); default `etcd`. */
  parser?: string | LogParser;
}

export async function checkElectionSafety(
  history: History,
  opts: ElectionSafetyOptions = {},
): Promise<ElectionResult> {
  const events = mergeEvents(emptyEvents(), electionEventsFromHistory(history));
  if (opts.logs && Object.keys(opts.logs).length > 0) {
    const parser =
      typeof opts.parser === 'object' ? opts.parser : getLogParser(opts.parser ?? 'etcd');
    if (!parser)
      throw new UsageError(
        `unknown log parser "${String(opts.parser)}" (known: ${logParserNames().join(', ')})`,
      );
    mergeEvents(events, await readElectionEvents(opts.logs, parser));
  }
  return checkElection(events, opts);
}

export { checkElection, electionEventsFromHistory, readElectionEvents };
export type { ElectionCheckOptions, ElectionResult } from './check.js';
export type { ElectionViolation, EvidenceView } from './check.js';
export * from './events.js';
export { parseLogFile, LogReadError } from './logs.js';
export { registerLogParser, getLogParser, etcdRaftParser } from './parsers/index.js';
