/**
 * Key-value map with Porcupine's kv semantics: every key is an independent string register whose
 * initial value is "" (or `initial`); `get` returns the current string, `put` replaces it,
 * `append` concatenates. Split by key (P-compositionality), each key is checked against
 * `kvKeyModel`; unsplit, the whole map is one state (`keyedModel`).
 */
import type { JsonValue } from '../../../history/op.js';
import { type Model, type ModelOp, describeValue, keyedModel } from '../model.js';
import type { ModelOptions } from './options.js';

const FS = ['get', 'put', 'append'];

/**
 * A key's value with a rolling hash, so an append costs O(appended length) rather than
 * O(whole string): V8 concatenation is O(1) and the hash extends incrementally. The string is
 * only compared when hashes match.
 */
export interface KvValue {
  readonly s: string;
  readonly h: number;
}

const P = 0x01000193;
const FNV_OFFSET = 0x811c9dc5 | 0;
function roll(h: number, v: string): number {
  for (let i = 0; i < v.length; i++) h = (Math.imul(h, P) + v.charCodeAt(i)) | 0;
  return h;
}
const value = (s: string): KvValue => ({ s, h: roll(FNV_OFFSET, s) });

/**
 * The appends of one key indexed by value length then value, so "which appends occur at
 * position p of this result" is a few substring lookups.
 */
interface AppendIndex {
  lengths: number[];
  byValue: Map<string, ModelOp[]>;
}

function indexAppends(appends: readonly ModelOp[]): AppendIndex {
  const byValue = new Map<string, ModelOp[]>();
  const lengths = new Set<number>();
  for (const a of appends) {
    const v = a.input as string;
    if (v.length === 0) continue;
    lengths.add(v.length);
    let list = byValue.get(v);
    if (!list) byValue.set(v, (list = []));
    list.push(a);
  }
  return { lengths: [...lengths], byValue };
}

/** Per get: position -> the appends whose value occurs there (filled lazily). */
interface Occurrences {
  out: string;
  index: AppendIndex;
  at: Map<number, ModelOp[]>;
}

const NONE: ModelOp[] = [];

/**
 * Per-op memo indexed by op id (ids are dense within a search), confirmed by identity: cheaper
 * than a WeakMap in the search's hot path, and an op of another partition with the same id
 * simply replaces the entry.
 */
class OpMemo<T> {
  private ops: (ModelOp | undefined)[] = [];
  private vals: (T | undefined)[] = [];
  get(op: ModelOp): T | undefined {
    return this.ops[op.id] === op ? this.vals[op.id] : undefined;
  }
  set(op: ModelOp, v: T): void {
    this.ops[op.id] = op;
    this.vals[op.id] = v;
  }
}

function occurrencesAt(o: Occurrences, pos: number): ModelOp[] {
  let list = o.at.get(pos);
  if (list === undefined) {
    for (const len of o.index.lengths) {
      if (pos + len > o.out.length) continue;
      const found = o.index.byValue.get(o.out.substr(pos, len));
      if (found) list = list ? list.concat(found) : found;
    }
    o.at.set(pos, (list ??= NONE));
  }
  return list;
}

// Scratch space (not reentrant): candidate marks and used marks by op id.
let mark = new Uint32Array(256);
let usedMark = new Uint32Array(256);
let stamp = 0;
let budget = 0;

/**
 * Can out[from..] be written as a concatenation of distinct candidate appends? Depth-first
 * over the precomputed occurrences, with a work cap (answering "yes" when the cap is hit keeps
 * the pruning sound).
 */
function canFill(at: Occurrences, from: number, candidates: readonly ModelOp[]): boolean {
  if (from === at.out.length) return true;
  stamp = (stamp + 1) >>> 0 || 1;
  for (const c of candidates) {
    if (c.f !== 'append') continue; // only appends fill a result
    if (c.id >= mark.length) {
      const grown = new Uint32Array(Math.max(c.id + 1, mark.length * 2));
      grown.set(mark);
      mark = grown;
      const grownUsed = new Uint32Array(grown.length);
      grownUsed.set(usedMark);
      usedMark = grownUsed;
    }
    mark[c.id] = stamp;
  }
  budget = 3_000; // also bounds the recursion depth
  return fillFrom(at, from);
}

function fillFrom(at: Occurrences, pos: number): boolean {
  if (pos === at.out.length || --budget < 0) return true;
  for (const a of occurrencesAt(at, pos)) {
    const id = a.id;
    if (mark[id] !== stamp || usedMark[id] === stamp) continue;
    usedMark[id] = stamp;
    if (fillFrom(at, pos + (a.input as string).length)) return true;
    usedMark[id] = 0;
  }
  return false;
}

export function kvKeyModel(
  initial: string,
  readNil: 'absent' | 'unknown' = 'absent',
): Model<KvValue> {
  const init = value(initial);
  // Hash of each get's result, computed once per op.
  const outHash = new OpMemo<number>();
  // Rolling hashes of every prefix of each get's result, for the prefix test in `viable`.
  const prefixHashes = new OpMemo<Int32Array>();
  // The appends of each op's key in its partition (set by prepare), and each get's occurrences.
  const appendsOf = new OpMemo<AppendIndex>();
  const occurrences = new OpMemo<Occurrences>();
  const noAppends = indexAppends([]);
  const putHash = new OpMemo<number>();
  const putHashOf = (put: ModelOp): number => {
    let h = putHash.get(put);
    if (h === undefined) putHash.set(put, (h = roll(FNV_OFFSET, put.input as string)));
    return h;
  };
  const occurrencesOf = (target: ModelOp, out: string): Occurrences => {
    let at = occurrences.get(target);
    if (at === undefined) {
      occurrences.set(
        target,
        (at = { out, index: appendsOf.get(target) ?? noAppends, at: new Map() }),
      );
    }
    return at;
  };
  const prefixesOf = (op: ModelOp, out: string): Int32Array => {
    let ph = prefixHashes.get(op);
    if (ph === undefined) {
      ph = new Int32Array(out.length + 1);
      let h = FNV_OFFSET;
      ph[0] = h;
      for (let i = 0; i < out.length; i++)
        ph[i + 1] = h = (Math.imul(h, P) + out.charCodeAt(i)) | 0;
      prefixHashes.set(op, ph);
    }
    return ph;
  };
  return {
    name: 'kv-key',
    init: () => init,
    step(state, op) {
      switch (op.f) {
        case 'get': {
          if (op.output === undefined) return state;
          // A get of nil under 'absent' means the key holds its initial value.
          const out = op.output === null ? initial : (op.output as string);
          let h = outHash.get(op);
          if (h === undefined) outHash.set(op, (h = roll(FNV_OFFSET, out)));
          return h === state.h && out === state.s ? state : undefined;
        }
        case 'put':
          return value(String(op.input));
        default: {
          const v = String(op.input);
          return { s: state.s + v, h: roll(state.h, v) };
        }
      }
    },
    hash: (st) => st.h,
    equal: (a, b) => a === b || (a.h === b.h && a.s === b.s),
    readOnly: (op) => op.f === 'get',
    viable(state, target, candidates) {
      if (target.f !== 'get' || target.output === undefined) return true;
      // Appends only grow the state and a put restarts it from its value, so the result must
      // be the current state, or some candidate put's value, followed by candidate appends
      // (each at most once). Equal strings have equal hashes: a hash mismatch is a certain no.
      const out = target.output === null ? initial : (target.output as string);
      const ph = prefixesOf(target, out);
      const at = occurrencesOf(target, out);
      const len = state.s.length;
      if (len <= out.length && ph[len] === state.h && out.startsWith(state.s)) {
        if (canFill(at, len, candidates)) return true;
      }
      for (const c of candidates) {
        if (c.f !== 'put') continue;
        const p = c.input as string;
        // The prefix hash first: most puts' values are not a prefix of the result.
        if (p.length > out.length || ph[p.length] !== putHashOf(c)) continue;
        if (out.startsWith(p) && canFill(at, p.length, candidates)) return true;
      }
      return false;
    },
    prepare(ops) {
      const key = ops[0]?.key;
      if (ops.every((op) => op.key === key)) {
        // One key (a split partition): one index, no map.
        const index = indexAppends(ops.filter((op) => op.f === 'append'));
        for (const op of ops) appendsOf.set(op, index);
        return;
      }
      const byKey = new Map<unknown, ModelOp[]>();
      for (const op of ops) {
        let list = byKey.get(op.key);
        if (!list) byKey.set(op.key, (list = []));
        if (op.f === 'append') list.push(op);
      }
      const indexes = new Map<unknown, AppendIndex>();
      for (const [k, list] of byKey) indexes.set(k, indexAppends(list));
      for (const op of ops) appendsOf.set(op, indexes.get(op.key)!);
    },
    irrelevant: (op) =>
      op.f === 'get' && (op.output === undefined || (op.output === null && readNil === 'unknown')),
    validate(op) {
      if (!FS.includes(op.f)) return `the kv model has no op "${op.f}" (expected get/put/append)`;
      if (op.key === undefined) return `kv op "${op.f}" has no key`;
      if (op.f !== 'get' && typeof op.input !== 'string') {
        return `kv ${op.f} expects a string value, got ${describeValue(op.input)}`;
      }
      if (
        op.f === 'get' &&
        op.status === 'ok' &&
        op.output !== null &&
        typeof op.output !== 'string'
      ) {
        return `kv get returned a non-string ${describeValue(op.output)}`;
      }
      return undefined;
    },
    describeOp(op) {
      const k = op.key === undefined ? '' : `[${String(op.key)}] `;
      if (op.f === 'get')
        return `${k}get -> ${op.status === 'info' ? '?' : describeValue(op.output)}`;
      return `${k}${op.f} ${describeValue(op.input)}${op.status === 'info' ? ' (?)' : ''}`;
    },
    describeState: (st) => JSON.stringify(st.s),
  };
}

/** The kv model: partitions by key; its unsplit form holds the whole map. */
export function kvModel(opts: ModelOptions = {}): Model<unknown> {
  const init = opts.initial;
  const perKey = (k: unknown): string => {
    if (typeof init === 'string') return init;
    if (init && typeof init === 'object' && !Array.isArray(init)) {
      const v = (init as Record<string, JsonValue>)[String(k)];
      return typeof v === 'string' ? v : '';
    }
    return '';
  };
  const sub = kvKeyModel('', opts.readNil);
  // Per-key initial values are folded into the op stream by giving each key its own sub-model.
  if (init && typeof init === 'object' && !Array.isArray(init)) {
    return withPerKeyInitial(perKey, opts.readNil);
  }
  const base = typeof init === 'string' ? kvKeyModel(init, opts.readNil) : sub;
  const whole = keyedModel(base) as unknown as Model<unknown>;
  return {
    ...whole,
    name: 'kv',
    partition: (op: ModelOp) => op.key,
    partitionModel: base as Model<unknown>,
  };
}

/** kv where each key may start from a different string (initial given as {key: value}). */
function withPerKeyInitial(
  perKey: (k: unknown) => string,
  readNil?: 'absent' | 'unknown',
): Model<unknown> {
  // A key not yet touched is UNSET; its first op resolves it to that key's initial value.
  const UNSET: KvValue = { s: '', h: 0x2f5e3a1 };
  const models = new Map<string, Model<KvValue>>();
  const modelFor = (k: unknown): Model<KvValue> => {
    const key = String(k);
    let m = models.get(key);
    if (!m) models.set(key, (m = kvKeyModel(perKey(key), readNil)));
    return m;
  };
  const base = kvKeyModel('', readNil);
  const perPartition: Model<KvValue> = {
    ...base,
    init: () => UNSET,
    step: (st, op) => {
      const m = modelFor(op.key);
      return m.step(st === UNSET ? m.init() : st, op);
    },
    equal: (a, b) => a === b || (a !== UNSET && b !== UNSET && base.equal(a, b)),
    describeState: (st) => (st === UNSET ? '(initial)' : JSON.stringify(st.s)),
  };
  const whole = keyedModel(perPartition) as unknown as Model<unknown>;
  return {
    ...whole,
    name: 'kv',
    partition: (op: ModelOp) => op.key,
    partitionModel: perPartition as Model<unknown>,
  };
}
