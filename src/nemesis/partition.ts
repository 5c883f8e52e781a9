/**
 * Network partitions as grudges (pure, after Jepsen's jepsen.nemesis): a grudge maps each node to
 * the nodes whose packets it drops. Applying it (iptables.ts) drops traffic from `src` to `dst`
 * for every `src` in grudge[dst], on both ends (INPUT at dst, OUTPUT at src), so an asymmetric
 * grudge stays asymmetric and a symmetric one cuts both ways.
 */
import type { PartitionShape } from './fault.js';
import { shuffle, type Rng } from './rng.js';
import { majority, minorityThird } from './targets.js';

export type Grudge = Record<string, string[]>;

/** A directed cut: packets from `from` to `to` are dropped. */
export interface Cut {
  from: string;
  to: string;
}

export class PartitionError extends Error {
  override readonly name = 'PartitionError';
}

/** Every node drops traffic from every node outside its own component. */
export function completeGrudge(components: readonly (readonly string[])[]): Grudge {
  const all = components.flat();
  const grudge: Grudge = {};
  for (const comp of components) {
    for (const node of comp) {
      const others = all.filter((n) => !comp.includes(n));
      if (others.length > 0) grudge[node] = others;
    }
  }
  return grudge;
}

/** Splits into [first floor(n/2), the rest] (Jepsen's bisect). */
export function bisect<T>(nodes: readonly T[]): [T[], T[]] {
  const k = Math.floor(nodes.length / 2);
  return [nodes.slice(0, k), nodes.slice(k)];
}

/** Each node sees a majority (itself and its ring neighbours) but no two see the same one. */
export function majoritiesRing(nodes: readonly string[]): Grudge {
  const n = nodes.length;
  const m = majority(n);
  const grudge: Grudge = {};
  for (let i = 0; i < n; i++) {
    const window = Array.from({ length: m }, (_, k) => nodes[(i + k) % n]!);
    const center = window[Math.floor(m / 2)]!;
    const drop = nodes.filter((x) => !window.includes(x));
    if (drop.length > 0) grudge[center] = drop;
  }
  return grudge;
}

/** Two halves that cannot talk, joined by one node that talks to both (Jepsen's bridge). */
export function bridge(nodes: readonly string[]): Grudge {
  const [a, b] = bisect(nodes);
  const hub = b[0];
  const grudge = completeGrudge([a, b]);
  if (hub === undefined) return grudge;
  delete grudge[hub];
  for (const k of Object.keys(grudge)) {
    grudge[k] = grudge[k]!.filter((x) => x !== hub);
    if (grudge[k]!.length === 0) delete grudge[k];
  }
  return grudge;
}

export interface PartitionContext {
  rng: Rng;
  primaries?: readonly string[];
  /** Resolved fault targets: with no shape, these nodes are cut off from the rest. */
  targets?: readonly string[];
}

/** The grudge for a shape over the cluster's nodes. */
export function partitionGrudge(
  shape: PartitionShape | undefined,
  nodes: readonly string[],
  ctx: PartitionContext,
): Grudge {
  const shuffled = () => shuffle(ctx.rng, nodes);
  const isolate = (group: readonly string[]): Grudge => {
    const rest = nodes.filter((n) => !group.includes(n));
    if (group.length === 0 || rest.length === 0) {
      throw new PartitionError(`cannot isolate [${group.join(', ')}] from [${rest.join(', ')}]`);
    }
    return completeGrudge([[...group], rest]);
  };
  if (shape === undefined) return isolate(ctx.targets ?? []);
  if (typeof shape === 'object') return validateGrudge(shape.grudge, nodes);
  switch (shape) {
    case 'one':
      return isolate(shuffled().slice(0, 1));
    case 'majority':
    case 'random-halves':
      // Jepsen's :majority is a bisect of a shuffle: the larger half keeps a majority.
      return completeGrudge(bisect(shuffled()));
    case 'minority-third':
      return isolate(shuffled().slice(0, minorityThird(nodes.length)));
    case 'majorities-ring':
      return majoritiesRing(shuffled());
    case 'primaries': {
      const p = (ctx.primaries ?? []).filter((n) => nodes.includes(n));
      if (p.length === 0) throw new PartitionError('no primary (leader) found to isolate');
      return isolate(p);
    }
    case 'bridge':
      return bridge(shuffled());
    default:
      throw new PartitionError(`unknown partition shape ${JSON.stringify(shape)}`);
  }
}

export function validateGrudge(
  grudge: Record<string, readonly string[]>,
  nodes: readonly string[],
): Grudge {
  const out: Grudge = {};
  for (const [dst, srcs] of Object.entries(grudge)) {
    if (!nodes.includes(dst)) throw new PartitionError(`grudge names unknown node "${dst}"`);
    if (!Array.isArray(srcs)) throw new PartitionError(`grudge.${dst} must be a list of nodes`);
    for (const s of srcs) {
      if (!nodes.includes(s)) throw new PartitionError(`grudge.${dst} names unknown node "${s}"`);
      if (s === dst) throw new PartitionError(`grudge.${dst} cannot drop traffic from itself`);
    }
    if (srcs.length > 0) out[dst] = [...new Set(srcs)];
  }
  if (Object.keys(out).length === 0) throw new PartitionError('the grudge cuts nothing');
  return out;
}

/** Directed cuts of a grudge, sorted. */
export function grudgeCuts(grudge: Grudge): Cut[] {
  return Object.entries(grudge)
    .flatMap(([to, froms]) => froms.map((from) => ({ from, to })))
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Groups of nodes that can all reach each other both ways (for reports), as sorted lists. */
export function components(grudge: Grudge, nodes: readonly string[]): string[][] {
  const cut = new Set(grudgeCuts(grudge).map((c) => `${c.from}>${c.to}`));
  const talks = (a: string, b: string) => !cut.has(`${a}>${b}`) && !cut.has(`${b}>${a}`);
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const n of nodes) {
    if (seen.has(n)) continue;
    const comp = nodes.filter((m) => !seen.has(m) && (m === n || talks(n, m)));
    // Keep only nodes that talk to every member already chosen (cliques, greedily).
    const clique: string[] = [];
    for (const m of comp) if (clique.every((c) => talks(c, m))) clique.push(m);
    clique.forEach((m) => seen.add(m));
    out.push(clique.sort());
  }
  return out;
}
