/**
 * Multi-register (Knossos `multi-register`): registers named by keys, read and written by
 * transactions. An op has `f: "txn"` and a value of micro-ops `[f, key, value]` with f "r" or
 * "w" (Knossos's older "read"/"write" too), the shared txn representation (COORD): the invoke's
 * reads carry null, the ok completion's carry what was read. A transaction applies atomically,
 * its micro-ops in order (a read after a write of the same key in it sees that write).
 *
 * A read of nil: under readNil 'unknown' it constrains nothing (Knossos: "nil reads are always
 * legal"), under 'absent' the register was never written (or holds nil). An indeterminate
 * transaction may take effect once, at any time after its invocation; its reads say nothing.
 * Transactions span keys, so the history is not split per key.
 */
import type { JsonValue, Key } from '../../../history/op.js';
import { type Model, type ModelOp, canonicalJson, describeValue, hashString } from '../model.js';
import type { ModelOptions } from './options.js';

/** The state: canonical JSON of {key: value} (keys as strings, sorted), so states intern cheaply. */
type MultiState = string;
type MicroOp = [string, Key, JsonValue];

const isRead = (f: string) => f === 'r' || f === 'read';
const isWrite = (f: string) => f === 'w' || f === 'write';

/** The micro-ops the model replays: the completion's for an ok txn, else the invoke's. */
const microOps = (op: ModelOp): MicroOp[] =>
  (op.status === 'ok' ? op.output : op.input) as MicroOp[];

export function multiRegisterModel(opts: ModelOptions = {}): Model<MultiState> {
  const readNil = opts.readNil ?? 'absent';
  const initialMap: Record<string, JsonValue> =
    opts.initial && typeof opts.initial === 'object' && !Array.isArray(opts.initial)
      ? { ...opts.initial }
      : {};
  const initial = canonicalJson(initialMap);
  // Whether a read result constrains the state at all.
  const constrains = (v: JsonValue) => !(v === null && readNil === 'unknown');
  return {
    name: 'multi-register',
    init: () => initial,
    step(state, op) {
      const regs = JSON.parse(state) as Record<string, JsonValue>;
      let changed = false;
      for (const [f, k, v] of microOps(op)) {
        const key = String(k);
        if (isWrite(f)) {
          regs[key] = v;
          changed = true;
        } else if (op.status === 'ok' && constrains(v)) {
          if (canonicalJson(regs[key] ?? null) !== canonicalJson(v)) return undefined;
        }
      }
      return changed ? canonicalJson(regs) : state;
    },
    hash: hashString,
    equal: (a, b) => a === b,
    readOnly: (op) => microOps(op).every(([f]) => isRead(f)),
    irrelevant: (op) =>
      microOps(op).every(([f, , v]) => isRead(f) && (op.status !== 'ok' || !constrains(v))),
    validate(op) {
      if (op.f !== 'txn')
        return `the multi-register model has no op "${op.f}" (expected txn [[f k v] ...])`;
      const problem = (value: JsonValue | undefined, what: string): string | undefined => {
        if (!Array.isArray(value))
          return `txn ${what} must be a list of [f k v], got ${describeValue(value)}`;
        for (const m of value) {
          if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string')
            return `txn micro-op must be [f k v], got ${describeValue(m)}`;
          if (!isRead(m[0]) && !isWrite(m[0]))
            return `the multi-register model has no micro-op "${m[0]}" (expected r or w)`;
          if (typeof m[1] !== 'string' && typeof m[1] !== 'number')
            return `txn key must be a string or a number, got ${describeValue(m[1])}`;
        }
        return undefined;
      };
      const bad = problem(op.input, 'value');
      if (bad !== undefined || op.status !== 'ok') return bad;
      const out = problem(op.output, 'result');
      if (out !== undefined) return out;
      const inp = op.input as MicroOp[];
      const res = op.output as MicroOp[];
      if (
        res.length !== inp.length ||
        res.some((m, i) => m[0] !== inp[i]![0] || m[1] !== inp[i]![1])
      )
        return `txn result ${describeValue(op.output)} does not match its invoke ${describeValue(op.input)}`;
      return undefined;
    },
    impossible(ops) {
      // Values any op (ok or indeterminate) could leave in each register, and the initial ones.
      const produced = new Set<string>();
      const slot = (k: Key, v: JsonValue) => `${String(k)}\u0000${canonicalJson(v)}`;
      for (const [k, v] of Object.entries(initialMap)) produced.add(slot(k, v));
      for (const o of ops)
        for (const [f, k, v] of microOps(o)) if (isWrite(f)) produced.add(slot(k, v));
      for (const o of ops) {
        if (o.status !== 'ok') continue;
        const own = new Set<string>(); // keys this txn wrote before the read
        for (const [f, k, v] of microOps(o)) {
          if (isWrite(f)) own.add(String(k));
          else if (constrains(v) && !own.has(String(k)) && v !== null && !produced.has(slot(k, v)))
            return {
              id: o.id,
              reason: `no write, completed or pending, could have produced ${describeValue(v)} in register ${describeValue(k)}`,
            };
        }
      }
      return undefined;
    },
    describeOp(op) {
      const ms = microOps(op)
        .map(
          ([f, k, v]) =>
            `${f} ${describeValue(k)} ${isRead(f) && op.status !== 'ok' ? '?' : describeValue(v)}`,
        )
        .join(', ');
      return `txn [${ms}]${op.status === 'info' ? ' (?)' : ''}`;
    },
    describeState(state) {
      const regs = JSON.parse(state) as Record<string, JsonValue>;
      return `{${Object.entries(regs)
        .map(([k, v]) => `${k}: ${describeValue(v)}`)
        .join(', ')}}`;
    },
  };
}
