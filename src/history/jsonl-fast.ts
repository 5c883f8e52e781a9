/**
 * Fast path of the JSONL reader for the canonical line shape serializeOp writes (what the
 * Recorder produces): `{"index":N,"time":N,"type":"T","process":N|"nemesis","f":"S"` then
 * optional `"key"`, `"value"`, `"error"`, `"node"` in that order. It parses the raw bytes of the
 * read buffer (typed-array access is much cheaper than string charCodeAt, and most lines then
 * never become strings at all). Anything unusual (escapes, non-ASCII, floats, nested values,
 * other field orders) returns undefined: the caller then uses the strict path (JSON.parse +
 * checkOp), which also produces the error message when the line is bad. Whatever this accepts,
 * the strict path would parse to the identical op (a property test checks this).
 */
import type { JsonValue, Op, OpType, Process } from './op.js';

const lit = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const INDEX = lit('{"index":');
const TIME = lit(',"time":');
const TYPE = lit(',"type":"');
const PROCESS = lit(',"process":');
const NEMESIS = lit('"nemesis"');
const F = lit(',"f":"');
const KEY = lit(',"key":');
const VALUE = lit(',"value":');
const ERROR = lit(',"error":');
const NODE = lit(',"node":"');

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

function at(b: Uint8Array, i: number, l: Uint8Array): boolean {
  const n = l.length;
  for (let k = 0; k < n; k++) if (b[i + k] !== l[k]) return false;
  return true;
}

// Where the last read* call stopped (module state: avoids allocating result tuples).
let pos = 0;

/** Parses b[start, end) (one line, without its newline) if it is a canonical op line. */
export function parseCanonicalOpBytes(b: Buffer, start: number, end: number): Op | undefined {
  let i = start;
  if (!at(b, i, INDEX)) return undefined;
  const index = readUint(b, i + INDEX.length, end);
  if (index < 0 || !at(b, pos, TIME)) return undefined;
  const time = readUint(b, pos + TIME.length, end);
  if (time < 0 || !at(b, pos, TYPE)) return undefined;
  i = pos + TYPE.length;
  let type: OpType;
  const t = b[i];
  // invoke" / ok" / fail" / info"
  if (t === 105 /* i */ && b[i + 1] === 110 /* n */) {
    if (
      b[i + 2] === 118 &&
      b[i + 3] === 111 &&
      b[i + 4] === 107 &&
      b[i + 5] === 101 &&
      b[i + 6] === QUOTE
    ) {
      type = 'invoke';
      i += 7;
    } else if (b[i + 2] === 102 && b[i + 3] === 111 && b[i + 4] === QUOTE) {
      type = 'info';
      i += 5;
    } else return undefined;
  } else if (t === 111 /* o */ && b[i + 1] === 107 && b[i + 2] === QUOTE) {
    type = 'ok';
    i += 3;
  } else if (
    t === 102 /* f */ &&
    b[i + 1] === 97 &&
    b[i + 2] === 105 &&
    b[i + 3] === 108 &&
    b[i + 4] === QUOTE
  ) {
    type = 'fail';
    i += 5;
  } else return undefined;
  if (!at(b, i, PROCESS)) return undefined;
  i += PROCESS.length;
  let process: Process;
  if (b[i] === QUOTE) {
    if (!at(b, i, NEMESIS)) return undefined;
    process = 'nemesis';
    i += NEMESIS.length;
  } else {
    process = readUint(b, i, end);
    if (process < 0) return undefined;
    i = pos;
  }
  if (!at(b, i, F)) return undefined;
  const f = readString(b, i + F.length, end);
  if (f === undefined) return undefined;
  i = pos;
  const op: Op = { index, time, type, process, f };
  if (at(b, i, KEY)) {
    i += KEY.length;
    const k = b[i] === QUOTE ? readString(b, i + 1, end) : readInt(b, i, end);
    if (k === undefined) return undefined;
    op.key = k;
    i = pos;
  }
  if (at(b, i, VALUE)) {
    const v = readValue(b, i + VALUE.length, end, 0);
    if (v === undefined) return undefined;
    op.value = v;
    i = pos;
  }
  if (at(b, i, ERROR)) {
    const v = readValue(b, i + ERROR.length, end, 0);
    if (v === undefined) return undefined;
    op.error = v;
    i = pos;
  }
  if (at(b, i, NODE)) {
    const n = readString(b, i + NODE.length, end);
    if (n === undefined) return undefined;
    op.node = n;
    i = pos;
  }
  if (b[i] !== RBRACE) return undefined;
  for (i++; i < end; i++) {
    const c = b[i];
    if (c !== 32 && c !== 9 && c !== 13) return undefined;
  }
  return op;
}

/** A JSON non-negative integer of at most 15 digits (so exact), or -1. */
function readUint(b: Buffer, i: number, end: number): number {
  const from = i;
  let n = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < ZERO || c > NINE) break;
    n = n * 10 + (c - ZERO);
  }
  const len = i - from;
  if (len === 0 || len > 15 || (len > 1 && b[from] === ZERO)) return -1;
  const c = b[i];
  if (c === 46 || c === 101 || c === 69) return -1; // . e E: a float, slow path
  pos = i;
  return n;
}

function readInt(b: Buffer, i: number, end: number): number | undefined {
  if (b[i] === MINUS) {
    const n = readUint(b, i + 1, end);
    return n <= 0 ? undefined : -n; // -0 is left to the slow path
  }
  const n = readUint(b, i, end);
  return n < 0 ? undefined : n;
}

// Short strings (f names, keys, nodes, small values) interned in a direct-mapped table keyed by
// a hash of their bytes: ops share string instances (less memory, and Map lookups and compares
// on them take the identity fast path) instead of allocating one string per op.
const INTERN_BITS = 12;
const INTERN_MAX = 24;
const internStr: (string | undefined)[] = new Array(1 << INTERN_BITS);
const internBytes: (Uint8Array | undefined)[] = new Array(1 << INTERN_BITS);

/** A plain-ASCII string starting after its opening quote (no escapes, no control chars). */
function readString(b: Buffer, i: number, end: number): string | undefined {
  let j = i;
  let h = 0x811c9dc5;
  for (; j < end; j++) {
    const c = b[j]!;
    if (c === QUOTE) break;
    if (c < 32 || c === BACKSLASH || c >= 128) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (j >= end) return undefined;
  pos = j + 1;
  const len = j - i;
  if (len > INTERN_MAX) return b.toString('latin1', i, j); // ASCII checked above: latin1 = utf8
  const slot = (h ^ (h >>> INTERN_BITS)) & ((1 << INTERN_BITS) - 1);
  const cand = internBytes[slot];
  if (cand !== undefined && cand.length === len && at(b, i, cand)) return internStr[slot];
  let s = '';
  for (let k = i; k < j; k++) s += String.fromCharCode(b[k]!);
  internStr[slot] = s;
  internBytes[slot] = new Uint8Array(b.subarray(i, j));
  return s;
}

/** null, true, false, an integer, a plain string, or a flat array of those; else undefined. */
function readValue(b: Buffer, i: number, end: number, depth: number): JsonValue | undefined {
  const c = b[i];
  if (c === 110 /* n */) {
    if (b[i + 1] !== 117 || b[i + 2] !== 108 || b[i + 3] !== 108) return undefined;
    pos = i + 4;
    return null;
  }
  if (c === 116 /* t */) {
    if (b[i + 1] !== 114 || b[i + 2] !== 117 || b[i + 3] !== 101) return undefined;
    pos = i + 4;
    return true;
  }
  if (c === 102 /* f */) {
    if (b[i + 1] !== 97 || b[i + 2] !== 108 || b[i + 3] !== 115 || b[i + 4] !== 101)
      return undefined;
    pos = i + 5;
    return false;
  }
  if (c === QUOTE) return readString(b, i + 1, end);
  if (c === LBRACKET) {
    if (depth > 0) return undefined; // nested arrays: slow path
    const arr: JsonValue[] = [];
    i++;
    if (b[i] === RBRACKET) {
      pos = i + 1;
      return arr;
    }
    for (;;) {
      if (b[i] === LBRACE) return undefined;
      const v = readValue(b, i, end, depth + 1);
      if (v === undefined) return undefined;
      arr.push(v);
      i = pos;
      const sep = b[i];
      if (sep === RBRACKET) {
        pos = i + 1;
        return arr;
      }
      if (sep !== COMMA) return undefined;
      i++;
    }
  }
  return readInt(b, i, end);
}
