/**
 * etcd (Debian's etcd-server 3.4) as a Faultline system. Talks to members through etcd's JSON
 * gateway (/health, /v3/maintenance/status, /v3/cluster/member/*) with plain fetch and short
 * timeouts, and over gRPC one member at a time for HashKV and the convergence observation
 * (etcd-members.ts; the 3.4 gateway does not route HashKV).
 */
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import type { CommandTemplate } from '../definition.js';
import { waitFor } from '../wait.js';
import { etcdHashKV, observeEtcdMembers } from './etcd-members.js';
import type {
  KvHash,
  Member,
  MemberControl,
  MemberStatus,
  RejoinReport,
  SystemDriver,
} from './system.js';

interface Header {
  member_id: string;
  revision?: string;
  raft_term?: string;
}
interface EtcdMember {
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

async function memberList(
  node: Pick<Member, 'clientUrl'>,
  timeoutMs = 2000,
): Promise<EtcdMember[]> {
  const r = await post<{ members?: EtcdMember[] }>(
    node.clientUrl,
    '/v3/cluster/member/list',
    {},
    timeoutMs,
  );
  return r.members ?? [];
}

/** How long the convergence observation waits for members to settle (see `observe`). */
const SETTLE_MS = 15_000;

export class EtcdDriver implements SystemDriver {
  readonly database = 'etcd' as const;
  // etcd is a Go binary: Go reads the clock through the vDSO / raw syscalls, not libc, so
  // libfaketime's LD_PRELOAD has no effect on it. Clock faults are reported as not applied.
  readonly clock = 'none' as const;

  defaultStart(): CommandTemplate {
    return { command: '/usr/bin/etcd', args: [...ETCD_DEFAULT_ARGS], env: {} };
  }

  templateVars(ctx: Parameters<SystemDriver['templateVars']>[0]) {
    const initialCluster =
      ctx.initialCluster ?? ctx.peers.map((n) => `${n.name}=${n.peerUrl}`).join(',');
    return { initialCluster, clusterState: ctx.clusterState, clusterToken: ctx.clusterToken };
  }

  logFiles(member: Member): string[] {
    return [member.logFile];
  }

  /**
   * Replica observations once the members have settled: a member just reconnected after a
   * partition catches up within seconds (etcd's peer streams back off), and comparing it before
   * then would report lag as divergence. Polls until every member reports the same revision and
   * applied index, or until the deadline; the last observation is what the checker judges.
   */
  async observe(
    members: readonly Member[],
    opts: { timeoutMs?: number; now?: () => number } = {},
  ): Promise<ReplicaObservation[]> {
    const byName = Object.fromEntries(members.map((m) => [m.name, m.clientUrl]));
    const deadline = Date.now() + (opts.timeoutMs ?? SETTLE_MS);
    for (;;) {
      const obs = await observeEtcdMembers(byName, opts.now ? { now: opts.now } : {});
      const settled =
        obs.every((o) => o.error === undefined) &&
        new Set(obs.map((o) => o.revision)).size === 1 &&
        new Set(obs.map((o) => o.appliedIndex)).size === 1;
      if (settled || Date.now() >= deadline) return obs;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async isHealthy(node: Member, timeoutMs = 1000): Promise<boolean> {
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

  async status(node: Member, nodes: readonly Member[], timeoutMs = 1000): Promise<MemberStatus> {
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
  async primaries(nodes: readonly Member[]): Promise<string[]> {
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

  async kvHash(node: Member, revision: number, timeoutMs = 5000): Promise<KvHash> {
    const r = await etcdHashKV(node.clientUrl, revision, timeoutMs);
    return { node: node.name, revision, hash: String(r.hash) };
  }

  /**
   * Amnesia heal. First restart the member under its own name with --initial-cluster-state
   * existing, as asked. etcd 3.4 refuses this: the member rejoins with its old id and an empty
   * raft log, the leader's first heartbeat carries a commit index past the empty log, and the
   * member panics ("tocommit(N) is out of range [lastIndex(0)]. Was the raft log corrupted,
   * truncated, or lost?"). etcd's documented recovery for a lost data dir is then applied:
   * remove the member, add it back (new member id, same name and peer URL), start it empty.
   */
  async rejoinAfterDataLoss(cluster: MemberControl, name: string): Promise<RejoinReport> {
    const node = cluster.members.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    const others = cluster.members.filter((n) => n.name !== name);
    const logBefore = await cluster.readLog(name).catch(() => '');

    await cluster.startMember(name, { clusterState: 'existing' });
    const outcome = await waitFor(
      `${name} to rejoin as the same member or to exit`,
      async () => {
        if (!(await cluster.isRunning(name))) return 'exited' as const;
        if (await this.isHealthy(node, 500)) {
          // Healthy and still alive a beat later (a panic follows the first heartbeat quickly).
          const st = await this.status(node, cluster.members).catch(() => undefined);
          if (st?.leader && (await cluster.isRunning(name))) return 'healthy' as const;
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
    const logAfter = await cluster.readLog(name).catch(() => '');
    const panic = /"msg":"(tocommit[^"]*)"/.exec(logAfter.slice(logBefore.length))?.[1];
    const firstAttempt =
      outcome === 'exited'
        ? `same-member restart refused: etcd exited${panic ? ` with panic "${panic}"` : ''}`
        : 'same-member restart did not become healthy within 10 s';
    if (await cluster.isRunning(name)) await cluster.killMember(name);

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
        const n = cluster.members.find((x) => x.peerUrl === url);
        return `${m.name || n?.name || name}=${url}`;
      })
      .join(',');
    await cluster.wipeData(name);
    await cluster.startMember(name, { clusterState: 'existing', initialCluster });
    return {
      method: 'member remove + member add + start with empty data dir',
      observed: `${firstAttempt}; re-added as a new member`,
    };
  }
}
