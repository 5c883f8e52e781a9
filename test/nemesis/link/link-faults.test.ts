/**
 * LinkFaults on real namespaces: three nodes on a bridge, each with a timestamp echo server;
 * link proxies + DNAT in every namespace; a directed latency fault; composition with an
 * iptables partition; heal; teardown leaves nothing behind.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LinkFaults } from '../../../src/nemesis/link/link-faults.js';
import { cleanupLinkState, isClean, linkResidue } from '../../../src/nemesis/link/residue.js';
import type { LinkState, NodeNet } from '../../../src/nemesis/link/types.js';
import { median, NetnsFixture } from './netns-fixture.js';
import { describeAsRoot } from '../../support/env.js';

const net = new NetnsFixture(['a', 'b', 'c']);
const links = new LinkFaults();
let journaled: LinkState | null = null;
let nodes: NodeNet[] = [];

/** One-way delays (median ms) measured by a client inside `from`'s namespace. */
async function oneWay(from: string, to: string): Promise<{ forward: number; backward: number }> {
  const r = await net.client(from, to);
  expect(r.error, `${from}->${to}: ${JSON.stringify(r)}`).toBeUndefined();
  return { forward: median(r.forward), backward: median(r.backward) };
}

describeAsRoot('LinkFaults in network namespaces', () => {
  beforeAll(async () => {
    await net.create();
    await net.startEchoes();
    nodes = net.nodes.map((n) => ({
      name: n.name,
      netns: n.netns,
      ip: n.ip,
      ports: [net.echoPort],
    }));
    await links.setup(nodes, { onStateChange: (s) => (journaled = s) });
  });

  afterAll(async () => {
    await links.teardown().catch(() => undefined);
    if (journaled) await cleanupLinkState(journaled).catch(() => undefined);
    await net.destroy();
  });

  it('sets up proxies for every ordered pair and DNAT rules in every namespace', async () => {
    const d = links.describe();
    expect(d.servers.map((s) => s.node)).toEqual(['a', 'b', 'c']);
    expect(d.servers.every((s) => s.running && s.pid !== null)).toBe(true);
    // 6 ordered pairs x (echo port + probe port)
    expect(d.proxies).toHaveLength(12);
    const nat = await net.ns('a', ['iptables', '-t', 'nat', '-S', 'FAULTLINE-LINK']);
    expect(nat).toContain(`-d ${net.node('b').ip}/32 -p tcp -m tcp --dport ${net.echoPort}`);
    expect(nat).toContain('--gid-owner 47474');
    expect(journaled?.servers).toHaveLength(3);
    // Traffic flows through the proxies and is fast.
    const base = await oneWay('a', 'b');
    expect(base.forward).toBeLessThan(100);
    expect(base.backward).toBeLessThan(100);
  });

  it('latency on a->b delays only the bytes a sends to b', async () => {
    const fault = await links.apply({
      kind: 'latency',
      links: [{ from: 'a', to: 'b' }],
      params: { latencyMs: 200 },
    });
    try {
      // upstream on a's proxies to b, downstream on b's proxies to a (echo port and probe port)
      expect(fault.installed).toHaveLength(4);
      expect(fault.installed.map((t) => `${t.server}:${t.toxic.stream}`).sort()).toEqual([
        'a:upstream',
        'a:upstream',
        'b:downstream',
        'b:downstream',
      ]);

      const ab = await oneWay('a', 'b'); // a opened: a's bytes go forward
      expect(ab.forward).toBeGreaterThanOrEqual(195);
      expect(ab.backward).toBeLessThan(100);

      const ba = await oneWay('b', 'a'); // b opened: b's bytes fast, a's replies slow
      expect(ba.forward).toBeLessThan(100);
      expect(ba.backward).toBeGreaterThanOrEqual(195);

      const ac = await oneWay('a', 'c');
      expect(ac.forward).toBeLessThan(100);
      expect(ac.backward).toBeLessThan(100);

      const m = await links.measureLatency('a', 'b');
      expect(m.forwardMs).toBeGreaterThanOrEqual(195);
      expect(m.reverseMs).toBeLessThan(100);
      const m2 = await links.measureLatency('b', 'a');
      expect(m2.forwardMs).toBeLessThan(100);
      expect(m2.reverseMs).toBeGreaterThanOrEqual(195);
      const m3 = await links.measureLatency('a', 'c');
      expect(m3.forwardMs).toBeLessThan(100);
      console.log('link latency (ms)', JSON.stringify({ ab, ba, ac, measured: [m, m2, m3] }));

      // Composition: b drops everything from a's address; a cannot reach b, c still can.
      const drop = ['-I', 'INPUT', '-s', net.node('a').ip, '-j', 'DROP'];
      await net.ns('b', ['iptables', ...drop]);
      try {
        const cut = await net.client('a', 'b', 1, 1500);
        expect(cut.error).toBe('timeout');
        expect(cut.forward).toEqual([]);
        expect((await links.measureLatency('a', 'b', { timeoutMs: 1000 })).forwardMs).toBeNull();
        expect((await oneWay('c', 'b')).forward).toBeLessThan(100);
      } finally {
        await net.ns('b', ['iptables', '-D', ...drop.slice(1)]);
      }
    } finally {
      await links.heal(fault.id);
    }
    expect(links.describe().faults).toEqual([]);
    for (const [from, to] of [
      ['a', 'b'],
      ['b', 'a'],
      ['a', 'c'],
    ] as const) {
      const r = await oneWay(from, to);
      expect(r.forward).toBeLessThan(100);
      expect(r.backward).toBeLessThan(100);
    }
  });

  it('blackhole a->b swallows a`s bytes while b->c stays fine; healAll restores', async () => {
    await links.apply({ kind: 'blackhole', links: [{ from: 'a', to: 'b' }], id: 'f7' });
    const cut = await net.client('a', 'b', 1, 1000);
    expect(cut.error).toBe('timeout');
    expect((await oneWay('b', 'c')).forward).toBeLessThan(100);
    expect((await links.healAll()).healed).toEqual(['f7']);
    expect((await oneWay('a', 'b')).forward).toBeLessThan(100);
  });

  it('a failed setup cleans up after itself and says why', async () => {
    let saved: LinkState | null = null;
    const broken = new LinkFaults();
    const bad = [...nodes.slice(0, 2), { ...nodes[2]!, netns: `${nodes[2]!.netns}-missing` }];
    await expect(
      broken.setup(bad, { apiPort: 8574, probePort: 8575, onStateChange: (s) => (saved = s) }),
    ).rejects.toThrow(/link proxy server of c .* did not come up/);
    expect(saved).not.toBeNull();
    expect(await linkResidue(saved!)).toEqual({ processes: [], natRules: [] });
  });

  it('rejects bad faults with a clear error naming the field', async () => {
    await expect(
      links.apply({ kind: 'latency', links: [{ from: 'a', to: 'zz' }], params: { latencyMs: 5 } }),
    ).rejects.toThrow(/links\[0\]\.to: unknown node "zz"|unknown node "zz"/);
    await expect(
      links.apply({ kind: 'latency', links: [{ from: 'a', to: 'b' }], params: {} }),
    ).rejects.toMatchObject({ field: 'params.latencyMs' });
  });

  it('teardown leaves no proxy process and no nat rule', async () => {
    const state = links.linkState!;
    expect(isClean(await linkResidue(state))).toBe(false);
    const residue = await links.teardown();
    expect(residue).toEqual({ processes: [], natRules: [] });
    expect(await linkResidue(state)).toEqual({ processes: [], natRules: [] });
    for (const n of net.nodes) {
      expect(await net.ns(n.name, ['iptables', '-t', 'nat', '-S'])).not.toContain('FAULTLINE');
    }
    // Direct traffic works again without the proxies.
    expect((await oneWay('a', 'b')).forward).toBeLessThan(100);
  });

  it('crash recovery: cleanupLinkState removes a lost instance`s proxies and rules', async () => {
    let saved: LinkState | null = null;
    const lost = new LinkFaults();
    await lost.setup(nodes, { onStateChange: (s) => (saved = s) });
    journaled = saved;
    const state = saved as LinkState | null;
    expect(state).not.toBeNull();
    const before = await linkResidue(state!);
    expect(before.processes).toHaveLength(3);
    expect(before.natRules.map((r) => r.netns).sort()).toEqual(
      net.nodes.map((n) => n.netns).sort(),
    );
    // `lost` is never torn down: only the journaled state is used.
    expect(await cleanupLinkState(state!)).toEqual({ processes: [], natRules: [] });
    expect((await oneWay('b', 'c')).forward).toBeLessThan(100);
  });
});
