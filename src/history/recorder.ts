/**
 * The durable, append-only history writer used while a test runs.
 *
 * `record()` is synchronous: it assigns the next index in call order (so any number of
 * concurrent async workers can share one recorder), stamps the time from a monotonic clock, and
 * serializes the line at once. Lines are written in big batches, one write in flight at a time,
 * each write holding only whole lines; the file is fdatasync'ed at least every `syncIntervalMs`
 * (100 ms) while there is unsynced data, and on flush/close. If the process is SIGKILLed, every
 * line the kernel accepted stays readable; at worst the last line is torn, which the reader
 * skips with a warning.
 */
import { open as openCallback, writev, fdatasync, close as closeFd } from 'node:fs';
import { promisify } from 'node:util';
import { serializeOp } from './jsonl.js';
import type { JsonValue, Key, Op, OpType, Process } from './op.js';

const openFd = promisify(openCallback);
const syncFd = promisify(fdatasync);
const closeFdP = promisify(closeFd);

/** What a caller records: an op without index; time defaults to the recorder's clock. */
export interface OpInput {
  time?: number;
  type: OpType;
  process: Process;
  f: string;
  key?: Key;
  value?: JsonValue;
  error?: JsonValue;
  node?: string;
  /** A fail that ran and found its precondition false (see Op.precondition). */
  precondition?: false;
  /** Open loop: the op's intended start (ns, recorder clock); see Op.intended. */
  intended?: number;
}

export interface RecorderOptions {
  /** Replace an existing file instead of refusing to open it (default false). */
  overwrite?: boolean;
  /** Longest time unsynced data may wait for fdatasync (default 100 ms). */
  syncIntervalMs?: number;
}

/** Bytes per batch buffer; lines are encoded straight into it (no per-line strings kept). */
const BATCH_BYTES = 1 << 22;
const TEXT_FLUSH = 1 << 16;

function writeAll(fd: number, bufs: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (rest: Buffer[]): void => {
      writev(fd, rest, null, (err, n) => {
        if (err) return reject(err);
        // Short write: drop what was written and go on with the rest.
        let left = n;
        while (rest.length > 0 && left >= rest[0]!.length) left -= rest.shift()!.length;
        if (rest.length === 0) return resolve();
        if (left > 0) rest[0] = rest[0]!.subarray(left);
        step(rest);
      });
    };
    step(bufs.slice());
  });
}

export class Recorder {
  private readonly start = process.hrtime.bigint();
  private nextIndex = 0;
  private lastTime = 0;
  private buf: Buffer = Buffer.allocUnsafe(BATCH_BYTES); // the batch being filled
  private used = 0; // bytes used in buf
  private bufOps = 0; // ops encoded in buf
  private full: { buf: Buffer; used: number; ops: number }[] = []; // filled batches waiting for the writer
  private text = ''; // lines not yet encoded into buf
  private textOps = 0;
  private spare: Buffer[] = []; // written batch buffers, reused
  private writtenCount = 0; // ops handed to the kernel
  private syncedCount = 0; // ops known durable
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private syncing: Promise<void> | undefined;
  private lastSyncAt = Date.now();
  private failure: Error | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly syncIntervalMs: number,
  ) {
    // Every tick syncs whatever was written since the last sync, so no written line waits for
    // fdatasync longer than one interval (plus the sync itself).
    this.timer = setInterval(() => this.syncIfDue(0), syncIntervalMs);
    this.timer.unref();
  }

  /** Creates the history file (refuses to overwrite one unless `overwrite`). */
  static async open(path: string, opts: RecorderOptions = {}): Promise<Recorder> {
    const fd = await openFd(path, opts.overwrite ? 'w' : 'wx', 0o644);
    return new Recorder(path, fd, opts.syncIntervalMs ?? 100);
  }

  /** Nanoseconds since the recorder opened (monotonic). */
  now(): number {
    return Number(process.hrtime.bigint() - this.start);
  }

  /** Number of ops recorded so far (= the next index). */
  get count(): number {
    return this.nextIndex;
  }

  /** Number of ops known to be on disk (fdatasync'ed): the durable prefix of the history. */
  get durableCount(): number {
    return this.syncedCount;
  }

  /** Appends an op; returns it with its index and time. Throws after close or a write failure. */
  record(input: OpInput): Op {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`recorder for ${this.path} is closed`);
    let time = input.time ?? this.now();
    if (!(time >= this.lastTime)) time = this.lastTime; // file order is the truth: never backwards
    const op: Op = {
      index: this.nextIndex,
      time,
      type: input.type,
      process: input.process,
      f: input.f,
    };
    if (input.key !== undefined) op.key = input.key;
    if (input.value !== undefined) op.value = input.value;
    if (input.error !== undefined) op.error = input.error;
    if (input.node !== undefined) op.node = input.node;
    if (input.precondition === false && input.type === 'fail') op.precondition = false;
    if (input.intended !== undefined) op.intended = Math.min(input.intended, time);
    checkInput(op);
    this.append(serializeOp(op) + '\n'); // serialize now: later mutation of value cannot change the record
    this.nextIndex++;
    this.lastTime = time;
    if (!this.scheduled && this.writing === undefined) {
      this.scheduled = true;
      setImmediate(() => this.pump());
    }
    return op;
  }

  /** Resolves when every op recorded before the call has been handed to the kernel (not fsynced). */
  async written(): Promise<void> {
    const target = this.nextIndex;
    while (this.writtenCount < target) {
      if (this.failure) throw this.failure;
      if (this.writing === undefined) this.pump();
      await this.writing;
    }
    if (this.failure) throw this.failure;
  }

  /** Resolves when every op recorded before the call is written and fdatasync'ed. */
  async flush(): Promise<void> {
    const target = this.nextIndex;
    await this.written();
    while (this.syncedCount < target) await this.sync();
  }

  /** Flushes, syncs and closes the file. Idempotent. */
  close(): Promise<void> {
    this.closed = true; // from now on record() throws: nothing recorded after close is lost silently
    this.closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        clearInterval(this.timer);
        await this.writing?.catch(() => undefined);
        await this.syncing?.catch(() => undefined);
        await closeFdP(this.fd);
      }
    })();
    return this.closing;
  }

  /**
   * Adds a line to the batch. Lines are concatenated into a string of up to ~64 KiB first and
   * encoded into the batch buffer in one call: far cheaper than one Buffer.write per line, and
   * no per-line string outlives the batch.
   */
  private append(line: string): void {
    this.text += line;
    this.textOps++;
    if (this.text.length >= TEXT_FLUSH) this.encodeText();
  }

  private encodeText(): void {
    const t = this.text;
    if (t.length === 0) return;
    if (this.used + t.length * 3 > this.buf.length) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit, so the text surely fits in a fresh buffer.
      if (this.used > 0) this.full.push({ buf: this.buf, used: this.used, ops: this.bufOps });
      const need = t.length * 3;
      this.buf =
        need > BATCH_BYTES
          ? Buffer.allocUnsafe(need)
          : (this.spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES));
      this.used = 0;
      this.bufOps = 0;
    }
    this.used += this.buf.write(t, this.used, 'utf8');
    this.bufOps += this.textOps;
    this.text = '';
    this.textOps = 0;
  }

  private get hasPending(): boolean {
    return this.textOps > 0 || this.used > 0 || this.full.length > 0;
  }

  private pump(): void {
    this.scheduled = false;
    if (this.writing !== undefined || !this.hasPending || this.failure) return;
    this.encodeText();
    const batches = this.full;
    if (this.used > 0) batches.push({ buf: this.buf, used: this.used, ops: this.bufOps });
    this.full = [];
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    this.bufOps = 0;
    this.writing = writeAll(
      this.fd,
      batches.map((b) => b.buf.subarray(0, b.used)),
    ).then(
      () => {
        for (const b of batches) {
          this.writtenCount += b.ops;
          if (b.buf.length === BATCH_BYTES && this.spare.length < 2) this.spare.push(b.buf);
        }
        this.writing = undefined;
        if (this.hasPending) this.pump(); // what arrived meanwhile: next batch
        this.syncIfDue();
      },
      (err: Error) => {
        this.failure = err;
        this.writing = undefined;
      },
    );
  }

  private syncIfDue(minAgeMs = this.syncIntervalMs): void {
    if (this.syncedCount < this.writtenCount && Date.now() - this.lastSyncAt >= minAgeMs) {
      this.sync().catch(() => undefined); // the failure is kept and surfaces on record/flush
    }
  }

  private sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    const upTo = this.writtenCount;
    this.lastSyncAt = Date.now();
    this.syncing = syncFd(this.fd).then(
      () => {
        this.syncedCount = Math.max(this.syncedCount, upTo);
        this.syncing = undefined;
      },
      (err: Error) => {
        this.failure = err;
        this.syncing = undefined;
        throw err;
      },
    );
    return this.syncing;
  }
}

function checkInput(op: Op): void {
  const t = op.type;
  if (t !== 'invoke' && t !== 'ok' && t !== 'fail' && t !== 'info')
    throw new TypeError(`op type must be invoke, ok, fail or info, got ${String(t)}`);
  const p = op.process;
  if (!(p === 'nemesis' || (typeof p === 'number' && Number.isSafeInteger(p) && p >= 0))) {
    throw new TypeError(`op process must be a non-negative integer or "nemesis", got ${String(p)}`);
  }
  if (typeof op.f !== 'string') throw new TypeError(`op f must be a string, got ${typeof op.f}`);
  if (!Number.isFinite(op.time) || op.time < 0)
    throw new TypeError(`op time must be non-negative nanoseconds, got ${op.time}`);
}
