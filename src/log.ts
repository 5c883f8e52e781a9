/**
 * Logging: pino JSON lines to a file (everything, for later), and short human lines on the
 * terminal (info and above), or nothing on the terminal with `--quiet`.
 */
import { Writable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  /** JSON log file; created with its directory. Omit for no file log. */
  file?: string;
  quiet?: boolean;
  /** Terminal level (the file gets `debug` and above). */
  level?: pino.Level;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Renders one pino JSON record as `warn  message key=value ...` for people. */
export function humanLine(json: string): string {
  const {
    level,
    msg,
    time: _t,
    pid: _p,
    hostname: _h,
    ...rest
  } = JSON.parse(json) as Record<string, unknown>;
  const name = LEVEL_NAMES[level as number] ?? String(level);
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const prefix = name === 'info' ? '' : `${name}: `;
  return `${prefix}${String(msg ?? '')}${extras ? ' ' + extras : ''}\n`;
}

function terminalStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) process.stderr.write(humanLine(line));
      }
      done();
    },
  });
}

export function createLogger(opts: LogOptions = {}): Logger {
  const streams: pino.StreamEntry[] = [];
  if (!opts.quiet) streams.push({ level: opts.level ?? 'info', stream: terminalStream() });
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    streams.push({
      level: 'debug',
      stream: pino.destination({ dest: opts.file, sync: false, mkdir: true }),
    });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level: 'debug', base: undefined }, pino.multistream(streams));
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
