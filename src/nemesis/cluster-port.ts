/**
 * What the nemesis needs of a cluster (a port owned by its consumer; Cluster implements it):
 * node names and addresses, each node's Remote, the member lifecycle, and the system's clock
 * ability. Nothing here names a backend's internals (no pids, namespaces or data paths).
 */
import type { ClusterDefinition } from '../definition.js';
import type { ProcessHandle, ProcessRef, Remote } from '../control/remote.js';
import type { Backend } from '../placement/placement.js';
import type { ClockAbility, RejoinReport } from '../system/system.js';

export interface NemesisCluster {
  readonly definition: ClusterDefinition;
  readonly nodes: readonly { name: string; ip: string }[];
  /** The local run directory (the journal's default home). */
  readonly state: { runDir: string; placement: { backend: Backend; clientIp: string } };
  readonly clientIp: string;
  node(name: string): { name: string; ip: string };
  remote(name: string): Remote;
  /** The node's directory standing in for `{runDir}` (faketime files live under it). */
  workDir(name: string): string;
  readonly driver: { readonly clock: ClockAbility };
  primaries(): Promise<string[]>;
  isRunning(name: string): Promise<boolean>;
  processOf(name: string): Promise<ProcessRef | undefined>;
  killNode(name: string, why: 'killed' | 'amnesia'): Promise<void>;
  pauseNode(name: string): Promise<ProcessRef>;
  signalMember(handle: ProcessHandle, sig: NodeJS.Signals): Promise<void>;
  startNode(name: string, opts: { clusterState: 'existing' }): Promise<void>;
  wipeData(name: string): Promise<void>;
  dataEntries(name: string): Promise<number>;
  /** The system's amnesia heal (the driver's rejoinAfterDataLoss on this cluster). */
  rejoin(name: string): Promise<RejoinReport>;
  waitHealthy(opts: { nodes: string[] }): Promise<void>;
  registerJournal(path: string): void;
}
