/**
 * Conformance over Porcupine's own test histories: the verdict must equal the one Porcupine's
 * suite asserts (corpus expected.tsv). Jepsen etcd logs are a cas-register starting at nil
 * (absent); kv files are per-key string registers, checked split by key and, for c01/c10,
 * unsplit as one map-valued state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHistory } from '../../../src/history/load.js';
import { checkLinearizability } from '../../../src/checkers/linearizability/index.js';
import { corpusDir } from '../../support/repo.js';

const CORPUS = corpusDir();
const rows = readFileSync(join(CORPUS, 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t') as [string, string, string, string])
  .filter(([, , expected]) => expected === 'linearizable' || expected === 'not_linearizable');

describe('Porcupine corpus conformance', () => {
  it('has the expected files', () => {
    expect(rows.filter(([f]) => f.startsWith('jepsen/')).length).toBe(102);
    expect(rows.filter(([f]) => f.startsWith('kv/')).length).toBe(6);
  });

  it.each(rows)('%s', async (file, _ops, expected) => {
    const h = await loadHistory(join(CORPUS, file));
    const model = file.startsWith('kv/') ? 'kv' : 'cas-register';
    const r = await checkLinearizability(h.ops, { model, readNil: h.readNil, workers: 0 });
    expect(r.valid).toBe(expected === 'linearizable');
    if (r.valid === false) {
      expect(r.violations.length).toBeGreaterThan(0);
      expect(r.violations[0]!.message).toMatch(/cannot be linearized/);
    }
  });

  it.each(['kv/c01-ok.txt', 'kv/c01-bad.txt', 'kv/c10-ok.txt', 'kv/c10-bad.txt'])(
    '%s unsplit (one map-valued state)',
    async (file) => {
      const h = await loadHistory(join(CORPUS, file));
      const r = await checkLinearizability(h.ops, { model: 'kv', split: false, workers: 0 });
      expect(r.partitions).toHaveLength(1);
      expect(r.partitions[0]!.key).toBeNull();
      expect(r.valid).toBe(file.endsWith('-ok.txt'));
    },
  );

  it('c50-bad with full: every key decided and every violation explained', async () => {
    const h = await loadHistory(join(CORPUS, 'kv/c50-bad.txt'));
    const r = await checkLinearizability(h.ops, { model: 'kv', full: true, workers: 0 });
    expect(r.valid).toBe(false);
    expect(r.undecided).toEqual([]);
    const invalid = r.partitions.filter((p) => p.valid === false);
    expect(invalid.length).toBe(r.violations.length);
    expect(r.partitions.every((p) => p.valid !== 'unknown')).toBe(true);
    for (const v of r.violations) {
      expect(v.op.f).toBeDefined();
      expect(v.prefixes.length).toBeGreaterThan(0);
    }
  });

  it('worker threads give the same verdicts (c50-ok, c50-bad full)', async () => {
    const ok = await loadHistory(join(CORPUS, 'kv/c50-ok.txt'));
    const r1 = await checkLinearizability(ok.ops, { model: 'kv', workers: 2 });
    expect(r1.workers).toBe(2);
    expect(r1.valid).toBe(true);
    const bad = await loadHistory(join(CORPUS, 'kv/c50-bad.txt'));
    const r2 = await checkLinearizability(bad.ops, { model: 'kv', workers: 2, full: true });
    expect(r2.workers).toBe(2);
    expect(r2.valid).toBe(false);
    expect(r2.undecided).toEqual([]);
    expect(r2.violations.length).toBe(r2.partitions.length);
  });
});
