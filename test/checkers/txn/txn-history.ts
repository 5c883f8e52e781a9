/**
 * Builds small txn histories by hand (as Elle's own tests do): invoke/complete per process, with
 * reads nulled in the invoke, index and time assigned in order.
 */
import type { History, JsonValue, Op } from '../../../src/history/op.js';

export type M = [string, string | number, JsonValue];

export class TxnHistory {
  readonly ops: History = [];
  private readonly pending = new Map<number, M[]>();

  private push(op: Omit<Op, 'index' | 'time'>): void {
    const index = this.ops.length;
    this.ops.push({ index, time: index * 1_000_000, ...op } as Op);
  }

  invoke(p: number, mops: M[]): this {
    this.pending.set(p, mops);
    this.push({
      type: 'invoke',
      process: p,
      f: 'txn',
      value: mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]),
    });
    return this;
  }

  complete(p: number, type: 'ok' | 'fail' | 'info' = 'ok', mops?: M[]): this {
    const m = mops ?? this.pending.get(p)!;
    this.pending.delete(p);
    this.push({
      type,
      process: p,
      f: 'txn',
      value: type === 'ok' ? m : m.map(([f, k, v]) => [f, k, f === 'r' ? null : v]),
    });
    return this;
  }

  /** A txn that runs alone: invoke then complete. */
  txn(p: number, mops: M[], type: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.invoke(p, mops).complete(p, type);
  }

  /** Txns that all overlap: every invoke, then every completion (ok). */
  concurrent(...txns: Array<[p: number, mops: M[]]>): this {
    for (const [p, m] of txns) this.invoke(p, m);
    for (const [p] of txns) this.complete(p);
    return this;
  }
}
