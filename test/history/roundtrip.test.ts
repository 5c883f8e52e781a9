/**
 * Round trips: any well-formed history -> JSONL -> read back is identical (in memory, through
 * the streaming reader, and through the Recorder), and -> EDN -> read back is identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { historyToEdn } from '../../src/history/exporters/edn.js';
import { parseOpLine, serializeOp } from '../../src/history/jsonl.js';
import { loadHistory, parseHistoryText } from '../../src/history/load.js';
import type { History, Op } from '../../src/history/op.js';
import { readHistory } from '../../src/history/reader.js';
import { Recorder } from '../../src/history/recorder.js';
import { validateHistory } from '../../src/history/validate.js';
import { historyArb } from './arbitraries.js';
import { corpusFile } from '../support/repo.js';

const dir = mkdtempSync(join(tmpdir(), `faultline-history-rt-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmpFile = (ext: string): string => join(dir, `h${fileNo++}.${ext}`);

const toJsonl = (h: History): string => h.map((op) => serializeOp(op) + '\n').join('');

async function collect(it: AsyncIterable<Op>): Promise<Op[]> {
  const out: Op[] = [];
  for await (const op of it) out.push(op);
  return out;
}

describe('history round trips', () => {
  it('generated histories are well formed (the generator itself is right)', () => {
    fc.assert(
      fc.property(historyArb(), (h) => {
        expect(validateHistory(h)).toEqual([]);
      }),
    );
  });

  it('one op: serializeOp then parseOpLine is identical', () => {
    fc.assert(
      fc.property(historyArb(10), (h) => {
        for (const op of h)
          expect(parseOpLine(serializeOp(op), { file: 'x', line: 1 })).toStrictEqual(op);
      }),
    );
  });

  it('history -> JSONL text -> parseHistoryText is identical', () => {
    fc.assert(
      fc.property(historyArb(), (h) => {
        const back = parseHistoryText(toJsonl(h), { file: 'mem.jsonl' });
        expect(back.format).toBe(h.length === 0 ? 'jsonl' : 'jsonl');
        expect(back.ops).toStrictEqual(h);
        expect(back.warnings).toEqual([]);
      }),
    );
  });

  it('history -> JSONL file -> readHistory (streaming, tiny chunks) is identical', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb(), fc.integer({ min: 1, max: 64 }), async (h, chunkSize) => {
        const path = tmpFile('jsonl');
        await writeFile(path, toJsonl(h));
        const warnings: string[] = [];
        expect(
          await collect(readHistory(path, { chunkSize, onWarning: (w) => warnings.push(w) })),
        ).toStrictEqual(h);
        expect(warnings).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('history -> Recorder -> readHistory is identical', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb(30), async (h) => {
        const path = tmpFile('jsonl');
        const rec = await Recorder.open(path);
        const returned = h.map(({ index: _index, ...rest }) => rec.record(rest));
        await rec.close();
        expect(returned).toStrictEqual(h);
        expect(await collect(readHistory(path))).toStrictEqual(h);
      }),
      { numRuns: 30 },
    );
  });

  it('history -> EDN -> import is identical (and detected as EDN)', () => {
    fc.assert(
      fc.property(
        historyArb(),
        fc.constantFrom(undefined, 'absent' as const, 'unknown' as const),
        (h, readNil) => {
          const edn = historyToEdn(h, { readNil });
          const back = parseHistoryText(edn, { file: 'mem.edn' });
          if (h.length > 0) expect(back.format).toBe('edn');
          expect(back.ops).toStrictEqual(h);
          expect(back.readNil).toBe(readNil ?? 'unknown');
          expect(back.warnings).toEqual([]);
        },
      ),
    );
  });

  it('history -> independent EDN ([k v] values) -> import with independent is identical', () => {
    fc.assert(
      fc.property(historyArb(), (generated) => {
        // Jepsen's independent histories key every client op; nemesis ops stay unkeyed.
        const h = generated.map((op) =>
          op.process === 'nemesis' || op.key !== undefined ? op : { ...op, key: 'k' },
        );
        // A keyed op with no value comes back with value nil: the tuple always has two slots.
        const expected = h.map((op) =>
          op.key !== undefined && op.value === undefined ? { ...op, value: null } : op,
        );
        const edn = historyToEdn(h, { independent: true });
        expect(edn).not.toContain(':key ');
        const back = parseHistoryText(edn, { file: 'mem.edn', format: 'edn', independent: true });
        expect(back.ops).toStrictEqual(expected);
      }),
    );
  });

  it('EDN export of the corpus reads back identical, through files and auto-detection', async () => {
    for (const f of ['jepsen/etcd_000.log', 'jepsen/etcd_101.log', 'kv/c10-bad.txt']) {
      const orig = await loadHistory(corpusFile(f));
      const path = tmpFile('edn');
      await writeFile(path, historyToEdn(orig.ops, { readNil: orig.readNil }));
      const back = await loadHistory(path);
      expect(back.ops).toStrictEqual(orig.ops);
      expect(back.readNil).toBe(orig.readNil);
    }
  });
});
