/**
 * Tearing a cluster down from its state file alone, so it works for a cluster this process owns,
 * for one left up by `cluster up`, and for one whose Faultline crashed: copy the member logs
 * home (where they are not local already), then let the placement kill every process Faultline
 * started on the nodes (stopped ones too: SIGKILL ends a SIGSTOPped process) and remove what it
 * made, then remove data directories. Logs stay: they belong to the run's record.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { placementBackend } from '../placement/index.js';
import type { Placement } from '../placement/placement.js';
import { runFile } from '../run-layout.js';
import { removeState, stateDir, stateFilePath, type ClusterState } from './state.js';

export interface TeardownReport {
  runId: string;
  killed: string[];
  removed: string[];
}

export async function teardownState(
  state: ClusterState,
  dir = stateDir(),
  open?: Placement,
): Promise<TeardownReport> {
  const placement =
    open ??
    placementBackend(state.placement.backend).open(state.placement, {
      runId: state.runId,
      runDir: state.runDir,
      stateDir: dir,
      stateFile: stateFilePath(state.runId, dir),
      ...(state.definitionFile ? { definitionFile: state.definitionFile } : {}),
    });
  if (!placement.filesAreLocal) {
    await placement
      .collectLogs(
        state.nodes.map((n) => ({
          node: n.name,
          remotePath: n.logFile,
          localPath: join(state.runDir, runFile.nodeLog(n.name)),
        })),
      )
      .catch(() => undefined); // an unreachable node must not keep the rest up
    for (const n of state.nodes)
      await placement
        .remote(n.name)
        .run(['rm', '-rf', '--', n.dataDir])
        .catch(() => undefined);
  }
  const processes = [
    ...state.nodes.flatMap((n) => (n.process ? [n.process] : [])),
    ...(state.auxProcesses ?? []),
  ];
  const report = await placement.destroy(processes);
  if (placement.filesAreLocal)
    await Promise.all(state.nodes.map((n) => rm(n.dataDir, { recursive: true, force: true })));
  await placement.close();
  removeState(state.runId, dir);
  return { runId: state.runId, killed: report.killed, removed: report.removed };
}
