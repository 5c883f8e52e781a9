/**
 * Cycle search over the dependency graph, per strongly connected component, and naming of the
 * cycles found (Adya's phenomena as Elle names them):
 *   G0 only ww; G1c ww+wr (at least one wr); G-single exactly one rw; G-nonadjacent several rw,
 *   never two in a row; G2-item several rw, some adjacent. A cycle that needs process order is
 *   `-process`, one that needs real-time order `-realtime`.
 * The search goes level by level (data edges; + process; + real time) and, inside each SCC of a
 * level, tries one strategy per class: a start edge of the class's kind, then a shortest path
 * back (BFS over node x constraint state: "seen a required edge", "last edge was rw"). A cycle is
 * named by its actual shape, not by the strategy that found it.
 *
 * Bounded by a deadline: when it passes, the search stops and reports which SCCs it did not
 * finish; those still prove that a cycle exists (Tarjan is linear and always runs), which is
 * reported as Elle's `*-cycle-exists` anomalies.
 */
import {
  DATA,
  DepGraph,
  PROCESS,
  REALTIME,
  RW,
  WR,
  WW,
  stronglyConnected,
  type Why,
} from './graph.js';

export interface CycleEdge {
  from: number;
  to: number;
  type: number;
  why: Why | null;
}

export interface FoundCycle {
  /** G0, G1c, G-single, G-nonadjacent, G2-item, each maybe with -process / -realtime. */
  type: string;
  edges: CycleEdge[];
}

export interface Unfinished {
  level: string;
  /** The class being searched when time ran out. */
  searching: string;
  sccSize: number;
}

export interface CycleSearchResult {
  cycles: FoundCycle[];
  /** Components whose classification did not finish (deadline). */
  unfinished: Unfinished[];
  /** `*-cycle-exists` anomalies proven for unfinished components. */
  cycleExists: string[];
  /** Nontrivial SCCs per level, and the largest. */
  sccs: Record<string, { count: number; largest: number }>;
}

class Timeout extends Error {}

interface Level {
  name: string;
  suffix: string;
  order: number;
  added: number;
  /** Proven by a nontrivial SCC at this level (PL-1/PL-2 come from finer SCCs). */
  exists: string;
}

const LEVELS: Level[] = [
  { name: 'data', suffix: '', order: 0, added: 0, exists: 'PL-2.99-cycle-exists' },
  {
    name: 'process',
    suffix: '-process',
    order: PROCESS,
    added: PROCESS,
    exists: 'strong-session-serializable-cycle-exists',
  },
  {
    name: 'realtime',
    suffix: '-realtime',
    order: PROCESS | REALTIME,
    added: REALTIME,
    exists: 'PL-SS-cycle-exists',
  },
];

interface Strategy {
  cls: string;
  /** Edge types the path back may use. */
  allowed: number;
  /** Type of the first edge. */
  start: number;
  /** Edge types of which the cycle must contain at least one (0: none). */
  require: number;
  nonadjacent?: boolean;
}

function strategies(l: Level): Strategy[] {
  const O = l.order;
  const N = l.added;
  return [
    { cls: 'G0', allowed: WW | O, start: N || WW, require: 0 },
    { cls: 'G1c', allowed: WW | WR | O, start: N || WR, require: N ? WR : 0 },
    { cls: 'G-single', allowed: WW | WR | O, start: RW, require: N },
    { cls: 'G-nonadjacent', allowed: DATA | O, start: RW, require: N, nonadjacent: true },
    { cls: 'G2-item', allowed: DATA | O, start: RW, require: N },
  ];
}

/** The name of a cycle from its edges. */
export function classifyCycle(edges: readonly CycleEdge[]): string {
  let rw = 0;
  let adjacent = false;
  let wr = false;
  let proc = false;
  let rt = false;
  for (let i = 0; i < edges.length; i++) {
    const t = edges[i]!.type;
    if (t === RW) {
      rw++;
      if (edges[(i + 1) % edges.length]!.type === RW && edges.length > 1) adjacent = true;
    } else if (t === WR) wr = true;
    else if (t === PROCESS) proc = true;
    else if (t === REALTIME) rt = true;
  }
  const base =
    rw === 0 ? (wr ? 'G1c' : 'G0') : rw === 1 ? 'G-single' : adjacent ? 'G2-item' : 'G-nonadjacent';
  return base + (rt ? '-realtime' : proc ? '-process' : '');
}

export interface CycleSearchOptions {
  /** performance.now() value after which the search stops. */
  deadline: number;
}

export function searchCycles(g: DepGraph, opts: CycleSearchOptions): CycleSearchResult {
  const cycles: FoundCycle[] = [];
  const unfinished: Unfinished[] = [];
  const exists = new Set<string>();
  const sccs: CycleSearchResult['sccs'] = {};
  let steps = 0;
  const tick = () => {
    if ((++steps & 1023) === 0 && performance.now() > opts.deadline) throw new Timeout();
  };
  const everyNode = { [Symbol.iterator]: () => range(g.n) };
  let timedOut = false;

  for (const level of LEVELS) {
    const { components } = stronglyConnected(g, DATA | level.order, everyNode);
    sccs[level.name] = {
      count: components.length,
      largest: components.reduce((m, c) => Math.max(m, c.length), 0),
    };
    for (const members of components) {
      const inS = new Set(members);
      const found = new Set<string>();
      let current = '';
      try {
        if (timedOut || performance.now() > opts.deadline) throw new Timeout();
        for (const s of strategies(level)) {
          current = s.cls + level.suffix;
          if (found.has(current)) continue;
          const c = findCycle(g, s, members, inS, tick);
          if (c === undefined) continue;
          const type = classifyCycle(c);
          if (found.has(type)) continue;
          found.add(type);
          cycles.push({ type, edges: c });
        }
      } catch (err) {
        if (!(err instanceof Timeout)) throw err;
        timedOut = true;
        unfinished.push({ level: level.name, searching: current, sccSize: members.length });
        for (const e of provenCycles(g, level, members, inS)) exists.add(e);
      }
    }
  }
  return { cycles, unfinished, cycleExists: [...exists].sort(), sccs };
}

/** What a component proves by itself (linear time): the finest edge sets that still cycle. */
function provenCycles(g: DepGraph, level: Level, members: number[], inS: Set<number>): string[] {
  const out = [level.exists];
  if (level.order === 0) {
    const has = (mask: number) =>
      stronglyConnected(g, mask, members, (v) => inS.has(v)).components.length > 0;
    if (has(WW)) out.push('PL-1-cycle-exists');
    if (has(WW | WR)) out.push('PL-2-cycle-exists');
  }
  return out;
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** One cycle of the strategy's shape inside the component, or undefined. */
function findCycle(
  g: DepGraph,
  s: Strategy,
  members: number[],
  inS: Set<number>,
  tick: () => void,
): CycleEdge[] | undefined {
  // Components of the path graph: a start edge a->b needs b to reach a in it.
  const pathMask = s.allowed;
  const { comp } = stronglyConnected(g, pathMask, members, (v) => inS.has(v));
  const compOf = (v: number) => (comp as Map<number, number>).get(v) ?? -1;
  const startInPath = (s.start & pathMask) !== 0;
  for (const a of members) {
    const tos = g.to[a]!;
    const types = g.type[a]!;
    for (let i = 0; i < tos.length; i++) {
      tick();
      if ((types[i]! & s.start) === 0) continue;
      const b = tos[i]!;
      if (!inS.has(b)) continue;
      const ca = compOf(a);
      const cb = compOf(b);
      // Reverse topological numbering: b can reach a only from an equal or higher component.
      if (startInPath ? ca !== cb : cb < ca) continue;
      const path = pathBack(g, s, a, b, types[i]!, inS, tick);
      if (path) return [{ from: a, to: b, type: types[i]!, why: g.why[a]![i]! }, ...path];
    }
  }
  return undefined;
}

/**
 * Shortest path b -> a over allowed edges inside the component that, with the start edge,
 * satisfies the strategy: state = (node, seen a required edge, last edge was rw).
 */
function pathBack(
  g: DepGraph,
  s: Strategy,
  a: number,
  b: number,
  startType: number,
  inS: Set<number>,
  tick: () => void,
): CycleEdge[] | undefined {
  const req0 = s.require === 0 || (startType & s.require) !== 0 ? 1 : 0;
  const rw0 = startType === RW ? 1 : 0;
  const key = (v: number, req: number, rw: number) => v * 4 + req * 2 + rw;
  const start = key(b, req0, rw0);
  const parent = new Map<number, [prev: number, edge: number]>([[start, [-1, -1]]]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const st of frontier) {
      const v = Math.floor(st / 4);
      const req = (st >> 1) & 1;
      const lastRw = st & 1;
      if (v === a && req === 1 && !(s.nonadjacent && lastRw === 1)) return unwind(g, parent, st);
      if (v === a) continue; // a cycle through a, but not of this shape: do not pass through a
      const tos = g.to[v]!;
      const types = g.type[v]!;
      for (let i = 0; i < tos.length; i++) {
        tick();
        const t = types[i]!;
        if ((t & s.allowed) === 0) continue;
        const w = tos[i]!;
        if (!inS.has(w)) continue;
        if (s.nonadjacent && t === RW && lastRw === 1) continue;
        const ns = key(w, req === 1 || (t & s.require) !== 0 ? 1 : 0, t === RW ? 1 : 0);
        if (parent.has(ns)) continue;
        parent.set(ns, [st, i]);
        next.push(ns);
      }
    }
    frontier = next;
  }
  return undefined;
}

function unwind(g: DepGraph, parent: Map<number, [number, number]>, end: number): CycleEdge[] {
  const edges: CycleEdge[] = [];
  let st = end;
  for (;;) {
    const [prev, i] = parent.get(st)!;
    if (prev === -1) break;
    const from = Math.floor(prev / 4);
    edges.push({ from, to: g.to[from]![i]!, type: g.type[from]![i]!, why: g.why[from]![i]! });
    st = prev;
  }
  return edges.reverse();
}
