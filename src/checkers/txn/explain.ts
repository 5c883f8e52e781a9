/**
 * Explanations a person can follow: a cycle as a chain of steps, each one fact from the history
 * and the order it forces ("T1 appended 3 to key 9; T2 read key 9 without it, so T2 < T1 (rw)"),
 * ending where it started. Plain data (for results.json and the report) plus the text.
 */
import type { JsonValue } from '../../history/op.js';
import { describeValue } from '../../history/errors.js';
import { EDGE_NAMES, PROCESS, REALTIME, RW, WR, WW } from './graph.js';
import type { CycleEdge, FoundCycle } from './cycles.js';
import type { Txn } from './txns.js';

export interface CycleStep {
  /** History index of the earlier txn's completion, and of the later one. */
  from: number;
  to: number;
  type: string;
  key?: JsonValue;
  value?: JsonValue;
  text: string;
}

export interface ExplainedCycle {
  type: string;
  /** History indexes of the txns on the cycle, in order. */
  ops: number[];
  steps: CycleStep[];
  /** The steps as one paragraph, ending with the contradiction. */
  explanation: string;
}

const name = (t: Txn) => `T${t.index}`;
const v = describeValue;
const seconds = (ns: number) => `${(ns / 1e9).toFixed(3)} s`;

export type TxnDataModel = 'list-append' | 'rw-register';

function registerStep(e: CycleEdge, A: string, B: string, order: string): string | undefined {
  const w = e.why!;
  const prev = w.prev === null || w.prev === undefined ? 'nil (never written)' : v(w.prev);
  switch (e.type) {
    case WW:
      return `${A} wrote ${v(w.prev)} to key ${v(w.key)} and ${B} wrote ${v(w.value)}, a later version (${B} read or wrote ${v(w.prev)} first); ${order}`;
    case WR:
      return `${B} read key ${v(w.key)} = ${v(w.value)}, which ${A} wrote; ${order}`;
    case RW:
      return `${A} read key ${v(w.key)} = ${prev}, and ${B} wrote ${v(w.value)}, a later version; ${order}`;
    default:
      return undefined;
  }
}

function stepText(e: CycleEdge, a: Txn, b: Txn, model: TxnDataModel): string {
  const A = name(a);
  const B = name(b);
  const w = e.why;
  const order = `so ${A} < ${B} (${EDGE_NAMES[e.type]})`;
  if (model === 'rw-register' && w) {
    const text = registerStep(e, A, B, order);
    if (text) return text;
  }
  switch (e.type) {
    case WW:
      return w!.unread
        ? `${B} appended ${v(w!.value)} to key ${v(w!.key)}, which no read ever saw, so it comes after ${v(w!.prev)} that ${A} appended; ${order}`
        : `${A} appended ${v(w!.prev)} to key ${v(w!.key)} and ${B} appended ${v(w!.value)} right after it; ${order}`;
    case WR:
      return `${B} read key ${v(w!.key)} ending in ${v(w!.value)}, which ${A} appended; ${order}`;
    case RW: {
      const saw =
        w!.prev === null || w!.prev === undefined
          ? `read key ${v(w!.key)} as empty`
          : `read key ${v(w!.key)} up to ${v(w!.prev)}`;
      const then = w!.unread
        ? `${B} appended ${v(w!.value)} (committed, never read, so after every version read)`
        : `${B} appended the next element, ${v(w!.value)}`;
      return `${A} ${saw}, without ${v(w!.value)}; ${then}; ${order}`;
    }
    case PROCESS:
      return `${A} completed before ${B} began on process ${a.process}; ${order}`;
    case REALTIME:
      return `${A} completed at ${seconds(a.completeTime)}, before ${B} began at ${seconds(b.invokeTime)}; ${order}`;
    default:
      return order;
  }
}

export function explainCycle(
  c: FoundCycle,
  nodes: readonly Txn[],
  model: TxnDataModel = 'list-append',
): ExplainedCycle {
  const steps: CycleStep[] = c.edges.map((e) => {
    const a = nodes[e.from]!;
    const b = nodes[e.to]!;
    const s: CycleStep = {
      from: a.index,
      to: b.index,
      type: EDGE_NAMES[e.type] ?? String(e.type),
      text: stepText(e, a, b, model),
    };
    if (e.why) {
      s.key = e.why.key;
      s.value = e.why.value;
    }
    return s;
  });
  const ops = c.edges.map((e) => nodes[e.from]!.index);
  const chain = [...ops, ops[0]!].map((i) => `T${i}`).join(' < ');
  const explanation = `${steps.map((s) => s.text).join('. ')}. So ${chain}: a cycle (${c.type}), which no order of the transactions can satisfy.`;
  return { type: c.type, ops, steps, explanation };
}
