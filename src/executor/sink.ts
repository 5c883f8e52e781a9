/**
 * Where the executor records ops: the history Recorder (src/history/recorder.ts) in real runs,
 * or a NullSink that only numbers ops (benchmarks measure the recording overhead against it).
 */
import type { OpInput } from '../history/recorder.js';
import type { Op } from '../history/op.js';

export type { OpInput };

export interface HistorySink {
  /** Synchronous: assigns index and time in call order. */
  record(input: OpInput): Op;
  /** ns on the clock `record` stamps ops with (open-loop runs need it to stamp intended starts). */
  now?(): number;
  close(): Promise<void>;
}

/** Records nothing; gives ops the index and monotonic time a Recorder would. */
export class NullSink implements HistorySink {
  private readonly start = process.hrtime.bigint();
  private next = 0;
  now(): number {
    return Number(process.hrtime.bigint() - this.start);
  }
  record(input: OpInput): Op {
    const time = input.time ?? this.now();
    const op: Op = { ...input, index: this.next++, time };
    if (op.intended !== undefined) op.intended = Math.min(op.intended, time);
    return op;
  }
  async close(): Promise<void> {}
}

/** Keeps every op in memory (for tests and small in-process runs). */
export class MemorySink extends NullSink {
  readonly ops: Op[] = [];
  closed = false;
  override record(input: OpInput): Op {
    const op = super.record(input);
    this.ops.push(op);
    return op;
  }
  override async close(): Promise<void> {
    this.closed = true;
  }
}
