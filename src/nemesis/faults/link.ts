/**
 * Link faults (latency, bandwidth, reset, blackhole) per directed link, through the link-proxy
 * layer (src/nemesis/link): the proxies sit where a node's traffic can be redirected, which is
 * the node's network namespace (netns placements; docker and ssh need the layer to run over
 * their Remotes). Where the nodes' kernel has netem, `tc netem` could carry latency/loss
 * instead: it is detected and recorded with each fault (`mechanism`, `netem`).
 */
import { join } from 'node:path';
import { readProcStat } from '../../control/proc.js';
import type { Remote } from '../../control/remote.js';
import type { JsonValue } from '../../history/op.js';
import type { Cluster } from '../../cluster/cluster.js';
import { runFile } from '../../run-layout.js';
import type { LinkFaults, LinkSetupOptions } from '../link/index.js';
import type { AppliedLinkFault, LinkFaultKind, LinkFaultSpec, LinkState } from '../link/types.js';
import type { Verification } from '../verify.js';
import { FaultNotAvailableError } from './errors.js';
import { undoOf, type FaultHandler, type LinkBackend } from './handler.js';

export type { LinkBackend } from './handler.js';

/**
 * Adapts the link helper's `LinkFaults` (after `setup(cluster.nodeNets())`, before the cluster
 * starts) to the Nemesis. Latency faults are verified by measuring one affected link.
 */
export function linkBackend(lf: {
  apply(spec: LinkFaultSpec): Promise<AppliedLinkFault>;
  heal(id: string): Promise<unknown>;
  measureLatency?(
    from: string,
    to: string,
    opts?: { samples?: number; timeoutMs?: number },
  ): Promise<unknown>;
}): LinkBackend {
  const specs = new Map<string, LinkFaultSpec>();
  return {
    apply: async (spec) => {
      const applied = await lf.apply(spec);
      specs.set(applied.id, spec);
      return applied;
    },
    heal: async (id) => {
      specs.delete(id);
      return lf.heal(id);
    },
    verify: async (id) => {
      const spec = specs.get(id);
      const first = spec?.links[0];
      if (!spec || !first || spec.kind !== 'latency' || !lf.measureLatency) return undefined;
      return lf.measureLatency(first.from, first.to, { samples: 3, timeoutMs: 5000 });
    },
  };
}

/**
 * The directed links a link fault acts on. `params.links` (["n1>n2", ...]) names them exactly;
 * otherwise every link between a target and the other nodes, in `params.direction`:
 * `outgoing` (what the targets send is slowed), `incoming` (what they receive), or `both`
 * (default). Directed: "n1 -> n2 slow, n2 -> n1 not" is `{links: ["n1>n2"]}`.
 */
export function linkFaultLinks(
  targets: readonly string[],
  names: readonly string[],
  params: { [k: string]: JsonValue | undefined },
): { from: string; to: string }[] {
  if (Array.isArray(params.links)) {
    return params.links.map((l) => {
      const m = typeof l === 'string' ? /^([^>]+)>([^>]+)$/.exec(l) : null;
      if (!m || !names.includes(m[1]!) || !names.includes(m[2]!) || m[1] === m[2]) {
        throw new Error(
          `link "${String(l)}": expected "from>to" between two different nodes of ${names.join(', ')}`,
        );
      }
      return { from: m[1]!, to: m[2]! };
    });
  }
  const direction = params.direction ?? 'both';
  if (direction !== 'both' && direction !== 'outgoing' && direction !== 'incoming') {
    throw new Error(`direction "${String(direction)}": expected outgoing, incoming or both`);
  }
  const seen = new Set<string>();
  return targets
    .flatMap((t) =>
      names
        .filter((o) => o !== t)
        .flatMap((o) => [
          ...(direction !== 'incoming' ? [{ from: t, to: o }] : []),
          ...(direction !== 'outgoing' ? [{ from: o, to: t }] : []),
        ]),
    )
    .filter((l) => (seen.has(`${l.from}>${l.to}`) ? false : (seen.add(`${l.from}>${l.to}`), true)));
}

/**
 * Starts the link proxies for a cluster (call after Cluster.create, before cluster.start: only
 * connections opened after setup go through the proxies), records their pids in the cluster's
 * state file so teardown and crash recovery kill them, and returns the Nemesis backend.
 */
export async function setupLinkFaults(
  cluster: Cluster,
  lf: LinkFaults,
  opts: LinkSetupOptions = {},
): Promise<LinkBackend> {
  const known = new Set<number>();
  const record = (state: LinkState) => {
    for (const srv of state.servers) {
      if (srv.pid !== null && !known.has(srv.pid)) {
        known.add(srv.pid);
        cluster.registerAuxProcess(
          {
            node: srv.node,
            backend: 'netns',
            pid: srv.pid,
            startTime: readProcStat(srv.pid)?.startTime ?? 0,
          },
          `link proxy ${srv.node}`,
        );
      }
    }
  };
  const state = await lf.setup(cluster.nodeNets(), {
    logDir: join(cluster.state.runDir, runFile.logs),
    ...opts,
    onStateChange: (st) => {
      record(st);
      opts.onStateChange?.(st);
    },
  });
  record(state);
  return linkBackend(lf);
}

/**
 * Whether a node's kernel has netem: `tc qdisc add ... netem` on the node's loopback and remove
 * it again (a namespace's or container's own loopback), or, where that would touch a real
 * host's interface, whether the module is loaded or loadable.
 */
export async function detectNetem(remote: Remote): Promise<boolean> {
  if (remote.kind === 'ssh') {
    const r = await remote.run([
      'sh',
      '-c',
      'test -d /sys/module/sch_netem || modprobe -n -q sch_netem',
    ]);
    return r.code === 0;
  }
  const r = await remote.run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '0ms']);
  if (r.code !== 0) return false;
  await remote.run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
  return true;
}

const netemSeen = new WeakMap<object, Promise<boolean>>();

export const linkHandler: FaultHandler = {
  name: 'link',
  kinds: ['latency', 'bandwidth', 'reset', 'blackhole'],
  async plan(ctx) {
    const link = ctx.link;
    const { fault, params, id } = ctx;
    if (!link) {
      throw new FaultNotAvailableError(
        `${fault.kind} faults need the link-proxy backend (src/nemesis/link); none was given to this Nemesis`,
      );
    }
    const links = linkFaultLinks(ctx.targets, ctx.names, params);
    const spec: LinkFaultSpec = {
      kind: fault.kind as LinkFaultKind,
      links,
      params: params as LinkFaultSpec['params'],
      id,
    };
    const first = ctx.names[0]!;
    let netem = netemSeen.get(ctx.cluster);
    if (!netem) {
      netem = detectNetem(ctx.cluster.remote(first)).catch(() => false);
      netemSeen.set(ctx.cluster, netem);
    }
    const netemAvailable = await netem;
    return {
      targets: ctx.targets,
      undo: { handler: 'link', backend: ctx.cluster.state.placement.backend, link: { id } },
      details: {
        links: links.map((l) => `${l.from}>${l.to}`),
        mechanism: 'link-proxy',
        netem: netemAvailable,
      },
      run: async () => {
        const applied = await link.apply(spec);
        const measured = link.verify ? await link.verify(id) : undefined;
        // Latency is verified when the measured one-way delay reaches the asked delay
        // (minus jitter and a 20% margin); other link kinds are checked as installed.
        const forwardMs = (measured as { forwardMs?: number | null } | undefined)?.forwardMs;
        const want = Number(params.latencyMs ?? 0) - Number(params.jitterMs ?? 0);
        const ok: Verification['ok'] =
          applied.installed.length === 0
            ? false
            : typeof forwardMs === 'number'
              ? forwardMs >= 0.8 * want
              : 'unverifiable';
        return {
          verification: {
            ok,
            observed: {
              installed: applied.installed.length,
              ...(measured !== undefined ? { measured: measured as JsonValue } : {}),
            },
          },
        };
      },
    };
  },
  async undo(undo, ctx): Promise<Verification> {
    const { id } = undoOf(undo, 'link').link;
    if (ctx.link) {
      await ctx.link.heal(id);
      return { ok: true, observed: {} };
    }
    return {
      ok: true,
      observed: { link: 'no link backend here: its proxies are removed with the cluster' },
    };
  },
};
