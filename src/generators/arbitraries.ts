/**
 * fast-check arbitraries for schedules.
 *
 * Built so that fast-check's own shrinking minimizes a failing schedule along the axes that
 * matter, without custom shrinkers, and so that removing one thing never moves another (a
 * failure on a real cluster usually depends on *when* an op runs relative to a fault):
 * - every op has an absolute start time (`atMs`, uniform over the run), and the op lists are
 *   arrays that shrink to empty (dense-array.ts): dropping an op leaves the others at their
 *   times. Start times themselves do not shrink: time is not a size;
 * - the process list has a fixed length, so process i always talks to the same node (workers
 *   map to nodes by index); a process that is not needed shrinks to no ops;
 * - keys are indices that shrink toward 0, and `keyCount` is derived (max index used + 1), so a
 *   shrunk schedule touches fewer keys; op kinds shrink toward `read`, values toward 0;
 * - each fault lives in its own time slot and shrinks first to nothing (droppable.ts), then to
 *   a shorter duration, targets toward `one`, compound faults toward fewer parts.
 * The arbitrary ignores fast-check's bias (fc.noBias): generation depends only on the seed, so
 * `generateSchedule(params, seed, path)` (generate.ts) and a property run with the same seed
 * produce the same schedules, and a counterexample path from one replays in the other.
 */
import fc from 'fast-check';
import type { JsonValue } from '../history/op.js';
import type { Fault, FaultKind, PartitionShape, TargetSpec } from '../nemesis/fault.js';
import { denseArray } from './dense-array.js';
import { fittedFlap } from './flap.js';
import { droppable } from './droppable.js';
import { resolveScheduleParams, type ScheduleParams } from './params.js';
import {
  SCHEDULE_VERSION,
  type Schedule,
  type ScheduledFault,
  type RegisterOp,
  type RegisterOpBody,
} from './schedule.js';

/** Ops per process needed to fill the run at the target rate. */
export function opsPerProcess(p: ScheduleParams): number {
  return Math.max(0, Math.ceil((p.rate * p.durationMs) / 1000));
}

/** A register op with its absolute start; `delayMs` is derived once a process's ops are sorted. */
export type TimedOp = RegisterOpBody & { atMs: number };

/** Start times uniform over the run (so the mean gap gives the target rate); never shrunk. */
export function startTimeArbitrary(p: ScheduleParams): fc.Arbitrary<number> {
  return fc.noShrink(fc.integer({ min: 0, max: Math.max(0, p.durationMs - 1) }));
}

export function opArbitrary(p: ScheduleParams): fc.Arbitrary<TimedOp> {
  const atMs = startTimeArbitrary(p);
  const key = fc.nat({ max: p.keys - 1 });
  const value = fc.nat({ max: p.values - 1 });
  const weighted: fc.WeightedArbitrary<TimedOp>[] = [];
  // Order matters for shrinking: oneof shrinks toward earlier arbitraries (read first).
  if (p.opMix.read > 0)
    weighted.push({
      weight: p.opMix.read,
      arbitrary: fc.record({ atMs, f: fc.constant('read' as const), key }),
    });
  if (p.opMix.write > 0)
    weighted.push({
      weight: p.opMix.write,
      arbitrary: fc.record({ atMs, f: fc.constant('write' as const), key, value }),
    });
  if (p.opMix.cas > 0)
    weighted.push({
      weight: p.opMix.cas,
      arbitrary: fc.record({
        atMs,
        f: fc.constant('cas' as const),
        key,
        value: fc.tuple(value, value),
      }),
    });
  // Weights are relative; fast-check wants integers.
  const scale = 1000 / Math.max(...weighted.map((w) => w.weight));
  return fc.oneof(
    ...weighted.map((w) => ({ ...w, weight: Math.max(1, Math.round(w.weight * scale)) })),
  );
}

/** One process's ops in start order, each with its gap to the previous one as `delayMs`. */
export function timeline(ops: readonly TimedOp[]): RegisterOp[] {
  let prev = 0;
  return [...ops]
    .sort((a, b) => a.atMs - b.atMs)
    .map((op) => {
      const delayMs = op.atMs - prev;
      prev = op.atMs;
      return { ...op, delayMs };
    });
}

const SHAPES: readonly PartitionShape[] = [
  'one',
  'majority',
  'majorities-ring',
  'minority-third',
  'primaries',
  'bridge',
  'random-halves',
];

/** Node-level targets, simplest first so shrinking heads toward `one`. */
const NODE_TARGETS: readonly TargetSpec[] = ['one', 'minority', 'primaries', 'majority', 'all'];

const targets = (allowed: readonly TargetSpec[] = NODE_TARGETS): fc.Arbitrary<TargetSpec> =>
  fc.constantFrom(...allowed);

/** Params per fault kind, in the units src/nemesis/fault.ts documents. */
function simpleFaultArbitrary(kind: Exclude<FaultKind, 'compound'>): fc.Arbitrary<Fault> {
  const fault = (t: fc.Arbitrary<TargetSpec>, params: fc.Arbitrary<Record<string, JsonValue>>) =>
    fc.record({ kind: fc.constant(kind), targets: t, params }) as fc.Arbitrary<Fault>;
  switch (kind) {
    case 'partition':
      // The shape decides who is cut off; targets are resolved by the shape.
      return fault(
        fc.constant('all'),
        fc.record({ shape: fc.constantFrom(...SHAPES) as fc.Arbitrary<JsonValue> }),
      );
    case 'loss':
      return fault(
        targets(),
        fc.record({ probability: fc.integer({ min: 10, max: 90 }).map((n) => n / 100) }),
      );
    case 'latency':
      return fault(
        targets(),
        fc.record({
          latencyMs: fc.integer({ min: 10, max: 500 }),
          jitterMs: fc.integer({ min: 0, max: 100 }),
        }),
      );
    case 'bandwidth':
      return fault(targets(), fc.record({ rateKBps: fc.integer({ min: 1, max: 1000 }) }));
    case 'reset':
    case 'blackhole':
    case 'kill':
    case 'pause':
      return fault(targets(), fc.constant({}));
    case 'amnesia':
      // Wiping a majority's data loses acknowledged writes by design, which is not a bug of the
      // system under test; keep amnesia to a minority.
      return fault(targets(['one', 'minority']), fc.constant({}));
    case 'clock':
      return fault(targets(), fc.record({ offsetMs: fc.integer({ min: -60_000, max: 60_000 }) }));
  }
}

export function faultArbitrary(kinds: readonly FaultKind[]): fc.Arbitrary<Fault> {
  const simple = kinds.filter((k): k is Exclude<FaultKind, 'compound'> => k !== 'compound');
  if (simple.length === 0)
    throw new Error('fault kinds: compound needs at least one other kind to combine');
  const arbs: fc.Arbitrary<Fault>[] = simple.map(simpleFaultArbitrary);
  if (kinds.includes('compound')) {
    const part = fc.oneof(...simple.map(simpleFaultArbitrary));
    arbs.push(
      fc.array(part, { minLength: 2, maxLength: 3 }).map((parts) => ({
        kind: 'compound',
        targets: 'all',
        params: { faults: parts as unknown as JsonValue },
      })),
    );
  }
  return fc.oneof(...arbs);
}

/**
 * The run up to `settleMs` before its end is cut into equal slots, one per fault, so faults never
 * overlap (use `compound` for simultaneous faults) and dropping one leaves the others in place.
 * If `count` faults of the minimum duration do not fit, there are fewer slots.
 */
export function faultSlots(p: ScheduleParams): { slots: number; slotMs: number } {
  const room = Math.max(0, p.durationMs - p.settleMs);
  const fit = p.faults.minDurationMs > 0 ? Math.floor(room / p.faults.minDurationMs) : Infinity;
  const slots = Math.min(p.faults.count, fit);
  return { slots, slotMs: slots > 0 ? Math.floor(room / slots) : 0 };
}

function faultsArbitrary(p: ScheduleParams): fc.Arbitrary<ScheduledFault[]> {
  const { slots, slotMs } = faultSlots(p);
  if (p.faultKinds.length === 0 || slots === 0) return fc.constant([]);
  const maxDurationMs = Math.min(p.faults.maxDurationMs, slotMs);
  const fault = (slot: number): fc.Arbitrary<ScheduledFault> =>
    fc.record({
      // Where in its slot the fault starts: like op start times, not shrunk.
      atMs: fc
        .noShrink(fc.integer({ min: 0, max: slotMs - maxDurationMs }))
        .map((offset) => slot * slotMs + offset),
      durationMs: fc.integer({ min: p.faults.minDurationMs, max: maxDurationMs }),
      fault: faultArbitrary(p.faultKinds),
    });
  // Asked to flap: a drawn kill becomes 2-4 kill/restart rounds spread over its duration.
  const flapping = (slot: number): fc.Arbitrary<ScheduledFault> =>
    fc.tuple(fault(slot), fc.integer({ min: 2, max: 4 })).map(([sf, count]) =>
      sf.fault.kind === 'kill' && sf.durationMs >= count * 2
        ? {
            ...sf,
            fault: {
              ...sf.fault,
              params: {
                ...sf.fault.params,
                flap: fittedFlap(sf.durationMs, count) as unknown as JsonValue,
              },
            },
          }
        : sf,
    );
  return fc
    .tuple(...Array.from({ length: slots }, (_, i) => droppable(p.flap ? flapping(i) : fault(i))))
    .map((fs) => fs.filter((f): f is ScheduledFault => f !== null));
}

/** The schedule arbitrary for the given knobs (missing knobs take their defaults). */
export function scheduleArbitrary(partial: Partial<ScheduleParams> = {}): fc.Arbitrary<Schedule> {
  const p = resolveScheduleParams(partial);
  const n = opsPerProcess(p);
  const c = p.concurrency;
  const processes = fc.array(denseArray(opArbitrary(p), { minFill: n, maxLength: n }), {
    minLength: c,
    maxLength: c,
  });
  return fc.noBias(
    fc.tuple(processes, faultsArbitrary(p)).map(([procs, faults]): Schedule => {
      let maxKey = 0;
      for (const ops of procs) for (const op of ops) maxKey = Math.max(maxKey, op.key);
      return {
        version: SCHEDULE_VERSION,
        durationMs: p.durationMs,
        keyCount: maxKey + 1,
        processes: procs.map(timeline),
        faults,
      };
    }),
  );
}
