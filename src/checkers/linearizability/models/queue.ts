/**
 * Queues (Knossos `fifo-queue` / `unordered-queue`): `enqueue` v; an ok `dequeue` returns the
 * element it removed, or null when the queue was empty. An indeterminate dequeue may have
 * removed an element or nothing (it is then simply not linearized). Fifo: it removed the head.
 * Unordered: any one element, so `prune` expands it into alternatives, one per value some ok
 * dequeue returns plus one for "an element no ok dequeue returns" (those are interchangeable),
 * and the state remembers which indeterminate dequeues took effect, so at most one alternative
 * of each does.
 */
import type { JsonValue } from '../../../history/op.js';
import { type Model, canonicalJson, describeValue, hashString } from '../model.js';
import type { ModelOptions } from './options.js';

type QueueState = readonly string[];

function validateQueue(name: string) {
  return (op: { f: string }) =>
    op.f === 'enqueue' || op.f === 'dequeue'
      ? undefined
      : `the ${name} model has no op "${op.f}" (expected enqueue/dequeue)`;
}

const initialOf = (opts: ModelOptions): QueueState =>
  Array.isArray(opts.initial) ? opts.initial.map((v) => canonicalJson(v)) : [];

export function fifoQueueModel(opts: ModelOptions = {}): Model<QueueState> {
  const initial = initialOf(opts);
  return {
    name: 'fifo-queue',
    init: () => initial,
    step(state, op) {
      if (op.f === 'enqueue') return [...state, canonicalJson(op.input)];
      if (op.output === undefined) return state.length === 0 ? undefined : state.slice(1);
      if (op.output === null) return state.length === 0 ? state : undefined;
      return state[0] === canonicalJson(op.output) ? state.slice(1) : undefined;
    },
    hash: (s) => hashString(s.join('\u0001')),
    equal: (a, b) => a.length === b.length && a.every((e, i) => e === b[i]),
    readOnly: (op) => op.f === 'dequeue' && op.output === null,
    validate: validateQueue('fifo-queue'),
    partition: (op) => op.key,
    describeOp: (op) =>
      op.f === 'enqueue'
        ? `enqueue ${describeValue(op.input)}`
        : `dequeue -> ${op.status === 'info' ? '?' : describeValue(op.output)}`,
    describeState: (s) => `[${s.join(' ')}]`,
  };
}

/** Unordered queue state: the multiset (sorted) and the indeterminate dequeues that took effect. */
interface BagState {
  readonly items: readonly string[];
  /** invokeIndex of each indeterminate dequeue that took effect, sorted. */
  readonly taken: readonly number[];
}

/** An alternative's choice: `[v]` it removed v; `[]` it removed an element no ok dequeue returns. */
type Choice = [JsonValue] | [];

export function unorderedQueueModel(opts: ModelOptions = {}): Model<BagState> {
  const initial: BagState = { items: [...initialOf(opts)].sort(), taken: [] };
  // Per key, the values some ok dequeue returns (set by prepare, per partition).
  let observed = new Map<unknown, Set<string>>();
  const none = new Set<string>();
  const without = (items: readonly string[], i: number) => [
    ...items.slice(0, i),
    ...items.slice(i + 1),
  ];
  return {
    name: 'unordered-queue',
    init: () => initial,
    prepare(ops) {
      observed = new Map();
      for (const o of ops) {
        if (o.f !== 'dequeue' || o.status !== 'ok' || o.output === null) continue;
        let seen = observed.get(o.key);
        if (!seen) observed.set(o.key, (seen = new Set()));
        seen.add(canonicalJson(o.output));
      }
    },
    step(state, op) {
      if (op.f === 'enqueue')
        return { items: [...state.items, canonicalJson(op.input)].sort(), taken: state.taken };
      if (op.status === 'info') {
        const choice = op.choice as Choice | undefined;
        if (choice === undefined || state.taken.includes(op.invokeIndex)) return undefined;
        const i =
          choice.length === 1
            ? state.items.indexOf(canonicalJson(choice[0]))
            : state.items.findIndex((e) => !(observed.get(op.key) ?? none).has(e));
        if (i < 0) return undefined;
        const taken = [...state.taken, op.invokeIndex].sort((a, b) => a - b);
        return { items: without(state.items, i), taken };
      }
      if (op.output === null) return state.items.length === 0 ? state : undefined;
      const i = state.items.indexOf(canonicalJson(op.output as JsonValue));
      return i < 0 ? undefined : { items: without(state.items, i), taken: state.taken };
    },
    hash: (s) => hashString(s.items.join('\u0001') + '\u0002' + s.taken.join(',')),
    equal: (a, b) =>
      a.items.length === b.items.length &&
      a.taken.length === b.taken.length &&
      a.items.every((e, i) => e === b.items[i]) &&
      a.taken.every((t, i) => t === b.taken[i]),
    readOnly: (op) => op.f === 'dequeue' && op.output === null,
    prune(ops) {
      const values = new Map<string, JsonValue>();
      for (const o of ops)
        if (o.f === 'dequeue' && o.status === 'ok' && o.output !== null && o.output !== undefined)
          values.set(canonicalJson(o.output), o.output);
      const choices: Choice[] = [...[...values.values()].map((v): Choice => [v]), []];
      return ops.flatMap((o) =>
        o.f === 'dequeue' && o.status === 'info'
          ? choices.map((choice) => ({ ...o, choice }))
          : [o],
      );
    },
    validate: validateQueue('unordered-queue'),
    partition: (op) => op.key,
    describeOp(op) {
      if (op.f === 'enqueue') return `enqueue ${describeValue(op.input)}`;
      if (op.status !== 'info') return `dequeue -> ${describeValue(op.output)}`;
      const c = op.choice as Choice | undefined;
      return c === undefined
        ? 'dequeue -> ?'
        : `dequeue -> ? (if it took ${c.length === 1 ? describeValue(c[0]) : 'an element never dequeued'})`;
    },
    describeState: (s) => `{${s.items.join(' ')}}`,
  };
}
