/**
 * Dependency inference for rw-register histories (reads and writes of single values; Elle's
 * rw-register, with only the inferences that need no extra assumption about the database):
 * written values are unique per key and every key starts as nil, so a read names its writer
 * (wr), and the version order is known only partly:
 * - nil precedes every written version;
 * - within one committed txn, a version it read (or wrote) precedes the version it then wrote.
 * For each known precedence v < v': ww writer(v) -> writer(v') and rw reader(v) -> writer(v').
 * When v' is not the very next version these edges stand for a chain of ww edges that ends the
 * same way, so cycles keep their rw count and their names. Non-cycle anomalies: G1a, G1b,
 * internal inconsistency.
 */
import type { JsonValue, Key } from '../../history/op.js';
import { describeValue } from '../../history/errors.js';
import { txnFormatError } from '../../history/txn.js';
import { DepGraph, RW, WR, WW } from './graph.js';
import type { DataAnomaly, InputLocation, Inference } from './list-append.js';
import type { Txn, Txns } from './txns.js';

type Val = string | number;
const T = (t: Txn) => `T${t.index}`;

export function inferRwRegister(txns: Txns, g: DepGraph, where: InputLocation): Inference {
  const anomalies: DataAnomaly[] = [];
  const writer = new Map<Key, Map<Val, { txn: Txn; last: boolean }>>();
  const readers = new Map<Key, Map<Val | null, Txn[]>>();
  const before = new Map<Key, Array<[Val | null, Val]>>();
  const at = (t: Txn) => ({
    file: where.file,
    line: where.lines?.[t.index] ?? t.index + 1,
    opIndex: t.index,
  });

  for (const t of txns.all) {
    const lastWrite = new Map<Key, number>();
    t.mops.forEach(([f, k, v], i) => {
      if (f === 'append')
        throw txnFormatError(
          at(t),
          `value[${i}][0]`,
          'rw-register txns read and write; append is list-append',
        );
      if (f === 'w') {
        if (typeof v !== 'number' && typeof v !== 'string')
          throw txnFormatError(
            at(t),
            `value[${i}][2]`,
            `a written value is a number or string, got ${describeValue(v)}`,
          );
        lastWrite.set(k, i);
      } else if (t.type === 'ok' && v !== null && typeof v !== 'number' && typeof v !== 'string')
        throw txnFormatError(
          at(t),
          `value[${i}][2]`,
          `an rw-register read of key ${describeValue(k)} is a single value or nil, got ${describeValue(v)}`,
        );
    });
    t.mops.forEach(([f, k, v], i) => {
      if (f !== 'w') return;
      let w = writer.get(k);
      if (!w) writer.set(k, (w = new Map()));
      w.set(v as Val, { txn: t, last: lastWrite.get(k) === i });
    });
  }

  for (const t of txns.all) {
    if (t.type !== 'ok') continue;
    const state = new Map<Key, Val | null>();
    const external = new Set<Key>();
    for (let i = 0; i < t.mops.length; i++) {
      const [f, k, raw] = t.mops[i]!;
      const v = raw as Val | null;
      if (f === 'w') {
        if (state.has(k)) {
          let b = before.get(k);
          if (!b) before.set(k, (b = []));
          b.push([state.get(k)!, v as Val]);
        }
        state.set(k, v);
        continue;
      }
      if (state.has(k)) {
        if (state.get(k) !== v)
          anomalies.push({
            type: 'internal',
            key: k,
            ops: [t.index],
            expected: state.get(k) as JsonValue,
            value: v,
            explanation: `${T(t)} read key ${describeValue(k)} as ${describeValue(v)} after its own read or write left it ${describeValue(state.get(k))}`,
          });
        continue;
      }
      state.set(k, v);
      external.add(k);
      let r = readers.get(k);
      if (!r) readers.set(k, (r = new Map()));
      let list = r.get(v);
      if (!list) r.set(v, (list = []));
      list.push(t);
      if (v === null) continue;
      const w = writer.get(k)?.get(v);
      if (w === undefined) continue;
      if (w.txn.type === 'fail')
        anomalies.push({
          type: 'G1a',
          key: k,
          ops: [t.index, w.txn.index],
          value: v,
          explanation: `${T(t)} read ${describeValue(v)} from key ${describeValue(k)}, but ${T(w.txn)} which wrote it failed (aborted read)`,
        });
      else if (w.txn !== t) {
        g.add(w.txn.node, t.node, WR, { key: k, value: v });
        if (!w.last)
          anomalies.push({
            type: 'G1b',
            key: k,
            ops: [t.index, w.txn.index],
            value: v,
            explanation: `${T(t)} read ${describeValue(v)} from key ${describeValue(k)}, an intermediate state: ${T(w.txn)} wrote the key again later in the same transaction`,
          });
      }
    }
  }

  const keys = new Set<Key>([...writer.keys(), ...readers.keys()]);
  for (const k of keys) {
    const w = writer.get(k) ?? new Map();
    const r = readers.get(k) ?? new Map<Val | null, Txn[]>();
    const pairs: Array<[Val | null, Val]> = [...(before.get(k) ?? [])];
    for (const v of w.keys()) pairs.push([null, v as Val]); // nil precedes every version
    for (const [v, next] of pairs) {
      const nw = w.get(next);
      if (nw === undefined || nw.txn.node < 0) continue;
      const pw = v === null ? undefined : w.get(v);
      if (pw && pw.txn.node >= 0 && pw.txn !== nw.txn)
        g.add(pw.txn.node, nw.txn.node, WW, { key: k, value: next, prev: v });
      for (const rd of r.get(v) ?? [])
        if (rd !== nw.txn) g.add(rd.node, nw.txn.node, RW, { key: k, value: next, prev: v });
    }
  }
  return { anomalies, keys: keys.size };
}
