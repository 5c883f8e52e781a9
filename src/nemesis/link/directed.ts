/**
 * Directed link semantics, as pure functions.
 *
 * Every node i has, in its own namespace, one proxy per (peer j, port p) and a DNAT rule that
 * sends i's outgoing connections to j:p through it. So each TCP connection between i and j runs
 * through exactly one proxy, the one in the namespace of the side that opened it:
 *
 *   connection i opened to j:  i --[proxy(i->j:p) in ns i]--> j
 *       bytes i sends to j  = upstream   of proxy(i->j:p)
 *       bytes j sends to i  = downstream of proxy(i->j:p)
 *   connection j opened to i:  j --[proxy(j->i:p) in ns j]--> i
 *       bytes i sends to j  = downstream of proxy(j->i:p)
 *       bytes j sends to i  = upstream   of proxy(j->i:p)
 *
 * A fault on the directed link i -> j must reach "the bytes i sends to j" whoever opened the
 * connection: an upstream toxic on every proxy(i->j:*) and a downstream toxic on every
 * proxy(j->i:*). Then "i -> j slow, j -> i not" holds on every connection.
 */
import type { Stream, ToxicType } from './toxics.js';
import type { DirectedLink, LinkFaultKind, LinkFaultParams, LinkProxyRecord } from './types.js';

export interface Placement {
  proxy: LinkProxyRecord;
  stream: Stream;
}

/** Where toxics go for the directed link `link` (see the table above). */
export function placementsFor(
  link: DirectedLink,
  proxies: readonly LinkProxyRecord[],
): Placement[] {
  const out: Placement[] = [];
  for (const proxy of proxies) {
    if (proxy.from === link.from && proxy.to === link.to) out.push({ proxy, stream: 'upstream' });
    else if (proxy.from === link.to && proxy.to === link.from)
      out.push({ proxy, stream: 'downstream' });
  }
  return out;
}

export class LinkFaultError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LinkFaultError';
  }
  get userMessage(): string {
    return this.field
      ? `link fault: ${this.field}: ${this.message}`
      : `link fault: ${this.message}`;
  }
}

function num(params: LinkFaultParams, field: keyof LinkFaultParams, dflt?: number): number {
  const v = params[field] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new LinkFaultError(
      v === undefined ? 'is required' : `must be a number >= 0, got ${JSON.stringify(v)}`,
      `params.${field}`,
    );
  }
  return v;
}

/** The Toxiproxy toxic that realises a fault kind. */
export function toxicFor(
  kind: LinkFaultKind,
  params: LinkFaultParams,
): { type: ToxicType; attributes: Record<string, number>; toxicity: number } {
  const toxicity = num(params, 'toxicity', 1);
  if (toxicity > 1) throw new LinkFaultError('must be <= 1', 'params.toxicity');
  const int = Math.round;
  switch (kind) {
    case 'latency':
      return {
        type: 'latency',
        attributes: {
          latency: int(num(params, 'latencyMs')),
          jitter: int(num(params, 'jitterMs', 0)),
        },
        toxicity,
      };
    case 'bandwidth':
      return { type: 'bandwidth', attributes: { rate: int(num(params, 'rateKBps')) }, toxicity };
    case 'reset':
      return {
        type: 'reset_peer',
        attributes: { timeout: int(num(params, 'timeoutMs', 0)) },
        toxicity,
      };
    case 'blackhole':
      return {
        type: 'timeout',
        attributes: { timeout: int(num(params, 'timeoutMs', 0)) },
        toxicity,
      };
    default:
      throw new LinkFaultError(`unknown kind ${JSON.stringify(kind)}`, 'kind');
  }
}

/** Checks links against the known nodes and removes duplicates. */
export function normaliseLinks(links: unknown, nodes: readonly string[]): DirectedLink[] {
  if (!Array.isArray(links) || links.length === 0) {
    throw new LinkFaultError('must be a non-empty array of {from, to}', 'links');
  }
  const seen = new Set<string>();
  const out: DirectedLink[] = [];
  links.forEach((l: unknown, i) => {
    const { from, to } = (l ?? {}) as Partial<DirectedLink>;
    for (const [field, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (typeof v !== 'string' || !nodes.includes(v)) {
        throw new LinkFaultError(
          `unknown node ${JSON.stringify(v)} (nodes: ${nodes.join(', ')})`,
          `links[${i}].${field}`,
        );
      }
    }
    if (from === to) throw new LinkFaultError('a link joins two different nodes', `links[${i}]`);
    const key = `${from}\u0000${to}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ from: from!, to: to! });
    }
  });
  return out;
}

/** Proxy names safe in a URL path, unique per (from, to, port). */
export function proxyName(from: string, to: string, port: number): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safe(from)}--${safe(to)}--${port}`;
}

/** Every directed link from a node of `from` to a node of `to` (a one-way cut between groups). */
export function linksBetween(from: readonly string[], to: readonly string[]): DirectedLink[] {
  return from.flatMap((f) => to.filter((t) => t !== f).map((t) => ({ from: f, to: t })));
}

/** Both directions between the groups. */
export function linksBothWays(a: readonly string[], b: readonly string[]): DirectedLink[] {
  return [...linksBetween(a, b), ...linksBetween(b, a)];
}
