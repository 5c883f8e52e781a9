/**
 * The one definition of a run's op counts, used by every place that prints one (the summary,
 * the linearizability line, the report): client ops are the invocations of client processes
 * and their outcomes; a trial's final reads (after healing, on every node) are counted apart,
 * as the ops of processes numbered from `finalReadsFromProcess` on (the executor allocates
 * them after the main phase). Pure.
 */
import type { History } from './op.js';

export interface OpCounts {
  /** Client invocations. */
  invocations: number;
  ok: number;
  fail: number;
  info: number;
  /** Invoked and never completed (an `info` in all but name). */
  pending: number;
}

export interface RunCounts {
  /** The main phase's client ops. */
  client: OpCounts;
  /** The final reads (zero when the run had none or did not say where they start). */
  finalReads: OpCounts;
}

const empty = (): OpCounts => ({ invocations: 0, ok: 0, fail: 0, info: 0, pending: 0 });

export function countOps(history: History, finalReadsFromProcess?: number | null): RunCounts {
  const client = empty();
  const finalReads = empty();
  const from = finalReadsFromProcess ?? Infinity;
  const open = new Set<number>();
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    const c = op.process >= from ? finalReads : client;
    if (op.type === 'invoke') {
      c.invocations++;
      open.add(op.process);
    } else if (open.delete(op.process)) c[op.type]++;
  }
  for (const p of open) (p >= from ? finalReads : client).pending++;
  return { client, finalReads };
}

/** `157 ok, 78 fail, 5 info` (and pending when any). */
export function outcomesText(c: OpCounts): string {
  return `${c.ok} ok, ${c.fail} fail, ${c.info} info${c.pending ? `, ${c.pending} pending` : ''}`;
}
