/**
 * The netns placement: each node is a network namespace on this machine (`fl<run>-<node>`) with a
 * veth whose other end sits on a per-run bridge (`fl<run>br`); the host holds .1 of a free
 * 10.77.N.0/24, so clients on this machine reach every node and the nodes see them come from .1.
 * Node paths are local paths: a node's `{runDir}` is the run directory itself.
 */
import { execRaw } from '../../control/local.js';
import { NetnsRemote } from '../../control/netns.js';
import { isAlive, signal } from '../../control/proc.js';
import type { ProcessRef, Remote } from '../../control/remote.js';
import { waitFor } from '../../wait.js';
import type {
  DestroyReport,
  Placement,
  PlacementBackend,
  PlacementRecord,
  PlanContext,
} from '../placement.js';
import {
  bridgeName,
  createBridge,
  createNodeNet,
  deleteBridge,
  deleteNodeNet,
  listLinks,
  listNetns,
  netnsName,
  netnsPids,
  vethHostName,
} from './network.js';
import { allocateSubnet, lockExplicitSubnet, releaseSubnet, subnetLockName } from './subnet.js';

const OWN_NETNS = /^fl[0-9a-f]{6}-[a-z][a-z0-9-]*$/;
const OWN_LINK = /^fl[0-9a-f]{6}(br|h\d+)$/;

function netnsOf(record: PlacementRecord, node: string): { netns: string; vethHost: string } {
  const n = record.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`placement has no node "${node}"`);
  return { netns: String(n.where.netns), vethHost: String(n.where.vethHost) };
}

class NetnsPlacement implements Placement {
  readonly backend = 'netns' as const;
  readonly filesAreLocal = true;
  private readonly remotes = new Map<string, NetnsRemote>();

  constructor(
    readonly record: PlacementRecord,
    private readonly ctx: PlanContext,
  ) {}

  async create(): Promise<PlacementRecord> {
    const r = this.record;
    await createBridge(String(r.resources.bridge), `${r.clientIp}/24`);
    await Promise.all(
      r.nodes.map((n) =>
        createNodeNet({
          netns: String(n.where.netns),
          vethHost: String(n.where.vethHost),
          bridge: String(r.resources.bridge),
          cidr: `${n.ip}/24`,
        }),
      ),
    );
    return r;
  }

  remote(node: string): Remote {
    let r = this.remotes.get(node);
    if (!r) {
      r = new NetnsRemote(node, netnsOf(this.record, node).netns);
      this.remotes.set(node, r);
    }
    return r;
  }

  async collectLogs(): Promise<void> {
    // The namespaces share this machine's filesystem: logs are already where they belong.
  }

  /** SIGKILL everything in the namespaces (stopped processes too), then remove the network. */
  async destroy(processes: readonly ProcessRef[]): Promise<DestroyReport> {
    const r = this.record;
    const pids = new Set<number>();
    for (const p of processes) if (isAlive(p.pid, p.startTime)) pids.add(p.pid);
    for (const n of r.nodes)
      for (const pid of await netnsPids(String(n.where.netns))) pids.add(pid);
    pids.delete(process.pid);
    for (const pid of pids) signal(pid, 'SIGKILL');
    await waitFor('cluster processes to exit', () => [...pids].every((p) => !isAlive(p)), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    await Promise.all(
      r.nodes.map((n) => deleteNodeNet(String(n.where.netns), String(n.where.vethHost))),
    );
    await deleteBridge(String(r.resources.bridge));
    releaseSubnet(String(r.resources.subnetLock), this.ctx.runId);
    return {
      killed: [...pids].map(String),
      removed: [...r.nodes.map((n) => String(n.where.netns)), String(r.resources.bridge)],
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.remotes.values()].map((r) => r.close()));
  }
}

export const netnsBackend: PlacementBackend = {
  backend: 'netns',

  async plan(def, ctx) {
    let prefix: string;
    let subnetLock: string;
    if (def.subnet === 'auto') {
      const n = await allocateSubnet(ctx.runId, ctx.stateFile);
      prefix = `10.77.${n}`;
      subnetLock = String(n);
    } else {
      lockExplicitSubnet(def.subnet, ctx.runId, ctx.stateFile);
      prefix = def.subnet.split('.').slice(0, 3).join('.');
      subnetLock = subnetLockName(def.subnet);
    }
    return {
      backend: 'netns',
      clientIp: `${prefix}.1`,
      subnet: `${prefix}.0/24`,
      resources: { bridge: bridgeName(ctx.runId), subnetLock },
      nodes: def.nodes.map((spec, i) => ({
        name: spec.name,
        ip: spec.address === 'auto' ? `${prefix}.${11 + i}` : spec.address,
        workDir: ctx.runDir,
        where: { netns: netnsName(ctx.runId, spec.name), vethHost: vethHostName(ctx.runId, i) },
      })),
    };
  },

  release(record, ctx) {
    releaseSubnet(String(record.resources.subnetLock), ctx.runId);
  },

  open(record, ctx) {
    return new NetnsPlacement(record, ctx);
  },

  /**
   * Namespaces and links named like ours (fl<6 hex>-<node>, fl<6 hex>br, fl<6 hex>h<n>) that no
   * known record describes. Off by default in recovery: another state dir's live run looks the same.
   */
  async orphans(known, { remove }) {
    const names = new Set<string>();
    for (const r of known) {
      if (r.backend !== 'netns') continue;
      names.add(String(r.resources.bridge));
      for (const n of r.nodes) {
        names.add(String(n.where.netns));
        names.add(String(n.where.vethHost));
      }
    }
    const found: string[] = [];
    for (const ns of await listNetns()) {
      if (!OWN_NETNS.test(ns) || names.has(ns)) continue;
      if (remove) {
        for (const pid of await netnsPids(ns)) signal(pid, 'SIGKILL');
        await execRaw(['ip', 'netns', 'del', ns]);
      }
      found.push(`netns ${ns}`);
    }
    for (const link of await listLinks()) {
      if (!OWN_LINK.test(link) || names.has(link)) continue;
      if (remove) await deleteBridge(link);
      found.push(`link ${link}`);
    }
    return found;
  },
};
