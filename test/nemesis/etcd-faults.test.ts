/**
 * Faults on a real 5-member etcd cluster, once per backend (test/support/backends.ts: netns
 * here; ssh hosts and docker containers when their lab is up). One cluster serves every test of
 * a backend; each test heals its fault and leaves the cluster healthy (asserted) for the next.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/cluster.js';
import { loadClusterDefinition } from '../../src/definition.js';
import { waitFor } from '../../src/wait.js';
import { readJournal, unhealedFaults } from '../../src/nemesis/journal.js';
import { listFaultRules } from '../../src/nemesis/iptables.js';
import { FaultNotAvailableError, Nemesis } from '../../src/nemesis/nemesis.js';
import { describeEachBackend } from '../support/backends.js';
import { client, privateDirs, removeDirs } from './helpers.js';

describeEachBackend('nemesis on a real 5-member etcd cluster', (backend) => {
  let cluster: Cluster;
  let nemesis: Nemesis;
  let runId: string;
  let base: string;

  beforeAll(async () => {
    const dirs = privateDirs('nemesis');
    base = dirs.base;
    const { runDir } = dirs;
    const t0 = performance.now();
    cluster = await Cluster.up(await loadClusterDefinition(backend.definitionFile('etcd-5')), {
      runDir,
    });
    const upMs = performance.now() - t0;
    runId = cluster.runId;
    console.log(
      `[measure] ${backend.backend} etcd-5 cluster up -> healthy: ${(upMs / 1000).toFixed(2)} s; members RSS: ${((await cluster.memoryBytes()) / 2 ** 20).toFixed(1)} MiB`,
    );
    nemesis = new Nemesis(cluster, { seed: 42 });
  });

  afterAll(async () => {
    await nemesis?.close();
    await cluster?.down();
    if (cluster) expect(await backend.residue(cluster.state.placement), runId).toEqual([]);
    removeDirs(base);
  });

  async function expectHealthyAndConverged(): Promise<void> {
    await cluster.waitHealthy({ timeoutMs: 20_000 });
    const conv = await cluster.convergence();
    expect(conv.hashes).toHaveLength(5);
    expect(conv.converged, JSON.stringify(conv)).toBe(true);
  }

  it('isolating the leader: the majority elects a new leader and serves writes; the isolated member cannot', async () => {
    const [oldLeader] = await cluster.primaries();
    expect(oldLeader).toBeDefined();
    const f = await nemesis.apply({ kind: 'partition', targets: 'primaries' });
    expect(f.targets).toHaveLength(5);
    expect(f.verification.ok, JSON.stringify(f.verification)).toBe(true);

    const majority = cluster.nodes.map((n) => n.name).filter((n) => n !== oldLeader);
    const newLeader = await waitFor(
      'a new leader among the majority',
      async () => (await cluster.primaries(majority))[0],
      { timeoutMs: 15_000 },
    );
    expect(majority).toContain(newLeader);

    const maj = client(cluster.endpoints(majority), 5000);
    try {
      await maj.put('isolation').value('majority-wrote');
      expect(await maj.get('isolation').string()).toBe('majority-wrote'); // linearizable read
    } finally {
      maj.close();
    }
    const iso = client(cluster.endpoints([oldLeader!]), 1500);
    try {
      await expect(iso.put('isolation').value('minority-wrote')).rejects.toThrow();
    } finally {
      iso.close();
    }

    const healed = await nemesis.heal(f.id);
    expect(healed.verification.ok, JSON.stringify(healed.verification)).toBe(true);
    for (const n of cluster.nodes) expect(await listFaultRules(cluster.remote(n.name))).toEqual([]);
    await expectHealthyAndConverged();
    const all = client(cluster.endpoints(), 5000);
    try {
      expect(await all.get('isolation').string()).toBe('majority-wrote');
    } finally {
      all.close();
    }
  });

  it('kill then heal restarts the member', async () => {
    const f = await nemesis.apply({ kind: 'kill', targets: 'one' });
    const [victim] = f.targets;
    expect(f.verification.ok).toBe(true);
    expect(await cluster.isRunning(victim!)).toBe(false);
    const h = await nemesis.heal(f.id);
    expect(h.verification.observed.healthy).toBe(true);
    await expectHealthyAndConverged();
  });

  it('pause (SIGSTOP) shows the member stopped, heal (SIGCONT) resumes', async () => {
    const f = await nemesis.apply({ kind: 'pause', targets: 'minority' });
    expect(f.targets).toHaveLength(2);
    expect(f.verification.ok).toBe(true);
    const state = (t: string) => cluster.remote(t).attach(cluster.node(t).process!).state();
    for (const t of f.targets) expect(await state(t)).toBe('stopped');
    await nemesis.heal(f.id);
    for (const t of f.targets) expect(await state(t)).toBe('running');
    await expectHealthyAndConverged();
  });

  it('a salted fault hits the same members whatever was applied before it', async () => {
    const pauseMinority = { kind: 'pause', targets: 'minority' } as const;
    const once = async (salt?: number) => {
      const f = await nemesis.apply(pauseMinority, salt === undefined ? {} : { salt });
      await nemesis.heal(f.id);
      return [...f.targets].sort();
    };
    const first = await once(4321);
    // Unsalted faults draw from the shared stream and move it on; the salted one must not care.
    await once();
    await once();
    expect(await once(4321)).toEqual(first);
    // The salt does choose: other salts pick other members (10 possible pairs of 5).
    const picks = new Set<string>();
    for (const salt of [1, 2, 3, 4, 5, 6]) picks.add((await once(salt)).join(','));
    expect(picks.size).toBeGreaterThan(1);
    await expectHealthyAndConverged();
  });

  it('amnesia: the wiped member comes back (etcd refuses the same-member restart; re-added)', async () => {
    const [leader] = await cluster.primaries();
    const victim = cluster.nodes.map((n) => n.name).find((n) => n !== leader)!;
    const f = await nemesis.apply({ kind: 'amnesia', targets: { nodes: [victim] } });
    expect(f.verification.ok, JSON.stringify(f.verification)).toBe(true);
    const h = await nemesis.heal(f.id);
    console.log(`[amnesia] ${JSON.stringify(h.verification.observed.rejoin)}`);
    expect(h.verification.observed.healthy).toBe(true);
    await expectHealthyAndConverged();
  });

  it('compound: loss on one node and a partition of another, healed independently', async () => {
    const f = await nemesis.apply({
      kind: 'compound',
      targets: 'all',
      params: {
        faults: [
          { kind: 'loss', targets: { nodes: ['n1'] }, params: { probability: 0.3 } },
          { kind: 'partition', targets: { nodes: ['n1'] } },
        ],
      },
    });
    expect(f.parts).toHaveLength(2);
    expect(f.verification.ok, JSON.stringify(f.verification)).toBe(true);
    expect((await listFaultRules(cluster.remote('n1'))).length).toBeGreaterThanOrEqual(5);
    await nemesis.heal(f.id);
    expect(await listFaultRules(cluster.remote('n1'))).toEqual([]);
    await expectHealthyAndConverged();
  });

  it('clock skew on etcd is reported as not applied (Go ignores libfaketime)', async () => {
    const f = await nemesis.apply({ kind: 'clock', targets: 'one', params: { offsetSeconds: 30 } });
    expect(f.verification.ok).toBe('unverifiable');
    expect(String(f.verification.observed.reason)).toMatch(/ignores libfaketime/);
    await nemesis.heal(f.id);
  });

  it('link faults without a link backend fail clearly, before anything is journaled', async () => {
    await expect(
      nemesis.apply({ kind: 'latency', targets: 'one', params: { latencyMs: 50 } }),
    ).rejects.toThrow(FaultNotAvailableError);
    expect(
      readJournal(nemesis.journalPath).some(
        (e) => e.event === 'apply' && e.fault.kind === 'latency',
      ),
    ).toBe(false);
  });

  it('journaled every fault before applying it, and its heal', () => {
    const entries = readJournal(nemesis.journalPath);
    expect(unhealedFaults(entries)).toEqual([]);
    const applies = entries.filter((e) => e.event === 'apply').map((e) => e.id);
    expect(applies.length).toBeGreaterThanOrEqual(6);
    for (const id of applies) {
      const kinds = entries.filter((e) => e.id === id).map((e) => e.event);
      expect(kinds.indexOf('apply')).toBeLessThan(kinds.indexOf('healed'));
    }
  });
});
