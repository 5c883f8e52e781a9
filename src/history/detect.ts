/**
 * Format auto-detection: sniff the start of the content, fall back on the file extension.
 */
import { extname } from 'node:path';
import { HistoryFormatError } from './errors.js';

export type HistoryFormat = 'auto' | 'jsonl' | 'edn' | 'porcupine-etcd' | 'porcupine-kv';
export type ConcreteFormat = Exclude<HistoryFormat, 'auto'>;
export const HISTORY_FORMATS: readonly ConcreteFormat[] = [
  'jsonl',
  'edn',
  'porcupine-etcd',
  'porcupine-kv',
];

const PORCUPINE_ETCD_LINE = /jepsen\.util\s+-\s+(\d+|:nemesis)\s+:/;

/** The format of a history given (the start of) its text and its path. */
export function detectFormat(head: string, path: string): ConcreteFormat {
  const text = head.replace(/^\uFEFF/, '');
  if (PORCUPINE_ETCD_LINE.test(text)) return 'porcupine-etcd';
  const start = firstContent(text);
  if (start !== undefined) {
    const c = text[start];
    const next = text.slice(start + 1).trimStart()[0];
    if (c === '{' && (next === '"' || next === '}')) return 'jsonl';
    if (c === '{' || c === '[' || c === '(') {
      const firstLine = text.slice(start, text.indexOf('\n', start) >>> 0);
      // Porcupine kv: single-line maps with :key and no :time; Jepsen/Knossos: anything else.
      if (
        c === '{' &&
        /:key[\s,]/.test(firstLine) &&
        !/:time[\s,]/.test(firstLine) &&
        firstLine.trimEnd().endsWith('}')
      ) {
        return 'porcupine-kv';
      }
      return 'edn';
    }
  }
  const byExt = fromExtension(path);
  if (byExt !== undefined) return byExt;
  if (start === undefined) return 'jsonl'; // empty: any format reads it as an empty history
  throw new HistoryFormatError({
    file: path,
    line: lineAt(text, start),
    reason: `cannot tell the history format; pass --format (${HISTORY_FORMATS.join(', ')})`,
  });
}

export function fromExtension(path: string): ConcreteFormat | undefined {
  switch (extname(path).toLowerCase()) {
    case '.jsonl':
    case '.ndjson':
      return 'jsonl';
    case '.edn':
      return 'edn';
    case '.log':
      return 'porcupine-etcd';
    default:
      return undefined;
  }
}

export function isHistoryFormat(s: string): s is HistoryFormat {
  return s === 'auto' || (HISTORY_FORMATS as readonly string[]).includes(s);
}

/** Offset of the first character that is not whitespace or an EDN comment. */
function firstContent(text: string): number | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ';') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl + 1;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') i++;
    else return i;
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
