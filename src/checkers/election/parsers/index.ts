/** Log parsers by database name. Add a parser for a new database with `registerLogParser`. */
import { etcdRaftParser } from './etcd.js';
import type { LogParser } from './types.js';

export type { LogParser, LogFileParser, LogFileContext } from './types.js';
export { etcdRaftParser };

const parsers = new Map<string, LogParser>([[etcdRaftParser.name, etcdRaftParser]]);

export function registerLogParser(parser: LogParser): void {
  parsers.set(parser.name, parser);
}

export function getLogParser(name: string): LogParser | undefined {
  return parsers.get(name);
}

export function logParserNames(): string[] {
  return [...parsers.keys()];
}
