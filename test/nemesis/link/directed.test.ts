/** Directed-link placement and fault parameter mapping (pure functions). */
import { describe, expect, it } from 'vitest';
import {
  LinkFaultError,
  linksBetween,
  linksBothWays,
  normaliseLinks,
  placementsFor,
  proxyName,
  toxicFor,
} from '../../../src/nemesis/link/directed.js';
import type { LinkProxyRecord } from '../../../src/nemesis/link/types.js';

const nodes = ['n1', 'n2', 'n3'];
const proxies: LinkProxyRecord[] = nodes.flatMap((from) =>
  nodes
    .filter((to) => to !== from)
    .flatMap((to) =>
      [2379, 2380].map((port) => ({
        name: proxyName(from, to, port),
        from,
        to,
        port,
        listen: `10.0.0.${from.slice(1)}:${40000 + port}`,
        upstream: `10.0.0.${to.slice(1)}:${port}`,
        redirected: true,
      })),
    ),
);

describe('placementsFor', () => {
  it('puts i->j on upstream of i`s proxies to j and downstream of j`s proxies to i', () => {
    const got = placementsFor({ from: 'n1', to: 'n2' }, proxies)
      .map((p) => `${p.proxy.from}->${p.proxy.to}:${p.proxy.port} ${p.stream}`)
      .sort();
    expect(got).toEqual([
      'n1->n2:2379 upstream',
      'n1->n2:2380 upstream',
      'n2->n1:2379 downstream',
      'n2->n1:2380 downstream',
    ]);
  });

  it('never touches proxies of other pairs, and opposite directions do not overlap', () => {
    const ab = placementsFor({ from: 'n1', to: 'n2' }, proxies);
    const ba = placementsFor({ from: 'n2', to: 'n1' }, proxies);
    expect(ab.every((p) => [p.proxy.from, p.proxy.to].sort().join() === 'n1,n2')).toBe(true);
    const key = (p: (typeof ab)[number]): string => `${p.proxy.name}/${p.stream}`;
    expect(ab.map(key).filter((k) => ba.map(key).includes(k))).toEqual([]);
  });
});

describe('toxicFor / normaliseLinks', () => {
  it('maps fault kinds to Toxiproxy toxics', () => {
    expect(toxicFor('latency', { latencyMs: 100, jitterMs: 10 })).toEqual({
      type: 'latency',
      attributes: { latency: 100, jitter: 10 },
      toxicity: 1,
    });
    expect(toxicFor('bandwidth', { rateKBps: 64 }).attributes).toEqual({ rate: 64 });
    expect(toxicFor('reset', {})).toMatchObject({ type: 'reset_peer', attributes: { timeout: 0 } });
    expect(toxicFor('blackhole', {})).toMatchObject({
      type: 'timeout',
      attributes: { timeout: 0 },
    });
  });

  it('rejects bad params and links with the field named', () => {
    expect(() => toxicFor('latency', {})).toThrow(LinkFaultError);
    expect(() => toxicFor('latency', { latencyMs: -1 })).toThrow(/must be a number >= 0/);
    expect(() => toxicFor('latency', { latencyMs: 1, toxicity: 2 })).toThrow(/<= 1/);
    expect(() => normaliseLinks([{ from: 'n1', to: 'n1' }], nodes)).toThrow(/two different nodes/);
    expect(() => normaliseLinks([], nodes)).toThrow(/non-empty/);
    try {
      normaliseLinks([{ from: 'n1', to: 'n9' }], nodes);
      expect.unreachable();
    } catch (e) {
      expect((e as LinkFaultError).userMessage).toBe(
        'link fault: links[0].to: unknown node "n9" (nodes: n1, n2, n3)',
      );
    }
    expect(
      normaliseLinks(
        [
          { from: 'n1', to: 'n2' },
          { from: 'n1', to: 'n2' },
        ],
        nodes,
      ),
    ).toEqual([{ from: 'n1', to: 'n2' }]);
  });
});

describe('linksBetween / linksBothWays', () => {
  it('expands groups into directed links without self links', () => {
    expect(linksBetween(['n1'], ['n1', 'n2', 'n3'])).toEqual([
      { from: 'n1', to: 'n2' },
      { from: 'n1', to: 'n3' },
    ]);
    expect(linksBothWays(['n1'], ['n2'])).toEqual([
      { from: 'n1', to: 'n2' },
      { from: 'n2', to: 'n1' },
    ]);
  });
});
