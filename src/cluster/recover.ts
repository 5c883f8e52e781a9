/**
 * Start-up recovery: undo what a crashed Faultline left behind. Run it at the start of any
 * command that touches clusters, and by `cluster down`.
 *
 * - A cluster whose owner process is dead is torn down entirely (processes, namespaces, veths,
 *   bridge, data): that also removes every iptables rule, SIGSTOPped member and link proxy in it.
 * - A cluster left up on purpose (`cluster up`, no owner) stays, but the faults of any journal
 *   whose writer died are healed from the journal (rules deleted, SIGCONT, members restarted).
 * - With `all`, every cluster of this state dir is torn down. With `orphans`, also any namespace
 *   or link named like ours (fl<6 hex>-<node>, fl<6 hex>br, fl<6 hex>h<n>) that no state file
 *   in this state dir describes (off by default: another state dir's live run looks the same).
 */
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { readJournal, unhealedFaults } from '../nemesis/journal.js';
import { undoRecorded } from '../nemesis/nemesis.js';
import { Cluster } from './cluster.js';
import { execRaw } from './exec.js';
import { deleteBridge, listLinks, listNetns, netnsPids } from './network.js';
import { isAlive, signal } from './proc.js';
import { listStates, stateDir, writeState, type ClusterState } from './state.js';
import { teardownState } from './teardown.js';

export interface RecoveryReport {
  tornDown: { runId: string; name: string; reason: string; unhealedFaults: string[] }[];
  healed: { runId: string; journal: string; faults: string[] }[];
  orphans: string[];
  errors: string[];
}

const OWN_NETNS = /^fl[0-9a-f]{6}-[a-z][a-z0-9-]*$/;
const OWN_LINK = /^fl[0-9a-f]{6}(br|h\d+)$/;

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
  const known = new Set<string>();
  for (const { file, state, error } of listStates(dir)) {
    if (!state) {
      report.errors.push(`${file}: ${error}`);
      continue;
    }
    state.nodes.forEach((n) => known.add(n.netns));
    known.add(state.bridge);
    state.nodes.forEach((n) => known.add(n.vethHost));
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
    for (const ns of await listNetns()) {
      if (!OWN_NETNS.test(ns) || known.has(ns)) continue;
      for (const pid of await netnsPids(ns)) signal(pid, 'SIGKILL');
      await execRaw(['ip', 'netns', 'del', ns]);
      report.orphans.push(`netns ${ns}`);
    }
    for (const link of await listLinks()) {
      if (!OWN_LINK.test(link) || known.has(link)) continue;
      await deleteBridge(link);
      report.orphans.push(`link ${link}`);
    }
  }
  return report;
}
