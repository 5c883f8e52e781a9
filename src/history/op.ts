/**
 * The history op: Faultline's interchange format (see DESIGN.md, "The history").
 *
 * One op per JSONL line, in the order events happened. A client op is an `invoke`
 * followed by exactly one completion of the same process: `ok` (it happened), `fail`
 * (it definitely did not happen; or, with `precondition: false`, it ran and refused: an
 * observation) or `info` (unknown; it may take effect at any time after its invocation, forever). After an `info` the worker continues under a new process number.
 * Faults are ops of process "nemesis".
 */

/** Any JSON value: op values and errors stay plain data so histories round-trip exactly. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
export const OP_TYPES: readonly OpType[] = ['invoke', 'ok', 'fail', 'info'];

/** Client workers are non-negative integers; fault injection is the "nemesis" process. */
export type Process = number | 'nemesis';
export const NEMESIS = 'nemesis' as const;

/** Keys of independent sub-histories (kv workloads, Jepsen's `independent` tuples). */
export type Key = string | number;

export interface Op {
  /** Position in the history (0-based). File order is the truth; `index` mirrors it. */
  index: number;
  /** Nanoseconds since the run started, from a monotonic clock. */
  time: number;
  type: OpType;
  process: Process;
  /** The operation's function: `read`, `write`, `cas`, `get`, `put`, `start-partition`, ... */
  f: string;
  /** Optional key for kv-style workloads. */
  key?: Key;
  /** Invoke: the argument; completion: the result (e.g. the value a read returned). */
  value?: JsonValue;
  /** Why an op failed or is indeterminate (`timeout`, `connection-lost`, ...). */
  error?: JsonValue;
  /** The node the client talked to, when known. */
  node?: string;
  /**
   * Only on a `fail` completion: `false` says the op's precondition was evaluated and found false
   * (a cas whose compare saw another value than `from`). Such an op happened: it observed that
   * the value was not `from` at some point between its invoke and this completion, and changed
   * nothing. A `fail` without it did not happen at all.
   */
  precondition?: false;
  /**
   * Open-loop runs, on an invoke: when the op was meant to start (ns, same clock as `time`,
   * at or before it). Latency counts from here, so a stall delaying queued ops is not hidden.
   */
  intended?: number;
}

export type History = Op[];

export const isClientProcess = (p: Process): p is number => typeof p === 'number';
export const isInvoke = (op: Op): boolean => op.type === 'invoke';
export const isCompletion = (op: Op): boolean => op.type !== 'invoke';
