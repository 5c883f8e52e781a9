/**
 * Read/write register and compare-and-set register (Knossos `register`/`cas-register`,
 * Porcupine's etcd model).
 *
 * Ops: `read` (ok value = what was read), `write` (value v), `cas` (value [from, to]; an `ok`
 * cas applied, so the state was `from`). A refused cas (a `fail` with `precondition: false`)
 * ran and saw another value: at its linearization point the state was not `from` (Porcupine's
 * etcd model). Any other failed cas never happened and was dropped earlier.
 * Reading `null`: under readNil 'absent' it means "never written" (the state is the initial
 * null), under 'unknown' it constrains nothing (Knossos).
 */
import type { JsonValue } from '../../../history/op.js';
import {
  type Model,
  type ModelOp,
  canonicalJson,
  describeValue,
  hashJson,
  jsonEqual,
} from '../model.js';
import type { ModelOptions } from './options.js';

type Value = JsonValue;

function casArgs(op: ModelOp): [Value, Value] {
  return op.input as [Value, Value];
}

export function registerModel(opts: ModelOptions = {}, withCas = false): Model<Value> {
  const initial: Value = opts.initial ?? null;
  const readNil = opts.readNil ?? 'absent';
  const fs = withCas ? ['read', 'write', 'cas'] : ['read', 'write'];
  return {
    name: withCas ? 'cas-register' : 'register',
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case 'read':
          return op.output === undefined || jsonEqual(state, op.output) ? state : undefined;
        case 'write':
          return op.input as Value;
        default: {
          const [from, to] = casArgs(op);
          if (op.refused) return jsonEqual(state, from) ? undefined : state;
          if (jsonEqual(state, from)) return to;
          // An ok cas applied, so the state must have been `from`; an info cas that finds
          // another value is a no-op (as if it never happened).
          return op.status === 'ok' ? undefined : state;
        }
      }
    },
    hash: hashJson,
    equal: jsonEqual,
    readOnly: (op) => op.f === 'read' || op.refused === true,
    refusable: (op) => withCas && op.f === 'cas',
    viable(state, target, candidates) {
      // A read can still succeed if the value is there or some op left may write it.
      if (target.f !== 'read' || target.output === undefined) return true;
      const want = target.output;
      if (jsonEqual(state, want)) return true;
      for (const c of candidates) {
        if (c.f === 'write' && jsonEqual(c.input as Value, want)) return true;
        if (c.f === 'cas' && !c.refused && jsonEqual(casArgs(c)[1], want)) return true;
      }
      return false;
    },
    irrelevant(op) {
      if (op.f !== 'read') return false;
      return op.output === undefined || (op.output === null && readNil === 'unknown');
    },
    validate(op) {
      if (!fs.includes(op.f))
        return `the ${withCas ? 'cas-register' : 'register'} model has no op "${op.f}" (expected ${fs.join('/')})`;
      if (op.f === 'cas' && !(Array.isArray(op.input) && op.input.length === 2)) {
        return `cas expects value [from, to], got ${describeValue(op.input)}`;
      }
      return undefined;
    },
    partition: (op) => op.key,
    prune: pruneUnobservedWrites,
    impossible(ops) {
      // Values any op (ok or indeterminate) could leave in the register, and the initial one.
      const produced = new Set([canonicalJson(initial)]);
      for (const o of ops) {
        if (o.f === 'write') produced.add(canonicalJson(o.input));
        else if (o.f === 'cas' && !o.refused) produced.add(canonicalJson(casArgs(o)[1]));
      }
      const read = ops.find(
        (o) =>
          o.f === 'read' &&
          o.output !== undefined &&
          !(o.output === null && readNil === 'unknown') &&
          !produced.has(canonicalJson(o.output)),
      );
      return read === undefined
        ? undefined
        : {
            id: read.id,
            reason: `no write, completed or pending, could have produced ${describeValue(read.output)}`,
          };
    },
    describeOp(op) {
      const k = op.key === undefined ? '' : `[${String(op.key)}] `;
      if (op.f === 'read')
        return `${k}read -> ${op.status === 'info' ? '?' : describeValue(op.output)}`;
      if (op.f === 'write')
        return `${k}write ${describeValue(op.input)}${op.status === 'info' ? ' (?)' : ''}`;
      const [from, to] = casArgs(op);
      const outcome = op.refused ? ' refused' : op.status === 'info' ? ' (?)' : '';
      return `${k}cas ${describeValue(from)}->${describeValue(to)}${outcome}`;
    },
    describeState: (s) => describeValue(s),
  };
}

/**
 * Drops indeterminate writes/cas whose written value nothing ever observes (no ok read returns
 * it, no cas compares against it, no refused cas that may come after it could see it). Sound: in
 * any linearization, the window after such a write until the next write holds a value no
 * remaining op can see, so the write and the info ops that were no-ops inside that window can be
 * removed without changing anything later. Those writes otherwise multiply the search space
 * (each one may take effect anywhere or nowhere).
 *
 * A refused cas [from, _] observes "not `from`", which every value but `from` satisfies: a write
 * it might follow (invoked before the cas returned) is observed unless it writes `from` itself.
 */
export function pruneUnobservedWrites(ops: ModelOp[]): ModelOp[] {
  const observed = new Set<string>();
  const k = (v: Value | undefined) => JSON.stringify(v ?? null);
  let anyInfo = false;
  // The last-returning refused cas, and the latest return of one with another `from`.
  let lastRefusal = -1;
  let lastFrom = '';
  let lastOtherRefusal = -1;
  for (const op of ops) {
    if (op.status === 'info') anyInfo = true;
    if (op.f === 'read' && op.status === 'ok') observed.add(k(op.output));
    else if (op.f === 'cas') observed.add(k(casArgs(op)[0]));
  }
  if (!anyInfo) return ops;
  const refusals = ops.filter((op) => op.refused).sort((a, b) => b.completeIndex - a.completeIndex);
  if (refusals.length > 0) {
    lastRefusal = refusals[0]!.completeIndex;
    lastFrom = k(casArgs(refusals[0]!)[0]);
    lastOtherRefusal = refusals.find((r) => k(casArgs(r)[0]) !== lastFrom)?.completeIndex ?? -1;
  }
  const seenByRefusal = (written: string, invokeIndex: number): boolean =>
    (invokeIndex < lastRefusal && written !== lastFrom) || invokeIndex < lastOtherRefusal;
  return ops.filter((op) => {
    if (op.status !== 'info') return true;
    if (op.f !== 'write' && op.f !== 'cas') return true;
    const written = k(op.f === 'write' ? op.input : casArgs(op)[1]);
    return observed.has(written) || seenByRefusal(written, op.invokeIndex);
  });
}
