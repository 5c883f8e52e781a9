/**
 * The PostgreSQL list-append workload (issue 16): client processes run generated transactions
 * (src/generators/txn-schedule.ts) of reads and appends over a small, rotating key set at a
 * chosen isolation level (pg/append-txn.ts), recorded as `txn` ops in the shared micro-op form
 * (src/history/txn.ts) and checked by the list-append checker (src/checkers/txn).
 *
 * ops: `txn` (value: micro-ops; the ok completion carries what every read returned). The final
 * ops are one read of every key through every worker's client path, so appends that were never
 * read inside the run are still seen (or found lost).
 */
import type { JsonValue } from '../history/op.js';
import type {
  Client,
  ClientOp,
  Completion,
  InvokeOptions,
  NodeEndpoint,
  Workload,
} from './client.js';
import {
  type AppendMicroOp,
  ensureAppendTable,
  runAppendTxn,
  truncateAppendTable,
} from './pg/append-txn.js';
import type { Isolation } from './pg/cast-vote.js';
import {
  connectPg,
  destroyPg,
  DEFAULT_PG_TIMEOUTS,
  type PgConn,
  type PgTarget,
  type PgTimeouts,
} from './pg/connection.js';
import { classifyPgError } from './pg/errors.js';
import { pgTargetFromUrl } from './pg-vote.js';
import { withOpDeadline } from './op-deadline.js';

export interface PgTxnOptions {
  isolation: Isolation;
  table: string;
  /** Every key the schedule uses (final reads read them all). */
  keys: readonly number[];
  /** Attempts per txn when PostgreSQL rolled it back (serialization failure, deadlock). */
  maxAttempts: number;
  timeouts: PgTimeouts;
}

export const DEFAULT_PG_TXN_OPTIONS: PgTxnOptions = {
  isolation: 'read committed',
  table: 'faultline_append',
  keys: [],
  maxAttempts: 3,
  timeouts: DEFAULT_PG_TIMEOUTS,
};

/** Why an op is not a list-append txn, or undefined. */
function badTxn(value: JsonValue | undefined): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'txn needs a non-empty list of micro-ops';
  for (const m of value) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[1] !== 'number')
      return 'micro-op must be [f, key, value]';
    if (m[0] !== 'r' && !(m[0] === 'append' && typeof m[2] === 'number'))
      return `unsupported micro-op ${JSON.stringify(m)}`;
  }
  return undefined;
}

export class PgTxnWorkload implements Workload {
  readonly name = 'pg-list-append';
  readonly probeOp: ClientOp = { f: 'txn', value: [['r', 0, null]] };
  constructor(readonly options: PgTxnOptions = DEFAULT_PG_TXN_OPTIONS) {}

  async open(node: NodeEndpoint): Promise<Client> {
    return new PgTxnClient(pgTargetFromUrl(node.url, node.name), this.options);
  }

  /** Creates the table if needed and empties it (on the first node: one primary). */
  async setup(nodes: readonly NodeEndpoint[]): Promise<void> {
    const first = nodes[0];
    if (!first) throw new Error('no node to set the list-append table up on');
    const conn = await connectPg(
      pgTargetFromUrl(first.url, first.name),
      this.options.timeouts,
      'faultline-setup',
    );
    try {
      await ensureAppendTable(conn.client, this.options.table);
      await truncateAppendTable(conn.client, this.options.table);
    } finally {
      destroyPg(conn);
    }
  }

  finalOps(): ClientOp[] {
    if (this.options.keys.length === 0) return [];
    return [{ f: 'txn', value: this.options.keys.map((k) => ['r', k, null]) }];
  }
}

/**
 * One worker's connection (opened lazily; reopened after it broke, a failed connect is a
 * definite `fail`). The executor's deadline is a backstop over pg's own timeouts: when it fires
 * first the connection is destroyed and the txn is `info` (it may be committing).
 */
export class PgTxnClient implements Client {
  readonly node: string;
  private conn: PgConn | undefined;

  constructor(
    readonly target: PgTarget,
    readonly options: PgTxnOptions,
  ) {
    this.node = target.node ?? `${target.host}:${target.port}`;
  }

  async invoke(op: ClientOp, opts: InvokeOptions = {}): Promise<Completion> {
    if (op.f !== 'txn') return { type: 'fail', error: { type: 'unsupported-op', f: op.f } };
    const bad = badTxn(op.value);
    if (bad) return { type: 'fail', error: { type: 'bad-op', message: bad } };
    return withOpDeadline(this.run(op.value as AppendMicroOp[]), opts, (why) => {
      this.closeConn(); // it may be mid-transaction: never reuse it
      return { type: 'info', error: { type: why } };
    });
  }

  private async run(mops: AppendMicroOp[]): Promise<Completion> {
    if (!this.conn || this.conn.broken) {
      try {
        this.conn = await connectPg(this.target, this.options.timeouts, 'faultline-txn');
      } catch (err) {
        this.conn = undefined;
        return { type: 'fail', error: classifyPgError(err, 'connect').error };
      }
    }
    const o = await runAppendTxn(this.conn, mops, this.options);
    return o.type === 'ok'
      ? { type: 'ok', value: o.value as JsonValue }
      : { type: o.type, error: o.error };
  }

  private closeConn(): void {
    if (this.conn) destroyPg(this.conn);
    this.conn = undefined;
  }

  async close(): Promise<void> {
    this.closeConn();
  }
}
