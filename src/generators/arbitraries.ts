/**
 * fast-check arbitraries for schedules.
 *
 * Built so that fast-check's own shrinking minimizes a failing schedule along the axes that
 * matter, without custom shrinkers:
 * - processes and their op lists are arrays that shrink to empty (dense-array.ts): fewer ops,
 *   fewer processes;
 * - keys are indices that shrink toward 0, and `keyCount` is derived (max index used + 1), so a
 *   shrunk schedule touches fewer keys;
 * - op kinds shrink toward `read`, values toward 0, delays toward 0;
 * - faults are an array (fewer faults), their durations shrink toward the minimum, their gaps
 *   toward 0, targets toward `one`, and compound faults toward fewer parts.
 * The arbitrary ignores fast-check's bias (fc.noBias): generation depends only on the seed, so
 * `generateSchedule(params, seed, path)` (generate.ts) and a property run with the same seed
 * produce the same schedules, and a counterexample path from one replays in the other.
 */
import fc from 'fast-check';
import type { JsonValue } from '../history/op.js';
import type { Fault, FaultKind, PartitionShape, TargetSpec } from '../nemesis/fault.js';
import { denseArray } from './dense-array.js';
import { resolveScheduleParams, type ScheduleParams } from './params.js';
import {
  SCHEDULE_VERSION,
  type Schedule,
  type ScheduledFault,
  type RegisterOp,
} from './schedule.js';

/** Ops per process needed to fill the run at the target rate. */
export function opsPerProcess(p: ScheduleParams): number {
  return Math.max(0, Math.ceil((p.rate * p.durationMs) / 1000));
}

/** Delay before each op: uniform in [0, 2 * 1000/rate] ms, so the mean gives the target rate. */
export function delayArbitrary(p: ScheduleParams): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: Math.max(0, Math.round(2000 / p.rate)) });
}

export function opArbitrary(p: ScheduleParams): fc.Arbitrary<RegisterOp> {
  const delayMs = delayArbitrary(p);
  const key = fc.nat({ max: p.keys - 1 });
  const value = fc.nat({ max: p.values - 1 });
  const weighted: fc.WeightedArbitrary<RegisterOp>[] = [];
  // Order matters for shrinking: oneof shrinks toward earlier arbitraries (read first).
  if (p.opMix.read > 0)
    weighted.push({
      weight: p.opMix.read,
      arbitrary: fc.record({ delayMs, f: fc.constant('read' as const), key }),
    });
  if (p.opMix.write > 0)
    weighted.push({
      weight: p.opMix.write,
      arbitrary: fc.record({ delayMs, f: fc.constant('write' as const), key, value }),
    });
  if (p.opMix.cas > 0)
    weighted.push({
      weight: p.opMix.cas,
      arbitrary: fc.record({
        delayMs,
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

interface RawFault {
  gapMs: number;
  durationMs: number;
  fault: Fault;
}

/**
 * Faults as a sequence of (gap, duration, fault): each starts `gap` after the previous one
 * ended, so faults never overlap (use `compound` for simultaneous faults) and dropping one
 * simply pulls the later ones earlier. Faults that would not end `settleMs` before the end of
 * the run are dropped.
 */
export function faultTimeline(raw: readonly RawFault[], p: ScheduleParams): ScheduledFault[] {
  const out: ScheduledFault[] = [];
  let t = 0;
  for (const r of raw) {
    const atMs = t + r.gapMs;
    if (atMs + r.durationMs > p.durationMs - p.settleMs) break;
    out.push({ atMs, durationMs: r.durationMs, fault: r.fault });
    t = atMs + r.durationMs;
  }
  return out;
}

function faultsArbitrary(p: ScheduleParams): fc.Arbitrary<ScheduledFault[]> {
  if (p.faultKinds.length === 0 || p.faults.count === 0) return fc.constant([]);
  const { count, minDurationMs, maxDurationMs } = p.faults;
  // Spread the faults over the run, and make them all fit: with every gap at most room/count,
  // even the longest faults end before the settle time. (If the faults cannot fit at all, the
  // ones that do not are dropped by faultTimeline.)
  const room = p.durationMs - p.settleMs - count * maxDurationMs;
  const maxGap = Math.max(0, Math.floor(room / count));
  const raw = fc.record({
    gapMs: fc.integer({ min: 0, max: maxGap }),
    durationMs: fc.integer({ min: minDurationMs, max: maxDurationMs }),
    fault: faultArbitrary(p.faultKinds),
  });
  return denseArray(raw, { minFill: count, maxLength: count }).map((rs) => faultTimeline(rs, p));
}

/** The schedule arbitrary for the given knobs (missing knobs take their defaults). */
export function scheduleArbitrary(partial: Partial<ScheduleParams> = {}): fc.Arbitrary<Schedule> {
  const p = resolveScheduleParams(partial);
  const n = opsPerProcess(p);
  const processes = denseArray(denseArray(opArbitrary(p), { minFill: n, maxLength: n }), {
    minFill: p.concurrency,
    maxLength: p.concurrency,
  });
  return fc.noBias(
    fc.tuple(processes, faultsArbitrary(p)).map(([procs, faults]): Schedule => {
      let maxKey = 0;
      for (const ops of procs) for (const op of ops) maxKey = Math.max(maxKey, op.key);
      return {
        version: SCHEDULE_VERSION,
        durationMs: p.durationMs,
        keyCount: maxKey + 1,
        processes: procs,
        faults,
      };
    }),
  );
}
