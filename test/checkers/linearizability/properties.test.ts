/**
 * Property tests of the search against independent reference semantics:
 * - a sequential run of any model, stretched into random real-time overlap (each op's interval
 *   still contains its point in the run), is linearizable, also with some ops indeterminate and
 *   with failed ops sprinkled in;
 * - corrupting one result into something no op could produce is caught, and blamed on that op;
 * - on small random histories the verdict equals a brute-force permutation checker's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/history/op.js';
import { checkLinearizability } from '../../../src/checkers/linearizability/index.js';
import { type RefModel, type Spec, bruteForce, refInit, refStep, toHistory } from './histories.js';

interface SeqOp {
  f: string;
  key?: string;
  value: JsonValue;
}

/** Random op generators per model; outputs are filled in by running the reference. */
const opArb: Record<RefModel, fc.Arbitrary<SeqOp>> = {
  register: fc.oneof(
    fc.record({ f: fc.constant('read'), value: fc.constant(null) }),
    fc.record({ f: fc.constant('write'), value: fc.integer({ min: 0, max: 3 }) }),
  ),
  'cas-register': fc.oneof(
    fc.record({ f: fc.constant('read'), value: fc.constant(null) }),
    fc.record({ f: fc.constant('write'), value: fc.integer({ min: 0, max: 3 }) }),
    fc.record({
      f: fc.constant('cas'),
      value: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    }),
  ),
  kv: fc.oneof(
    fc.record({ f: fc.constant('get'), key: fc.constantFrom('a', 'b'), value: fc.constant(null) }),
    fc.record({
      f: fc.constant('put'),
      key: fc.constantFrom('a', 'b'),
      value: fc.constantFrom('x', 'y'),
    }),
    fc.record({
      f: fc.constant('append'),
      key: fc.constantFrom('a', 'b'),
      value: fc.constantFrom('x', 'y', 'z'),
    }),
  ),
  mutex: fc.record({ f: fc.constantFrom('acquire', 'release'), value: fc.constant(null) }),
  set: fc.oneof(
    fc.record({ f: fc.constant('add'), value: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ f: fc.constant('read'), value: fc.constant(null) }),
  ),
  'fifo-queue': fc.oneof(
    fc.record({ f: fc.constant('enqueue'), value: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ f: fc.constant('dequeue'), value: fc.constant(null) }),
  ),
  'unordered-queue': fc.oneof(
    fc.record({ f: fc.constant('enqueue'), value: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ f: fc.constant('dequeue'), value: fc.constant(null) }),
  ),
};

const READS: Record<string, true> = { read: true, get: true, dequeue: true };

/** Runs ops sequentially through the reference, fixing outputs; skips ops that cannot happen. */
function runSequential(model: RefModel, ops: readonly SeqOp[]): { op: SeqOp; output: JsonValue }[] {
  let state = refInit(model);
  const out: { op: SeqOp; output: JsonValue }[] = [];
  for (const op of ops) {
    let output: JsonValue = null;
    if (model === 'register' || model === 'cas-register') {
      if (op.f === 'read') output = state;
      if (op.f === 'cas') {
        // A cas that would not apply is recorded as failed (it did not happen).
        if (JSON.stringify(state) !== JSON.stringify((op.value as JsonValue[])[0])) continue;
      }
    } else if (model === 'kv' && op.f === 'get') {
      output = (state as Record<string, string>)[op.key!] ?? '';
    } else if (model === 'set' && op.f === 'read') {
      output = state;
    } else if (op.f === 'dequeue') {
      const q = state as JsonValue[];
      output = q.length === 0 ? null : model === 'fifo-queue' ? q[0]! : q[q.length - 1]!;
    }
    const next = refStep(model, state, { ...op, output });
    if (next === undefined) continue; // e.g. releasing a free mutex
    state = next;
    out.push({ op, output });
  }
  return out;
}

const MODELS: RefModel[] = [
  'register',
  'cas-register',
  'kv',
  'mutex',
  'set',
  'fifo-queue',
  'unordered-queue',
];

/** A sequential run stretched into overlapping intervals around each op's point. */
const stretchedArb = (model: RefModel) =>
  fc
    .record({
      ops: fc.array(opArb[model], { minLength: 1, maxLength: 40 }),
      stretch: fc.array(fc.tuple(fc.nat(40), fc.nat(40), fc.nat(9)), {
        minLength: 40,
        maxLength: 40,
      }),
    })
    .map(({ ops, stretch }) =>
      runSequential(model, ops).map(({ op, output }, i): Spec => {
        const [before, after, kind] = stretch[i]!;
        const point = i * 20 * 1000 + 10_000;
        const status = kind === 0 ? 'info' : 'ok';
        return {
          ...op,
          output,
          status,
          infoCompletion: kind === 0 && before % 2 === 0,
          start: point - before * 1000 - 2 * i - 2,
          end: point + after * 1000 + 2 * i + 1,
        };
      }),
    );

describe('stretched sequential runs are linearizable', () => {
  for (const model of MODELS) {
    it(model, async () => {
      await fc.assert(
        fc.asyncProperty(stretchedArb(model), fc.boolean(), async (specs, split) => {
          // Failed ops never happened: sprinkle some in, with values nobody reads.
          const withFails: Spec[] = [
            ...specs,
            ...specs
              .filter((_, i) => i % 7 === 3)
              .map((s) => ({
                ...s,
                status: 'fail' as const,
                value: s.f === 'cas' ? [9, 9] : s.value,
              })),
          ];
          const r = await checkLinearizability(toHistory(withFails), { model, split, workers: 0 });
          expect(r.valid).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }
});

/** Replaces one result with something no op produces; the violation must be detected. */
function corrupt(
  model: RefModel,
  specs: Spec[],
  pick: number,
): { specs: Spec[]; target: number } | null {
  if (model === 'mutex') {
    // Two acquires, strictly after everything else and one after the other. Indeterminate ops
    // are removed first: a pending release could legitimately take effect between them.
    specs = specs.filter((s) => s.status === 'ok');
    const end = Math.max(0, ...specs.map((s) => s.end)) + 10_000;
    const extra: Spec[] = [
      { f: 'acquire', value: null, status: 'ok', start: end, end: end + 1000 },
      { f: 'acquire', value: null, status: 'ok', start: end + 2000, end: end + 3000 },
    ];
    return { specs: [...specs, ...extra], target: specs.length + 1 };
  }
  const reads = specs
    .map((s, i) => [s, i] as const)
    .filter(([s]) => READS[s.f] && s.status === 'ok');
  if (reads.length === 0) return null;
  const [s, i] = reads[pick % reads.length]!;
  const bogus: JsonValue =
    model === 'kv'
      ? `${String(s.output ?? '')}Q`
      : model === 'set'
        ? [...(s.output as number[]), 777]
        : 777;
  const copy = specs.slice();
  copy[i] = { ...s, output: bogus };
  return { specs: copy, target: i };
}

describe('an impossible result is caught', () => {
  for (const model of MODELS) {
    it(model, async () => {
      await fc.assert(
        fc.asyncProperty(stretchedArb(model), fc.nat(), async (specs, pick) => {
          const c = corrupt(model, specs, pick);
          fc.pre(c !== null);
          const history = toHistory(c!.specs);
          const r = await checkLinearizability(history, { model, workers: 0 });
          expect(r.valid).toBe(false);
          expect(r.violations.length).toBe(1);
          // The search stops at the first op that cannot be linearized: the corrupted one, or
          // one that returned no later (e.g. a read that the corruption left unexplainable).
          const done = history.find((o) => o.type !== 'invoke' && o.process === c!.target)!;
          const blamed = r.violations[0]!.op;
          expect(blamed.completeIndex).toBeGreaterThanOrEqual(0);
          expect(blamed.completeIndex).toBeLessThanOrEqual(done.index);
        }),
        { numRuns: 60 },
      );
    });
  }
});

/** Small random histories: random intervals, outputs and outcomes. */
const smallArb = (model: RefModel) =>
  fc
    .array(
      fc.record({
        op: opArb[model],
        start: fc.nat(10),
        len: fc.nat(6),
        status: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail', 'refused'),
        output: fc.oneof(
          fc.constant(null),
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom('', 'x', 'xy', 'z'),
        ),
        setOut: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 7 },
    )
    .map((rows) =>
      rows.map((r, i): Spec => {
        let output: JsonValue = null;
        if (READS[r.op.f]) {
          if (model === 'kv') output = typeof r.output === 'string' ? r.output : '';
          else if (model === 'set') output = r.setOut;
          else output = typeof r.output === 'string' ? null : r.output;
        }
        return {
          ...r.op,
          output,
          status: r.status === 'refused' ? 'fail' : (r.status as Spec['status']),
          // A failed cas that ran and saw another value (other models drop it like any fail).
          refused: r.status === 'refused',
          start: r.start * 1000 + 2 * i,
          end: (r.start + r.len) * 1000 + 2 * i + 1,
        };
      }),
    );

describe('agrees with a brute-force checker on small histories', () => {
  for (const model of MODELS) {
    it(model, async () => {
      await fc.assert(
        fc.asyncProperty(smallArb(model), fc.boolean(), async (specs, split) => {
          const r = await checkLinearizability(toHistory(specs), { model, split, workers: 0 });
          expect(r.valid).toBe(bruteForce(model, specs));
        }),
        { numRuns: 300 },
      );
    });
  }
});
