/**
 * Which nodes a fault hits (pure). Sizes follow Jepsen: a majority of n is floor(n/2)+1 and a
 * minority is one less than that. `primaries` are passed in, asked of the live cluster by the
 * caller (the driver knows who leads); randomness comes from a seeded RNG so a schedule replays.
 */
import type { TargetSpec } from './fault.js';
import { shuffle, type Rng } from './rng.js';

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

export const majority = (n: number): number => Math.floor(n / 2) + 1;
export const minority = (n: number): number => majority(n) - 1;
/** Jepsen's minority-third: at most a third, at least one (for n >= 2). */
export const minorityThird = (n: number): number => Math.max(1, Math.floor((n - 1) / 3));

export interface TargetContext {
  rng: Rng;
  /** The current leader(s); required only for `primaries`. */
  primaries?: readonly string[];
}

/** Resolves a target spec to node names (in cluster order, for stable output). */
export function resolveTargets(
  spec: TargetSpec,
  nodes: readonly string[],
  ctx: TargetContext,
): string[] {
  if (nodes.length === 0) throw new TargetError('the cluster has no nodes');
  const pick = (k: number): string[] => {
    const chosen = new Set(shuffle(ctx.rng, nodes).slice(0, k));
    return nodes.filter((n) => chosen.has(n));
  };
  if (typeof spec === 'object') {
    const unknown = spec.nodes.filter((n) => !nodes.includes(n));
    if (unknown.length > 0) {
      throw new TargetError(
        `unknown node(s) ${unknown.join(', ')}; the cluster has ${nodes.join(', ')}`,
      );
    }
    if (spec.nodes.length === 0) throw new TargetError('named targets must list at least one node');
    return nodes.filter((n) => spec.nodes.includes(n));
  }
  switch (spec) {
    case 'one':
      return pick(1);
    case 'minority':
      return pick(minority(nodes.length));
    case 'majority':
      return pick(majority(nodes.length));
    case 'all':
      return [...nodes];
    case 'primaries': {
      const p = (ctx.primaries ?? []).filter((n) => nodes.includes(n));
      if (p.length === 0) throw new TargetError('no primary (leader) found to target');
      return nodes.filter((n) => p.includes(n));
    }
    default:
      throw new TargetError(`unknown target spec ${JSON.stringify(spec)}`);
  }
}
