/**
 * etcd (Debian's etcd-server 3.4) as a Faultline database. Talks to members through etcd's JSON
 * gateway (/health, /v3/maintenance/status, /v3/cluster/member/*) with plain fetch and short
 * timeouts, and through `etcdctl endpoint hashkv` for HashKV (the 3.4 gateway does not route it,
 * and etcd3's maintenance.hashKV calls a gRPC method name that does not exist).
 */
import { readFile } from 'node:fs/promises';
import { exec, waitFor } from '../exec.js';
import type { ClusterDefinition, CommandTemplate } from '../definition.js';
import type { NodeState } from '../state.js';
import type {
  ClusterControl,
  DatabaseDriver,
  KvHash,
  MemberStatus,
  RejoinReport,
} from './driver.js';

interface Header {
  member_id: string;
  revision?: string;
  raft_term?: string;
}
interface Member {
  ID: string;
  name?: string;
  peerURLs?: string[];
}

async function post<T>(
  baseUrl: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${baseUrl}${path}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

export const ETCD_DEFAULT_ARGS = [
  '--name={node}',
  '--data-dir={dataDir}',
  '--listen-peer-urls={peerUrl}',
  '--initial-advertise-peer-urls={peerUrl}',
  '--listen-client-urls={clientUrl}',
  '--advertise-client-urls={clientUrl}',
  '--initial-cluster={initialCluster}',
  '--initial-cluster-state={clusterState}',
  '--initial-cluster-token={clusterToken}',
  '--heartbeat-interval=100',
  '--election-timeout=1000',
  '--logger=zap',
  '--log-outputs=stderr',
];

async function memberList(node: NodeState, timeoutMs = 2000): Promise<Member[]> {
  const r = await post<{ members?: Member[] }>(
    node.clientUrl,
    '/v3/cluster/member/list',
    {},
    timeoutMs,
  );
  return r.members ?? [];
}

export class EtcdDriver implements DatabaseDriver {
  readonly database = 'etcd' as const;
  // etcd is a Go binary: Go reads the clock through the vDSO / raw syscalls, not libc, so
  // libfaketime's LD_PRELOAD has no effect on it. Clock faults are reported as not applied.
  readonly honoursFaketime = false;

  defaultStart(_def: ClusterDefinition): CommandTemplate {
    return { command: '/usr/bin/etcd', args: [...ETCD_DEFAULT_ARGS], env: {} };
  }

  templateVars(ctx: Parameters<DatabaseDriver['templateVars']>[0]) {
    const initialCluster =
      ctx.initialCluster ?? ctx.nodes.map((n) => `${n.name}=${n.peerUrl}`).join(',');
    return { initialCluster, clusterState: ctx.clusterState, clusterToken: ctx.clusterToken };
  }

  async isHealthy(node: NodeState, timeoutMs = 1000): Promise<boolean> {
    try {
      const res = await fetch(`${node.clientUrl}/health`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.json()) as { health?: string };
      return res.ok && body.health === 'true';
    } catch {
      return false;
    }
  }

  async status(
    node: NodeState,
    nodes: readonly NodeState[],
    timeoutMs = 1000,
  ): Promise<MemberStatus> {
    const [st, members] = await Promise.all([
      post<{ header: Header; leader?: string; raftTerm?: string }>(
        node.clientUrl,
        '/v3/maintenance/status',
        {},
        timeoutMs,
      ),
      memberList(node, timeoutMs),
    ]);
    const byId = new Map(members.map((m) => [m.ID, m]));
    const leaderMember = st.leader && st.leader !== '0' ? byId.get(st.leader) : undefined;
    const leaderNode = leaderMember
      ? nodes.find(
          (n) => n.name === leaderMember.name || leaderMember.peerURLs?.includes(n.peerUrl),
        )
      : undefined;
    return {
      node: node.name,
      memberId: st.header.member_id,
      ...(leaderNode ? { leader: leaderNode.name } : {}),
      ...(st.raftTerm ? { term: Number(st.raftTerm) } : {}),
      revision: Number(st.header.revision ?? 0),
    };
  }

  /** Members that report themselves as leader (an isolated old leader steps down: CheckQuorum). */
  async primaries(nodes: readonly NodeState[]): Promise<string[]> {
    const results = await Promise.allSettled(
      nodes.map((n) =>
        post<{ header: Header; leader?: string }>(n.clientUrl, '/v3/maintenance/status', {}, 1000),
      ),
    );
    const leaders: string[] = [];
    results.forEach((r, i) => {
      if (
        r.status === 'fulfilled' &&
        r.value.leader &&
        r.value.leader === r.value.header.member_id
      ) {
        leaders.push(nodes[i]!.name);
      }
    });
    return leaders;
  }

  async kvHash(node: NodeState, revision: number, timeoutMs = 5000): Promise<KvHash> {
    const out = await exec(
      [
        'etcdctl',
        `--endpoints=${node.clientUrl}`,
        `--command-timeout=${timeoutMs}ms`,
        'endpoint',
        'hashkv',
        `--rev=${revision}`,
        '-w',
        'json',
      ],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeoutMs: timeoutMs + 2000 },
    );
    const [r] = JSON.parse(out) as { HashKV: { header: { revision: number }; hash: number } }[];
    if (!r) throw new Error(`etcdctl endpoint hashkv on ${node.name}: empty answer`);
    return { node: node.name, revision, hash: String(r.HashKV.hash) };
  }

  /**
   * Amnesia heal. First restart the member under its own name with --initial-cluster-state
   * existing, as asked. etcd 3.4 refuses this: the member rejoins with its old id and an empty
   * raft log, the leader's first heartbeat carries a commit index past the empty log, and the
   * member panics ("tocommit(N) is out of range [lastIndex(0)]. Was the raft log corrupted,
   * truncated, or lost?"). etcd's documented recovery for a lost data dir is then applied:
   * remove the member, add it back (new member id, same name and peer URL), start it empty.
   */
  async rejoinAfterDataLoss(cluster: ClusterControl, name: string): Promise<RejoinReport> {
    const node = cluster.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    const others = cluster.nodes.filter((n) => n.name !== name);
    const logBefore = await readFile(node.logFile, 'utf8').catch(() => '');

    await cluster.startNode(name, { clusterState: 'existing' });
    const outcome = await waitFor(
      `${name} to rejoin as the same member or to exit`,
      async () => {
        if (!cluster.isRunning(name)) return 'exited' as const;
        if (await this.isHealthy(node, 500)) {
          // Healthy and still alive a beat later (a panic follows the first heartbeat quickly).
          const st = await this.status(node, cluster.nodes).catch(() => undefined);
          if (st?.leader && cluster.isRunning(name)) return 'healthy' as const;
        }
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    ).catch(() => 'timeout' as const);

    if (outcome === 'healthy') {
      return {
        method: 'same-member restart (--initial-cluster-state existing)',
        observed: 'rejoined healthy',
      };
    }
    const logAfter = await readFile(node.logFile, 'utf8').catch(() => '');
    const panic = /"msg":"(tocommit[^"]*)"/.exec(logAfter.slice(logBefore.length))?.[1];
    const firstAttempt =
      outcome === 'exited'
        ? `same-member restart refused: etcd exited${panic ? ` with panic "${panic}"` : ''}`
        : 'same-member restart did not become healthy within 10 s';
    if (cluster.isRunning(name)) await cluster.killNode(name);

    // etcd's documented procedure: member remove, member add, start empty as "existing".
    const peer = await waitFor(
      'a healthy member to change membership through',
      async () => {
        for (const o of others) if (await this.isHealthy(o, 500)) return o;
        return undefined;
      },
      { timeoutMs: 15_000 },
    );
    // With --strict-reconfig-check (the default) etcd answers 503 "unhealthy cluster" to
    // membership changes until the leader has been connected to a quorum for 5 s: retry.
    const reconfig = (path: string, body: unknown) =>
      waitFor(
        `etcd ${path} to be accepted`,
        () =>
          post(peer.clientUrl, path, body, 5000).then(
            () => true,
            (err: Error) => {
              if (/member not found/.test(err.message)) return true; // an earlier try went through
              throw err;
            },
          ),
        {
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
    const members = await memberList(peer);
    const old = members.find((m) => m.name === name || m.peerURLs?.includes(node.peerUrl));
    if (old) await reconfig('/v3/cluster/member/remove', { ID: old.ID });
    await reconfig('/v3/cluster/member/add', { peerURLs: [node.peerUrl] });
    const now = await memberList(peer);
    const initialCluster = now
      .map((m) => {
        const url = m.peerURLs?.[0] ?? '';
        const n = cluster.nodes.find((x) => x.peerUrl === url);
        return `${m.name || n?.name || name}=${url}`;
      })
      .join(',');
    await cluster.wipeData(name);
    await cluster.startNode(name, { clusterState: 'existing', initialCluster });
    return {
      method: 'member remove + member add + start with empty data dir',
      observed: `${firstAttempt}; re-added as a new member`,
    };
  }
}
