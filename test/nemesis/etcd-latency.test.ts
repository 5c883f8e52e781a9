/**
 * Link latency on a real 5-member etcd cluster: 200 ms on one follower's OUTGOING links slows the
 * requests that go through that follower (it forwards proposals and read-index requests to the
 * leader over a slowed link) and not the requests that go through the other members (the leader
 * still reaches a quorum without it). Healing brings it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/cluster.js';
import { LinkFaults } from '../../src/nemesis/link/index.js';
import { linkFaultLinks, Nemesis, setupLinkFaults } from '../../src/nemesis/nemesis.js';
import { client, definition, privateDirs, removeDirs } from './helpers.js';
import { describeAsRoot } from '../support/env.js';

/** Median wall time of `n` puts through one member, ms. */
async function medianPutMs(endpoint: string, n = 9): Promise<number> {
  const c = client([endpoint], 5000);
  try {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await c.put(`latency-${i}`).value(String(i));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(n / 2)]!;
  } finally {
    c.close();
  }
}

describe('directed link selection (pure)', () => {
  const names = ['n1', 'n2', 'n3'];
  it('outgoing, incoming, both, and explicit directed links', () => {
    expect(linkFaultLinks(['n1'], names, { direction: 'outgoing' })).toEqual([
      { from: 'n1', to: 'n2' },
      { from: 'n1', to: 'n3' },
    ]);
    expect(linkFaultLinks(['n1'], names, { direction: 'incoming' })).toEqual([
      { from: 'n2', to: 'n1' },
      { from: 'n3', to: 'n1' },
    ]);
    expect(linkFaultLinks(['n1', 'n2'], names, {})).toHaveLength(6);
    expect(linkFaultLinks([], names, { links: ['n1>n2'] })).toEqual([{ from: 'n1', to: 'n2' }]);
    expect(() => linkFaultLinks([], names, { links: ['n1>n9'] })).toThrow(/n1>n9/);
    expect(() => linkFaultLinks(['n1'], names, { direction: 'sideways' })).toThrow(/sideways/);
  });
});

describeAsRoot('latency on a real 5-member etcd cluster', () => {
  let cluster: Cluster;
  let nemesis: Nemesis;
  let base: string;

  beforeAll(async () => {
    const dirs = privateDirs('latency');
    base = dirs.base;
    cluster = await Cluster.create(await definition('etcd-5'), { runDir: dirs.runDir });
    // Proxies first: only connections opened after set-up go through them.
    const link = await setupLinkFaults(cluster, new LinkFaults());
    await cluster.start();
    nemesis = new Nemesis(cluster, { seed: 1, link });
  });

  afterAll(async () => {
    await nemesis?.close();
    await cluster?.down();
    removeDirs(base);
  });

  it("200 ms on one follower's outgoing links slows requests through it, not through the others", async () => {
    const [leader] = await cluster.primaries();
    const followers = cluster.nodes.map((n) => n.name).filter((n) => n !== leader);
    const [slow, other] = followers as [string, string];
    const url = (name: string) => cluster.node(name).clientUrl;

    const before = { slow: await medianPutMs(url(slow)), other: await medianPutMs(url(other)) };
    const applied = await nemesis.apply({
      kind: 'latency',
      targets: { nodes: [slow] },
      params: { latencyMs: 200, direction: 'outgoing' },
    });
    expect(applied.details.links).toEqual(
      cluster.nodes.filter((n) => n.name !== slow).map((n) => `${slow}>${n.name}`),
    );
    expect(applied.verification.ok).toBe(true);
    const during = { slow: await medianPutMs(url(slow)), other: await medianPutMs(url(other)) };
    await nemesis.heal(applied.id);
    const after = { slow: await medianPutMs(url(slow)), other: await medianPutMs(url(other)) };
    console.log(
      `[measure] median put ms through ${slow} (slowed) / ${other}: before ${before.slow.toFixed(1)} / ${before.other.toFixed(1)}, ` +
        `during ${during.slow.toFixed(1)} / ${during.other.toFixed(1)}, after ${after.slow.toFixed(1)} / ${after.other.toFixed(1)}; ` +
        `verification ${JSON.stringify(applied.verification.observed)}`,
    );
    expect(during.slow).toBeGreaterThanOrEqual(180);
    expect(during.slow - during.other).toBeGreaterThanOrEqual(150);
    expect(during.other).toBeLessThan(150);
    expect(after.slow).toBeLessThan(150);
  }, 120_000);
});
