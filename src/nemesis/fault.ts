/**
 * A fault is data: what to break, where, and how hard. Backends apply it and always undo it.
 * Faults appear in schedules, in the fault journal and (as nemesis ops) in histories.
 */
import type { JsonValue } from '../history/op.js';

export type FaultKind =
  | 'partition' // iptables drops between groups of nodes; params.shape picks Jepsen's shape
  | 'loss' // random packet loss (iptables statistic match); params.probability
  | 'latency' // link proxy: params.latencyMs, params.jitterMs; per directed link
  | 'bandwidth' // link proxy: params.rateKBps
  | 'reset' // link proxy: connections are reset
  | 'blackhole' // link proxy: data is swallowed, connections stay open
  | 'kill' // SIGKILL; heal restarts
  | 'pause' // SIGSTOP; heal sends SIGCONT
  | 'amnesia' // kill, wipe the data directory, restart as the same member on heal
  | 'clock' // libfaketime offset for processes that honour it (not Go binaries like etcd)
  | 'compound'; // several faults at once: params.faults

/**
 * Which nodes a fault hits. Resolved against the live cluster when the fault is applied:
 * `primaries` asks the cluster for its current leader.
 */
export type TargetSpec =
  'one' | 'minority' | 'majority' | 'primaries' | 'all' | { nodes: string[] };

/** Jepsen's partition shapes, plus an explicit grudge (node -> nodes it drops traffic from). */
export type PartitionShape =
  | 'one'
  | 'majority'
  | 'majorities-ring'
  | 'minority-third'
  | 'primaries'
  | 'bridge'
  | 'random-halves'
  /** The targets are cut off from the clients (the host), not from each other: for one-node systems. */
  | 'clients'
  | { grudge: Record<string, string[]> };

export interface Fault {
  kind: FaultKind;
  targets: TargetSpec;
  params?: { [name: string]: JsonValue | undefined };
}
