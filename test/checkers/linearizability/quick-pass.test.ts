/**
 * The kv search's quick pass (search.ts quickPass: no viability walk, a step budget) must only
 * ever speed things up: it settles easy linearizable partitions by itself, and on every partition
 * the outcome of searchPartition equals the full search's alone (verdict; for a violation also
 * its prefixes and step count, which the explanation is built from).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../../src/history/op.js';
import { generateKvHistory } from '../../../bench/kv-history.js';
import {
  checkLinearizability,
  createModel,
  prepare,
  searchPartition,
} from '../../../src/checkers/linearizability/index.js';
import { quickPass } from '../../../src/checkers/linearizability/search.js';

function history(seed: number, plantViolation: boolean, keys = 6, infoRate = 0.05): Op[] {
  const ops: Op[] = [];
  generateKvHistory({ ops: 3000, keys, workers: 10, seed, infoRate, plantViolation }, (op) =>
    ops.push(op),
  );
  return ops;
}

const limits = { deadline: Infinity, memoryLimitBytes: 256 * 1024 ** 2 };

describe('quick pass of the kv search', () => {
  it('settles easy linearizable partitions with a real linearization', () => {
    const parts = prepare(
      history(7, false, 20, 0.01),
      createModel('kv', { readNil: 'absent' }),
      true,
    );
    let settled = 0;
    for (const p of parts.partitions) {
      const q = quickPass(p.ops, p.model, limits);
      if (q.valid !== true) continue;
      settled++;
      // The witness is a permutation of some ops containing every ok op.
      const ids = new Set(q.linearization);
      for (const op of p.ops) if (op.status === 'ok') expect(ids.has(op.id)).toBe(true);
    }
    expect(settled).toBe(parts.partitions.length);
  });

  it('leaves every outcome as the full search alone gives it, violations included', async () => {
    let violations = 0;
    let fallbacks = 0; // partitions the quick pass leaves to the full search
    for (const seed of [1, 2, 3, 4]) {
      for (const bad of [false, true]) {
        const h = history(seed, bad);
        const parts = prepare(h, createModel('kv', { readNil: 'absent' }), true);
        for (const p of parts.partitions) {
          const full = searchPartition(p.ops, p.model, { ...limits, quick: false });
          const withQuick = searchPartition(p.ops, p.model, limits);
          if (quickPass(p.ops, p.model, limits).valid !== true) fallbacks++;
          expect(withQuick.valid).toBe(full.valid);
          if (full.valid === false) {
            violations++;
            expect(withQuick.longest).toEqual(full.longest);
            expect(withQuick.steps).toBe(full.steps);
          }
        }
        const r = await checkLinearizability(h, { model: 'kv' });
        expect(r.valid).toBe(!bad);
      }
    }
    expect(violations).toBeGreaterThanOrEqual(4);
    expect(fallbacks).toBeGreaterThan(violations);
  });
});
