/**
 * fast-check arbitraries for well-formed histories: built by simulating workers, so pairing,
 * retired processes, non-decreasing times and index = position hold by construction.
 */
import fc from 'fast-check';
import type { History, JsonValue, Key, Op, OpType, Process } from '../../src/history/op.js';

/** JSON values exactly as JSON represents them (-0 is 0 in JSON). */
export const jsonValueArb: fc.Arbitrary<JsonValue> = fc
  .jsonValue({ maxDepth: 3 })
  .map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);

const fArb = fc.oneof(
  fc.constantFrom('read', 'write', 'cas', 'get', 'put', 'append'),
  // "txn" values must be micro-op lists (src/history/txn.ts); txn histories have their own tests.
  fc.string({ maxLength: 8 }).filter((f) => f !== 'txn'),
);
const keyArb: fc.Arbitrary<Key | undefined> = fc.option(
  fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  ),
  { nil: undefined },
);

interface Step {
  kind: 'invoke' | 'complete' | 'nemesis';
  pick: number;
  type: Exclude<OpType, 'invoke'>;
  f: string;
  key: Key | undefined;
  value: JsonValue | undefined;
  error: JsonValue | undefined;
  node: string | undefined;
  dt: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('invoke', 'complete', 'complete', 'nemesis'),
  pick: fc.nat(),
  type: fc.constantFrom('ok', 'fail', 'info'),
  f: fArb,
  key: keyArb,
  value: fc.option(jsonValueArb, { nil: undefined }),
  error: fc.option(fc.oneof(fc.constantFrom('timed-out', 'connection-lost'), jsonValueArb), {
    nil: undefined,
  }),
  node: fc.option(fc.constantFrom('n1', 'n2', 'n 3', 'ñ"4'), { nil: undefined }),
  dt: fc.oneof(fc.constant(0), fc.nat({ max: 1_000_000_000 })),
});

export function buildHistory(steps: Step[]): History {
  const ops: History = [];
  const inFlight = new Map<Process, Op>();
  const retired = new Set<Process>();
  let nextProcess = 0;
  let time = 0;
  const push = (op: Omit<Op, 'index' | 'time'>, s: Step): void => {
    time += s.dt;
    const full: Op = { index: ops.length, time, type: op.type, process: op.process, f: op.f };
    if (op.key !== undefined) full.key = op.key;
    if (op.value !== undefined) full.value = op.value;
    if (op.error !== undefined) full.error = op.error;
    if (op.node !== undefined) full.node = op.node;
    ops.push(full);
  };
  for (const s of steps) {
    const open = [...inFlight.values()].filter((o) => o.process !== 'nemesis');
    if (s.kind === 'nemesis') {
      const inv = inFlight.get('nemesis');
      if (inv === undefined) {
        const op = {
          type: 'invoke' as const,
          process: 'nemesis' as const,
          f: `start-${s.f}`,
          value: { id: `f${s.pick % 100}`, kind: s.f },
        };
        push(op, s);
        inFlight.set('nemesis', ops[ops.length - 1]!);
      } else {
        push({ type: 'info', process: 'nemesis', f: inv.f, value: s.value ?? null }, s);
        inFlight.delete('nemesis');
      }
    } else if (s.kind === 'complete' && open.length > 0) {
      const inv = open[s.pick % open.length]!;
      push(
        {
          type: s.type,
          process: inv.process,
          f: inv.f,
          key: inv.key,
          value: s.value,
          error: s.type === 'ok' ? undefined : s.error,
          node: s.node,
        },
        s,
      );
      inFlight.delete(inv.process);
    } else {
      // Invoke on an idle process if there is one (bounded pool of workers), else a new one.
      const idle: number[] = [];
      for (let p = Math.max(0, nextProcess - 5); p < nextProcess; p++)
        if (!inFlight.has(p) && !retired.has(p)) idle.push(p);
      const process =
        idle.length > 0 && s.pick % 3 !== 0 ? idle[s.pick % idle.length]! : nextProcess++;
      push({ type: 'invoke', process, f: s.f, key: s.key, value: s.value, node: s.node }, s);
      inFlight.set(process, ops[ops.length - 1]!);
    }
    const last = ops[ops.length - 1]!;
    if (last.type === 'info' && last.process !== 'nemesis') retired.add(last.process);
  }
  return ops;
}

export const historyArb = (maxLength = 60): fc.Arbitrary<History> =>
  fc.array(stepArb, { maxLength }).map(buildHistory);
