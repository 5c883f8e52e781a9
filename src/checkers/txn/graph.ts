/**
 * The dependency graph of a transactional history: one node per transaction that may have
 * committed (ok or info), typed edges T1 -> T2 meaning "T1 must come before T2":
 * ww (T2 overwrote / appended after T1), wr (T2 read what T1 wrote), rw (T1 read a version that
 * T2 then replaced: an anti-dependency), plus process and real-time order. Each data edge keeps
 * why it exists (key and values) so a cycle can be explained step by step.
 *
 * Strongly connected components (Tarjan, iterative: histories have 100k+ nodes) restricted to a
 * set of edge types and to a region of nodes are what the cycle search (cycles.ts) is built on.
 */
import type { JsonValue, Key } from '../../history/op.js';

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;
export const ALL = DATA | PROCESS | REALTIME;

export type EdgeType = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';
export const EDGE_NAMES: Record<number, EdgeType> = {
  [WW]: 'ww',
  [WR]: 'wr',
  [RW]: 'rw',
  [PROCESS]: 'process',
  [REALTIME]: 'realtime',
};

/**
 * Why a data edge exists. ww: `value` was appended/written right after `prev`. wr: the reader saw
 * `value` (the last element it read). rw: the reader saw `prev` (null: nothing) and the writer
 * then added `value`; `unread` when `value` was never read by anyone (it must follow every
 * version that was).
 */
export interface Why {
  key: Key;
  value: JsonValue;
  prev?: JsonValue;
  unread?: boolean;
}

export class DepGraph {
  readonly to: number[][];
  readonly type: number[][];
  readonly why: (Why | null)[][];
  edges = 0;

  constructor(readonly n: number) {
    this.to = Array.from({ length: n }, () => []);
    this.type = Array.from({ length: n }, () => []);
    this.why = Array.from({ length: n }, () => []);
  }

  add(from: number, to: number, type: number, why: Why | null = null): void {
    if (from === to) return;
    this.to[from]!.push(to);
    this.type[from]!.push(type);
    this.why[from]!.push(why);
    this.edges++;
  }
}

/**
 * SCCs of the subgraph with edges of `mask`, over nodes where `inRegion(v)` (all when omitted).
 * Returns the components with more than one node, and `comp[v]` for every visited node: the
 * component's position in Tarjan's output order, which is a reverse topological order (an edge
 * between different components always goes from a higher to a lower number).
 */
export function stronglyConnected(
  g: DepGraph,
  mask: number,
  nodes: Iterable<number>,
  inRegion?: (v: number) => boolean,
): { components: number[][]; comp: Map<number, number> | Int32Array } {
  const region = inRegion ?? (() => true);
  const big = inRegion === undefined;
  const index = big ? new Int32Array(g.n).fill(-1) : new Map<number, number>();
  const low = big ? new Int32Array(g.n) : new Map<number, number>();
  const comp = big ? new Int32Array(g.n).fill(-1) : new Map<number, number>();
  const onStack = big ? new Uint8Array(g.n) : new Set<number>();
  const get = (m: Int32Array | Map<number, number>, v: number) =>
    m instanceof Int32Array ? m[v]! : (m.get(v) ?? -1);
  const set = (m: Int32Array | Map<number, number>, v: number, x: number) => {
    if (m instanceof Int32Array) m[v] = x;
    else m.set(v, x);
  };
  const isOn = (v: number) =>
    onStack instanceof Uint8Array ? onStack[v] === 1 : (onStack as Set<number>).has(v);
  const setOn = (v: number, on: boolean) => {
    if (onStack instanceof Uint8Array) onStack[v] = on ? 1 : 0;
    else if (on) onStack.add(v);
    else onStack.delete(v);
  };

  let counter = 0;
  let compCount = 0;
  const stack: number[] = [];
  const components: number[][] = [];
  const callV: number[] = [];
  const callI: number[] = [];
  for (const root of nodes) {
    if (get(index, root) !== -1 || !region(root)) continue;
    callV.push(root);
    callI.push(0);
    set(index, root, counter);
    set(low, root, counter++);
    stack.push(root);
    setOn(root, true);
    while (callV.length > 0) {
      const v = callV[callV.length - 1]!;
      const i = callI[callI.length - 1]!;
      const tos = g.to[v]!;
      const types = g.type[v]!;
      if (i < tos.length) {
        callI[callI.length - 1] = i + 1;
        if ((types[i]! & mask) === 0) continue;
        const w = tos[i]!;
        if (!region(w)) continue;
        const wi = get(index, w);
        if (wi === -1) {
          set(index, w, counter);
          set(low, w, counter++);
          stack.push(w);
          setOn(w, true);
          callV.push(w);
          callI.push(0);
        } else if (isOn(w)) {
          if (wi < get(low, v)) set(low, v, wi);
        }
        continue;
      }
      callV.pop();
      callI.pop();
      if (get(low, v) === get(index, v)) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          setOn(w, false);
          set(comp, w, compCount);
          members.push(w);
        } while (w !== v);
        compCount++;
        if (members.length > 1) components.push(members);
      }
      const parent = callV[callV.length - 1];
      if (parent !== undefined && get(low, v) < get(low, parent)) set(low, parent, get(low, v));
    }
  }
  return { components, comp };
}
