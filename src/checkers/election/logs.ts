/**
 * Reads node log files through a log parser (streaming, line by line: soak logs are large).
 * The only impure part of the election checker.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { emptyEvents, mergeEvents, type ElectionEvents } from './events.js';
import type { LogParser } from './parsers/types.js';
import { fsReason } from '../../input-file.js';

/** A log file that cannot be read: one clear line for the CLI. */
export class LogReadError extends Error {
  override readonly name = 'LogReadError';
  constructor(
    readonly file: string,
    readonly node: string,
    readonly reason: string,
  ) {
    super(`cannot read log of node ${node}: ${file}: ${reason}`);
  }
  get userMessage(): string {
    return this.message;
  }
}

export async function parseLogFile(
  path: string,
  parser: LogParser,
  node?: string,
): Promise<ElectionEvents> {
  const p = parser.open({ file: path, node });
  const stream = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) p.line(line, ++lineNo);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LogReadError(path, node ?? '?', fsReason(e));
  } finally {
    rl.close();
    stream.destroy();
  }
  return p.finish();
}

/** Parses every node's log (node name -> path) and merges the events. */
export async function readElectionEvents(
  logs: Record<string, string>,
  parser: LogParser,
): Promise<ElectionEvents> {
  const all = emptyEvents();
  for (const [node, path] of Object.entries(logs))
    mergeEvents(all, await parseLogFile(path, parser, node));
  return all;
}
