/**
 * State files: what a Faultline process created, written BEFORE it creates it, so that a crash at
 * any point leaves enough on disk to undo everything (namespaces, veths, bridge, processes,
 * faults). One JSON file per cluster run in `<stateDir>/clusters/<runId>.json`.
 *
 * The state dir is /run/faultline (tmpfs: a reboot clears it, as it clears what it describes),
 * overridable with FAULTLINE_STATE_DIR.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterDefinition } from './definition.js';

export function stateDir(): string {
  return process.env.FAULTLINE_STATE_DIR || '/run/faultline';
}

export function clustersStateDir(dir = stateDir()): string {
  return join(dir, 'clusters');
}

/** A process identity that survives pid reuse: pid plus its start time (/proc/<pid>/stat). */
export interface ProcessRef {
  pid: number;
  startTime: number;
}

export interface NodeState {
  name: string;
  ip: string;
  netns: string;
  /** Host-side end of the node's veth pair (the other end is eth0 inside the namespace). */
  vethHost: string;
  dataDir: string;
  logFile: string;
  clientUrl: string;
  peerUrl: string;
  /** The running member, if any. */
  process?: ProcessRef;
  /** Set while Faultline has the node deliberately stopped (kill/amnesia), so status can say so. */
  down?: 'killed' | 'amnesia' | 'stopped';
}

export interface ClusterState {
  version: 1;
  runId: string;
  name: string;
  database: ClusterDefinition['database'];
  definitionFile?: string;
  definition: ClusterDefinition;
  runDir: string;
  /** The process whose lifetime the cluster shares, or null for a cluster left up on purpose. */
  owner: ProcessRef | null;
  bridge: string;
  subnet: string;
  /** Name of the subnet lock file in <stateDir>/subnets. */
  subnetLock: string;
  hostIp: string;
  clusterToken: string;
  nodes: NodeState[];
  /** Fault journals of nemeses that worked on this cluster, with the process that wrote each. */
  journals: { path: string; writer: ProcessRef }[];
  /** Other helper processes (e.g. link proxies) to kill on teardown. */
  auxProcesses: (ProcessRef & { what: string })[];
  createdAt: string;
}

export function stateFilePath(runId: string, dir = stateDir()): string {
  return join(clustersStateDir(dir), `${runId}.json`);
}

/** Atomic write (temp file + rename): a crash never leaves a half-written state file. */
export function writeState(state: ClusterState, dir = stateDir()): string {
  const file = stateFilePath(state.runId, dir);
  mkdirSync(clustersStateDir(dir), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
  return file;
}

export function readState(file: string): ClusterState {
  const state = JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  if (state.version !== 1 || typeof state.runId !== 'string') {
    throw new Error(`${file}: not a Faultline cluster state file`);
  }
  return state;
}

export function listStates(
  dir = stateDir(),
): { file: string; state?: ClusterState; error?: string }[] {
  let names: string[];
  try {
    names = readdirSync(clustersStateDir(dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const file = join(clustersStateDir(dir), n);
      try {
        return { file, state: readState(file) };
      } catch (err) {
        return { file, error: (err as Error).message };
      }
    });
}

export function removeState(runId: string, dir = stateDir()): void {
  rmSync(stateFilePath(runId, dir), { force: true });
}
