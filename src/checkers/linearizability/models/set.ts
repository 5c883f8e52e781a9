/**
 * Grow-only set (Knossos `set`): `add` v inserts v; an ok `read` returns every element (any
 * order). State: sorted canonical-JSON strings of the elements.
 */
import type { JsonValue } from '../../../history/op.js';
import { type Model, canonicalJson, describeValue, hashString } from '../model.js';
import type { ModelOptions } from './options.js';

type SetState = readonly string[];

function toState(values: readonly JsonValue[]): SetState {
  return [...new Set(values.map((v) => canonicalJson(v)))].sort();
}

export function setModel(opts: ModelOptions = {}): Model<SetState> {
  const initial = Array.isArray(opts.initial) ? toState(opts.initial) : [];
  return {
    name: 'set',
    init: () => initial,
    step(state, op) {
      if (op.f === 'add') {
        const e = canonicalJson(op.input);
        if (state.includes(e)) return state;
        return [...state, e].sort();
      }
      const read = toState(op.output as JsonValue[]);
      return read.length === state.length && read.every((e, i) => e === state[i])
        ? state
        : undefined;
    },
    hash: (s) => hashString(s.join('\u0001')),
    equal: (a, b) => a.length === b.length && a.every((e, i) => e === b[i]),
    readOnly: (op) => op.f === 'read',
    irrelevant: (op) => op.f === 'read' && op.output === undefined,
    validate(op) {
      if (op.f !== 'add' && op.f !== 'read')
        return `the set model has no op "${op.f}" (expected add/read)`;
      if (op.f === 'read' && op.status === 'ok' && !Array.isArray(op.output)) {
        return `set read must return an array, got ${describeValue(op.output)}`;
      }
      return undefined;
    },
    partition: (op) => op.key,
    describeState: (s) => `#{${s.join(' ')}}`,
  };
}
