/**
 * The database-specific part of running a cluster, kept small so PostgreSQL (or a user's system)
 * can be added as another driver: how to start a member, how to tell it is healthy, who leads,
 * and what each member holds (for convergence checks after healing).
 */
import type { ClusterDefinition, CommandTemplate, TemplateVar } from '../definition.js';
import type { NodeState } from '../state.js';

export interface MemberStatus {
  node: string;
  /** The database's own id for this member. */
  memberId: string;
  /** Who this member believes leads (node name), if anyone. */
  leader?: string;
  term?: number;
  /** Latest revision / log position this member has applied. */
  revision: number;
}

export interface KvHash {
  node: string;
  revision: number;
  hash: string;
}

/** How a member rejoined after losing its data: what we tried and what the database did. */
export interface RejoinReport {
  method: string;
  observed: string;
}

/** The operations a driver may ask of the cluster (implemented by Cluster). */
export interface ClusterControl {
  readonly definition: ClusterDefinition;
  readonly nodes: readonly NodeState[];
  startNode(
    name: string,
    opts: { clusterState: 'new' | 'existing'; initialCluster?: string },
  ): Promise<void>;
  killNode(name: string): Promise<void>;
  wipeData(name: string): Promise<void>;
  isRunning(name: string): boolean;
}

export interface DatabaseDriver {
  readonly database: ClusterDefinition['database'];
  /**
   * Whether the server honours libfaketime (LD_PRELOAD). Go binaries such as etcd make raw
   * syscalls / vDSO calls that bypass it, so clock faults cannot be applied to them.
   */
  readonly honoursFaketime: boolean;
  /** The start command used when the definition has no `start`. */
  defaultStart(def: ClusterDefinition): CommandTemplate;
  /** Driver-specific template variables for starting `node` (initial cluster, token...). */
  templateVars(ctx: {
    def: ClusterDefinition;
    nodes: readonly NodeState[];
    node: NodeState;
    clusterState: 'new' | 'existing';
    clusterToken: string;
    initialCluster?: string;
  }): Partial<Record<TemplateVar, string>>;
  /** Whether the member answers as healthy (part of a cluster that has a leader). */
  isHealthy(node: NodeState, timeoutMs?: number): Promise<boolean>;
  status(node: NodeState, nodes: readonly NodeState[], timeoutMs?: number): Promise<MemberStatus>;
  /** The current leader(s) as node names, asked of the members that answer; [] if none. */
  primaries(nodes: readonly NodeState[]): Promise<string[]>;
  /** A hash of the member's keyspace at `revision` (for convergence). */
  kvHash(node: NodeState, revision: number, timeoutMs?: number): Promise<KvHash>;
  /**
   * Optional: signals a member's whole process tree (`pid` = the started process). For servers
   * whose workers escape the member's process group (PostgreSQL backends call setsid), so that
   * pause/resume/kill reach every process; without it the cluster signals `pid` alone.
   */
  signalTree?(pid: number, signal: NodeJS.Signals): Promise<void>;
  /** Brings back a member whose data directory was wiped (amnesia heal). */
  rejoinAfterDataLoss(cluster: ClusterControl, node: string): Promise<RejoinReport>;
}
