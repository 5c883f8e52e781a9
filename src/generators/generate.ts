/**
 * Reproducible schedule generation: the same (params, seed[, path]) always yields the same
 * schedule. `path` is fast-check's replay path of a shrunk counterexample (RunDetails
 * `counterexamplePath`); with it, this returns that minimized schedule instead of the first sample.
 */
import fc from 'fast-check';
import type { JsonValue } from '../history/op.js';
import { scheduleArbitrary } from './arbitraries.js';
import { resolveScheduleParams, type ScheduleParams } from './params.js';
import type { Schedule } from './schedule.js';

export interface GeneratedSchedule {
  schedule: Schedule;
  seed: number;
  path?: string;
  params: ScheduleParams;
}

/** A fresh 32-bit seed, the same kind fast-check draws when none is given. */
export function randomSeed(): number {
  return (Math.random() * 0x1_0000_0000) ^ 0;
}

export function generateSchedule(
  partial: Partial<ScheduleParams> = {},
  seed: number = randomSeed(),
  path?: string,
): GeneratedSchedule {
  const params = resolveScheduleParams(partial);
  const [schedule] = fc.sample(scheduleArbitrary(params), {
    seed,
    numRuns: 1,
    ...(path ? { path } : {}),
  });
  if (!schedule)
    throw new Error(`fast-check produced no schedule for seed ${seed} path ${path ?? ''}`);
  schedule.origin = { seed, ...(path ? { path } : {}), params: params as unknown as JsonValue };
  return { schedule, seed, ...(path ? { path } : {}), params };
}
