/**
 * The workloads `faultline run` knows, and what differs between them: which database they
 * need, how their schedule is made, which client they use and how their history is checked.
 *
 * - `register`: read/write/cas registers on etcd (linearizability + safety checks).
 * - `vote`: the PostgreSQL voting workload (src/clients/pg-vote.ts) at a chosen isolation:
 *   election safety over the vote acks AND the stored votes of the final read, stuck state,
 *   convergence of the final read through every client path, performance.
 * - `list-append`: generated transactions of reads and appends on PostgreSQL
 *   (src/clients/pg-txn.ts) at a chosen isolation, checked for isolation anomalies
 *   (src/checkers/txn) against the model that isolation level promises; stuck state, performance.
 */
import { EtcdRegisterWorkload, type ReadConsistency } from '../clients/etcd.js';
import type { NodeEndpoint, Workload } from '../clients/client.js';
import {
  DEFAULT_PG_VOTE_OPTIONS,
  PgVoteWorkload,
  type Isolation,
  type PgTimeouts,
} from '../clients/pg-vote.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import type { ClusterDefinition } from '../definition.js';
import { generateSchedule } from '../generators/generate.js';
import type { ScheduleParams } from '../generators/params.js';
import type { Schedule } from '../generators/schedule.js';
import {
  DEFAULT_VOTE_SCHEDULE,
  generateVoteSchedule,
  type VotePlanShape,
} from '../generators/vote-schedule.js';
import type { History, JsonValue } from '../history/op.js';
import { DEFAULT_PG_TXN_OPTIONS, PgTxnWorkload } from '../clients/pg-txn.js';
import { generateTxnSchedule, txnKeysOf } from '../generators/txn-schedule.js';
import type { CheckPlan } from './checks.js';

export const WORKLOAD_NAMES = ['register', 'vote', 'list-append'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** The database each workload runs on. */
export const WORKLOAD_DATABASE: Record<WorkloadName, ClusterDefinition['database']> = {
  register: 'etcd',
  vote: 'postgres',
  'list-append': 'postgres',
};

/** A workload asked of a cluster it cannot run on: one clear line for the CLI (exit 65). */
export class WorkloadMismatchError extends Error {
  override readonly name = 'WorkloadMismatchError';
  constructor(
    readonly clusterFile: string,
    readonly database: string,
    readonly workload: WorkloadName,
  ) {
    super(
      `${clusterFile}: database "${database}" has no ${workload} workload (the ${workload} workload runs on ${WORKLOAD_DATABASE[workload]})`,
    );
  }
  get userMessage(): string {
    return this.message;
  }
}

export function assertWorkloadFits(def: ClusterDefinition, file: string, w: WorkloadName): void {
  if (def.database !== WORKLOAD_DATABASE[w]) throw new WorkloadMismatchError(file, def.database, w);
}

/** Generates the schedule of a workload from the knobs and a seed. */
export function generateWorkloadSchedule(
  w: WorkloadName,
  def: ClusterDefinition,
  params: Partial<ScheduleParams>,
  seed?: number,
): Schedule {
  if (w === 'vote') {
    return generateVoteSchedule(
      params,
      // One primary: faults target it, and a partition cuts it off from its clients.
      { ...DEFAULT_VOTE_SCHEDULE, oneNode: def.nodes.length === 1 },
      seed,
    ).schedule;
  }
  if (w === 'list-append')
    return generateTxnSchedule(params, { oneNode: def.nodes.length === 1 }, seed).schedule;
  return generateSchedule(params, seed).schedule;
}

/** Voters, rounds, racers and candidates of a vote schedule (from its ops). */
export function voteShapeOf(schedule: Schedule): Omit<VotePlanShape, 'roundMs'> {
  const voters = new Set<string>();
  const candidates = new Set<string>();
  let rounds = 0;
  for (const ops of schedule.processes)
    for (const op of ops)
      if (op.f === 'vote') {
        voters.add(op.value.voter);
        candidates.add(op.value.candidate);
        rounds = Math.max(rounds, op.value.round);
      }
  return {
    voters: voters.size,
    racers: voters.size ? Math.round(schedule.processes.length / voters.size) : 0,
    rounds,
    candidates: candidates.size,
  };
}

/** pg's own timeouts just under the executor's per-op deadline, so pg classifies first. */
export function pgTimeoutsFor(opTimeoutMs: number): PgTimeouts {
  const t = Math.max(100, opTimeoutMs - 200);
  return { connectMs: t, statementMs: t, queryMs: t + 100, idleInTransactionMs: 5000 };
}

export interface WorkloadConfig {
  readConsistency: ReadConsistency;
  isolation: Isolation;
  opTimeoutMs: number;
}

export function createRunWorkload(
  w: WorkloadName,
  schedule: Schedule,
  c: WorkloadConfig,
): Workload {
  if (w === 'vote') {
    const shape = voteShapeOf(schedule);
    return new PgVoteWorkload({
      ...DEFAULT_PG_VOTE_OPTIONS,
      isolation: c.isolation,
      voters: shape.voters,
      rounds: shape.rounds,
      racers: Math.max(1, shape.racers),
      candidates: Math.max(shape.candidates, shape.racers, 1),
      timeouts: pgTimeoutsFor(c.opTimeoutMs),
    });
  }
  if (w === 'list-append')
    return new PgTxnWorkload({
      ...DEFAULT_PG_TXN_OPTIONS,
      isolation: c.isolation,
      keys: txnKeysOf(schedule),
      timeouts: pgTimeoutsFor(c.opTimeoutMs),
    });
  return new EtcdRegisterWorkload({ readConsistency: c.readConsistency, timeoutMs: c.opTimeoutMs });
}

/** The recorded workload name (`etcd-register`, `pg-vote`). */
export function workloadLabel(w: WorkloadName): string {
  return w === 'vote' ? 'pg-vote' : w === 'list-append' ? 'pg-list-append' : `etcd-${w}`;
}

/**
 * Checks of a vote run: election safety over vote acks and stored votes (no node logs: the
 * votes are the application's, not the database's), stuck state, convergence of the final
 * reads, performance.
 */
export function voteCheckPlan(): CheckPlan {
  return {
    checkers: ['election', 'stuck', 'convergence', 'perf'],
    readNil: 'absent',
    options: {
      election: {},
      stuck: { allowStuckUnderFaults: true },
    },
  };
}

/**
 * What each PostgreSQL isolation level promises, in Elle's model names: REPEATABLE READ is
 * snapshot isolation in PostgreSQL (it allows write skew, G2-item, which Adya's repeatable-read
 * forbids).
 */
export const ISOLATION_MODEL: Record<Isolation, string> = {
  'read committed': 'read-committed',
  'repeatable read': 'snapshot-isolation',
  serializable: 'serializable',
};

/** Checks of a list-append run: isolation anomalies against the promised model; stuck; perf. */
export function txnCheckPlan(
  isolation: Isolation,
  opts: { consistencyModel?: string; timeLimitMs?: number } = {},
): CheckPlan {
  return {
    checkers: ['list-append', 'stuck', 'perf'],
    readNil: 'absent',
    options: {
      'list-append': {
        consistencyModel: opts.consistencyModel ?? ISOLATION_MODEL[isolation],
        ...(opts.timeLimitMs ? { timeLimitMs: opts.timeLimitMs } : {}),
      },
      stuck: { allowStuckUnderFaults: true },
    },
  };
}

const storedKey = (row: JsonValue): string => JSON.stringify(row);

/**
 * Convergence observations of a vote run from its history: every final `read-votes` is one
 * client path (`n1 via p7`: node and the process that read); an ok read contributes the votes it
 * saw (sorted: order does not matter), a failed one makes that path unobserved. A node no final
 * read reached is unobserved too.
 */
export function voteObservations(
  history: History,
  nodes: readonly NodeEndpoint[],
): ReplicaObservation[] {
  const out: ReplicaObservation[] = [];
  const url = new Map(nodes.map((n) => [n.name, n.url]));
  for (const op of history) {
    if (op.f !== 'read-votes' || op.type === 'invoke' || op.node === undefined) continue;
    const replica = `${op.node} via p${String(op.process)}`;
    const via = url.get(op.node) ?? op.node;
    if (op.type === 'ok' && Array.isArray(op.value)) {
      const votes = [...op.value].sort((a, b) => storedKey(a).localeCompare(storedKey(b)));
      out.push({ replica, via, time: op.time, reads: { votes } });
    } else {
      out.push({
        replica,
        via,
        error: `final read-votes ${op.type}: ${JSON.stringify(op.error ?? null)}`,
      });
    }
  }
  for (const n of nodes)
    if (!out.some((o) => o.via === n.url))
      out.push({ replica: n.name, via: n.url, error: 'no final read-votes reached this node' });
  return out;
}
