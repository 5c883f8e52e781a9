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
 * Can out[from..] be written as a concatenation of distinct candidate appends? Depth-first with
 * a work cap (answering "yes" when the cap is hit keeps the pruning sound).
 */
function canFill(out: string, from: number, candidates: readonly ModelOp[]): boolean {
  if (from === out.length) return true;
  const appends = candidates.filter((c) => c.f === 'append' && String(c.input).length > 0);
  const used = new Uint8Array(appends.length);
  let work = 10_000;
  const go = (pos: number): boolean => {
    if (pos === out.length) return true;
    if (--work < 0) return true;
    for (let i = 0; i < appends.length; i++) {
      if (used[i]) continue;
      const v = String(appends[i]!.input);
      if (out.startsWith(v, pos)) {
        used[i] = 1;
        if (go(pos + v.length)) return true;
        used[i] = 0;
      }
    }
    return false;
  };
  return go(from);
}

export function kvKeyModel(initial: string, readNil: 'absent' | 'unknown' = 'absent'): Model<KvValue> {
  const init = value(initial);
  // Hash of each get's result, computed once per op.
  const outHash = new WeakMap<ModelOp, number>();
  // Rolling hashes of every prefix of each get's result, for the prefix test in `viable`.
  const prefixHashes = new WeakMap<ModelOp, Int32Array>();
  const prefixesOf = (op: ModelOp, out: string): Int32Array => {
    let ph = prefixHashes.get(op);
    if (ph === undefined) {
      ph = new Int32Array(out.length + 1);
      let h = FNV_OFFSET;
      ph[0] = h;
      for (let i = 0; i < out.length; i++) ph[i + 1] = h = (Math.imul(h, P) + out.charCodeAt(i)) | 0;
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
      const len = state.s.length;
      if (len <= out.length && ph[len] === state.h && out.startsWith(state.s)) {
        if (canFill(out, len, candidates)) return true;
      }
      for (const c of candidates) {
        if (c.f !== 'put') continue;
        const p = String(c.input);
        if (out.startsWith(p) && canFill(out, p.length, candidates)) return true;
      }
      return false;
    },
    irrelevant: (op) =>
      op.f === 'get' && (op.output === undefined || (op.output === null && readNil === 'unknown')),
    validate(op) {
      if (!FS.includes(op.f)) return `the kv model has no op "${op.f}" (expected get/put/append)`;
      if (op.key === undefined) return `kv op "${op.f}" has no key`;
      if (op.f !== 'get' && typeof op.input !== 'string') {
        return `kv ${op.f} expects a string value, got ${describeValue(op.input)}`;
      }
      if (op.f === 'get' && op.status === 'ok' && op.output !== null && typeof op.output !== 'string') {
        return `kv get returned a non-string ${describeValue(op.output)}`;
      }
      return undefined;
    },
    describeOp(op) {
      const k = op.key === undefined ? '' : `[${String(op.key)}] `;
      if (op.f === 'get') return `${k}get -> ${op.status === 'info' ? '?' : describeValue(op.output)}`;
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
  return { ...whole, name: 'kv', partition: (op: ModelOp) => op.key, partitionModel: base as Model<unknown> };
}

/** kv where each key may start from a different string (initial given as {key: value}). */
function withPerKeyInitial(perKey: (k: unknown) => string, readNil?: 'absent' | 'unknown'): Model<unknown> {
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
