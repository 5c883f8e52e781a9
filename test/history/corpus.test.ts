/**
 * Every file of Porcupine's corpus imports, and its invocation count matches expected.tsv.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHistory } from '../../src/history/load.js';
import { validateHistory } from '../../src/history/validate.js';
import { corpusDir } from '../support/repo.js';

const CORPUS = corpusDir();
const rows = readFileSync(join(CORPUS, 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((r) => r.split('\t'))
  .map(([file, ops]) => ({ file: file!, ops: Number(ops) }));

describe('Porcupine corpus import', () => {
  it('lists 109 files', () => {
    expect(rows).toHaveLength(109);
  });

  it.each(rows)(
    '$file has $ops invocations and is a well-formed history',
    async ({ file, ops }) => {
      const h = await loadHistory(join(CORPUS, file));
      expect(h.format).toBe(file.startsWith('jepsen/') ? 'porcupine-etcd' : 'porcupine-kv');
      expect(h.readNil).toBe('absent');
      expect(h.ops.filter((o) => o.type === 'invoke')).toHaveLength(ops);
      expect(validateHistory(h.ops, { file })).toEqual([]);
    },
  );

  it('maps timed-out completions as the README says', async () => {
    const h = await loadHistory(join(CORPUS, 'jepsen/etcd_000.log'));
    const info = h.ops.find((o) => o.type === 'info');
    expect(info).toBeDefined();
    const invoke = h.ops
      .filter((o) => o.index < info!.index && o.process === info!.process && o.type === 'invoke')
      .at(-1);
    expect(info!.error).toBe('timed-out');
    expect(info!.value).toStrictEqual(invoke!.value);
    expect(h.ops.every((o, i) => o.index === i && o.time === i)).toBe(true);
  });

  it('reads the space-separated files 100-102 like the tab-separated ones', async () => {
    const h = await loadHistory(join(CORPUS, 'jepsen/etcd_100.log'));
    expect(h.ops[0]).toStrictEqual({
      index: 0,
      time: 0,
      type: 'invoke',
      process: 1,
      f: 'write',
      value: 3,
    });
    expect(h.ops.some((o) => o.f === 'cas' && Array.isArray(o.value))).toBe(true);
  });
});
