/**
 * A real history: the first 400 ops of a 30 s list-append run on PostgreSQL 15 at REPEATABLE
 * READ under kill/pause/partition faults (`faultline run --workload list-append --isolation
 * repeatable-read --seed 1`). Its EDN export reads back identically, and the checker sees what
 * PostgreSQL's snapshot isolation allows (write skew, G2-item) and nothing it forbids.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkListAppend } from '../../../src/checkers/txn/index.js';
import { historyToEdn } from '../../../src/history/exporters/edn.js';
import { parseHistoryText } from '../../../src/history/load.js';

const file = fileURLToPath(new URL('./fixtures/pg-repeatable-read.jsonl', import.meta.url));
const { ops } = parseHistoryText(readFileSync(file, 'utf8'), { file, format: 'jsonl' });

describe('a real PostgreSQL repeatable-read run', () => {
  it('exports to EDN and reads back identically', () => {
    const edn = historyToEdn(ops, { readNil: 'absent' });
    expect(edn).toMatch(/:f :txn, :value \[\[:(r|append) \d+ /);
    expect(parseHistoryText(edn, { file: 'run.edn' }).ops).toEqual(ops);
  });

  it('shows write skew (G2-item) and no G-single: snapshot isolation holds, serializable not', () => {
    const si = checkListAppend(ops, { consistencyModel: 'snapshot-isolation', file });
    expect(si.stats.ok).toBeGreaterThan(100);
    expect(si.anomalyTypes).toContain('G2-item');
    expect(si.anomalyTypes.filter((t) => t.startsWith('G-single') || t.startsWith('G1'))).toEqual(
      [],
    );
    expect(si.valid).toBe(true);
    expect(si.not).toEqual(['repeatable-read']);
    expect(checkListAppend(ops, { consistencyModel: 'serializable' }).valid).toBe(false);
  });
});
