/**
 * Test helpers: building histories from op intervals, tiny reference semantics for each model
 * (independent of the models under test), and a brute-force permutation checker.
 */
import type { History, JsonValue, Op } from '../../../src/history/op.js';

export type Status = 'ok' | 'info' | 'fail';

/** One client op as an interval [start, end] (end ignored for an info op with no completion). */
export interface Spec {
  f: string;
  key?: string;
  value: JsonValue;
  output?: JsonValue;
  status: Status;
  start: number;
  end: number;
  /** info ops: whether an `info` completion is recorded (else the invoke is left open). */
  infoCompletion?: boolean;
  /** fail ops: it ran and its precondition was false (`precondition: false`, a refused cas). */
  refused?: boolean;
}

/** Each op gets its own process (so overlap is never a pairing problem). */
export function toHistory(specs: readonly Spec[]): History {
  const events: { t: number; tie: number; op: Omit<Op, 'index' | 'time'> }[] = [];
  specs.forEach((s, i) => {
    const base = { process: i, f: s.f, ...(s.key === undefined ? {} : { key: s.key }) };
    events.push({ t: s.start, tie: i * 2, op: { ...base, type: 'invoke', value: s.value } });
    if (s.status === 'info' && !s.infoCompletion) return;
    const value = s.status === 'ok' && s.output !== undefined ? s.output : s.value;
    const refused = s.status === 'fail' && s.refused ? { precondition: false as const } : {};
    events.push({ t: s.end, tie: i * 2 + 1, op: { ...base, type: s.status, value, ...refused } });
  });
  events.sort((a, b) => a.t - b.t || a.tie - b.tie);
  return events.map((e, index) => ({ ...e.op, index, time: e.t * 1000 }) as Op);
}

export type RefModel =
  'register' | 'cas-register' | 'kv' | 'mutex' | 'set' | 'fifo-queue' | 'unordered-queue';

export interface RefOp {
  f: string;
  key?: string;
  value: JsonValue;
  /** undefined: outcome unknown (info). */
  output: JsonValue | undefined;
  /** A cas that ran and saw another value than `from`. */
  refused?: boolean;
}

const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Reference semantics, written plainly: returns the next state or undefined (impossible).
 * States are JSON: register value; kv {key: string}; mutex boolean; set sorted number[];
 * queues arrays.
 */
export function refStep(model: RefModel, state: JsonValue, op: RefOp): JsonValue | undefined {
  switch (model) {
    case 'register':
    case 'cas-register':
      if (op.f === 'read')
        return op.output === undefined || eq(op.output, state) ? state : undefined;
      if (op.f === 'write') return op.value;
      {
        const [from, to] = op.value as [JsonValue, JsonValue];
        if (op.refused) return eq(state, from) ? undefined : state;
        if (eq(state, from)) return to;
        return op.output === undefined ? state : undefined;
      }
    case 'kv': {
      const m = { ...(state as Record<string, string>) };
      const cur = m[op.key!] ?? '';
      if (op.f === 'get') return op.output === undefined || op.output === cur ? state : undefined;
      m[op.key!] = op.f === 'put' ? String(op.value) : cur + String(op.value);
      return m;
    }
    case 'mutex':
      if (op.f === 'acquire') return state ? undefined : true;
      return state ? false : undefined;
    case 'set': {
      const s = state as number[];
      if (op.f === 'add') return [...new Set([...s, op.value as number])].sort((a, b) => a - b);
      if (op.output === undefined) return state;
      const read = [...(op.output as number[])].sort((a, b) => a - b);
      return eq(read, s) ? state : undefined;
    }
    case 'fifo-queue': {
      const q = state as JsonValue[];
      if (op.f === 'enqueue') return [...q, op.value];
      if (op.output === null) return q.length === 0 ? q : undefined;
      if (op.output === undefined) return q.length === 0 ? undefined : q.slice(1);
      return q.length > 0 && eq(q[0], op.output) ? q.slice(1) : undefined;
    }
    case 'unordered-queue': {
      const q = state as JsonValue[];
      if (op.f === 'enqueue') return [...q, op.value];
      if (op.output === null) return q.length === 0 ? q : undefined;
      const i = q.findIndex((x) => eq(x, op.output));
      return i < 0 ? undefined : [...q.slice(0, i), ...q.slice(i + 1)];
    }
  }
}

/**
 * Every state `op` may lead to: refStep's one, except where the outcome of an indeterminate op
 * leaves a choice (an unordered-queue dequeue may have removed any one element).
 */
export function refSteps(model: RefModel, state: JsonValue, op: RefOp): JsonValue[] {
  if (model === 'unordered-queue' && op.f === 'dequeue' && op.output === undefined) {
    const q = state as JsonValue[];
    return q
      .map((_, i) => [...q.slice(0, i), ...q.slice(i + 1)])
      .filter((next, i) => q.findIndex((x) => eq(x, q[i])) === i); // once per distinct element
  }
  const next = refStep(model, state, op);
  return next === undefined ? [] : [next];
}

export function refInit(model: RefModel): JsonValue {
  switch (model) {
    case 'register':
    case 'cas-register':
      return null;
    case 'kv':
      return {};
    case 'mutex':
      return false;
    default:
      return [];
  }
}

/**
 * Brute force: try every order of the ops that respects real time (an op that completed before
 * another was invoked comes first); failed ops never happened; indeterminate ops may be placed
 * anywhere after their invocation or left out; done when every ok op is placed. A refused cas
 * (cas-register) happened, like an ok op, and changed nothing.
 */
export function bruteForce(model: RefModel, specs: readonly Spec[]): boolean {
  const observed = (s: Spec) => s.refused === true && model === 'cas-register' && s.f === 'cas';
  const ops = specs
    .filter((s) => s.status !== 'fail' || observed(s))
    .map((s) => ({
      ...s,
      status: observed(s) ? ('ok' as const) : s.status,
      end: s.status === 'ok' || observed(s) ? s.end : Infinity,
      ref: {
        f: s.f,
        value: s.value,
        output: s.status === 'ok' ? s.output : undefined,
        ...(observed(s) ? { refused: true } : {}),
        ...(s.key === undefined ? {} : { key: s.key }),
      } as RefOp,
    }));
  const used = new Array<boolean>(ops.length).fill(false);
  const go = (state: JsonValue, okLeft: number): boolean => {
    if (okLeft === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      const x = ops[i]!;
      // x may go next only if no unplaced ok op completed before x was invoked.
      let blocked = false;
      for (let j = 0; j < ops.length; j++) {
        if (!used[j] && j !== i && ops[j]!.status === 'ok' && ops[j]!.end < x.start) blocked = true;
      }
      if (blocked) continue;
      used[i] = true;
      for (const next of refSteps(model, state, x.ref))
        if (go(next, okLeft - (x.status === 'ok' ? 1 : 0))) return true;
      used[i] = false;
    }
    return false;
  };
  return go(refInit(model), ops.filter((o) => o.status === 'ok').length);
}
