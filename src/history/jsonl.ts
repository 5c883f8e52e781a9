/**
 * One op <-> one JSONL line. Serialization writes fields in a fixed order (index, time, type,
 * process, f, key, value, error, node, precondition, intended) so files diff cleanly; parsing is strict: unknown fields,
 * missing fields and wrong types are errors naming the field, because a silently misread history
 * gives a wrong verdict.
 */
import { HistoryFormatError, describeValue } from './errors.js';
import type { JsonValue, Op, OpType, Process } from './op.js';

const FIELDS = new Set([
  'index',
  'time',
  'type',
  'process',
  'f',
  'key',
  'value',
  'error',
  'node',
  'precondition',
  'intended',
]);

/** The JSONL line for an op, without the trailing newline. */
export function serializeOp(op: Op): string {
  const p = op.process;
  let s =
    '{"index":' +
    op.index +
    ',"time":' +
    op.time +
    ',"type":"' +
    op.type +
    '","process":' +
    (typeof p === 'number' ? p : '"nemesis"') +
    ',"f":' +
    quote(op.f);
  const key = op.key;
  if (key !== undefined)
    s += ',"key":' + (typeof key === 'string' ? quote(key) : stringifyValue(key));
  if (op.value !== undefined) s += ',"value":' + stringifyValue(op.value);
  if (op.error !== undefined) s += ',"error":' + stringifyValue(op.error);
  if (op.node !== undefined) s += ',"node":' + quote(op.node);
  if (op.precondition === false) s += ',"precondition":false';
  if (op.intended !== undefined) s += ',"intended":' + op.intended;
  return s + '}';
}

// f names, keys and nodes repeat endlessly: remember their JSON form (bounded).
const quoted = new Map<string, string>();

function quote(str: string): string {
  let q = quoted.get(str);
  if (q === undefined) {
    q = JSON.stringify(str);
    if (quoted.size < 1024 && str.length <= 64) quoted.set(str, q);
  }
  return q;
}

function stringifyValue(v: JsonValue): string {
  // Small integers, null and flat number tuples (cas [from, to]) are most values in practice;
  // skip JSON.stringify's generic path for them. For finite numbers String(n) is JSON's form.
  if (v === null) return 'null';
  if (typeof v === 'number' && Number.isFinite(v)) return '' + v;
  if (typeof v === 'string' && v.length <= 64) return quote(v);
  if (Array.isArray(v) && v.length <= 8) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) return JSON.stringify(v);
      out += (i === 0 ? '' : ',') + x;
    }
    return out + ']';
  }
  return JSON.stringify(v);
}

export interface LineLocation {
  file: string;
  line: number;
}

/** Parses and checks one JSONL line. Throws HistoryFormatError naming file:line and the field. */
export function parseOpLine(text: string, at: LineLocation): Op {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HistoryFormatError({ ...at, reason: `not valid JSON (${(err as Error).message})` });
  }
  return checkOp(raw, at);
}

/** Checks a parsed JSON object against the Op shape and returns it as a fresh, well-ordered Op. */
export function checkOp(raw: unknown, at: LineLocation): Op {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HistoryFormatError({
      ...at,
      reason: `expected an op object, got ${describeValue(raw)}`,
    });
  }
  const o = raw as Record<string, unknown>;
  for (const k in o) {
    if (!FIELDS.has(k)) throw new HistoryFormatError({ ...at, field: k, reason: 'unknown field' });
  }
  const bad = (field: string, want: string): never => {
    const got = o[field];
    throw new HistoryFormatError({
      ...at,
      field,
      reason:
        got === undefined ? `missing (${want})` : `expected ${want}, got ${describeValue(got)}`,
    });
  };
  const index = o.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)
    bad('index', 'a non-negative integer');
  const time = o.time;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0)
    bad('time', 'a non-negative number of nanoseconds');
  const type = o.type;
  if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info')
    bad('type', 'invoke, ok, fail or info');
  const process = o.process;
  if (!(
    process === 'nemesis' ||
    (typeof process === 'number' && Number.isSafeInteger(process) && process >= 0)
  )) {
    bad('process', 'a non-negative integer or "nemesis"');
  }
  const f = o.f;
  if (typeof f !== 'string') bad('f', 'a string');
  const op: Op = {
    index: index as number,
    time: time as number,
    type: type as OpType,
    process: process as Process,
    f: f as string,
  };
  const key = o.key;
  if (key !== undefined) {
    if (typeof key !== 'string' && typeof key !== 'number') bad('key', 'a string or a number');
    op.key = key as string | number;
  }
  if (o.value !== undefined) op.value = o.value as JsonValue;
  if (o.error !== undefined) op.error = o.error as JsonValue;
  const node = o.node;
  if (node !== undefined) {
    if (typeof node !== 'string') bad('node', 'a string');
    op.node = node as string;
  }
  if (o.precondition !== undefined) {
    if (o.precondition !== false || type !== 'fail')
      bad('precondition', 'false, and only on a fail completion (the precondition was false)');
    op.precondition = false;
  }
  const intended = o.intended;
  if (intended !== undefined) {
    if (typeof intended !== 'number' || !Number.isFinite(intended) || intended < 0)
      bad('intended', 'a non-negative number of nanoseconds');
    op.intended = intended as number;
  }
  return op;
}
