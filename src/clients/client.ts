/**
 * The boundary between the executor and a system under test.
 *
 * A Workload knows how to talk to one kind of system (etcd, PostgreSQL, a user's plugin) and
 * opens one Client per worker, bound to one node. A Client turns an op (`f`, `key`, `value`, as
 * in the history) into a completion with Jepsen's three outcomes:
 * - `ok`: it happened (for reads, `value` is what was read);
 * - `fail`: it definitely did not happen (request refused before it could apply, connection
 *   never established); a cas whose compare failed is a `fail` with `precondition: false`;
 * - `info`: unknown (timeout, connection lost mid-request): it may take effect at any time.
 * Clients never throw for an op's outcome; a throw from `invoke` is a bug in the client and the
 * executor records it as `info` (the op may still have been sent).
 */
import type { JsonValue, Key } from '../history/op.js';

/** One node of the system under test, as the clients see it. */
export interface NodeEndpoint {
  /** Node name as used in histories and by the nemesis (`n1`). */
  name: string;
  /** Client URL, e.g. `http://10.77.0.11:2379`. */
  url: string;
}

export interface ClientOp {
  f: string;
  key?: Key;
  value?: JsonValue;
}

export type CompletionType = 'ok' | 'fail' | 'info';

export interface Completion {
  type: CompletionType;
  value?: JsonValue;
  /** Short machine-readable reason for fail/info (`timeout`, `cas-mismatch`, `unavailable: ...`). */
  error?: JsonValue;
  /**
   * On a `fail`: the op ran and its precondition was false (a cas that saw another value), so
   * the fail is an observation; recorded as the op's `precondition` (see history/op.ts).
   */
  precondition?: false;
}

export interface InvokeOptions {
  /** Give up after this long; the op becomes `info` (or `fail` for reads, see the workload). */
  timeoutMs?: number;
  /** Aborting is treated like a timeout: the request may already be on the wire. */
  signal?: AbortSignal;
}

export interface Client {
  readonly node: string;
  invoke(op: ClientOp, opts?: InvokeOptions): Promise<Completion>;
  close(): Promise<void>;
}

export interface Workload {
  /** `etcd-register`, ... (recorded in results.json). */
  readonly name: string;
  /** Opens a client bound to one node. Must not wait for the node to be reachable. */
  open(node: NodeEndpoint): Promise<Client>;
  /** Optional: prepares the system before any worker starts (e.g. creates/empties a table). */
  setup?(nodes: readonly NodeEndpoint[]): Promise<void>;
  /**
   * Optional: what runs after recovery instead of reading every key on every node: these ops
   * through every worker's client path (a fresh client per worker, on that worker's node), e.g.
   * one `read-votes` each, so convergence can compare the paths. Recorded like any op.
   */
  finalOps?(): ClientOp[];
  /** Optional: the (unrecorded) op that tells a node has recovered; default a read of key 0. */
  readonly probeOp?: ClientOp;
}

/** Worker i talks to node i mod n: spreads workers evenly, the same way on every run. */
export function nodeForWorker(nodes: readonly NodeEndpoint[], worker: number): NodeEndpoint {
  if (nodes.length === 0) throw new Error('no nodes to talk to');
  return nodes[worker % nodes.length]!;
}
