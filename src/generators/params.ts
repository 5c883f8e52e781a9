/**
 * The knobs of schedule generation, with defaults. Params are plain JSON so a generated schedule
 * can carry them (schedule.origin.params) and be regenerated from (seed, params).
 */
import { z } from 'zod';
import { fieldPath } from '../json-input.js';
import type { FaultKind } from '../nemesis/fault.js';
import { FAULT_KINDS, type OpFunction } from './schedule.js';

export interface ScheduleParams {
  /** Total time: workers stop issuing ops after it; every fault ends before it. */
  durationMs: number;
  /** Number of client processes (workers). */
  concurrency: number;
  /** Target ops per second per process (delays average 1000/rate ms). */
  rate: number;
  /** Size of the key space (keys 0..keys-1). */
  keys: number;
  /** Written values are integers 0..values-1 (small, so cas has a fair chance to succeed). */
  values: number;
  /** Relative weights of read, write and cas. */
  opMix: Record<OpFunction, number>;
  /** Fault kinds the target cluster supports and the user allows; [] = no faults. */
  faultKinds: FaultKind[];
  /** Intensity: how many faults (at most) and how long each lasts. */
  faults: { count: number; minDurationMs: number; maxDurationMs: number };
  /** Quiet time at the end with no fault active, so recovery is observed inside the run. */
  settleMs: number;
  /** Generated kills flap (generators/flap.ts): 2-4 kill/restart rounds within the fault. */
  flap?: boolean;
}

export const DEFAULT_SCHEDULE_PARAMS: ScheduleParams = {
  durationMs: 10_000,
  concurrency: 5,
  rate: 10,
  keys: 3,
  values: 5,
  opMix: { read: 1, write: 1, cas: 1 },
  faultKinds: ['partition', 'kill', 'pause'],
  faults: { count: 2, minDurationMs: 1_000, maxDurationMs: 3_000 },
  settleMs: 1_000,
};

const weight = z.number().nonnegative();

const paramsSchema = z
  .object({
    durationMs: z.number().int().positive(),
    concurrency: z.number().int().positive().max(1000),
    rate: z.number().positive().max(100_000),
    keys: z.number().int().positive().max(10_000),
    values: z.number().int().positive(),
    opMix: z
      .object({ read: weight, write: weight, cas: weight })
      .strict()
      .refine((m) => m.read + m.write + m.cas > 0, 'at least one op weight must be positive'),
    faultKinds: z.array(z.enum(FAULT_KINDS as [FaultKind, ...FaultKind[]])),
    faults: z
      .object({
        count: z.number().int().nonnegative(),
        minDurationMs: z.number().int().nonnegative(),
        maxDurationMs: z.number().int().nonnegative(),
      })
      .strict()
      .refine((f) => f.minDurationMs <= f.maxDurationMs, 'minDurationMs must be <= maxDurationMs'),
    settleMs: z.number().int().nonnegative(),
    flap: z.boolean().optional(),
  })
  .strict();

export class ScheduleParamsError extends Error {
  override readonly name = 'ScheduleParamsError';
  get userMessage(): string {
    return this.message;
  }
}

/** Fills defaults (one level deep for opMix/faults) and validates; throws naming the bad knob. */
export function resolveScheduleParams(partial: Partial<ScheduleParams> = {}): ScheduleParams {
  const merged = {
    ...DEFAULT_SCHEDULE_PARAMS,
    ...partial,
    opMix: { ...DEFAULT_SCHEDULE_PARAMS.opMix, ...partial.opMix },
    faults: { ...DEFAULT_SCHEDULE_PARAMS.faults, ...partial.faults },
  };
  const r = paramsSchema.safeParse(merged);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ScheduleParamsError(`schedule parameter '${fieldPath(i.path)}': ${i.message}`);
  }
  return r.data;
}
