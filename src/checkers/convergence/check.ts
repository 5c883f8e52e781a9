/**
 * Convergence (pure): after the final heal, do all replicas agree? The cluster driver observes
 * each replica (etcd: Status + HashKV through that member's own endpoint; a generic system:
 * final reads through each client path) and hands the observations here.
 *
 * - Content: replicas that report a KV hash at the same revision must report the same hash;
 *   replicas' final reads must return the same value for every key.
 * - Progress: revision and applied index must be equal once the system is quiet (a lagging
 *   replica has not converged); `allowLag` makes lag 'unknown' instead of a failure.
 * - A replica that could not be observed makes the verdict 'unknown' unless others already
 *   disagree.
 */
import type { JsonValue } from '../../history/op.js';
import type { Validity } from '../result.js';

/** One replica's state as observed after the final heal. */
export interface ReplicaObservation {
  /** Member/node name. */
  replica: string;
  /** The client path used (endpoint URL), when it matters. */
  via?: string;
  /** ns since the run started, when observed. */
  time?: number;
  /** etcd: the member's store revision (Status/HashKV header.revision). */
  revision?: number;
  /** etcd: `HashKV(hashRevision).hash`, the KV store hash up to `hashRevision`. */
  hash?: string | number;
  hashRevision?: number;
  /** etcd: HashKV's compact_revision (hashes only compare with equal compaction). */
  compactRevision?: number;
  /** Raft applied index (etcd 3.4+: Status.raftAppliedIndex). */
  appliedIndex?: number;
  /** Generic systems: final reads through this replica/path, key -> value (null = absent). */
  reads?: Record<string, JsonValue>;
  /** Why the replica could not be observed (down, timed out): its state is unknown. */
  error?: string;
}

export interface ConvergenceOptions {
  /** Lagging revision/applied index: 'unknown' instead of false. */
  allowLag?: boolean;
}

export interface Difference {
  field: 'hash' | 'read' | 'revision' | 'appliedIndex';
  /** For `hash`: the revision compared at; for `read`: the key. */
  at?: number | string;
  groups: Array<{ value: JsonValue; replicas: string[] }>;
  message: string;
}

export interface ConvergenceResult {
  valid: Validity;
  [detail: string]: unknown;
  /** Observations compared (one per replica, or per client path when several share a node). */
  replicas: number;
  /** Distinct nodes they came from. */
  nodes: number;
  /** One line for people: what was compared and whether it agrees. */
  summary: string;
  differences: Difference[];
  /** Replicas that could not be observed, with why. */
  unobserved: Array<{ replica: string; error: string }>;
  /** What all replicas agree on, when they do. */
  agreed: { revision?: number; hash?: string | number; appliedIndex?: number; keys?: number };
  reason?: string;
}

/** JSON with sorted object keys, so equal values compare equal. */
function canonical(v: JsonValue | undefined): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function groupsOf(items: Array<{ replica: string; value: JsonValue }>): Difference['groups'] {
  const m = new Map<string, { value: JsonValue; replicas: string[] }>();
  for (const { replica, value } of items) {
    const k = canonical(value);
    const g = m.get(k);
    if (g) g.replicas.push(replica);
    else m.set(k, { value, replicas: [replica] });
  }
  // Majority first: the odd ones out read last.
  return [...m.values()].sort((a, b) => b.replicas.length - a.replicas.length);
}

const show = (groups: Difference['groups']): string =>
  groups.map((g) => `${g.replicas.join(',')} = ${canonical(g.value)}`).join('; ');

export function checkConvergence(
  observations: ReplicaObservation[],
  opts: ConvergenceOptions = {},
): ConvergenceResult {
  const seen = observations.filter((o) => o.error === undefined);
  const unobserved = observations
    .filter((o) => o.error !== undefined)
    .map((o) => ({ replica: o.replica, error: o.error! }));
  const content: Difference[] = [];
  const lag: Difference[] = [];

  // Hashes, compared only between replicas hashed at the same revision and compaction.
  const byRev = new Map<string, Array<{ replica: string; value: JsonValue }>>();
  for (const o of seen) {
    if (o.hash === undefined || o.hashRevision === undefined) continue;
    const k = `${o.hashRevision}/${o.compactRevision ?? ''}`;
    byRev.set(k, [...(byRev.get(k) ?? []), { replica: o.replica, value: o.hash }]);
  }
  for (const [k, items] of byRev) {
    const groups = groupsOf(items);
    const at = Number(k.split('/')[0]);
    if (groups.length > 1)
      content.push({
        field: 'hash',
        at,
        groups,
        message: `KV hash at revision ${at} differs: ${show(groups)}`,
      });
  }

  // Final reads, key by key; a key missing from a replica's reads counts as absent (null).
  const readers = seen.filter((o) => o.reads !== undefined);
  const keys = new Set(readers.flatMap((o) => Object.keys(o.reads!)));
  for (const key of [...keys].sort()) {
    const groups = groupsOf(
      readers.map((o) => ({ replica: o.replica, value: o.reads![key] ?? null })),
    );
    if (groups.length > 1)
      content.push({
        field: 'read',
        at: key,
        groups,
        message: `key ${key} differs: ${show(groups)}`,
      });
  }

  for (const field of ['revision', 'appliedIndex'] as const) {
    const items = seen
      .filter((o) => o[field] !== undefined)
      .map((o) => ({ replica: o.replica, value: o[field]! }));
    const groups = groupsOf(items);
    if (groups.length > 1)
      lag.push({ field, groups, message: `${field} differs: ${show(groups)}` });
  }

  const differences = [...content, ...lag];
  const agree = (field: 'revision' | 'appliedIndex' | 'hash') => {
    const vals = new Set(seen.map((o) => o[field]).filter((v) => v !== undefined));
    return vals.size === 1 ? ([...vals][0] as never) : undefined;
  };
  const agreed = {
    revision: agree('revision'),
    hash: byRev.size === 1 && content.every((d) => d.field !== 'hash') ? agree('hash') : undefined,
    appliedIndex: agree('appliedIndex'),
    keys: readers.length > 0 && content.every((d) => d.field !== 'read') ? keys.size : undefined,
  };

  let valid: Validity = true;
  let reason: string | undefined;
  if (content.length > 0) [valid, reason] = [false, content[0]!.message];
  else if (lag.length > 0)
    [valid, reason] = [opts.allowLag ? 'unknown' : false, `not converged: ${lag[0]!.message}`];
  else if (unobserved.length > 0)
    [valid, reason] = [
      'unknown',
      `could not observe ${unobserved.map((u) => `${u.replica} (${u.error})`).join(', ')}`,
    ];
  else if (seen.length < 2)
    [valid, reason] = ['unknown', `${seen.length} replica(s) observed: nothing to compare`];
  else if (
    byRev.size === 0 &&
    readers.length === 0 &&
    lag.length === 0 &&
    agreed.revision === undefined &&
    agreed.appliedIndex === undefined
  )
    [valid, reason] = [
      'unknown',
      'observations carry nothing to compare (no hash, reads, revision or applied index)',
    ];
  // Several observations may come through one node (a vote workload reads once per worker):
  // say how many nodes they cover, so one node never reads as six replicas.
  const nodes = new Set(observations.map((o) => o.via ?? o.replica)).size;
  const seenHow =
    nodes === observations.length
      ? `${nodes} replica(s)`
      : `${observations.length} observations (final reads) of ${nodes} node(s)`;
  return {
    valid,
    replicas: observations.length,
    nodes,
    summary: valid === true ? `${seenHow} agree` : `${seenHow} compared`,
    differences,
    unobserved,
    agreed,
    ...(reason ? { reason } : {}),
  };
}
