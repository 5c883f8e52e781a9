/**
 * A seeded generator of kv histories for the scale benchmark (`npm run bench:scale`):
 * linearizable by construction, optionally with indeterminate writes, optionally with one planted
 * stale read that no linearization can explain.
 *
 * Construction: W workers each run one op at a time. Every step picks a random worker and moves
 * its op on by one phase: invoke -> take effect (applied to the one true kv map, the result is
 * read there) -> complete. Each op's effect lies between its invoke and its completion, so the
 * history is linearizable by that very order. An indeterminate write completes with `info` (its
 * effect either happened or not, at random) and its worker goes on under a new process number.
 *
 * The planted violation: a get returns the value its key held before an append that completed
 * before the get was invoked, on a key with no put in flight in between and no indeterminate put
 * ever (appends only lengthen a value, so that shorter value cannot come back).
 */
import type { Op } from '../src/history/op.js';

export interface KvHistoryOptions {
  /** Client operations (each one an invoke plus at most one completion). */
  ops: number;
  keys: number;
  workers?: number;
  seed?: number;
  /** Share of writes (put/append) that end indeterminate (`info`). */
  infoRate?: number;
  /** Plant one stale read (the history is then not linearizable). */
  plantViolation?: boolean;
}

export interface KvHistoryStats {
  events: number;
  infoOps: number;
  /** History index of the planted stale read's completion, or -1. */
  plantedAt: number;
}

/** Deterministic 32-bit PRNG (mulberry32), as a float in [0, 1). */
function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface InFlight {
  f: 'get' | 'put' | 'append';
  key: string;
  value: string;
  /** 0 invoked, 1 took effect (or decided not to), then it completes. */
  phase: 0 | 1;
  result: string;
  info: boolean;
  invokeTime: number;
  planted: boolean;
}

interface KeyState {
  value: string;
  putsInFlight: number;
  /** Any indeterminate put ever (it may take effect at any later time). */
  infoPut: boolean;
  /** Completion time of the last put, and the last ok append: its invoke time and prior value. */
  lastPutEnd: number;
  lastAppend: { invokeTime: number; completeTime: number; before: string } | undefined;
  pendingAppendBefore: Map<number, string>;
}

/**
 * Generates the history, calling `emit` for each event in order (nothing is kept in memory but
 * the kv map), and returns counts.
 */
export function generateKvHistory(opts: KvHistoryOptions, emit: (op: Op) => void): KvHistoryStats {
  const workers = opts.workers ?? 10;
  const random = rng(opts.seed ?? 1);
  const infoRate = opts.infoRate ?? 0;
  const keys: KeyState[] = Array.from({ length: opts.keys }, () => ({
    value: '',
    putsInFlight: 0,
    infoPut: false,
    lastPutEnd: -1,
    lastAppend: undefined,
    pendingAppendBefore: new Map(),
  }));
  const process = Array.from({ length: workers }, (_, i) => i);
  let nextProcess = workers;
  const flight: (InFlight | undefined)[] = new Array(workers).fill(undefined);
  let started = 0;
  let index = 0;
  let time = 0;
  let infoOps = 0;
  let plantedAt = -1;
  let planting = opts.plantViolation === true;
  let plantKey = -1;
  let opId = 0;
  const ids: number[] = new Array(workers).fill(0);

  const out = (o: Omit<Op, 'index' | 'time'>): void => {
    time += 1 + Math.floor(random() * 2000);
    emit({ index: index++, time, ...o } as Op);
  };

  let active = 0;
  for (;;) {
    if (active === 0 && started >= opts.ops) break;
    const w = Math.floor(random() * workers);
    const op = flight[w];
    if (op === undefined) {
      if (started >= opts.ops) continue;
      const r = random();
      const f: InFlight['f'] = r < 0.45 ? 'get' : r < 0.9 ? 'append' : 'put';
      let k = Math.floor(random() * opts.keys);
      if (f === 'put' && k === plantKey) k = (k + 1) % opts.keys; // keep the planted key put-free
      const key = keys[k]!;
      const id = opId++;
      ids[w] = id;
      const value = f === 'get' ? '' : f === 'put' ? `p${id}y` : `x${id}y`;
      if (f === 'put') key.putsInFlight++;
      out({
        type: 'invoke',
        process: process[w]!,
        f,
        key: String(k),
        value: f === 'get' ? null : value,
      });
      flight[w] = {
        f,
        key: String(k),
        value,
        phase: 0,
        result: '',
        info: f !== 'get' && random() < infoRate,
        invokeTime: time,
        planted: false,
      };
      started++;
      active++;
      continue;
    }
    const k = Number(op.key);
    const key = keys[k]!;
    if (op.phase === 0) {
      op.phase = 1;
      if (op.f === 'get') {
        op.result = key.value;
        const last = key.lastAppend;
        if (
          planting &&
          started > opts.ops / 2 &&
          last !== undefined &&
          last.completeTime < op.invokeTime &&
          key.putsInFlight === 0 &&
          !key.infoPut &&
          key.lastPutEnd < last.invokeTime
        ) {
          op.result = last.before; // stale: the value before an append that already completed
          op.planted = true;
          planting = false;
          plantKey = k;
        }
      } else if (!op.info || random() < 0.5) {
        if (op.f === 'append') key.pendingAppendBefore.set(ids[w]!, key.value);
        key.value = op.f === 'put' ? op.value : key.value + op.value;
      }
      continue;
    }
    // Complete.
    flight[w] = undefined;
    active--;
    if (op.info) {
      infoOps++;
      if (op.f === 'put') {
        key.putsInFlight--;
        key.infoPut = true;
      }
      key.pendingAppendBefore.delete(ids[w]!);
      out({
        type: 'info',
        process: process[w]!,
        f: op.f,
        key: op.key,
        value: op.value,
        error: 'timeout',
      });
      process[w] = nextProcess++;
      continue;
    }
    out({
      type: 'ok',
      process: process[w]!,
      f: op.f,
      key: op.key,
      value: op.f === 'get' ? op.result : op.value,
    });
    if (op.planted) plantedAt = index - 1;
    if (op.f === 'put') {
      key.putsInFlight--;
      key.lastPutEnd = time;
    } else if (op.f === 'append') {
      const before = key.pendingAppendBefore.get(ids[w]!);
      key.pendingAppendBefore.delete(ids[w]!);
      // Only an append that saw no concurrent write is a clean witness for a stale read.
      if (before !== undefined && before + op.value === key.value)
        key.lastAppend = { invokeTime: op.invokeTime, completeTime: time, before };
    }
  }
  return { events: index, infoOps, plantedAt };
}

/** The event in Porcupine's kv log format (no time, no index; an indeterminate op has no completion). */
export function porcupineKvLine(op: Op): string | undefined {
  if (op.type === 'info') return undefined;
  const value = op.value === null || op.value === undefined ? 'nil' : JSON.stringify(op.value);
  return `{:process ${String(op.process)}, :type :${op.type}, :f :${op.f}, :key ${JSON.stringify(op.key)}, :value ${value}}`;
}
