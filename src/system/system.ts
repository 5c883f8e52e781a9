/**
 * The system under test as small capabilities (Jepsen's `db` protocol is the model): how to
 * start a member, whether it is healthy, who leads, which log files it writes, how it rejoins
 * after losing its data (amnesia), how to observe its replicas for convergence, and whether its
 * clock can be shifted. Kill and pause default to the member's process handle (its Remote); a
 * driver overrides `signal` only where that differs (PostgreSQL signals its process tree).
 *
 * Drivers see one member at a time (plus the names/addresses of its peers where the protocol
 * needs them, e.g. etcd's initial cluster), never the whole definition or the backend.
 */
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import type { CommandTemplate, TemplateVar } from '../definition.js';
import type { ProcessHandle } from '../control/remote.js';

/** One member as a driver sees it. Paths are paths on the member's node. */
export interface Member {
  name: string;
  ip: string;
  dataDir: string;
  logFile: string;
  clientUrl: string;
  peerUrl: string;
}

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

/** What a driver may ask of the cluster while rejoining a member (implemented by Cluster). */
export interface MemberControl {
  readonly members: readonly Member[];
  readonly healthTimeoutMs: number;
  startMember(
    name: string,
    opts: { clusterState: 'new' | 'existing'; initialCluster?: string },
  ): Promise<void>;
  killMember(name: string): Promise<void>;
  wipeData(name: string): Promise<void>;
  isRunning(name: string): Promise<boolean>;
  /** The member's log as written so far (read through its node's Remote). */
  readLog(name: string): Promise<string>;
}

/**
 * Clock faults: `faketime` = the server honours libfaketime (C programs: PostgreSQL), so its
 * clock follows a per-node file; `none` = it does not (Go binaries such as etcd read the clock
 * through the vDSO), so clock faults are recorded as not applied.
 */
export type ClockAbility = 'faketime' | 'none';

export interface SystemDriver {
  readonly database: 'etcd' | 'postgres';
  readonly clock: ClockAbility;
  /** The start command used when the definition has no `start`. */
  defaultStart(): CommandTemplate;
  /** Driver-specific template variables for starting `member` (initial cluster, token...). */
  templateVars(ctx: {
    member: Member;
    peers: readonly Pick<Member, 'name' | 'peerUrl'>[];
    clusterState: 'new' | 'existing';
    clusterToken: string;
    initialCluster?: string;
  }): Partial<Record<TemplateVar, string>>;
  /** Whether the member answers as healthy (part of a cluster that has a leader). */
  isHealthy(member: Member, timeoutMs?: number): Promise<boolean>;
  status(member: Member, members: readonly Member[], timeoutMs?: number): Promise<MemberStatus>;
  /** The current leader(s) as node names, asked of the members that answer; [] if none. */
  primaries(members: readonly Member[]): Promise<string[]>;
  /** Files on the node the member writes its logs to (collected into the run directory). */
  logFiles(member: Member): string[];
  /** A hash of the member's keyspace at `revision` (for convergence after a heal). */
  kvHash(member: Member, revision: number, timeoutMs?: number): Promise<KvHash>;
  /**
   * Observes every replica for the convergence checker (network I/O lives here, not in
   * src/checkers). `now` stamps each observation (ns since the run started).
   */
  observe(
    members: readonly Member[],
    opts?: { timeoutMs?: number; now?: () => number },
  ): Promise<ReplicaObservation[]>;
  /**
   * Optional: how a signal reaches the member. Default: `handle.signal(sig)` (the started
   * process alone). PostgreSQL's backends escape the process group (setsid), so it signals the
   * whole tree.
   */
  signal?(handle: ProcessHandle, sig: NodeJS.Signals): Promise<void>;
  /** Brings back a member whose data directory was wiped (amnesia heal). */
  rejoinAfterDataLoss(cluster: MemberControl, name: string): Promise<RejoinReport>;
}
