/**
 * The EDN importer's fast scanner (edn-fast.ts) against its strict path (splitEdnForms +
 * edn-data): on any text, both give the identical result (ops, warnings, lines) or the identical
 * error (message, line). Texts: exported histories, reshaped the ways Jepsen files vary (commas,
 * comments, maps across lines, extra keys, strings for keywords), then randomly mutated.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSimpleHistory } from '../../src/history/edn-fast.js';
import { historyToEdn } from '../../src/history/exporters/edn.js';
import { importEdn, importEdnFile } from '../../src/history/importers/edn.js';
import { historyArb } from './arbitraries.js';
import { corpusFile } from '../support/repo.js';

/** Values the fast scanner reads itself: no floats, escapes, -0, maps or deep nesting. */
function plain(v: unknown, depth: number): boolean {
  if (v === undefined || v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0);
  if (typeof v === 'string')
    return [...v].every((c) => {
      const n = c.charCodeAt(0);
      return n >= 0x20 && n !== 0x7f && c !== '"' && c !== '\\' && !(n >= 0xd800 && n <= 0xdfff);
    });
  if (Array.isArray(v)) return depth < 2 && v.every((x) => plain(x, depth + 1));
  return false;
}

const dir = mkdtempSync(join(tmpdir(), `faultline-edn-fast-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function outcome(text: string, strict: boolean): unknown {
  try {
    return importEdn(text, { file: 'h.edn', strict });
  } catch (err) {
    return { error: (err as Error).message, line: (err as { line?: number }).line };
  }
}

const reshape = fc.constantFrom(
  (t: string) => t,
  (t: string) => t.replace(/, /g, ' '),
  (t: string) => t.replace(/, :/g, '\n  :'),
  (t: string) => t.replace(/\n/g, ' ; a comment\n'),
  (t: string) => t.replace(/:type/g, ':node "n1", :type'),
  (t: string) => t.replace(/, :time \d+/g, ''),
  (t: string) => t.replace(/:f :(\w+)/g, ':f "$1"'),
  (t: string) => `[${t}]`,
  (t: string) => t.replace(/:value (\d+)/g, ':value $1.0'),
  (t: string) => t.replace(/:invoke/, ':invoke, :extra {:a 1}'),
);

const mutate = fc.array(
  fc.record({
    at: fc.nat(),
    del: fc.nat({ max: 3 }),
    ins: fc.constantFrom(
      '',
      '{',
      '}',
      '[',
      ']',
      ':',
      '"',
      '\\',
      ' ',
      '\n',
      ',',
      '-',
      '0',
      '#_',
      'nil',
      ':type',
      ';',
    ),
  }),
  { maxLength: 3 },
);

describe('EDN fast scanner', () => {
  it('takes the fast path on exported histories of plain values, and on Porcupine kv files', () => {
    fc.assert(
      fc.property(historyArb(), (h) => {
        const text = historyToEdn(h, { readNil: 'absent' });
        const forms: number[] = [];
        const simple = scanSimpleHistory(text, (_f, line) => forms.push(line));
        if (
          h.every((op) => [op.value, op.error, op.key, op.node, op.f].every((v) => plain(v, 0)))
        ) {
          expect(simple).toBe(true);
          expect(forms).toEqual(h.map((_, i) => i + 2)); // line 1 is the read-nil comment
        }
      }),
    );
    const kv = readFileSync(corpusFile('kv/c10-ok.txt'), 'utf8');
    expect(scanSimpleHistory(kv, () => {})).toBe(true);
  });

  it('gives exactly what the strict path gives, on reshaped and mutated histories', () => {
    fc.assert(
      fc.property(historyArb(20), reshape, mutate, (h, shape, edits) => {
        let text = shape(historyToEdn(h));
        for (const e of edits) {
          const at = text.length === 0 ? 0 : e.at % (text.length + 1);
          text = text.slice(0, at) + e.ins + text.slice(at + e.del);
        }
        expect(outcome(text, false)).toStrictEqual(outcome(text, true));
      }),
      { numRuns: 500 },
    );
  });

  it('reads a file in chunks of any size exactly as the strict path reads its text', () => {
    fc.assert(
      fc.property(
        historyArb(20),
        reshape,
        mutate,
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (h, shape, edits, chunk, bom) => {
          let text = shape(historyToEdn(h)).replace(/"n1"/g, '"nœud-ü"');
          for (const e of edits) {
            const at = text.length === 0 ? 0 : e.at % (text.length + 1);
            text = text.slice(0, at) + e.ins + text.slice(at + e.del);
          }
          const file = join(dir, `h${files++}.edn`);
          writeFileSync(file, (bom ? '\ufeff' : '') + text);
          let got: unknown;
          try {
            got = importEdnFile(file, { file: 'h.edn' }, chunk);
          } catch (err) {
            got = { error: (err as Error).message, line: (err as { line?: number }).line };
          }
          expect(got).toStrictEqual(outcome(text, true));
        },
      ),
      { numRuns: 300 },
    );
  });
});
