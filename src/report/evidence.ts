/**
 * Links from checker results to places in the timeline. Checkers explain themselves with ops
 * (objects carrying a history `index`) and time windows (`start`/`end` or `from`/`to` in ns, like
 * op times); each top-level field of a result (or each element, for an array field) that contains
 * any becomes one mark: a time range plus the op rows to highlight. This stays generic on purpose
 * so a new checker gets clickable evidence without report changes.
 */
import type { CheckResult } from '../checkers/result.js';
import { brief, type HistoryModel } from './model.js';
import type { JsonValue } from '../history/op.js';

export interface Mark {
  id: string;
  checker: string;
  label: string;
  /** Seconds since run start. */
  t0: number;
  t1: number;
  /** Op rows (into the page's op columns) to highlight. */
  rows: number[];
}

const MAX_MARKS_PER_CHECK = 50;
const MAX_ROWS_PER_MARK = 200;
const MAX_NODES = 20_000;
const WINDOW_KEYS: [string, string][] = [
  ['start', 'end'],
  ['from', 'to'],
  ['startNs', 'endNs'],
  ['startTime', 'endTime'],
  ['lastHeal', 'firstOk'], // stuck-state recovery
  ['since', 'othersUntil'], // stuck-state stalled key/process
];
/** ISO-8601 timestamps as node logs write them (etcd zap: `2024-05-01T10:00:00.123Z`). */
const ISO_TS = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/;
const SKIP_FIELDS = new Set(['valid']);

interface Found {
  t0: number;
  t1: number;
  rows: number[];
}

interface Ctx {
  model: HistoryModel;
  /** Wall-clock ms of the run's start (results.run.startedAt), to place log-line evidence. */
  runStartMs: number | undefined;
  budget: { nodes: number };
}

function addPoint(found: Found, s: number): void {
  found.t0 = Math.min(found.t0, s);
  found.t1 = Math.max(found.t1, s);
}

function collect(v: unknown, ctx: Ctx, found: Found, depth: number): void {
  const { model, budget } = ctx;
  if (depth > 8 || --budget.nodes < 0 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) collect(x, ctx, found, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  const endNs = model.endMs * 1e6;
  const inRange = (x: unknown): x is number =>
    typeof x === 'number' && x >= 0 && x <= endNs * 1.05 + 1e9;
  if (typeof o.index === 'number' && (typeof o.f === 'string' || typeof o.type === 'string')) {
    const row = model.rowByIndex.get(o.index);
    if (row !== undefined) {
      const s = model.ops.start[row]! / 1000;
      found.t0 = Math.min(found.t0, s);
      found.t1 = Math.max(found.t1, s + model.ops.dur[row]! / 1000);
      if (found.rows.length < MAX_ROWS_PER_MARK && !found.rows.includes(row)) found.rows.push(row);
    } else if (inRange(o.time)) {
      addPoint(found, o.time / 1e9);
    }
  } else {
    for (const [a, b] of WINDOW_KEYS) {
      const s = o[a];
      const e = o[b];
      if (inRange(s) && (e === null || inRange(e))) {
        const end = e === null ? endNs : (e as number);
        if (end >= s) {
          found.t0 = Math.min(found.t0, s / 1e9);
          found.t1 = Math.max(found.t1, end / 1e9);
        }
      }
    }
    if (inRange(o.time)) addPoint(found, o.time / 1e9);
  }
  // Log-line evidence (election checker): place it by its wall-clock timestamp.
  const ts =
    typeof o.ts === 'string'
      ? o.ts
      : o.kind === 'log' && typeof o.text === 'string'
        ? ISO_TS.exec(o.text)?.[0]
        : undefined;
  if (ts !== undefined && ctx.runStartMs !== undefined) {
    const wall = Date.parse(ts.replace(' ', 'T'));
    const s = (wall - ctx.runStartMs) / 1000;
    if (Number.isFinite(s) && s >= -1 && s <= model.endMs / 1000 + 60)
      addPoint(found, Math.max(0, s));
  }
  for (const x of Object.values(o)) collect(x, ctx, found, depth + 1);
}

export function extractMarks(
  checks: Record<string, CheckResult>,
  model: HistoryModel,
  runStartMs?: number,
): Mark[] {
  const marks: Mark[] = [];
  for (const [checker, result] of Object.entries(checks)) {
    if (result === null || typeof result !== 'object') continue;
    let n = 0;
    const ctx: Ctx = { model, runStartMs, budget: { nodes: MAX_NODES } };
    const consider = (label: string, v: unknown): void => {
      if (n >= MAX_MARKS_PER_CHECK) return;
      const found: Found = { t0: Infinity, t1: -Infinity, rows: [] };
      collect(v, ctx, found, 0);
      if (found.t0 > found.t1) return;
      const msg =
        v !== null && typeof v === 'object' ? (v as { message?: unknown }).message : undefined;
      marks.push({
        id: `m${marks.length}`,
        checker,
        label: `${label}: ${typeof msg === 'string' ? brief(msg, 160) : brief(v as JsonValue, 110)}`,
        t0: found.t0,
        t1: found.t1,
        rows: found.rows,
      });
      n++;
    };
    for (const [field, v] of Object.entries(result)) {
      if (SKIP_FIELDS.has(field)) continue;
      if (Array.isArray(v)) v.forEach((x, i) => consider(`${field}[${i}]`, x));
      else consider(field, v);
    }
  }
  return marks;
}
