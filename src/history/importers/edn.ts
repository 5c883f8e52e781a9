/**
 * Jepsen `history.edn` (one op map per top-level form; maps may span lines) and Knossos-style
 * EDN vectors (`[{:process 0 :type :invoke ...} ...]`), also used for Porcupine's kv files.
 *
 * Quirks handled: `:time` taken per worker thread can go backwards in file order (file order is
 * the truth: times are raised to be non-decreasing, with a warning); extra keys are ignored
 * (`:index` is recomputed from position); Jepsen's nemesis logs both halves of a fault as
 * `:info`, so a nemesis `:info` with no nemesis op open is taken as the invoke; independent
 * `[k v]` tuples can be split into key and value.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseEDNString } from 'edn-data';
import { HistoryFormatError, describeValue } from '../errors.js';
import { EdnSyntaxError, splitEdnForms, type EdnForm } from '../edn-forms.js';
import { EdnValueError, ednToJson, isKeyword, nameOf } from '../edn-values.js';
import { scanChunk, scanSimpleHistory, type FieldsVisitor } from '../edn-fast.js';
import type { History, Key, Op, OpType, Process } from '../op.js';

export interface EdnImportOptions {
  file: string;
  /** Split Jepsen independent `:value [k v]` tuples of client ops into `key` and `value`. */
  independent?: boolean;
  /** Skip the fast scanner (edn-fast.ts) and read every form through edn-data. */
  strict?: boolean;
}

export interface ImportResult {
  ops: History;
  warnings: string[];
  /** 1-based file line of each op (its first line), for messages about it. */
  lines: number[];
  /** Non-blank lines the importer passed over as noise, and why (formats that have noise). */
  skipped?: { lines: number; reason: string };
}

const KNOWN_KEYS = new Set([
  'type',
  'f',
  'process',
  'value',
  'time',
  'index',
  'key',
  'error',
  'node',
  'precondition',
]);
const OP_TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

export function importEdn(text: string, opts: EdnImportOptions): ImportResult {
  // The fast scanner first; if it meets anything unusual (or bad), the strict path decides.
  try {
    const fast = opts.strict
      ? undefined
      : importFrom(opts, (visit) => scanSimpleHistory(text, visit));
    if (fast !== undefined) return fast;
  } catch (err) {
    if (!(err instanceof HistoryFormatError)) throw err;
  }
  return importFrom(opts, (visit) => {
    strictForms(text, opts.file, visit);
    return true;
  })!;
}

/**
 * An EDN file, read in chunks by the fast scanner, so no whole-file string is ever held (a
 * million-op history is hundreds of MB of text); anything unusual or bad reads the whole file
 * through importEdn's strict path, which decides and reports exactly as for a string.
 */
export function importEdnFile(
  path: string,
  opts: EdnImportOptions,
  chunkBytes = CHUNK_BYTES,
): ImportResult {
  if (!opts.strict) {
    try {
      const fast = importFrom(opts, (visit) => scanFile(path, visit, chunkBytes));
      if (fast !== undefined) return fast;
    } catch (err) {
      if (!(err instanceof HistoryFormatError)) throw err;
    }
  }
  const text = readFileSync(path, 'utf8');
  return importEdn(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
    ...opts,
    strict: true,
  });
}

const CHUNK_BYTES = 4 << 20;

/** Feeds the file to scanChunk piece by piece, each piece cut after its last newline. */
function scanFile(path: string, visit: FieldsVisitor, chunkBytes: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(chunkBytes);
    let carry = '';
    let line = 1;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      const final = got === 0;
      const text = carry + (final ? decoder.end() : decoder.write(buf.subarray(0, got)));
      let upto = text.length;
      if (!final) {
        const nl = text.lastIndexOf('\n');
        if (nl < 0) {
          carry = text;
          continue;
        }
        upto = nl + 1;
      }
      const chunk = upto === text.length ? text : text.slice(0, upto);
      const r = scanChunk(chunk, visit, line, final);
      if (!r.ok) return false;
      if (final) return true;
      carry = chunk.slice(r.rest) + text.slice(upto);
      line = r.line;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every op form of the text through splitEdnForms and edn-data, with exact error positions. */
function strictForms(text: string, file: string, visit: FieldsVisitor): void {
  for (const form of opFormsOf(text, file)) {
    const at = { file, line: form.line };
    let parsed: unknown;
    try {
      parsed = parseEDNString(text.slice(form.start, form.end));
    } catch (err) {
      throw new HistoryFormatError({ ...at, reason: `bad EDN: ${(err as Error).message}` });
    }
    if (parsed === null && text.startsWith('#_', form.start)) continue; // a discarded form
    const entries = mapEntries(parsed);
    if (entries === undefined) {
      throw new HistoryFormatError({
        ...at,
        reason: `expected an op map like {:type :invoke, :f :read, ...}, got ${describeEdn(parsed)}`,
      });
    }
    const fields = new Map<string, unknown>();
    for (const [k, v] of entries) {
      const name = nameOf(k);
      if (name === undefined)
        throw new HistoryFormatError({
          ...at,
          reason: `op map key ${describeEdn(k)} is not a keyword`,
        });
      if (fields.has(name))
        throw new HistoryFormatError({ ...at, field: name, reason: 'appears twice' });
      fields.set(name, v);
    }
    visit(fields, form.line);
  }
}

/** Builds the ops from the op maps a source visits; undefined when the source gave up. */
function importFrom(
  opts: EdnImportOptions,
  source: (visit: FieldsVisitor) => boolean,
): ImportResult | undefined {
  const { file } = opts;
  const ops: History = [];
  const warnings: string[] = [];
  const ignoredKeys = new Set<string>();
  let nemesisOpen = false;
  let withTime = 0;
  let backwards = 0;
  let firstBackwards = '';
  let lastTime = 0;
  const lines: number[] = [];

  const complete = source((fields, formLine) => {
    const at = { file, line: formLine };
    const form = { line: formLine };
    for (const name of fields.keys()) if (!KNOWN_KEYS.has(name)) ignoredKeys.add(name);
    const bad = (field: string, reason: string): never => {
      throw new HistoryFormatError({ ...at, field, reason });
    };
    const json = (field: string) => {
      try {
        return ednToJson(fields.get(field));
      } catch (err) {
        if (err instanceof EdnValueError) return bad(field, err.message);
        throw err;
      }
    };

    const process = toProcess(fields.get('process'));
    if (process === undefined)
      bad(
        'process',
        `expected a non-negative integer or :nemesis, got ${describeEdn(fields.get('process'))}`,
      );
    let type = nameOf(fields.get('type'));
    if (type === undefined || !OP_TYPES.has(type))
      bad('type', `expected :invoke, :ok, :fail or :info, got ${describeEdn(fields.get('type'))}`);
    const f = fields.get('f');
    const fName = nameOf(f) ?? (typeof f === 'number' ? String(f) : undefined);
    if (fName === undefined) bad('f', `expected a keyword, got ${describeEdn(f)}`);

    if (process === 'nemesis') {
      if (type === 'info' && !nemesisOpen) type = 'invoke';
      if (type === 'invoke') nemesisOpen = true;
      else nemesisOpen = false;
    }

    let time: number;
    if (fields.has('time')) {
      const t = fields.get('time');
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        bad('time', `expected non-negative nanoseconds, got ${describeEdn(t)}`);
      withTime++;
      time = t as number;
      if (time < lastTime) {
        if (backwards === 0) firstBackwards = `line ${form.line}: ${time} < ${lastTime}`;
        backwards++;
        time = lastTime;
      }
      lastTime = time;
    } else {
      time = lastTime;
    }

    const op: Op = {
      index: ops.length,
      time,
      type: type as OpType,
      process: process as Process,
      f: fName as string,
    };
    if (fields.has('key')) {
      const k = fields.get('key');
      const key = typeof k === 'number' ? k : nameOf(k);
      if (key === undefined || (typeof key === 'number' && !Number.isFinite(key)))
        bad('key', `expected a string, keyword or number, got ${describeEdn(k)}`);
      op.key = key as Key;
    }
    if (fields.has('value')) op.value = json('value');
    if (
      opts.independent &&
      op.process !== 'nemesis' && // Jepsen's independent wraps client ops only
      op.key === undefined &&
      Array.isArray(op.value) &&
      op.value.length === 2
    ) {
      const [k, v] = op.value;
      if (typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k))) {
        op.key = k;
        op.value = v!;
      }
    }
    if (fields.has('error')) op.error = json('error');
    if (fields.has('node')) {
      const n = fields.get('node');
      op.node = nameOf(n) ?? (n === null ? bad('node', 'is nil') : JSON.stringify(json('node')));
    }
    if (fields.has('precondition')) {
      // Ours (see op.ts): a fail that ran and found its precondition false.
      if (fields.get('precondition') !== false || op.type !== 'fail')
        bad('precondition', 'expected false, and only on a :fail (the precondition was false)');
      op.precondition = false;
    }
    ops.push(op);
    lines.push(form.line);
  });
  if (!complete) return undefined;

  if (withTime === 0) {
    // Knossos vectors and Porcupine kv files carry no times: file order is the only clock.
    for (const op of ops) op.time = op.index;
  } else if (withTime < ops.length) {
    warnings.push(
      `${file}: ${ops.length - withTime} ops have no :time; each takes the time of the op before it`,
    );
  }
  if (backwards > 0) {
    warnings.push(
      `${file}: :time goes backwards in file order ${backwards} time(s) (first at ${firstBackwards}); file order is kept and times raised to be non-decreasing`,
    );
  }
  if (ignoredKeys.size > 0)
    warnings.push(`${file}: ignored op keys ${[...ignoredKeys].map((k) => ':' + k).join(', ')}`);
  return { ops, warnings, lines };
}

/** Top-level forms, or the elements of a single top-level vector/list (Knossos style). */
function opFormsOf(text: string, file: string): EdnForm[] {
  try {
    const forms = splitEdnForms(text);
    const first = forms[0];
    if (
      forms.length === 1 &&
      first !== undefined &&
      (text[first.start] === '[' || text[first.start] === '(')
    ) {
      const line = first.line;
      return splitEdnForms(text, first.start + 1, first.end - 1, line);
    }
    return forms;
  } catch (err) {
    if (err instanceof EdnSyntaxError)
      throw new HistoryFormatError({ file, line: err.line, reason: err.message });
    throw err;
  }
}

function mapEntries(v: unknown): [unknown, unknown][] | undefined {
  if (typeof v === 'object' && v !== null && Array.isArray((v as { map?: unknown }).map))
    return (v as { map: [unknown, unknown][] }).map;
  return undefined;
}

function toProcess(v: unknown): Process | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (isKeyword(v) && v.key === 'nemesis') return 'nemesis';
  if (v === 'nemesis') return 'nemesis';
  return undefined;
}

function describeEdn(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    return describeValue(ednToJson(v));
  } catch {
    return describeValue(v);
  }
}
