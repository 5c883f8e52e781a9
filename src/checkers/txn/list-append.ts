/**
 * Dependency inference for list-append histories (Elle's idea, our code): every key holds a
 * list, txns append unique elements and read whole lists. Because a read returns the entire
 * list, every read is a prefix of the key's version order, so the longest read *is* the order
 * (when all reads agree), and from it:
 * - ww: the writer of element i+1 follows the writer of element i;
 * - wr: a reader follows the writer of the last element it saw;
 * - rw: a reader precedes the writer of the first element it did not see;
 * - a committed append nobody ever read comes after every version anyone read, so the readers
 *   of the longest version precede it (rw) and its writer follows the last element (ww).
 * Non-cycle anomalies found on the way: internal inconsistency, incompatible orders, duplicate
 * elements, aborted reads (G1a), intermediate reads (G1b), dirty updates, lost appends.
 */
import type { JsonValue, Key } from '../../history/op.js';
import { describeValue } from '../../history/errors.js';
import { txnFormatError } from '../../history/txn.js';
import { DepGraph, RW, WR, WW } from './graph.js';
import type { Txn, Txns } from './txns.js';

type Elem = string | number;

export interface InputLocation {
  file: string;
  /** 1-based file line of each op by history index; index + 1 when absent. */
  lines?: readonly number[];
}

/** A non-cycle anomaly: its type and plain-data detail, with txns named by history index. */
export interface DataAnomaly {
  type: string;
  key?: Key;
  /** History indexes of the txns involved (completion ops). */
  ops: number[];
  explanation: string;
  [detail: string]: JsonValue | undefined;
}

interface Writer {
  txn: Txn;
  /** Index of this append among the writer's appends to the key. */
  nth: number;
  /** Whether it is the writer's last append to the key. */
  last: boolean;
}

interface ExternalRead {
  txn: Txn;
  /** The list as it was before the txn's own appends (what another txn left). */
  list: readonly Elem[];
}

/** What a data model's inference returns (it adds its edges to the graph). */
export interface Inference {
  anomalies: DataAnomaly[];
  keys: number;
}

const T = (t: Txn) => `T${t.index}`;

export function inferListAppend(txns: Txns, g: DepGraph, where: InputLocation): Inference {
  const anomalies: DataAnomaly[] = [];
  const writers = new Map<Key, Map<Elem, Writer>>();
  const badKeys = new Set<Key>();
  const reads = new Map<Key, ExternalRead[]>();
  const longest = new Map<Key, readonly Elem[]>();
  const allReads = new Map<Key, { txn: Txn; list: readonly Elem[] }[]>();

  const at = (t: Txn) => ({
    file: where.file,
    line: where.lines?.[t.index] ?? t.index + 1,
    opIndex: t.index,
  });

  // Writers of every element (failed txns too: their elements must never be seen).
  for (const t of txns.all) {
    const perKey = new Map<Key, Elem[]>();
    t.mops.forEach(([f, k, v], i) => {
      if (f === 'w')
        throw txnFormatError(
          at(t),
          `value[${i}][0]`,
          'list-append txns append and read; w is a register write',
        );
      if (f !== 'append') return;
      if (typeof v !== 'number' && typeof v !== 'string')
        throw txnFormatError(
          at(t),
          `value[${i}][2]`,
          `an appended element is a number or string, got ${describeValue(v)}`,
        );
      let l = perKey.get(k);
      if (!l) perKey.set(k, (l = []));
      l.push(v);
    });
    for (const [k, elems] of perKey) {
      let w = writers.get(k);
      if (!w) writers.set(k, (w = new Map()));
      elems.forEach((v, nth) => {
        const prior = w.get(v);
        if (prior !== undefined && !badKeys.has(k)) {
          badKeys.add(k);
          anomalies.push({
            type: 'duplicate-appends',
            key: k,
            ops: [prior.txn.index, t.index],
            value: v,
            explanation: `${T(prior.txn)} and ${T(t)} both appended ${describeValue(v)} to key ${describeValue(k)}; elements must be unique per key, so key ${describeValue(k)} is not analysed`,
          });
        }
        w.set(v, { txn: t, nth, last: nth === elems.length - 1 });
      });
    }
  }

  // Reads: internal consistency, duplicates, external reads and the longest list per key.
  for (const t of txns.all) {
    if (t.type !== 'ok') continue;
    const state = new Map<Key, { known: Elem[] | null; own: Elem[] }>();
    t.mops.forEach(([f, k, v], i) => {
      let s = state.get(k);
      if (f === 'append') {
        if (!s) state.set(k, (s = { known: null, own: [] }));
        if (s.known) s.known.push(v as Elem);
        else s.own.push(v as Elem);
        return;
      }
      if (!Array.isArray(v))
        throw txnFormatError(
          at(t),
          `value[${i}][2]`,
          `a list-append read of key ${describeValue(k)} must be a list, got ${describeValue(v)}`,
        );
      const list = v as Elem[];
      for (let j = 0; j < list.length; j++) {
        const e = list[j];
        if (typeof e !== 'number' && typeof e !== 'string')
          throw txnFormatError(
            at(t),
            `value[${i}][2][${j}]`,
            `a list element is a number or string, got ${describeValue(e)}`,
          );
      }
      if (new Set(list).size !== list.length) {
        const seen = new Set<Elem>();
        const dup = list.find((e) => (seen.has(e) ? true : (seen.add(e), false)));
        anomalies.push({
          type: 'duplicate-elements',
          key: k,
          ops: [t.index],
          value: list,
          explanation: `${T(t)} read key ${describeValue(k)} as ${describeValue(list)}: ${describeValue(dup)} appears twice, but every element was appended once`,
        });
      }
      let all = allReads.get(k);
      if (!all) allReads.set(k, (all = []));
      all.push({ txn: t, list });
      const l = longest.get(k);
      if (l === undefined || list.length > l.length) longest.set(k, list);

      if (s === undefined || s.known === null) {
        const own = s?.own ?? [];
        const ok = own.every((e, j) => list[list.length - own.length + j] === e);
        if (!ok) {
          anomalies.push({
            type: 'internal',
            key: k,
            ops: [t.index],
            expected: ['...', ...own],
            value: list,
            explanation: `${T(t)} appended ${describeValue(own)} to key ${describeValue(k)} and then read ${describeValue(list)}, which does not end with its own appends`,
          });
        } else {
          let ext = reads.get(k);
          if (!ext) reads.set(k, (ext = []));
          ext.push({ txn: t, list: own.length ? list.slice(0, list.length - own.length) : list });
        }
      } else if (!sameList(s.known, list)) {
        anomalies.push({
          type: 'internal',
          key: k,
          ops: [t.index],
          expected: s.known,
          value: list,
          explanation: `${T(t)} should have read key ${describeValue(k)} as ${describeValue(s.known)} (its own earlier read and appends), but read ${describeValue(list)}`,
        });
      }
      state.set(k, { known: [...list], own: [] });
    });
  }

  // Per key: the version order, then dependencies and the anomalies it reveals.
  const keys = new Set<Key>([...writers.keys(), ...allReads.keys()]);
  for (const k of keys) {
    if (badKeys.has(k)) continue;
    const order = longest.get(k) ?? [];
    const w = writers.get(k) ?? new Map<Elem, Writer>();
    let compatible = true;
    for (const r of allReads.get(k) ?? []) {
      if (!isPrefix(r.list, order)) {
        compatible = false;
        const long = (allReads.get(k) ?? []).find((x) => x.list === order)!;
        anomalies.push({
          type: 'incompatible-order',
          key: k,
          ops: [r.txn.index, long.txn.index],
          values: [r.list as JsonValue, order as JsonValue],
          explanation: `${T(r.txn)} read key ${describeValue(k)} as ${describeValue(r.list)} and ${T(long.txn)} read it as ${describeValue(order)}: neither is a prefix of the other, so the two reads saw different histories of the key`,
        });
        break;
      }
    }
    if (!compatible) continue;
    const pos = new Map<Elem, number>();
    order.forEach((e, i) => pos.set(e, i));

    // ww along the order; dirty updates (a committed element after an aborted one).
    let aborted: { e: Elem; w: Writer } | undefined;
    let dirtyReported = false;
    for (let i = 0; i < order.length; i++) {
      const cur = w.get(order[i]!);
      if (cur === undefined) continue;
      if (cur.txn.type === 'fail') aborted ??= { e: order[i]!, w: cur };
      else if (aborted && !dirtyReported) {
        dirtyReported = true;
        anomalies.push({
          type: 'dirty-update',
          key: k,
          ops: [aborted.w.txn.index, cur.txn.index],
          value: order[i]!,
          aborted: aborted.e,
          explanation: `key ${describeValue(k)} holds ${describeValue(aborted.e)}, appended by ${T(aborted.w.txn)} which failed, and after it ${describeValue(order[i])} from ${T(cur.txn)}: a committed update built on an aborted one`,
        });
      }
      if (i === 0) continue;
      const prev = w.get(order[i - 1]!);
      if (prev && prev.txn.node >= 0 && cur.txn.node >= 0)
        g.add(prev.txn.node, cur.txn.node, WW, { key: k, value: order[i]!, prev: order[i - 1]! });
    }

    // wr / rw from external reads; aborted and intermediate reads.
    const finalReaders: Txn[] = [];
    for (const r of reads.get(k) ?? []) {
      const list = r.list;
      for (const e of list) {
        const ew = w.get(e);
        if (ew?.txn.type === 'fail') {
          anomalies.push({
            type: 'G1a',
            key: k,
            ops: [r.txn.index, ew.txn.index],
            value: e,
            explanation: `${T(r.txn)} read ${describeValue(e)} in key ${describeValue(k)}, but ${T(ew.txn)} which appended it failed (aborted read)`,
          });
          break;
        }
      }
      const lastE = list[list.length - 1];
      if (lastE !== undefined) {
        const lw = w.get(lastE);
        if (lw && lw.txn !== r.txn && lw.txn.node >= 0) {
          g.add(lw.txn.node, r.txn.node, WR, { key: k, value: lastE });
          if (!lw.last)
            anomalies.push({
              type: 'G1b',
              key: k,
              ops: [r.txn.index, lw.txn.index],
              value: lastE,
              explanation: `${T(r.txn)} read key ${describeValue(k)} ending in ${describeValue(lastE)}, an intermediate state: ${T(lw.txn)} appended more to key ${describeValue(k)} after ${describeValue(lastE)} in the same transaction (intermediate read)`,
            });
        }
      }
      if (list.length < order.length) {
        const next = order[list.length]!;
        const nw = w.get(next);
        if (nw && nw.txn !== r.txn && nw.txn.node >= 0)
          g.add(r.txn.node, nw.txn.node, RW, { key: k, value: next, prev: lastE ?? null });
      } else {
        finalReaders.push(r.txn);
      }
    }

    // Committed appends nobody read: after every version anyone read.
    const lastW = order.length ? w.get(order[order.length - 1]!) : undefined;
    for (const [e, ew] of w) {
      if (pos.has(e) || ew.txn.type !== 'ok' || ew.nth !== 0) continue;
      if (lastW && lastW.txn.node >= 0 && lastW.txn !== ew.txn)
        g.add(lastW.txn.node, ew.txn.node, WW, {
          key: k,
          value: e,
          prev: order[order.length - 1]!,
          unread: true,
        });
      let lost: Txn | undefined;
      for (const rd of finalReaders) {
        if (rd === ew.txn) continue;
        g.add(rd.node, ew.txn.node, RW, {
          key: k,
          value: e,
          prev: order[order.length - 1] ?? null,
          unread: true,
        });
        if (lost === undefined && rd.invokeTime > ew.txn.completeTime) lost = rd;
      }
      if (lost)
        anomalies.push({
          type: 'lost-append',
          key: k,
          ops: [ew.txn.index, lost.index],
          value: e,
          explanation: `${T(ew.txn)} appended ${describeValue(e)} to key ${describeValue(k)} and committed; ${T(lost)} began after that and read the longest list anyone saw, ${describeValue(order)}, without it; no read ever saw ${describeValue(e)}`,
        });
    }
  }
  return { anomalies, keys: keys.size };
}

function isPrefix(a: readonly Elem[], b: readonly Elem[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameList(a: readonly Elem[], b: readonly Elem[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}
