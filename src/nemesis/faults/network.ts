/**
 * Network faults applied as iptables rules on the nodes (partition, loss): rules computed by
 * the pure builders in ../iptables.ts, applied with each node's Remote, verified by probes from
 * the nodes (partition) or by the rules being installed (loss, which is random by nature).
 */
import type { PartitionShape } from '../fault.js';
import { clientPartitionRules, listFaultRules, lossRules, partitionRules } from '../iptables.js';
import { applyRules, removeRules, type RuleSet } from '../iptables.js';
import { grudgeCuts, partitionGrudge, type Grudge } from '../partition.js';
import { hostTcpProbe } from '../probe.js';
import { verifyCuts, type Verification } from '../verify.js';
import type { NemesisCluster } from '../cluster-port.js';
import { undoOf, type FaultHandler, type Plan, type PlanContext } from './handler.js';

const shell = (c: NemesisCluster) => (node: string) => c.remote(node);

/** Removes the rules and counts what is left of them (0 = healed). */
async function removeAndCount(c: NemesisCluster, rules: RuleSet[]): Promise<Verification> {
  await removeRules(shell(c), rules);
  const left = await Promise.all(
    rules.map(
      async (s) =>
        (await listFaultRules(c.remote(s.node)).catch(() => [])).filter((r) =>
          s.rules.some((x) => r.includes(x[x.indexOf('--comment') + 1]!)),
        ).length,
    ),
  );
  const rulesLeft = left.reduce((a, b) => a + b, 0);
  return { ok: rulesLeft === 0, observed: { rulesLeft } };
}

/**
 * Partition from clients: the targets drop traffic to and from the address clients come from.
 * Verified by a TCP connect from this machine to each target's client port timing out.
 */
function clientPartition(ctx: PlanContext): Plan {
  const c = ctx.cluster;
  const rules = clientPartitionRules(
    ctx.targets.map((t) => c.node(t)),
    c.clientIp,
    ctx.id,
  );
  const port = c.definition.ports.client;
  return {
    targets: ctx.targets,
    undo: { handler: 'partition', backend: c.state.placement.backend, rules },
    details: { from: 'clients', hostIp: c.clientIp },
    run: async () => {
      await applyRules(shell(c), rules);
      const probes = await Promise.all(
        ctx.targets.map(async (t) => ({
          node: t,
          outcome: await hostTcpProbe(c.node(t).ip, port, 1000),
        })),
      );
      return {
        verification: {
          ok: probes.every((p) => p.outcome === 'timeout'),
          observed: { probe: `tcp connect from the host to client port ${port}`, probes },
        },
      };
    },
  };
}

export const partitionHandler: FaultHandler = {
  name: 'partition',
  kinds: ['partition'],
  async plan(ctx) {
    const c = ctx.cluster;
    const shape = ctx.params.shape as PartitionShape | undefined;
    if (shape === 'clients') return clientPartition(ctx);
    const grudge: Grudge = partitionGrudge(shape, ctx.names, {
      rng: ctx.rng,
      primaries: ctx.primaries,
      targets: ctx.targets,
    });
    const cuts = grudgeCuts(grudge);
    const rules = partitionRules(grudge, c.nodes, ctx.id);
    const touched = ctx.names.filter((n) => cuts.some((x) => x.from === n || x.to === n));
    return {
      targets: touched,
      undo: { handler: 'partition', backend: c.state.placement.backend, rules },
      // nodes: every member, so the sides show the ones no cut touches (a bridge's hub)
      details: {
        grudge,
        nodes: ctx.names,
        ...(shape === undefined ? { isolated: ctx.targets } : {}),
      },
      cuts,
      run: async () => {
        await applyRules(shell(c), rules);
        return { verification: await verifyCuts(c, cuts, 'blocked') };
      },
    };
  },
  undo: (undo, ctx) => removeAndCount(ctx.cluster, undoOf(undo, 'partition').rules),
};

export const lossHandler: FaultHandler = {
  name: 'loss',
  kinds: ['loss'],
  async plan(ctx) {
    const c = ctx.cluster;
    const probability = Number(ctx.params.probability ?? 0.2);
    const rules = lossRules(
      ctx.targets.map((t) => c.node(t)),
      probability,
      ctx.id,
    );
    return {
      targets: ctx.targets,
      undo: { handler: 'loss', backend: c.state.placement.backend, rules },
      details: { probability },
      run: async () => {
        await applyRules(shell(c), rules);
        const present = await Promise.all(
          ctx.targets.map(
            async (t) =>
              (await listFaultRules(c.remote(t))).filter((r) => r.includes(`faultline:${ctx.id}`))
                .length,
          ),
        );
        return {
          verification: {
            ok: present.every((n) => n === 1),
            observed: {
              rulesInstalled: Object.fromEntries(ctx.targets.map((t, i) => [t, present[i]!])),
            },
            notes: [
              'loss is random: the rule is verified installed; its drops show in the rule counters',
            ],
          },
        };
      },
    };
  },
  undo: (undo, ctx) => removeAndCount(ctx.cluster, undoOf(undo, 'loss').rules),
};
