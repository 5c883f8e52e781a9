/**
 * Fuzzing every importer and the streaming reader with random, truncated and mutated input.
 * Each input must end in a well-formed history or a HistoryFormatError with a line number:
 * nothing else may be thrown. Inputs are bounded in size so every run is quick (no hang).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryFormatError } from '../../src/history/errors.js';
import { historyToEdn } from '../../src/history/exporters/edn.js';
import { checkOp, parseOpLine, serializeOp } from '../../src/history/jsonl.js';
import { parseCanonicalOpBytes } from '../../src/history/jsonl-fast.js';
import { historyArb } from './arbitraries.js';
import { loadHistory, parseHistoryText, type HistoryFormat } from '../../src/history/load.js';
import type { Op } from '../../src/history/op.js';
import { readHistory } from '../../src/history/reader.js';
import { validateHistory } from '../../src/history/validate.js';
import { corpusDir } from '../support/repo.js';

const CORPUS = corpusDir();
const FORMATS: HistoryFormat[] = ['auto', 'jsonl', 'edn', 'porcupine-etcd', 'porcupine-kv'];
const dir = mkdtempSync(join(tmpdir(), `faultline-history-fuzz-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** The outcome contract: a well-formed history, or a typed error with file and line. */
function expectWellFormedOrTypedError(run: () => { ops: Op[] }, file: string): void {
  let ops: Op[];
  try {
    ops = run().ops;
  } catch (err) {
    if (!(err instanceof HistoryFormatError))
      throw new Error(`unexpected ${String(err)}`, { cause: err });
    expect(err.file).toBe(file);
    expect(Number.isInteger(err.line) && err.line >= 1).toBe(true);
    expect(err.userMessage.startsWith(`${file}:${err.line}: `)).toBe(true);
    return;
  }
  expect(validateHistory(ops)).toEqual([]);
  for (const op of ops)
    expect(checkOp(JSON.parse(serializeOp(op)), { file, line: 1 })).toStrictEqual(op);
}

const etcd = readFileSync(join(CORPUS, 'jepsen/etcd_000.log'), 'utf8');
const etcdSpaces = readFileSync(join(CORPUS, 'jepsen/etcd_100.log'), 'utf8');
const kv = readFileSync(join(CORPUS, 'kv/c01-bad.txt'), 'utf8');
const asJsonl = parseHistoryText(etcd, { file: 'x' })
  .ops.map((o) => serializeOp(o) + '\n')
  .join('');
const asEdn = historyToEdn(parseHistoryText(kv, { file: 'x' }).ops);
const SEEDS: [string, HistoryFormat][] = [
  [etcd, 'porcupine-etcd'],
  [etcdSpaces, 'porcupine-etcd'],
  [kv, 'porcupine-kv'],
  [asJsonl, 'jsonl'],
  [asEdn, 'edn'],
];

/** Random edits biased towards syntax characters. */
const mutationArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate-line', 'drop-line'),
  text: fc.oneof(
    fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '(',
      ')',
      '"',
      '\\',
      ':',
      ';',
      '#',
      '#_',
      ',',
      '\n',
      ' ',
      'nil',
      '-1',
      ':ok',
      ':info',
      '\t',
    ),
    fc.string({ maxLength: 4 }),
  ),
  len: fc.integer({ min: 1, max: 20 }),
});

/** Edits that probe JSON number, string and literal edge cases inside one line. */
const lineMutationArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'replace'),
  text: fc.oneof(
    fc.constantFrom(
      '0',
      '00',
      '7',
      '-',
      '-0',
      '.5',
      'e3',
      'E',
      '+',
      '\\"',
      '\\u0041',
      '\\n',
      'é',
      '😀',
      '\u0001',
      ' ',
      '"',
      ',',
      ':',
      '[',
      ']',
      '{',
      '}',
      'null',
      'nul',
      'true',
      'tru',
      'fals',
      '"nemesis"',
      'x',
    ),
    fc.string({ maxLength: 3 }),
  ),
  len: fc.integer({ min: 1, max: 3 }),
});

function mutate(
  text: string,
  edits: { at: number; kind: string; text: string; len: number }[],
): string {
  let s = text;
  for (const e of edits) {
    const at = e.at % (s.length + 1);
    if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
    else if (e.kind === 'replace') s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
    else {
      const lines = s.split('\n');
      const i = e.at % lines.length;
      if (e.kind === 'duplicate-line') lines.splice(i, 0, lines[i]!);
      else lines.splice(i, 1);
      s = lines.join('\n');
    }
  }
  return s;
}

/** The strict parse of a line, or the error it raises. */
function strict(line: string): Op | HistoryFormatError {
  try {
    return parseOpLine(line, { file: 'x', line: 1 });
  } catch (err) {
    if (err instanceof HistoryFormatError) return err;
    throw err;
  }
}

describe('JSONL fast path', () => {
  it('parses canonical lines of generated histories exactly like the strict path', () => {
    fc.assert(
      fc.property(historyArb(20), (h) => {
        for (const op of h) {
          const line = serializeOp(op);
          const fast = parseCanonicalOpBytes(Buffer.from(line), 0, Buffer.byteLength(line));
          if (fast !== undefined) expect(fast).toStrictEqual(op);
        }
      }),
    );
  });

  it('never accepts a mutated line the strict path rejects or reads differently', () => {
    const lines = asJsonl.split('\n').filter((l) => l !== '');
    fc.assert(
      fc.property(
        fc.constantFrom(...lines),
        fc.array(lineMutationArb, { minLength: 1, maxLength: 3 }),
        (line, edits) => {
          const t = mutate(line, edits);
          const bytes = Buffer.from(t);
          const fast = parseCanonicalOpBytes(bytes, 0, bytes.length);
          if (fast !== undefined) expect(fast).toStrictEqual(strict(t));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("takes the fast path for the Recorder's usual lines", () => {
    const line =
      '{"index":7,"time":123456789,"type":"fail","process":12,"f":"cas","key":"k1","value":[1,-2],"error":"mismatch","node":"n1"}';
    expect(parseCanonicalOpBytes(Buffer.from(line), 0, line.length)).toStrictEqual(strict(line));
    expect(parseCanonicalOpBytes(Buffer.from(line), 0, line.length)).toBeDefined();
  });
});

describe('fuzzing importers', () => {
  it('random text, in every format', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
        fc.constantFrom(...FORMATS),
        (text, format) => {
          expectWellFormedOrTypedError(
            () => parseHistoryText(text, { file: 'fuzz.in', format }),
            'fuzz.in',
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('truncated corpus files, in their own format and auto-detected', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.nat(),
        fc.boolean(),
        ([text, format], cut, auto) => {
          const t = text.slice(0, cut % (text.length + 1));
          expectWellFormedOrTypedError(
            () => parseHistoryText(t, { file: 'cut.in', format: auto ? 'auto' : format }),
            'cut.in',
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('mutated corpus files, in every format', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...FORMATS),
        ([text], edits, format) => {
          const t = mutate(text, edits);
          expectWellFormedOrTypedError(
            () => parseHistoryText(t, { file: 'mut.in', format }),
            'mut.in',
          );
        },
      ),
      { numRuns: 600 },
    );
  });

  it('random bytes and mutated JSONL through the streaming reader and loadHistory', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
          fc
            .array(mutationArb, { minLength: 1, maxLength: 4 })
            .map((edits) => Buffer.from(mutate(asJsonl, edits))),
        ),
        fc.integer({ min: 1, max: 300 }),
        async (bytes, chunkSize) => {
          const path = join(dir, `f${fileNo++}.jsonl`);
          await writeFile(path, bytes);
          const warnings: string[] = [];
          try {
            const ops: Op[] = [];
            for await (const op of readHistory(path, {
              chunkSize,
              onWarning: (w) => warnings.push(w),
            }))
              ops.push(op);
            for (const op of ops)
              expect(checkOp(JSON.parse(serializeOp(op)), { file: path, line: 1 })).toStrictEqual(
                op,
              );
            expect(warnings.every((w) => w.startsWith(`${path}:`))).toBe(true);
          } catch (err) {
            if (!(err instanceof HistoryFormatError))
              throw new Error(`unexpected ${String(err)}`, { cause: err });
            expect(err.line).toBeGreaterThanOrEqual(1);
          }
          let loaded: { ops: Op[] } | undefined;
          let loadError: unknown;
          try {
            loaded = await loadHistory(path);
          } catch (err) {
            loadError = err;
          }
          expectWellFormedOrTypedError(() => {
            if (loadError !== undefined) throw loadError;
            return loaded!;
          }, path);
        },
      ),
      { numRuns: 300 },
    );
  });
});
