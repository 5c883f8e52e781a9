/**
 * The etcd register workload: independent registers (one etcd key per history key) with
 * read / write / cas, via etcd3 (gRPC).
 *
 * - read: `get`, linearizable by default (etcd's default: goes through the leader's read index);
 *   `readConsistency: 'serializable'` reads the member's local state, which may be stale. That
 *   is what lets a user see the difference in the checker.
 * - write: `put`.
 * - cas [from, to]: one transaction `if value == from then put to`. When the compare fails the
 *   cas ran and saw another value: a `fail` with `precondition: false` (an observation the
 *   checker uses). etcd's value comparison fails on a missing key, so a cas on a never-written
 *   key is refused too (absent != from).
 * Values are stored as JSON text; a missing key reads as null.
 *
 * Retries are off (etcd3's default retry policy would re-send a write whose first attempt may
 * have applied, and report the second attempt's outcome: a cas could show `fail` although it
 * happened). Each op has a gRPC deadline; the connection reconnects quickly after faults.
 */
import { noop } from 'cockatiel';
import {
  ClientClosedError,
  Etcd3,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  EtcdPermissionDeniedError,
  GRPCResourceExhastedError,
  type IOptions,
} from 'etcd3';
import type { JsonValue, Key } from '../history/op.js';
import type {
  Client,
  ClientOp,
  Completion,
  InvokeOptions,
  NodeEndpoint,
  Workload,
} from './client.js';

export type ReadConsistency = 'linearizable' | 'serializable';

export interface EtcdWorkloadOptions {
  /** etcd key = prefix + history key. Default `faultline/`. */
  prefix?: string;
  readConsistency?: ReadConsistency;
  /** Default per-op timeout when the executor gives none. Default 2000 ms. */
  timeoutMs?: number;
}

/** grpc-js channel options: reconnect fast after a fault, one TCP connection per client. */
const GRPC_OPTIONS: IOptions['grpcOptions'] = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.use_local_subchannel_pool': 1,
  'grpc.enable_retries': 0,
};

export class EtcdRegisterWorkload implements Workload {
  readonly name: string;
  private readonly prefix: string;
  private readonly readConsistency: ReadConsistency;
  private readonly timeoutMs: number;

  constructor(opts: EtcdWorkloadOptions = {}) {
    this.prefix = opts.prefix ?? 'faultline/';
    this.readConsistency = opts.readConsistency ?? 'linearizable';
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.name = `etcd-register${this.readConsistency === 'serializable' ? '-serializable' : ''}`;
  }

  async open(node: NodeEndpoint): Promise<Client> {
    return new EtcdRegisterClient(node, this.prefix, this.readConsistency, this.timeoutMs);
  }
}

export class EtcdRegisterClient implements Client {
  private readonly etcd: Etcd3;
  readonly node: string;

  constructor(
    node: NodeEndpoint,
    private readonly prefix: string,
    private readonly readConsistency: ReadConsistency,
    private readonly defaultTimeoutMs: number,
  ) {
    this.node = node.name;
    this.etcd = new Etcd3({
      hosts: node.url,
      grpcOptions: GRPC_OPTIONS,
      // No global retries, no per-host circuit breaker: every op is exactly one request.
      faultHandling: { global: noop, host: () => noop },
    });
  }

  private etcdKey(key: Key | undefined): string {
    if (key === undefined) throw new Error('etcd register ops need a key');
    return this.prefix + String(key);
  }

  async invoke(op: ClientOp, opts: InvokeOptions = {}): Promise<Completion> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let request: Promise<Completion>;
    try {
      request = this.request(op, deadline);
    } catch (err) {
      // Thrown before anything was sent (bad op): definitely not applied.
      return { type: 'fail', error: `invalid-op: ${(err as Error).message}` };
    }
    // The gRPC deadline normally ends the call; the timer and the abort signal are backstops so
    // an op can never hang the worker. Either way the request may be on the wire: indeterminate.
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const backstop = new Promise<Error>((resolve) => {
      timer = setTimeout(
        () => resolve(new GRPCDeadlineExceededError('client-side timeout')),
        timeoutMs + 500,
      );
      if (opts.signal) {
        onAbort = () => resolve(new AbortedError());
        if (opts.signal.aborted) onAbort();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      const outcome = await Promise.race([
        request.then(
          (c) => ({ c }),
          (e: unknown) => ({ e }),
        ),
        backstop.then((e) => ({ e })),
      ]);
      return 'c' in outcome ? outcome.c : classifyError(op.f, outcome.e);
    } finally {
      clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private request(op: ClientOp, deadline: number): Promise<Completion> {
    const key = this.etcdKey(op.key);
    const callOpts = { deadline };
    switch (op.f) {
      case 'read':
        return this.etcd
          .get(key)
          .serializable(this.readConsistency === 'serializable')
          .options(callOpts)
          .string()
          .then((s) => ({ type: 'ok', value: decode(s) }));
      case 'write':
        return this.etcd
          .put(key)
          .value(encode(op.value))
          .options(callOpts)
          .exec()
          .then(() => ({ type: 'ok', value: op.value ?? null }));
      case 'cas': {
        const [from, to] = casArgs(op.value);
        return this.etcd
          .if(key, 'Value', '==', encode(from))
          .then(this.etcd.put(key).value(encode(to)))
          .options(callOpts)
          .commit()
          .then((r): Completion => {
            if (r.succeeded) return { type: 'ok', value: [from, to] };
            const refused: Completion = { type: 'fail', value: [from, to], error: 'cas-mismatch' };
            // The compare ran and saw another value: an observation. Not for a cas from null:
            // it compares with the text "null", which a missing key (read as null) never equals.
            if (from !== null) refused.precondition = false;
            return refused;
          });
      }
      default:
        throw new Error(`unknown op f=${JSON.stringify(op.f)} (expected read, write or cas)`);
    }
  }

  async close(): Promise<void> {
    this.etcd.close();
  }
}

class AbortedError extends Error {
  override readonly name = 'AbortedError';
  constructor() {
    super('aborted');
  }
}

function encode(v: JsonValue | undefined): string {
  return JSON.stringify(v ?? null);
}

function decode(s: string | null): JsonValue {
  if (s === null) return null;
  try {
    return JSON.parse(s) as JsonValue;
  } catch {
    return s; // written by something else; keep the raw text
  }
}

function casArgs(v: JsonValue | undefined): [JsonValue, JsonValue] {
  if (!Array.isArray(v) || v.length !== 2)
    throw new Error(`cas value must be [from, to], got ${JSON.stringify(v)}`);
  return [v[0]!, v[1]!];
}

/** etcd server errors returned before a request is proposed to raft: it cannot have applied. */
const DEFINITE_SERVER_ERRORS = [
  'etcdserver: too many requests',
  'etcdserver: request is too large',
  'etcdserver: not capable',
  'etcdserver: mvcc: required revision has been compacted',
];

/**
 * Maps an error to fail (definitely not applied) or info (unknown).
 * Reads have no effect on state, so a read that errs is always `fail` (Jepsen does the same):
 * it keeps the checker's search small and loses nothing.
 */
export function classifyError(f: string, err: unknown): Completion {
  const e = err as Error;
  const message = String(e?.message ?? err);
  const error = errorTag(e, message);
  if (f === 'read') return { type: 'fail', error };
  if (e instanceof ClientClosedError) return { type: 'fail', error };
  if (
    e instanceof GRPCInvalidArgumentError ||
    e instanceof EtcdPermissionDeniedError ||
    e instanceof GRPCResourceExhastedError
  )
    return { type: 'fail', error };
  // grpc-js rejects calls while it has no connection (wait-for-ready off): nothing was sent.
  if (/No connection established|ECONNREFUSED/.test(message)) return { type: 'fail', error };
  if (DEFINITE_SERVER_ERRORS.some((m) => message.includes(m))) return { type: 'fail', error };
  return { type: 'info', error };
}

function errorTag(e: Error, message: string): string {
  if (e instanceof GRPCDeadlineExceededError) return 'timeout';
  if (e instanceof AbortedError) return 'aborted';
  if (/No connection established|ECONNREFUSED/.test(message))
    return `not-connected: ${oneLine(message)}`;
  return `${e?.constructor?.name ?? 'Error'}: ${oneLine(message)}`;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? t.slice(0, 197) + '...' : t;
}
