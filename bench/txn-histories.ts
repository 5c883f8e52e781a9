/**
 * Synthetic list-append histories for the txn benchmark: `n` transactions of 1-5 micro-ops from
 * `concurrency` processes against an in-memory store, seeded. Keys rotate as in Jepsen's
 * list-append workload (a few active keys; each retired after `appendsPerKey` appends) so lists
 * stay short and the history grows linearly.
 *
 * `isolation: 'serializable'` applies each txn atomically at one step (a valid history);
 * `'read-committed'` runs micro-ops one scheduler step apart, each read seeing what is committed
 * then, appends committed together at the end and no row locks: read skew, write skew,
 * non-repeatable reads (internal) and incompatible orders appear, so the cycle search has real
 * work.
 */
import type { History, JsonValue, Op } from '../src/history/op.js';

export interface SimOptions {
  n: number;
  concurrency?: number;
  isolation?: 'serializable' | 'read-committed';
  seed?: number;
  activeKeys?: number;
  appendsPerKey?: number;
}

type M = [string, number, JsonValue];

export function simulateListAppend(o: SimOptions): History {
  const c = o.concurrency ?? 10;
  const active = o.activeKeys ?? 8;
  const perKey = o.appendsPerKey ?? 32;
  let seed = o.seed ?? 1;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  const store = new Map<number, number[]>();
  const appends = new Map<number, number>();
  let keyBase = 0;
  let nextValue = 1;
  const h: History = [];
  const push = (op: Omit<Op, 'index' | 'time'>) =>
    h.push({ index: h.length, time: h.length * 1000, ...op } as Op);
  interface Live {
    mops: M[];
    at: number;
    own: Array<[number, number]>;
  }
  const live: Array<Live | undefined> = Array.from({ length: c }, () => undefined);
  let started = 0;
  let done = 0;
  const readNow = (k: number, own: Array<[number, number]>) => [
    ...(store.get(k) ?? []),
    ...own.filter(([kk]) => kk === k).map(([, v]) => v),
  ];
  const commit = (l: Live) => {
    for (const [k, v] of l.own) store.set(k, [...(store.get(k) ?? []), v]);
  };
  const step = (l: Live) => {
    const m = l.mops[l.at++]!;
    if (m[0] === 'r') m[2] = readNow(m[1], l.own);
    else l.own.push([m[1], m[2] as number]);
  };
  while (done < o.n) {
    const p = rand(c);
    const l = live[p];
    if (l === undefined) {
      if (started >= o.n) continue;
      started++;
      const mops: M[] = [];
      for (let i = 0, len = 1 + rand(5); i < len; i++) {
        const k = keyBase + rand(active);
        if (rand(2) === 0) mops.push(['r', k, null]);
        else {
          mops.push(['append', k, nextValue++]);
          const a = (appends.get(k) ?? 0) + 1;
          appends.set(k, a);
          if (a >= perKey && k === keyBase) keyBase++; // retire the oldest key
        }
      }
      push({
        type: 'invoke',
        process: p,
        f: 'txn',
        value: mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]),
      });
      live[p] = { mops, at: 0, own: [] };
      if (o.isolation !== 'read-committed') {
        const x = live[p]!;
        while (x.at < x.mops.length) step(x);
        commit(x);
      }
      continue;
    }
    if (l.at < l.mops.length) {
      step(l);
      continue;
    }
    if (o.isolation === 'read-committed') commit(l);
    push({ type: 'ok', process: p, f: 'txn', value: l.mops as JsonValue });
    live[p] = undefined;
    done++;
  }
  return h;
}
