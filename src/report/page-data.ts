/**
 * The JSON payload embedded in report.html. Per-op columns travel as base64 typed arrays (a few
 * bytes per op instead of a JSON object each) so a 100k-op report stays a few MB and the page
 * decodes it in milliseconds. Times on the page are seconds since run start; latencies are ms.
 */
import { faultScope } from '../nemesis/sides.js';
import type { HistoryModel } from './model.js';
import type { BucketSeries } from './series.js';
import type { Mark } from './evidence.js';
import type { ResourceSeries } from '../resources/series.js';

export interface PageFault {
  id: string;
  kind: string;
  /** Seconds: start invoked, start completed, stop invoked, stop completed (null: not healed). */
  start: number;
  applied: number | null;
  stopInvoked: number | null;
  end: number | null;
  status: string;
  label: string;
}

/** A column of non-negative integers in the narrowest typed array that holds them. */
export interface UintColumn {
  enc: 'u8' | 'u16' | 'u32' | 'f64';
  /** Stored as differences from the previous element (increasing columns). */
  delta: boolean;
  data: string;
}

export interface PageData {
  title: string;
  endS: number;
  fns: string[];
  errors: string[];
  texts: string[];
  lanes: string[];
  ops: {
    count: number;
    /** Invocation time, µs since run start. */
    startUs: UintColumn;
    /** Latency, µs (completion rounded to µs minus invocation rounded to µs). */
    durUs: UintColumn;
    lane: UintColumn;
    outcome: UintColumn;
    fn: UintColumn;
    process: UintColumn;
    /** History index of the invocation. */
    index: UintColumn;
    /** 0 = none, else 1 + index into `errors`. */
    error: UintColumn;
    /** Ids into `texts`. */
    text: UintColumn;
  };
  /** Row numbers of the ops drawn in the latency scatter. */
  scatter: UintColumn;
  buckets: BucketSeries;
  faults: PageFault[];
  kindColors: Record<string, string>;
  marks: Mark[];
  /** Each node's own RSS, CPU and open files over the run (resources.jsonl), when sampled. */
  resources?: ResourceSeries;
}

export const b64 = (a: ArrayBufferView): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

const KIND_COLORS: Record<string, string> = {
  partition: '#8b5cf6',
  loss: '#ec4899',
  latency: '#eab308',
  bandwidth: '#10b981',
  reset: '#f97316',
  blackhole: '#64748b',
  kill: '#dc2626',
  pause: '#0ea5e9',
  amnesia: '#7f1d1d',
  clock: '#14b8a6',
  compound: '#6d28d9',
};
const SPARE_COLORS = ['#a16207', '#0f766e', '#9333ea', '#be185d', '#1d4ed8', '#4d7c0f'];

export function kindColors(kinds: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  let spare = 0;
  for (const k of kinds) out[k] ??= KIND_COLORS[k] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length]!;
  return out;
}

export function uintColumn(values: ArrayLike<number>, delta = false): UintColumn {
  const n = values.length;
  const vals = new Float64Array(n);
  let max = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const x = delta ? v - prev : v;
    prev = v;
    if (x < 0 || !Number.isInteger(x))
      return { enc: 'f64', delta: false, data: b64(Float64Array.from(values)) };
    vals[i] = x;
    if (x > max) max = x;
  }
  if (max <= 0xff) return { enc: 'u8', delta, data: b64(Uint8Array.from(vals)) };
  if (max <= 0xffff) return { enc: 'u16', delta, data: b64(Uint16Array.from(vals)) };
  if (max <= 0xffffffff) return { enc: 'u32', delta, data: b64(Uint32Array.from(vals)) };
  return { enc: 'f64', delta, data: b64(vals) };
}

function textIds(texts: string[]): { table: string[]; ids: Uint32Array } {
  const index = new Map<string, number>();
  const table: string[] = [];
  const ids = new Uint32Array(texts.length);
  texts.forEach((t, i) => {
    let id = index.get(t);
    if (id === undefined) {
      id = table.length;
      table.push(t);
      index.set(t, id);
    }
    ids[i] = id;
  });
  return { table, ids };
}

const s3 = (ms: number | null): number | null => (ms === null ? null : Math.round(ms) / 1000);

export function buildPageData(
  title: string,
  model: HistoryModel,
  buckets: BucketSeries,
  scatter: Uint32Array,
  marks: Mark[],
): PageData {
  const { ops } = model;
  const startUs = new Float64Array(ops.count);
  const durUs = new Float64Array(ops.count);
  for (let i = 0; i < ops.count; i++) {
    startUs[i] = Math.round(ops.start[i]! * 1000);
    durUs[i] = Math.max(0, Math.round((ops.start[i]! + ops.dur[i]!) * 1000) - startUs[i]!);
  }
  const texts = textIds(ops.text);
  const faults: PageFault[] = model.faults.map((f) => ({
    id: f.id,
    kind: f.kind,
    start: s3(f.start)!,
    applied: s3(f.applied),
    stopInvoked: s3(f.stopInvoked),
    end: s3(f.end),
    status: f.status,
    label: `${f.id} ${f.kind} ${faultScope(f.targets, f.details, f.members)}`.trim(),
  }));
  return {
    title,
    endS: model.endMs / 1000,
    fns: model.fns,
    errors: model.errors,
    texts: texts.table,
    // A worker's successive processes (a new one after each info) share its lane: the lane is
    // named after the worker, and an op's details name both ("process 5 (worker 0)").
    lanes: model.laneProcesses.map((_, i) => laneName(i)),
    ops: {
      count: ops.count,
      startUs: uintColumn(startUs, true),
      durUs: uintColumn(durUs),
      lane: uintColumn(ops.lane),
      outcome: uintColumn(ops.outcome),
      fn: uintColumn(ops.fn),
      process: uintColumn(ops.process),
      index: uintColumn(ops.index, true),
      error: uintColumn(ops.error),
      text: uintColumn(texts.ids),
    },
    scatter: uintColumn(scatter, true),
    buckets,
    faults,
    kindColors: kindColors(model.faults.map((f) => f.kind)),
    marks,
  };
}

/** The timeline lane of worker `i`, as the report names it everywhere. */
export const laneName = (i: number): string => `worker ${i}`;

export function targetsText(t: unknown): string {
  if (t === null || t === undefined) return '';
  if (Array.isArray(t)) return t.map(String).join(',');
  if (typeof t === 'object' && Array.isArray((t as { nodes?: unknown }).nodes)) {
    return (t as { nodes: unknown[] }).nodes.map(String).join(',');
  }
  return typeof t === 'string' ? t : JSON.stringify(t);
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
