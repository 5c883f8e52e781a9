/**
 * What a linearizability model is: a sequential specification the search replays ops against.
 *
 * A model is a small plain object (as in Porcupine and Knossos). Write one for your own system:
 *
 * ```ts
 * const counter: Model<number> = {
 *   name: 'counter',
 *   init: () => 0,
 *   step: (s, op) => (op.f === 'incr' ? s + 1 : op.output === undefined || op.output === s ? s : undefined),
 *   hash: (s) => s | 0,
 *   equal: (a, b) => a === b,
 *   readOnly: (op) => op.f === 'read',
 * };
 * ```
 *
 * The search interns states (each distinct state gets a small integer via `hash`/`equal`) and
 * memoizes transitions, so `step` runs at most once per (state, op) pair: it may allocate.
 * States must be treated as immutable.
 */
import type { JsonValue, Key, Process } from '../../history/op.js';

/** One client operation as the model sees it: the invoke paired with its completion. */
export interface ModelOp {
  /** Position of this op in the checked (sub)history, 0-based. */
  id: number;
  f: string;
  key?: Key;
  /** The invoke's value: the argument (write value, cas [from, to], ...). */
  input: JsonValue | undefined;
  /**
   * The completion's value for an `ok` op (what a read returned). `undefined` when the outcome
   * is unknown (`info`, or never completed): the model must accept any outcome then.
   */
  output: JsonValue | undefined;
  /** `ok`: it happened. `info`: it may have happened at any time after its invocation, or never. */
  status: 'ok' | 'info';
  /**
   * An `ok`-status op that ran and refused: its precondition was false (a `fail` completion with
   * `precondition: false`, e.g. a cas that saw another value). It changed nothing. Only models
   * whose `refusable` accepts it see such ops; for others it is dropped like any fail.
   */
  refused?: true;
  /**
   * Set by a model's `prune` that expands an indeterminate op into alternatives (one per outcome
   * that matters): the outcome this alternative assumes, in the model's own terms. Alternatives
   * share the original's invokeIndex; the model lets at most one of them take effect.
   */
  choice?: JsonValue;
  process: Process;
  /** History index of the invoke and of the completion (-1: never completed). */
  invokeIndex: number;
  completeIndex: number;
  /** Times (ns) of invoke and completion, for diagrams (-1: unknown). */
  invokeTime: number;
  completeTime: number;
}

export interface Model<S = unknown> {
  readonly name: string;
  /** The state before any op. */
  init(): S;
  /** The state after `op` in `state`, or `undefined` if `op` (with its output) is impossible there. */
  step(state: S, op: ModelOp): S | undefined;
  /** A 32-bit hash consistent with `equal`. */
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  /**
   * Ops that neither constrain nor change the state (e.g. an `info` read, or a read of nil under
   * readNil 'unknown') are dropped before the search. Default: keep everything.
   */
  irrelevant?(op: ModelOp): boolean;
  /**
   * True when the op never changes the state wherever it is legal (a read). The search then
   * linearizes it as soon as it is legal, without branching on it. Default: false.
   */
  readOnly?(op: ModelOp): boolean;
  /**
   * Optional pruning. Can the ok op `target` (not yet linearized) still become legal from
   * `state`, if any subset of `candidates` (the ops that may still be linearized before it) is
   * applied first, in any order? Return false only when certain; the search then abandons the
   * configuration. (kv: with no put among the candidates, the state can only grow, so a get
   * must return a string the state is a prefix of.)
   */
  viable?(state: S, target: ModelOp, candidates: readonly ModelOp[]): boolean;
  /** Called once with a partition's ops before its search (to precompute what `viable` needs). */
  prepare?(ops: readonly ModelOp[]): void;
  /** Refused ops (see ModelOp.refused) this model checks; others are dropped. Default: none. */
  refusable?(op: ModelOp): boolean;
  /** A problem with the op's shape (wrong value type, unknown f), as a short message. */
  validate?(op: ModelOp): string | undefined;
  /**
   * P-compositionality: ops with different partition keys act on independent objects, so each
   * partition is checked alone (against `partitionModel`, or this model). `undefined`: no split.
   */
  partition?(op: ModelOp): Key | undefined;
  /** The model of one partition (kv: one string register). Default: this model. */
  partitionModel?: Model<unknown>;
  /**
   * Optional model-specific rewriting of a partition's ops that preserves the verdict: dropping
   * ops that cannot matter, or expanding an indeterminate op into alternatives (`choice`).
   */
  prune?(ops: ModelOp[]): ModelOp[];
  /**
   * Optional, for explanations only: an ok op of `ops` (a partition) that is illegal in every
   * order, with the reason in words (a register read of a value no op writes), or undefined.
   */
  impossible?(ops: readonly ModelOp[]): { id: number; reason: string } | undefined;
  describeOp?(op: ModelOp): string;
  describeState?(state: S): string;
}

// ---------------------------------------------------------------------------------------------
// Helpers for model writers: hashing and equality of JSON values.

/** Canonical JSON (object keys sorted) so equal values have equal text. */
export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as JsonValue)}`).join(',')}}`;
}

/** FNV-1a over a string, 32-bit. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export function hashJson(v: JsonValue | undefined): number {
  if (v === null) return 0x2545f491;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31) {
    return Math.imul(v ^ 0x9e3779b9, 0x85ebca6b) | 0;
  }
  if (typeof v === 'string') return hashString(v) ^ 0x5bd1e995;
  return hashString(canonicalJson(v));
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return canonicalJson(a) === canonicalJson(b);
}

export function describeValue(v: JsonValue | undefined): string {
  return v === undefined ? '?' : v === null ? 'nil' : JSON.stringify(v);
}

/** Default op description: `write 3`, `read -> 3`, `cas [1,4] -> ?`. */
export function defaultDescribeOp(op: ModelOp): string {
  const key = op.key === undefined ? '' : `[${String(op.key)}] `;
  const input = op.input === null || op.input === undefined ? '' : ` ${describeValue(op.input)}`;
  const output =
    op.status === 'info'
      ? ' -> ?'
      : op.output === undefined
        ? ''
        : ` -> ${describeValue(op.output)}`;
  return `${key}${op.f}${input}${output}`;
}

/** Combines two 32-bit hashes (order-sensitive). */
export function mixHash(h: number, x: number): number {
  h ^= x + 0x9e3779b9 + (h << 6) + (h >>> 2);
  return h | 0;
}

// ---------------------------------------------------------------------------------------------
// Keyed composition: one model instance per key inside a single map-valued state. This is what
// "no split" means for a keyed history (a kv map checked as one object, as Porcupine's c01/c10
// stress test does), and it works for any per-key model.

/** The ops of each key, in their order. */
function groupByKey(ops: readonly ModelOp[]): ModelOp[][] {
  const byKey = new Map<Key | undefined, ModelOp[]>();
  for (const o of ops) {
    let g = byKey.get(o.key);
    if (!g) byKey.set(o.key, (g = []));
    g.push(o);
  }
  return [...byKey.values()];
}

export function keyedModel<S>(sub: Model<S>): Model<ReadonlyMap<Key, S>> {
  const subInit = sub.init();
  const get = (m: ReadonlyMap<Key, S>, k: Key | undefined): S =>
    k === undefined ? subInit : m.has(k) ? (m.get(k) as S) : subInit;
  return {
    name: `keyed(${sub.name})`,
    init: () => new Map(),
    step(state, op) {
      const cur = get(state, op.key);
      const next = sub.step(cur, op);
      if (next === undefined) return undefined;
      if (next === cur) return state;
      const m = new Map(state);
      // Keep the map canonical: a key back at the initial state is absent.
      if (sub.equal(next, subInit)) m.delete(op.key as Key);
      else m.set(op.key as Key, next);
      return m;
    },
    hash(state) {
      // Order-independent: sum of per-entry hashes.
      let h = 0;
      for (const [k, v] of state) h = (h + mixHash(hashJson(k), sub.hash(v))) | 0;
      return h;
    },
    equal(a, b) {
      if (a === b) return true;
      if (a.size !== b.size) return false;
      for (const [k, v] of a) {
        if (!b.has(k) || !sub.equal(v, b.get(k) as S)) return false;
      }
      return true;
    },
    irrelevant: sub.irrelevant?.bind(sub),
    readOnly: sub.readOnly?.bind(sub),
    refusable: sub.refusable?.bind(sub),
    prepare: sub.prepare?.bind(sub),
    viable: sub.viable
      ? (state, target, candidates) =>
          sub.viable!(
            get(state, target.key),
            target,
            candidates.filter((c) => c.key === target.key),
          )
      : undefined,
    validate: sub.validate?.bind(sub),
    // Per key: a sub-model's pruning reasons about one object.
    prune: sub.prune
      ? (ops) => {
          const kept = groupByKey(ops).flatMap((g) => sub.prune!(g));
          return kept.sort((a, b) => a.invokeIndex - b.invokeIndex);
        }
      : undefined,
    impossible: sub.impossible
      ? (ops) => {
          for (const g of groupByKey(ops)) {
            const found = sub.impossible!(g);
            if (found) return found;
          }
          return undefined;
        }
      : undefined,
    describeOp: sub.describeOp?.bind(sub),
    describeState(state) {
      const d = (s: S) => (sub.describeState ? sub.describeState(s) : JSON.stringify(s));
      const parts = [...state].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      return `{${parts.map(([k, v]) => `${String(k)}: ${d(v)}`).join(', ')}}`;
    },
  };
}
