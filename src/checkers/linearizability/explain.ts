/**
 * Explaining a violation: which op cannot be linearized, the longest linearizable prefixes with
 * the model state after them, and the ops concurrent with the failing one. Plain JSON (kept in
 * the result), plus a terminal rendering.
 */
import type { JsonValue, Key, Process } from '../../history/op.js';
import type { Model, ModelOp } from './model.js';
import { defaultDescribeOp } from './model.js';
import type { Partition } from './prepare.js';
import { type Prefix, describeState } from './search.js';

export interface OpSummary {
  /** History index of the invoke and of the completion (-1: never completed). */
  index: number;
  completeIndex: number;
  process: Process;
  f: string;
  key?: Key;
  value: JsonValue | null;
  /** What the op returned; null when unknown. */
  output: JsonValue | null;
  status: 'ok' | 'info';
  description: string;
  /** Nanosecond times (for diagrams); -1 unknown. */
  invokeTime: number;
  completeTime: number;
}

export interface PrefixSummary {
  /** Number of ops in the prefix. */
  length: number;
  /** History indices (invokes) of the prefix, in linearization order. */
  opIndices: number[];
  /** The model state after the prefix. */
  state: string;
  /** The last few ops of the prefix, described. */
  lastOps: OpSummary[];
  /** The op whose return came before it could be linearized after this prefix. */
  blockedOp: number;
  /**
   * The linearization step by step, for the diagram's step-through: each op (history index of
   * its invoke) with the model state after it. The last MAX_STEPS steps; `stepsFrom` is the
   * position of the first one kept.
   */
  steps?: LinearizationStep[];
  stepsFrom?: number;
}

export interface LinearizationStep {
  index: number;
  description: string;
  state: string;
}

export interface Violation {
  key: Key | null;
  /** The op that cannot be linearized. */
  op: OpSummary;
  /** Longest linearizable prefixes found (the search keeps a few distinct ones). */
  prefixes: PrefixSummary[];
  /** Ops whose intervals overlap the failing op's, in invoke order (capped). */
  concurrent: OpSummary[];
  /** One sentence saying what went wrong. */
  message: string;
}

const LAST_OPS = 8;
const MAX_STEPS = 200;
const MAX_STATE_CHARS = 160;
const MAX_CONCURRENT = 40;

export function summarizeOp(op: ModelOp, model: Model<unknown>): OpSummary {
  const s: OpSummary = {
    index: op.invokeIndex,
    completeIndex: op.completeIndex,
    process: op.process,
    f: op.f,
    value: op.input ?? null,
    output: op.output ?? null,
    status: op.status,
    description: (model.describeOp ?? defaultDescribeOp)(op),
    invokeTime: op.invokeTime,
    completeTime: op.completeTime,
  };
  if (op.key !== undefined) s.key = op.key;
  return s;
}

export function explainViolation(partition: Partition, longest: readonly Prefix[]): Violation {
  const { ops, model } = partition;
  const best = longest[0];
  // An op the model can show is illegal in every order is the plainest explanation there is.
  const impossible = model.impossible?.(ops);
  const blocked =
    impossible !== undefined
      ? impossible.id
      : best && best.blockedOp >= 0
        ? best.blockedOp
        : firstOkOp(ops);
  const failing = ops[blocked]!;
  const end = failing.completeIndex < 0 ? Infinity : failing.completeIndex;
  const alternative = new Set<number>(); // one op expanded into alternatives (choice) is listed once
  const concurrent = ops
    .filter(
      (o) =>
        o.id !== failing.id &&
        (o.choice === undefined ||
          (!alternative.has(o.invokeIndex) && alternative.add(o.invokeIndex) !== undefined)) &&
        o.invokeIndex < end &&
        (o.completeIndex < 0 || o.completeIndex > failing.invokeIndex),
    )
    .slice(0, MAX_CONCURRENT)
    .map((o) => summarizeOp(o, model));
  const prefixes = longest.map((p, i): PrefixSummary => ({
    length: p.ops.length,
    opIndices: p.ops.map((id) => ops[id]!.invokeIndex),
    state: p.state,
    lastOps: p.ops.slice(-LAST_OPS).map((id) => summarizeOp(ops[id]!, model)),
    blockedOp: ops[p.blockedOp >= 0 ? p.blockedOp : blocked]!.invokeIndex,
    ...(i === 0 ? replaySteps(partition, p.ops) : {}),
  }));
  const op = summarizeOp(failing, model);
  const states = [...new Set(prefixes.map((p) => p.state))];
  const where = partition.key === null ? '' : ` on key ${JSON.stringify(partition.key)}`;
  const prefixText =
    prefixes.length > 0
      ? `the longest linearizable prefix has ${prefixes[0]!.length} of ${ops.length} ops and leaves the state ${states.join(' or ')}`
      : undefined;
  const why =
    impossible !== undefined
      ? [impossible.reason, ...(prefixText ? [prefixText] : [])]
      : [
          ...(prefixText ? [prefixText] : []),
          concurrent.length === 0
            ? `it is not legal there, and no op overlaps it (it returned at op ${op.completeIndex})`
            : `no order of the ${concurrent.length} concurrent op(s) makes it legal before it returned (op ${op.completeIndex})`,
        ];
  const message = `${describeWho(op)} cannot be linearized${where}: ${why.join('; ')}`;
  return { key: partition.key, op, prefixes, concurrent, message };
}

/** The states along a linearization (the explanation's step-through), replayed on the model. */
function replaySteps(
  partition: Partition,
  order: readonly number[],
): { steps: LinearizationStep[]; stepsFrom: number } {
  const { ops, model } = partition;
  model.prepare?.(ops);
  const from = Math.max(0, order.length - MAX_STEPS);
  const steps: LinearizationStep[] = [];
  let state: unknown = model.init();
  for (let i = 0; i < order.length && state !== undefined; i++) {
    const op = ops[order[i]!]!;
    state = model.step(state, op);
    if (i < from || state === undefined) continue;
    steps.push({
      index: op.invokeIndex,
      description: (model.describeOp ?? defaultDescribeOp)(op),
      state: clip(describeState(model, state), MAX_STATE_CHARS),
    });
  }
  return { steps, stepsFrom: from };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function firstOkOp(ops: readonly ModelOp[]): number {
  let best = 0;
  for (const o of ops) {
    if (
      o.status === 'ok' &&
      (ops[best]!.status !== 'ok' || o.completeIndex < ops[best]!.completeIndex)
    )
      best = o.id;
  }
  return best;
}

function describeWho(op: OpSummary): string {
  return `op ${op.index} (process ${String(op.process)}: ${op.description})`;
}

/** Readable terminal text for one violation. */
export function formatViolationText(v: Violation): string {
  const lines: string[] = [];
  lines.push(`NOT LINEARIZABLE${v.key === null ? '' : ` (key ${JSON.stringify(v.key)})`}`);
  lines.push(`  ${v.message}`);
  const p = v.prefixes[0];
  if (p) {
    lines.push(
      `  longest linearizable prefix: ${p.length} op${p.length === 1 ? '' : 's'}, state after it: ${p.state}`,
    );
    if (v.prefixes.length > 1) {
      lines.push(
        `  (other prefixes of that length end in: ${v.prefixes
          .slice(1)
          .map((x) => x.state)
          .join(', ')})`,
      );
    }
    if (p.lastOps.length > 0) {
      lines.push('  last ops of the prefix:');
      for (const o of p.lastOps) lines.push(`    ${fmtOp(o)}`);
    }
  }
  lines.push(`  failing op:\n    ${fmtOp(v.op)}`);
  if (v.concurrent.length > 0) {
    lines.push('  concurrent ops:');
    for (const o of v.concurrent) lines.push(`    ${fmtOp(o)}`);
  }
  return lines.join('\n');
}

function fmtOp(o: OpSummary): string {
  const end = o.completeIndex < 0 ? '∞' : String(o.completeIndex);
  return `[${o.index}..${end}] p${String(o.process)} ${o.description}${o.status === 'info' ? ' (indeterminate)' : ''}`;
}
