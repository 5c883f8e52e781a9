/**
 * Start-up recovery: undo what a crashed Faultline left behind. It sits above the cluster and
 * the nemesis (it tears clusters down and heals journals through the fault handlers). Run it at the start of any
 * command that touches clusters, and by `cluster down`.
 *
 * - A cluster whose owner process is dead is torn down entirely (processes, namespaces, veths,
 *   bridge, data): that also removes every iptables rule, SIGSTOPped member and link proxy in it.
 * - A cluster left up on purpose (`cluster up`, no owner) stays, but the faults of any journal
 *   whose writer died are healed from the journal (rules deleted, SIGCONT, members restarted).
 * - With `all`, every cluster of this state dir is torn down. With `orphans`, also whatever each
 *   placement backend recognises as its own that no state file in this state dir describes
 *   (netns: namespaces and links named fl<6 hex>...; off by default: another state dir's live
 *   run looks the same).
 *
 * Faults are healed through the handler and backend their journal entry names (nemesis/heal.ts).
 */
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { isAlive } from '../control/proc.js';
import { readJournal, unhealedFaults } from '../nemesis/journal.js';
import { undoRecorded } from '../nemesis/heal.js';
import { allPlacementBackends } from '../placement/index.js';
import type { PlacementRecord } from '../placement/placement.js';
import { Cluster } from '../cluster/cluster.js';
import { listStates, stateDir, writeState, type ClusterState } from '../cluster/state.js';
import { teardownState } from '../cluster/teardown.js';

export interface RecoveryReport {
  tornDown: { runId: string; name: string; reason: string; unhealedFaults: string[] }[];
  healed: { runId: string; journal: string; faults: string[] }[];
  orphans: string[];
  errors: string[];
}

function unhealedIds(state: ClusterState): string[] {
  return state.journals.flatMap((j) =>
    unhealedFaults(readJournal(j.path)).map((e) => `${e.id}:${e.fault.kind}`),
  );
}

export async function recoverLeftovers(
  opts: {
    all?: boolean;
    orphans?: boolean;
    stateDir?: string;
    logger?: Logger;
    only?: (s: ClusterState) => boolean;
  } = {},
): Promise<RecoveryReport> {
  const dir = opts.stateDir ?? stateDir();
  const logger = opts.logger ?? silentLogger;
  const report: RecoveryReport = { tornDown: [], healed: [], orphans: [], errors: [] };
  const known: PlacementRecord[] = [];
  for (const { file, state, error } of listStates(dir)) {
    if (!state) {
      report.errors.push(`${file}: ${error}`);
      continue;
    }
    known.push(state.placement);
    if (opts.only && !opts.only(state)) continue;
    const ownerDead = state.owner !== null && !isAlive(state.owner.pid, state.owner.startTime);
    if (opts.all || opts.only || ownerDead) {
      const reason = opts.all || opts.only ? 'requested' : `owner pid ${state.owner!.pid} is gone`;
      try {
        const unhealed = unhealedIds(state);
        await teardownState(state, dir);
        report.tornDown.push({
          runId: state.runId,
          name: state.name,
          reason,
          unhealedFaults: unhealed,
        });
        logger.debug({ runId: state.runId, reason, unhealed }, 'tore down leftover cluster');
      } catch (err) {
        report.errors.push(`${state.runId}: ${(err as Error).message}`);
      }
      continue;
    }
    // The cluster lives on: heal the faults of journals whose writer died.
    const deadJournals = state.journals.filter((j) => !isAlive(j.writer.pid, j.writer.startTime));
    if (deadJournals.length === 0) continue;
    const cluster = Cluster.attach(state, { stateDir: dir, logger });
    for (const j of deadJournals) {
      const faults = unhealedFaults(readJournal(j.path));
      try {
        for (const f of faults.reverse()) await undoRecorded(cluster, f.undo);
        report.healed.push({
          runId: state.runId,
          journal: j.path,
          faults: faults.map((f) => `${f.id}:${f.fault.kind}`),
        });
        cluster.state.journals = cluster.state.journals.filter((x) => x !== j);
        writeState(cluster.state, dir);
      } catch (err) {
        report.errors.push(`${state.runId}: healing ${j.path}: ${(err as Error).message}`);
      }
    }
  }
  if (opts.orphans) {
    for (const b of allPlacementBackends()) {
      try {
        report.orphans.push(...((await b.orphans?.(known, { remove: true })) ?? []));
      } catch (err) {
        report.errors.push(`orphans (${b.backend}): ${(err as Error).message}`);
      }
    }
  }
  return report;
}
