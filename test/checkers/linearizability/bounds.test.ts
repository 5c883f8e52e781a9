/**
 * Bounds: a search that cannot finish within its time or memory budget answers 'unknown' and
 * says what it was searching — never a crash, never a silent true.
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/checkers/linearizability/index.js';
import { checkLinearizability } from '../../../src/checkers/linearizability/index.js';
import { type Spec, toHistory } from './histories.js';

/** Each `add k` sets bit k; a `read` must see exactly its value. No pruning hooks at all. */
const bits: Model<number> = {
  name: 'bits',
  init: () => 0,
  step: (s, op) =>
    op.f === 'add' ? s | (1 << (op.input as number)) : op.output === s ? s : undefined,
  hash: (s) => s,
  equal: (a, b) => a === b,
};

/** 22 fully concurrent adds (3 indeterminate), then a read nothing can explain: 2^22 configurations. */
function hardHistory(): Spec[] {
  const specs: Spec[] = [];
  for (let k = 0; k < 22; k++) {
    specs.push({ f: 'add', value: k, status: k < 3 ? 'info' : 'ok', start: k, end: 100 + k });
  }
  specs.push({ f: 'read', value: null, output: -1, status: 'ok', start: 200, end: 201 });
  return specs;
}

describe('search bounds', () => {
  it('a time limit yields unknown with what was being searched', async () => {
    const t0 = performance.now();
    const r = await checkLinearizability(toHistory(hardHistory()), {
      model: bits,
      timeLimitMs: 150,
    });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.valid).toBe('unknown');
    expect(r.violations).toEqual([]);
    expect(r.undecided).toHaveLength(1);
    const u = r.undecided[0]!;
    expect(u.reason).toMatch(/time limit/);
    expect(u.ops).toBe(23);
    expect(u.infoOps).toBe(3);
    expect(u.peakConcurrency).toBe(22);
    expect(r.partitions[0]!.configurations).toBeGreaterThan(0);
  });

  it('a memory limit yields unknown too', async () => {
    const r = await checkLinearizability(toHistory(hardHistory()), {
      model: bits,
      memoryLimitBytes: 4 * 1024 * 1024,
    });
    expect(r.valid).toBe('unknown');
    expect(r.undecided[0]!.reason).toMatch(/memory limit/);
    expect(r.partitions[0]!.memoryBytes).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('without bounds the same history is decided (not linearizable)', async () => {
    const specs = hardHistory().filter((s) => s.f !== 'add' || (s.value as number) < 12);
    const r = await checkLinearizability(toHistory(specs), { model: bits });
    expect(r.valid).toBe(false);
    expect(r.violations[0]!.op.f).toBe('read');
  });
});
