/**
 * Porcupine's Jepsen etcd logs (test_data/jepsen/etcd_NNN.log): lines like
 * `INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]` (some files use spaces). Every other line is
 * noise. The logs carry no times, so an op's time is its index: file order is the only clock.
 *
 * `:fail :read :timed-out` is a fail with error "timed-out"; `:info :write :timed-out` is an
 * info with error "timed-out" whose value is the invoke's value (the write may still apply).
 * `:fail :cas [1 4]` is what Porcupine's etcd model takes it for: the compare ran and the value
 * was not 1 (`precondition: false`, an observation), not an op that never happened.
 */
import { parseEDNString } from 'edn-data';
import { HistoryFormatError } from '../errors.js';
import { ednToJson, isKeyword } from '../edn-values.js';
import { splitEdnForms } from '../edn-forms.js';
import type { History, JsonValue, Op, OpType, Process } from '../op.js';
import type { ImportResult } from './edn.js';

const OP_LINE =
  /^\s*(?:\S+\s+)?jepsen\.util\s+-\s+(\d+|:nemesis)\s+:(\S+)\s+:(\S+)(?:\s+(.*?))?\s*$/;
// A line that claims to be an op (so a malformed one is an error, not silently skipped).
const LOOKS_LIKE_OP = /jepsen\.util\s+-\s+(\d+|:nemesis)\s+:/;
const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

export function importPorcupineEtcd(text: string, opts: { file: string }): ImportResult {
  const { file } = opts;
  const ops: History = [];
  const lines: number[] = [];
  const open = new Map<Process, Op>();
  let lineNo = 0;
  let skipped = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    lineNo++;
    start = end + 1;
    if (!line.includes('jepsen.util')) {
      if (line.trim() !== '') skipped++;
      continue;
    }
    const m = OP_LINE.exec(line);
    if (m === null) {
      if (LOOKS_LIKE_OP.test(line)) {
        throw new HistoryFormatError({
          file,
          line: lineNo,
          reason: 'expected `jepsen.util - <process> :<type> :<f> <value>`',
        });
      }
      skipped++;
      continue;
    }
    const at = { file, line: lineNo };
    const process: Process = m[1] === ':nemesis' ? 'nemesis' : Number(m[1]);
    if (!Number.isSafeInteger(process) && process !== 'nemesis') {
      throw new HistoryFormatError({
        ...at,
        field: 'process',
        reason: `process ${m[1]} is too large`,
      });
    }
    const type = m[2]!;
    if (!TYPES.has(type))
      throw new HistoryFormatError({ ...at, field: 'type', reason: `unknown op type :${type}` });
    const f = m[3]!;
    const raw = parseValue(m[4] ?? 'nil', at);

    const op: Op = { index: ops.length, time: ops.length, type: type as OpType, process, f };
    if (type === 'invoke') {
      op.value = toJson(raw, at);
      open.set(process, op);
    } else {
      const invoke = open.get(process);
      open.delete(process);
      if (isKeyword(raw) && type !== 'ok') {
        // A keyword in place of a value is the reason there is no result (e.g. :timed-out).
        op.value = invoke?.value ?? null;
        op.error = raw.key;
      } else {
        op.value = toJson(raw, at);
        // Porcupine's meaning: a cas that failed with its arguments ran and saw another value.
        if (type === 'fail' && f === 'cas') op.precondition = false;
      }
    }
    ops.push(op);
    lines.push(lineNo);
  }
  return {
    ops,
    warnings: [],
    lines,
    skipped: {
      lines: skipped,
      reason: 'not a `jepsen.util - <process> :<type> :<f> <value>` op line',
    },
  };
}

function parseValue(text: string, at: { file: string; line: number }): unknown {
  if (text === 'nil') return null;
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  try {
    const forms = splitEdnForms(text);
    if (forms.length !== 1) throw new Error(`expected one value, found ${forms.length}`);
    return parseEDNString(text);
  } catch (err) {
    throw new HistoryFormatError({
      ...at,
      field: 'value',
      reason: `bad EDN value ${JSON.stringify(text)}: ${(err as Error).message}`,
    });
  }
}

function toJson(v: unknown, at: { file: string; line: number }): JsonValue {
  try {
    return ednToJson(v);
  } catch (err) {
    throw new HistoryFormatError({ ...at, field: 'value', reason: (err as Error).message });
  }
}
