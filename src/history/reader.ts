/**
 * Streaming JSONL history reader. Reads the file in large chunks and splits lines itself
 * (faster than node:readline and never holds more than one chunk plus one partial line), so a
 * history of millions of ops is checked in constant memory.
 *
 * A bad line throws HistoryFormatError `file:line: ...`. A torn final line (no trailing
 * newline and not valid JSON: the writer was killed mid-write) is reported through onWarning
 * and skipped, since every complete line before it is still good.
 */
import { HistoryFormatError } from './errors.js';
import { parseOpLine } from './jsonl.js';
import { parseCanonicalOpBytes } from './jsonl-fast.js';
import type { Op } from './op.js';
import { openInputFile } from '../input-file.js';

export interface ReadOptions {
  onWarning?: (message: string) => void;
  /** Bytes read per system call (default 1 MiB). */
  chunkSize?: number;
}

/** Lines longer than this are not a history (guards memory against garbage input). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Streams the ops of a JSONL history one at a time. Not an async generator: within a batch,
 * next() returns an already-resolved promise (no generator resumption per op), which roughly
 * halves the per-op cost of `for await`. Use readHistoryBatches when even that matters.
 */
export function readHistory(path: string, opts: ReadOptions = {}): AsyncIterable<Op> {
  return { [Symbol.asyncIterator]: () => new OpIterator(readHistoryBatches(path, opts)) };
}

class OpIterator implements AsyncIterator<Op, undefined> {
  private batch: Op[] = [];
  private i = 0;
  constructor(private readonly batches: AsyncGenerator<Op[], void, undefined>) {}

  next(): Promise<IteratorResult<Op, undefined>> {
    if (this.i < this.batch.length) {
      return Promise.resolve({ value: this.batch[this.i++]!, done: false });
    }
    return this.refill();
  }

  private async refill(): Promise<IteratorResult<Op, undefined>> {
    for (;;) {
      const r = await this.batches.next();
      if (r.done) return { value: undefined, done: true };
      if (r.value.length > 0) {
        this.batch = r.value;
        this.i = 1;
        return { value: r.value[0]!, done: false };
      }
    }
  }

  async return(): Promise<IteratorResult<Op, undefined>> {
    await this.batches.return(undefined); // closes the file
    return { value: undefined, done: true };
  }
}

/** Streams the ops of a JSONL history in arrays, one per chunk read (cheapest for big files). */
export async function* readHistoryBatches(
  path: string,
  opts: ReadOptions = {},
): AsyncGenerator<Op[], void, undefined> {
  const fh = await openInputFile(path);
  try {
    let buf = Buffer.allocUnsafe(opts.chunkSize ?? 1 << 20);
    let filled = 0; // bytes in buf: a partial line carried over, then new data
    let lineNo = 0; // lines consumed so far
    let atStart = true;
    for (;;) {
      if (filled === buf.length) {
        // One line fills the whole buffer: grow it (bounded).
        if (buf.length >= MAX_LINE_BYTES) {
          throw new HistoryFormatError({
            file: path,
            line: lineNo + 1,
            reason: `line longer than ${MAX_LINE_BYTES} bytes`,
          });
        }
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      let end = filled + bytesRead;
      if (atStart && end >= 3) {
        atStart = false;
        if (end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          buf.copy(buf, 0, 3, end); // a UTF-8 byte order mark is not part of the first line
          end -= 3;
        }
      }
      const ops: Op[] = [];
      const data = buf.subarray(0, end); // bytes past `end` are stale data from earlier reads
      let pos = 0;
      for (;;) {
        const nl = data.indexOf(10, pos);
        if (nl < 0) break;
        lineNo++;
        let stop = nl;
        if (stop > pos && data[stop - 1] === 13) stop--; // CRLF
        if (stop > pos) {
          const op = parseCanonicalOpBytes(data, pos, stop);
          if (op !== undefined) ops.push(op);
          else {
            const text = data.toString('utf8', pos, stop);
            if (!isBlank(text, 0, text.length))
              ops.push(parseOpLine(text, { file: path, line: lineNo }));
          }
        }
        pos = nl + 1;
      }
      // Carry the partial line after the last newline to the front of the buffer.
      buf.copy(buf, 0, pos, end);
      filled = end - pos;
      if (ops.length > 0) yield ops;
    }
    if (filled > 0) {
      const tail = finalLine(buf.toString('utf8', 0, filled), lineNo + 1, path, opts.onWarning);
      if (tail !== undefined) yield [tail];
    }
  } finally {
    await fh.close();
  }
}

/** Parses complete JSONL text (every line newline-terminated). Returns the last line number used. */
export function parseLines(text: string, lineNo: number, file: string, out: Op[]): number {
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
    if (stop > start && !isBlank(text, start, stop)) {
      out.push(parseOpLine(text.slice(start, stop), { file, line: lineNo }));
    }
    start = end + 1;
  }
  return lineNo;
}

/** The last line when it has no newline: an op, nothing (blank), or a torn write (warned, skipped). */
export function finalLine(
  text: string,
  line: number,
  file: string,
  onWarning?: (m: string) => void,
): Op | undefined {
  const t = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (isBlank(t, 0, t.length)) return undefined;
  try {
    JSON.parse(t);
  } catch {
    onWarning?.(
      `${file}:${line}: torn final line (no newline, not valid JSON; the writer was probably killed mid-write): skipped`,
    );
    return undefined;
  }
  return parseOpLine(t, { file, line });
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Parses a whole JSONL text in memory, with the same torn-line rule as the streaming reader. */
export function parseJsonlText(text: string, file: string, onWarning?: (m: string) => void): Op[] {
  const ops: Op[] = [];
  const lastNl = text.lastIndexOf('\n');
  const lineNo = lastNl < 0 ? 0 : parseLines(text.slice(0, lastNl), 0, file, ops);
  const tail = finalLine(text.slice(lastNl + 1), lineNo + 1, file, onWarning);
  if (tail !== undefined) ops.push(tail);
  return ops;
}
