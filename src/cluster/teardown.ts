/**
 * Tearing a cluster down from its state file alone, so it works for a cluster this process owns,
 * for one left up by `cluster up`, and for one whose Faultline crashed: SIGKILL every process in
 * its namespaces (stopped ones too: SIGKILL ends a SIGSTOPped process), then remove namespaces,
 * veths, bridge and data directories. Logs stay: they belong to the run's record.
 */
import { rm } from 'node:fs/promises';
import { waitFor } from './exec.js';
import { deleteBridge, deleteNodeNet, netnsPids } from './network.js';
import { isAlive, signal } from './proc.js';
import { removeState, stateDir, type ClusterState } from './state.js';
import { releaseSubnet } from './subnet.js';

export interface TeardownReport {
  runId: string;
  killed: number[];
  namespaces: string[];
}

export async function teardownState(
  state: ClusterState,
  dir = stateDir(),
): Promise<TeardownReport> {
  const pids = new Set<number>();
  for (const n of state.nodes) {
    if (n.process && isAlive(n.process.pid, n.process.startTime)) pids.add(n.process.pid);
    for (const pid of await netnsPids(n.netns)) pids.add(pid);
  }
  for (const a of state.auxProcesses ?? []) if (isAlive(a.pid, a.startTime)) pids.add(a.pid);
  pids.delete(process.pid);
  for (const pid of pids) {
    signal(pid, 'SIGKILL');
  }
  await waitFor('cluster processes to exit', () => [...pids].every((p) => !isAlive(p)), {
    timeoutMs: 10_000,
    intervalMs: 20,
  });
  await Promise.all(state.nodes.map((n) => deleteNodeNet(n.netns, n.vethHost)));
  await deleteBridge(state.bridge);
  await Promise.all(state.nodes.map((n) => rm(n.dataDir, { recursive: true, force: true })));
  releaseSubnet(state.subnetLock, state.runId, dir);
  removeState(state.runId, dir);
  return { runId: state.runId, killed: [...pids], namespaces: state.nodes.map((n) => n.netns) };
}
