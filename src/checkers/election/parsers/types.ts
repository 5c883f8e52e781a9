/**
 * Log parsers turn one node's log file into election events. Each database declares its own
 * (etcd's raft lines today); the checker never looks at raw lines.
 */
import type { ElectionEvents } from '../events.js';

export interface LogFileContext {
  /** Path shown in evidence (`file:line`). */
  file: string;
  /** The node this log belongs to (the key in `logs`), used to name its member id. */
  node?: string;
}

/** Stateful over one file: lines arrive in order with 1-based numbers. */
export interface LogFileParser {
  line(text: string, lineNo: number): void;
  finish(): ElectionEvents;
}

export interface LogParser {
  name: string;
  open(ctx: LogFileContext): LogFileParser;
}
