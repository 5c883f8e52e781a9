/**
 * Talking to etcd members one by one over gRPC, each through its OWN endpoint (a client per
 * member, so no request is forwarded to another member): the one place the KV hash (HashKV) is
 * computed, for the driver's `kvHash` and for the convergence observation (Status: revision,
 * raft applied index; then HashKV at the lowest revision every member has, so the hashes are
 * comparable). A member that does not answer becomes an observation with `error`.
 */
import { noop } from 'cockatiel';
import { Etcd3, type IHashKVResponse } from 'etcd3';
import type { ReplicaObservation } from '../checkers/convergence/check.js';

/**
 * etcd3 1.1.2's `maintenance.hashKV` calls a grpc method named `hashKV`, which grpc-js does
 * not define (it fails with "client[method] is not a function"); call it by its proto name.
 */
class MemberClient extends Etcd3 {
  hashKV(revision: number): Promise<IHashKVResponse> {
    return this.pool.exec<IHashKVResponse>('Maintenance', 'HashKV', { revision });
  }
}

function memberClient(url: string, timeoutMs: number): MemberClient {
  return new MemberClient({
    hosts: [url],
    dialTimeout: timeoutMs,
    defaultCallOptions: () => ({ deadline: Date.now() + timeoutMs }),
    // One attempt: a down member is an observation, not something to retry around.
    faultHandling: { host: () => noop, global: noop },
  });
}

/** HashKV of one member at `revision`: the KV store's hash up to it (and its compaction). */
export async function etcdHashKV(
  url: string,
  revision: number,
  timeoutMs = 5000,
): Promise<{ hash: number; compactRevision: number }> {
  const client = memberClient(url, timeoutMs);
  try {
    const h = await client.hashKV(revision);
    return { hash: Number(h.hash), compactRevision: Number(h.compact_revision) };
  } finally {
    client.close();
  }
}

export interface EtcdObserveOptions {
  /** Per-call deadline, ms (default 5000). */
  timeoutMs?: number;
  /** ns since the run started, stamped on each observation. */
  now?: () => number;
}

/** `members`: member name -> client URL (e.g. `{e1: 'http://127.0.0.1:2379'}`). */
export async function observeEtcdMembers(
  members: Record<string, string>,
  opts: EtcdObserveOptions = {},
): Promise<ReplicaObservation[]> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const clients = Object.entries(members).map(([name, url]) => ({
    name,
    url,
    client: memberClient(url, timeoutMs),
  }));
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
  try {
    const status = await Promise.all(
      clients.map(async (c) => {
        try {
          const s = await c.client.maintenance.status();
          return {
            ...c,
            revision: Number(s.header.revision),
            appliedIndex: Number(s.raftAppliedIndex),
          };
        } catch (err) {
          return { ...c, error: message(err) };
        }
      }),
    );
    const revisions = status.flatMap((s) => ('revision' in s ? [s.revision] : []));
    const at = revisions.length > 0 ? Math.min(...revisions) : undefined;
    return await Promise.all(
      status.map(async (s): Promise<ReplicaObservation> => {
        const base = { replica: s.name, via: s.url, ...(opts.now ? { time: opts.now() } : {}) };
        if (!('revision' in s) || at === undefined)
          return { ...base, error: 'error' in s ? s.error! : 'no status' };
        try {
          const h = await s.client.hashKV(at);
          return {
            ...base,
            revision: s.revision,
            appliedIndex: s.appliedIndex,
            hash: Number(h.hash),
            hashRevision: at,
            compactRevision: Number(h.compact_revision),
          };
        } catch (err) {
          return {
            ...base,
            revision: s.revision,
            appliedIndex: s.appliedIndex,
            error: `HashKV: ${message(err)}`,
          };
        }
      }),
    );
  } finally {
    for (const c of clients) c.client.close();
  }
}
