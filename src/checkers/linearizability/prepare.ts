/**
 * From a history to the ops the search replays: pairs each invoke with its completion, drops
 * what cannot matter, and splits into independent partitions (P-compositionality).
 *
 * - `fail`: the op definitely did not happen, so it is dropped; unless it carries
 *   `precondition: false` (it ran and refused) and the model checks such refusals: then it is a
 *   completed op that changed nothing (ModelOp.refused).
 * - `info`, or an invoke never completed: it may take effect at any point after its invocation,
 *   or never; its return is +infinity and the search never has to linearize it.
 * - Ops the model calls irrelevant (an indeterminate read, a read of nil under readNil
 *   'unknown') constrain nothing and are dropped.
 * - Nemesis ops are not client ops and are ignored.
 * Order is the history's array order (file order is the truth; times may go backwards).
 */
import type { History, Key, Op } from '../../history/op.js';
import { LinearizabilityInputError } from './errors.js';
import { type Model, type ModelOp, keyedModel } from './model.js';

export interface Partition {
  /** The partition key (kv key), or null for an unsplit history. */
  key: Key | null;
  model: Model<unknown>;
  ops: ModelOp[];
  /** Ops removed by the model's pruning (indeterminate writes nothing observes). */
  pruned: number;
  peakConcurrency: number;
}

export interface Prepared {
  partitions: Partition[];
  /** Client ops paired from the history, before dropping. */
  totalOps: number;
  droppedFailed: number;
  /** Failed ops kept as observations (their precondition was false). */
  refused: number;
  droppedIrrelevant: number;
}

/** Pairs invokes with completions per process. */
export function pairOps(history: History): { ops: ModelOp[]; failed: number } {
  // `failed` counts fails dropped here; refused ops are kept (prepare may still drop them).
  const open = new Map<number, { op: Op; at: number }>();
  // Paired ops by the position of their invoke: invoke order without sorting.
  const byInvoke: (ModelOp | undefined)[] = new Array(history.length);
  let failed = 0;
  for (let at = 0; at < history.length; at++) {
    const op = history[at]!;
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      if (open.has(op.process)) {
        const prev = open.get(op.process)!;
        throw new LinearizabilityInputError(
          `op ${op.index}: process ${op.process} invokes ${op.f} while its ${prev.op.f} (op ${prev.op.index}) is still open`,
        );
      }
      open.set(op.process, { op, at });
      continue;
    }
    const inv = open.get(op.process);
    if (inv === undefined) {
      throw new LinearizabilityInputError(
        `op ${op.index}: ${op.type} ${op.f} of process ${op.process} has no matching invoke`,
      );
    }
    open.delete(op.process);
    if (inv.op.f !== op.f) {
      throw new LinearizabilityInputError(
        `op ${op.index}: completion f "${op.f}" does not match invoke f "${inv.op.f}" (op ${inv.op.index})`,
      );
    }
    if (op.type === 'fail' && op.precondition !== false) {
      failed++;
      continue;
    }
    const m = makeOp(inv.op, inv.at, op.type === 'info' ? undefined : op, at);
    if (op.type === 'fail') m.refused = true;
    byInvoke[inv.at] = m;
  }
  for (const { op, at } of open.values()) byInvoke[at] = makeOp(op, at, undefined, -1);
  // Ops in invoke order (deterministic ids).
  const all: ModelOp[] = [];
  for (let i = 0; i < byInvoke.length; i++) {
    const m = byInvoke[i];
    if (m === undefined) continue;
    m.id = all.length;
    all.push(m);
  }
  return { ops: all, failed };
}

function makeOp(inv: Op, invAt: number, ok: Op | undefined, okAt: number): ModelOp {
  const m: ModelOp = {
    id: 0,
    f: inv.f,
    input: inv.value,
    output: ok ? (ok.value ?? null) : undefined,
    status: ok ? 'ok' : 'info',
    process: inv.process,
    invokeIndex: invAt,
    completeIndex: ok ? okAt : -1,
    invokeTime: inv.time,
    completeTime: ok ? ok.time : -1,
  };
  if (inv.key !== undefined) m.key = inv.key;
  return m;
}

export function prepare(history: History, model: Model<unknown>, split: boolean): Prepared {
  const paired = pairOps(history);
  let failed = paired.failed;
  let refused = 0;
  let irrelevant = 0;
  const relevant: ModelOp[] = [];
  const ops = paired.ops;
  for (const op of ops) {
    if (op.refused) {
      if (!model.refusable?.(op)) {
        failed++; // a model that cannot use the observation: the op did not happen, for it
        continue;
      }
      refused++;
    }
    const problem = model.validate?.(op);
    if (problem !== undefined) {
      throw new LinearizabilityInputError(
        `op ${history[op.invokeIndex]?.index ?? op.invokeIndex}: ${problem}`,
      );
    }
    if (model.irrelevant?.(op)) irrelevant++;
    else relevant.push(op);
  }

  const groups = new Map<Key | null, ModelOp[]>();
  if (split && model.partition) {
    for (const op of relevant) {
      const k = model.partition(op) ?? null;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(op);
    }
  } else {
    groups.set(null, relevant);
  }
  const partModel = partitionModelFor(model, split, relevant);

  const partitions: Partition[] = [];
  for (const [key, group] of groups) {
    // A model's own pruning sees one object; the keyed wrapper of an unsplit history prunes per key.
    const canPrune =
      partModel.prune !== undefined &&
      (key !== null || partModel !== model || !group.some((o) => o.key !== undefined));
    const kept = canPrune ? partModel.prune!(group) : group;
    // The ops are this call's own (fresh from pairOps), each in one partition: renumber them
    // in place rather than copying a million objects.
    for (let i = 0; i < kept.length; i++) kept[i]!.id = i;
    const renumbered = kept;
    partitions.push({
      key,
      model: partModel,
      ops: renumbered,
      pruned: group.length - kept.length,
      peakConcurrency: peakConcurrency(renumbered),
    });
  }
  return {
    partitions,
    totalOps: paired.ops.length + paired.failed,
    droppedFailed: failed,
    refused,
    droppedIrrelevant: irrelevant,
  };
}

/**
 * The model each partition is checked against. Split: the model's per-partition model. Unsplit:
 * a model that is itself the whole keyed object (kv) checks everything at once, and a
 * per-object model over keyed ops becomes a map of independent instances.
 */
export function partitionModelFor(
  model: Model<unknown>,
  split: boolean,
  ops: readonly ModelOp[],
): Model<unknown> {
  if (split && model.partition) return model.partitionModel ?? model;
  const keyed = !model.partitionModel && ops.some((o) => o.key !== undefined);
  return keyed ? (keyedModel(model) as Model<unknown>) : model;
}

/** Most ops open at once (an op that never completes stays open to the end). */
export function peakConcurrency(ops: readonly ModelOp[]): number {
  const ev: number[] = [];
  for (const o of ops) {
    ev.push(o.invokeIndex * 2 + 1);
    if (o.completeIndex >= 0) ev.push(o.completeIndex * 2);
  }
  ev.sort((a, b) => a - b);
  let cur = 0;
  let peak = 0;
  for (const e of ev) {
    cur += e & 1 ? 1 : -1;
    if (cur > peak) peak = cur;
  }
  return peak;
}
