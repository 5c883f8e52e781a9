/**
 * Transactions of a history, paired (invoke + completion) and numbered, and the two orders that
 * need no data: process order (one process runs one txn after another) and real-time order
 * (T1 completed before T2 was invoked). Both are added as graph edges in a transitively reduced
 * form, so a history of n txns at concurrency c adds O(n * c) edges, not O(n^2).
 */
import type { History, Op } from '../../history/op.js';
import { isTxnOp, microOps, type MicroOp } from '../../history/txn.js';
import { DepGraph, PROCESS, REALTIME } from './graph.js';

export interface Txn {
  /** Graph node (ok and info txns), or -1 for failed ones. */
  node: number;
  type: 'ok' | 'info' | 'fail';
  /** History index of the completion (of the invoke when it never completed). */
  index: number;
  invokeIndex: number;
  process: number;
  invokeTime: number;
  /** Completion time; Infinity for info (it may take effect at any time). */
  completeTime: number;
  /** The completion's micro-ops for ok txns (reads filled in); the invoke's otherwise. */
  mops: readonly MicroOp[];
}

export interface Txns {
  /** Every txn, in completion order. */
  all: Txn[];
  /** Graph nodes: ok and info txns, `nodes[t.node] === t`. */
  nodes: Txn[];
  /** History index of each txn's completion -> txn. */
  byIndex: Map<number, Txn>;
}

/** Pairs txn invokes with their completions (an invoke that never completed counts as info). */
export function collectTxns(history: History): Txns {
  const open = new Map<number, Op>();
  const all: Txn[] = [];
  const make = (inv: Op, done: Op | undefined): Txn => {
    const type = done === undefined ? 'info' : (done.type as Txn['type']);
    return {
      node: -1,
      type,
      index: done?.index ?? inv.index,
      invokeIndex: inv.index,
      process: inv.process as number,
      invokeTime: inv.time,
      completeTime: type === 'ok' ? done!.time : Infinity,
      mops: microOps(type === 'ok' ? done! : inv),
    };
  };
  for (const op of history) {
    if (!isTxnOp(op)) continue;
    const p = op.process as number;
    if (op.type === 'invoke') {
      open.set(p, op);
      continue;
    }
    const inv = open.get(p);
    if (inv === undefined) continue; // validation rejects this; be safe for unvalidated input
    open.delete(p);
    all.push(make(inv, op));
  }
  for (const inv of open.values()) all.push(make(inv, undefined));
  const nodes: Txn[] = [];
  for (const t of all) {
    if (t.type === 'fail') continue;
    t.node = nodes.length;
    nodes.push(t);
  }
  return { all, nodes, byIndex: new Map(all.map((t) => [t.index, t])) };
}

/** Process order: each process's txns, one after the other (failed ones leave no node). */
export function addProcessOrder(g: DepGraph, txns: Txns): void {
  const last = new Map<number, Txn>();
  const byInvoke = [...txns.nodes].sort((a, b) => a.invokeIndex - b.invokeIndex);
  for (const t of byInvoke) {
    const prev = last.get(t.process);
    if (prev !== undefined && prev.type === 'ok') g.add(prev.node, t.node, PROCESS);
    last.set(t.process, t);
  }
}

/**
 * Real-time order, reduced: the frontier holds the completed txns no later completed txn
 * follows; a txn invoked now follows exactly the frontier, and once it completes it replaces
 * the frontier members it followed. Every real-time precedence is then a path.
 */
export function addRealtimeOrder(g: DepGraph, txns: Txns, history: History): void {
  let frontier: number[] = [];
  const after = new Map<number, number[]>(); // node -> frontier when it was invoked
  const nodeOfInvoke = new Map<number, Txn>();
  const nodeOfCompletion = new Map<number, Txn>();
  for (const t of txns.nodes) {
    nodeOfInvoke.set(t.invokeIndex, t);
    if (t.type === 'ok') nodeOfCompletion.set(t.index, t);
  }
  for (const op of history) {
    const inv = nodeOfInvoke.get(op.index);
    if (inv !== undefined) {
      // Within one process the process edges already say it (and name the cycle better).
      for (const f of frontier)
        if (txns.nodes[f]!.process !== inv.process) g.add(f, inv.node, REALTIME);
      if (inv.type === 'ok') after.set(inv.node, frontier);
      continue;
    }
    const done = nodeOfCompletion.get(op.index);
    if (done !== undefined) {
      const preds = new Set(after.get(done.node) ?? []);
      after.delete(done.node);
      frontier = frontier.filter((f) => !preds.has(f));
      frontier.push(done.node);
    }
  }
}
