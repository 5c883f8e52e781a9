/**
 * Loading a whole history from any supported format. This is what checkers and the CLI call:
 * `loadHistory(path)` sniffs the format, imports it, and says how a read of nil is meant
 * (`readNil`), which differs between the tools that wrote the files (see DESIGN.md).
 */
import { detectFormat, type ConcreteFormat, type HistoryFormat } from './detect.js';
import { importEdn, importEdnFile, type ImportResult } from './importers/edn.js';
import { importPorcupineEtcd } from './importers/porcupine-etcd.js';
import { importPorcupineKv } from './importers/porcupine-kv.js';
import type { History } from './op.js';
import { parseJsonlText, readHistoryBatches } from './reader.js';
import { assertValidHistory } from './validate.js';
import { NoOperationsError } from './errors.js';
import { declaredReadNil } from './exporters/edn.js';
import { openInputFile, readInputText } from '../input-file.js';

export type { HistoryFormat, ConcreteFormat } from './detect.js';

export type ReadNil = 'absent' | 'unknown';

/**
 * What a `fail` of a cas means. `refused`: the compare ran and the value was not `from` (an
 * observation; Porcupine's etcd model). `did-not-happen`: nothing is known (Knossos; the op is
 * dropped). Unset: as the file says (our JSONL per op, `precondition: false`; Porcupine logs
 * refused; EDN did-not-happen).
 */
export type CasFail = 'refused' | 'did-not-happen';

export interface LoadedHistory {
  ops: History;
  format: ConcreteFormat;
  /** How an ok read of nil/null is meant: the key does not exist, or nothing is known. */
  readNil: ReadNil;
  warnings: string[];
  /** 1-based file line of each op, when the format has lines (for messages about an op). */
  lines?: number[];
  /** Non-blank lines passed over as noise (Porcupine logs), and why. */
  skipped?: { lines: number; reason: string };
}

export interface LoadOptions {
  format?: HistoryFormat;
  /** Jepsen EDN: split independent `:value [k v]` tuples into key and value. */
  independent?: boolean;
  /**
   * Check the history is well formed (validate.ts) and throw HistoryFormatError for the first
   * problem (default true), so checkers can rely on pairing and retired processes.
   */
  validate?: boolean;
  /** Read every failed cas this way instead of as the file says (see CasFail). */
  casFail?: CasFail;
}

/** The natural reading of nil for each format (overridable by checkers, e.g. `--read-nil`). */
export const DEFAULT_READ_NIL: Record<ConcreteFormat, ReadNil> = {
  jsonl: 'absent',
  'porcupine-etcd': 'absent',
  'porcupine-kv': 'absent',
  edn: 'unknown',
};

export async function loadHistory(path: string, opts: LoadOptions = {}): Promise<LoadedHistory> {
  let format = opts.format ?? 'auto';
  const head = await readHead(path);
  if (format === 'auto') format = detectFormat(head, path);
  if (format === 'edn' || format === 'porcupine-kv') {
    // EDN streams through the importer's chunked fast path: no whole-file string.
    const result = importEdnFile(path, {
      file: path,
      independent: format === 'edn' ? opts.independent : undefined,
    });
    const body = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
    const readNil =
      format === 'edn' ? (declaredReadNil(body) ?? DEFAULT_READ_NIL.edn) : DEFAULT_READ_NIL[format];
    return finishLoaded(result, format, readNil, path, opts);
  }
  if (format !== 'jsonl')
    return parseHistoryText(await readInputText(path), { ...opts, format, file: path });
  // JSONL goes through the streaming reader: its fast path, and no whole-file string.
  const warnings: string[] = [];
  const ops: History = [];
  for await (const batch of readHistoryBatches(path, { onWarning: (w) => warnings.push(w) })) {
    for (let i = 0; i < batch.length; i++) ops.push(batch[i]!);
  }
  if (opts.casFail !== undefined) applyCasFail(ops, opts.casFail);
  if (opts.validate ?? true) assertValidHistory(ops, { file: path });
  return { ops, format, readNil: DEFAULT_READ_NIL.jsonl, warnings };
}

async function readHead(path: string): Promise<string> {
  const fh = await openInputFile(path);
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function parseHistoryText(
  text: string,
  opts: LoadOptions & { file?: string },
): LoadedHistory {
  const file = opts.file ?? '<input>';
  const format =
    opts.format === undefined || opts.format === 'auto'
      ? detectFormat(text.slice(0, 65536), file)
      : opts.format;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let result: ImportResult;
  switch (format) {
    case 'jsonl': {
      const warnings: string[] = [];
      const ops = parseJsonlText(body, file, (w) => warnings.push(w));
      result = { ops, warnings, lines: [] };
      break;
    }
    case 'edn':
      result = importEdn(body, { file, independent: opts.independent });
      break;
    case 'porcupine-etcd':
      result = importPorcupineEtcd(body, { file });
      break;
    case 'porcupine-kv':
      result = importPorcupineKv(body, { file });
      break;
    default:
      throw new Error(`unknown history format ${String(format)}`);
  }
  const readNil =
    format === 'edn' ? (declaredReadNil(body) ?? DEFAULT_READ_NIL.edn) : DEFAULT_READ_NIL[format];
  return finishLoaded(result, format, readNil, file, opts);
}

function finishLoaded(
  result: ImportResult,
  format: ConcreteFormat,
  readNil: ReadNil,
  file: string,
  opts: LoadOptions,
): LoadedHistory {
  const loaded: LoadedHistory = { ops: result.ops, format, readNil, warnings: result.warnings };
  if (result.lines.length > 0) loaded.lines = result.lines;
  if (result.skipped !== undefined && result.skipped.lines > 0) loaded.skipped = result.skipped;
  if (opts.casFail !== undefined) applyCasFail(loaded.ops, opts.casFail);
  if (opts.validate ?? true) assertValidHistory(loaded.ops, { file, lines: loaded.lines });
  return loaded;
}

/**
 * A history with no operation proves nothing: checking it must not say "valid". Throws
 * NoOperationsError (bad input, exit 65), saying what the importer skipped when it skipped lines.
 */
export function requireOperations(loaded: LoadedHistory, file: string): void {
  if (loaded.ops.length > 0) return;
  const s = loaded.skipped;
  throw new NoOperationsError(
    file,
    s === undefined
      ? undefined
      : `${s.lines} line${s.lines === 1 ? '' : 's'} skipped as ${loaded.format}: ${s.reason}`,
  );
}

/** Marks (refused) or unmarks (did-not-happen) the precondition of every failed cas. */
export function applyCasFail(ops: History, meaning: CasFail): void {
  for (const op of ops) {
    if (op.type !== 'fail' || op.f !== 'cas') continue;
    if (meaning === 'refused') op.precondition = false;
    else delete op.precondition;
  }
}

export function isCasFail(s: string): s is CasFail {
  return s === 'refused' || s === 'did-not-happen';
}
