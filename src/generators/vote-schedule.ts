/**
 * Schedules for the voting workload (src/clients/pg-vote.ts): every voter votes from `racers`
 * client processes at once in every round, each for a different candidate, so an application
 * rule that is not isolated really stores two votes. Round r starts at (r-1) * roundMs after the
 * run began (`atMs`), so the racers of a round start together however long earlier rounds took.
 *
 * Faults come from the same seeded generator as register schedules (generate.ts), so
 * `--nemesis kill,pause,partition` means the same timeline. On a one-node system (`oneNode`) a
 * partition between nodes would cut nothing and `minority` is nobody, so every fault targets
 * the node and a partition cuts it off from its clients.
 */
import { planVoteOpsPerProcess } from '../clients/pg-vote.js';
import type { JsonValue } from '../history/op.js';
import type { Fault } from '../nemesis/fault.js';
import { generateSchedule, type GeneratedSchedule } from './generate.js';
import type { ScheduleParams } from './params.js';
import type { Schedule, ScheduledFault, VoteOp } from './schedule.js';

export interface VoteScheduleOptions {
  /** Concurrent client processes per voter per round (each votes for another candidate). */
  racers: number;
  /** Candidates (`c0`, ...); at least `racers`. */
  candidates: number;
  /** Time between round starts, ms. Default 1000 / params.rate. */
  roundMs?: number;
  /** One-node system (a single primary): see `forOneNode`. */
  oneNode?: boolean;
}

export const DEFAULT_VOTE_SCHEDULE: VoteScheduleOptions = { racers: 2, candidates: 3 };

export interface VotePlanShape {
  voters: number;
  racers: number;
  rounds: number;
  candidates: number;
  roundMs: number;
}

/** Voters = concurrency / racers (rounded down, at least 1); rounds fill the run. */
export function votePlanShape(
  p: Pick<ScheduleParams, 'durationMs' | 'concurrency' | 'rate'>,
  o: VoteScheduleOptions,
): VotePlanShape {
  const racers = Math.max(1, o.racers);
  const roundMs = Math.max(1, Math.round(o.roundMs ?? 1000 / p.rate));
  return {
    voters: Math.max(1, Math.floor(p.concurrency / racers)),
    racers,
    candidates: Math.max(o.candidates, racers),
    roundMs,
    rounds: Math.max(1, Math.ceil(p.durationMs / roundMs)),
  };
}

/** The per-process vote ops of a plan (pure): process i = slot i of `planVoteOpsPerProcess`. */
export function voteProcesses(shape: VotePlanShape): VoteOp[][] {
  return planVoteOpsPerProcess(shape).map((ops) =>
    ops.map((op, i) => ({
      delayMs: 0,
      atMs: i * shape.roundMs,
      f: 'vote' as const,
      value: op.value as VoteOp['value'],
    })),
  );
}

/**
 * A fault for a one-node system (also the parts of a compound fault): it targets the node
 * (`minority` of one is nobody), and a partition cuts the node off from its clients.
 */
export function forOneNode(fault: Fault): Fault {
  if (fault.kind === 'partition')
    return { kind: 'partition', targets: 'all', params: { shape: 'clients' } };
  if (fault.kind === 'compound' && Array.isArray(fault.params?.faults)) {
    const parts = (fault.params.faults as unknown as Fault[]).map(forOneNode);
    return { ...fault, params: { ...fault.params, faults: parts as unknown as JsonValue } };
  }
  return { ...fault, targets: 'all' };
}

export interface GeneratedVoteSchedule extends GeneratedSchedule {
  schedule: Schedule<VoteOp>;
  shape: VotePlanShape;
}

/**
 * The same (params, seed) always gives the same schedule: faults as `generateSchedule` draws
 * them (mapped for `partitions`), processes from the vote plan.
 */
export function generateVoteSchedule(
  params: Partial<ScheduleParams>,
  vote: VoteScheduleOptions = DEFAULT_VOTE_SCHEDULE,
  seed?: number,
): GeneratedVoteSchedule {
  const base = generateSchedule(params, seed);
  const shape = votePlanShape(base.params, vote);
  const faults: ScheduledFault[] = base.schedule.faults.map((f) =>
    vote.oneNode ? { ...f, fault: forOneNode(f.fault) } : f,
  );
  const schedule: Schedule<VoteOp> = {
    version: base.schedule.version,
    durationMs: base.schedule.durationMs,
    keyCount: 1,
    processes: voteProcesses(shape),
    faults,
    origin: {
      seed: base.seed,
      params: {
        ...(base.params as unknown as Record<string, JsonValue>),
        workload: 'vote',
        vote: { ...shape, oneNode: vote.oneNode ?? false },
      },
    },
  };
  return { ...base, schedule, shape };
}
