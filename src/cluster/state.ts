/**
 * State files: what a Faultline process created, written BEFORE it creates it, so that a crash at
 * any point leaves enough on disk to undo everything (the placement's network and nodes, member
 * processes, faults). One JSON file per cluster run in `<stateDir>/clusters/<runId>.json`.
 *
 * The state dir is /run/faultline (tmpfs: a reboot clears it, as it clears what it describes),
 * overridable with FAULTLINE_STATE_DIR.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessRef } from '../control/remote.js';
import type { PlacementRecord } from '../placement/placement.js';
import type { Member } from '../system/system.js';
import type { ClusterDefinition } from '../definition.js';

export function stateDir(): string {
  return process.env.FAULTLINE_STATE_DIR || '/run/faultline';
}

export function clustersStateDir(dir = stateDir()): string {
  return join(dir, 'clusters');
}

/** A local process identity that survives pid reuse: pid plus its start time (/proc/<pid>/stat). */
export interface LocalProcess {
  pid: number;
  startTime: number;
}

/** A member as the system sees it (paths on the node), plus what Faultline tracks of it. */
export interface NodeState extends Member {
  /** The running member, if any (its Remote's handle identity). */
  process?: ProcessRef;
  /** Set while Faultline has the node deliberately stopped (kill/amnesia), so status can say so. */
  down?: 'killed' | 'amnesia' | 'stopped';
}

export const STATE_VERSION = 2;

export interface ClusterState {
  version: typeof STATE_VERSION;
  runId: string;
  name: string;
  database: ClusterDefinition['database'];
  definitionFile?: string;
  definition: ClusterDefinition;
  /** The local run directory: logs are collected here; faults journal here. */
  runDir: string;
  /** The process whose lifetime the cluster shares, or null for a cluster left up on purpose. */
  owner: LocalProcess | null;
  /** Where the nodes live: written before anything is created (src/placement). */
  placement: PlacementRecord;
  clusterToken: string;
  nodes: NodeState[];
  /** Fault journals of nemeses that worked on this cluster, with the process that wrote each. */
  journals: { path: string; writer: LocalProcess }[];
  /** Other helper processes on the nodes (e.g. link proxies) to kill on teardown. */
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
  if (typeof state.runId !== 'string' || typeof state.version !== 'number') {
    throw new Error(`${file}: not a Faultline cluster state file`);
  }
  if (state.version !== STATE_VERSION) {
    throw new Error(
      `${file}: state file version ${state.version} (this Faultline reads ${STATE_VERSION}); tear it down with the Faultline that made it`,
    );
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
