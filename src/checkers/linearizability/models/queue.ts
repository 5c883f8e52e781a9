/**
 * Queues (Knossos `fifo-queue` / `unordered-queue`): `enqueue` v; an ok `dequeue` returns the
 * element it removed, or null when the queue was empty. An indeterminate dequeue that took
 * effect removed some element (fifo: the head; unordered: any one).
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

export function unorderedQueueModel(opts: ModelOptions = {}): Model<QueueState> {
  // State: the multiset as a sorted array.
  const initial = [...initialOf(opts)].sort();
  return {
    name: 'unordered-queue',
    init: () => initial,
    step(state, op) {
      if (op.f === 'enqueue') return [...state, canonicalJson(op.input)].sort();
      // An indeterminate dequeue (dropped as irrelevant) is treated as not having happened: a
      // model step has one successor, and "it took some element" would need a branch. Known
      // limitation: a later dequeue that finds the queue empty may then be reported wrongly.
      if (op.output === null) return state.length === 0 ? state : undefined;
      const e = canonicalJson(op.output as JsonValue);
      const i = state.indexOf(e);
      return i < 0 ? undefined : [...state.slice(0, i), ...state.slice(i + 1)];
    },
    hash: (s) => hashString(s.join('\u0001')),
    equal: (a, b) => a.length === b.length && a.every((e, i) => e === b[i]),
    readOnly: (op) => op.f === 'dequeue' && op.output === null,
    irrelevant: (op) => op.f === 'dequeue' && op.output === undefined,
    validate: validateQueue('unordered-queue'),
    partition: (op) => op.key,
    describeState: (s) => `{${s.join(' ')}}`,
  };
}
