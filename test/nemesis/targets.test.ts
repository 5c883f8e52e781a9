import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/nemesis/rng.js';
import { majority, minority, resolveTargets, TargetError } from '../../src/nemesis/targets.js';

const N5 = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('target resolution', () => {
  it('sizes follow Jepsen', () => {
    expect([3, 4, 5, 7].map(majority)).toEqual([2, 3, 3, 4]);
    expect([3, 4, 5, 7].map(minority)).toEqual([1, 2, 2, 3]);
    const ctx = { rng: createRng(3) };
    expect(resolveTargets('one', N5, ctx)).toHaveLength(1);
    expect(resolveTargets('minority', N5, ctx)).toHaveLength(2);
    expect(resolveTargets('majority', N5, ctx)).toHaveLength(3);
    expect(resolveTargets('all', N5, ctx)).toEqual(N5);
  });

  it('replays from the seed and varies across seeds', () => {
    const pick = (seed: number) => resolveTargets('minority', N5, { rng: createRng(seed) });
    expect(pick(11)).toEqual(pick(11));
    const distinct = new Set(Array.from({ length: 30 }, (_, s) => pick(s).join(',')));
    expect(distinct.size).toBeGreaterThan(3);
  });

  it('primaries come from the cluster; named nodes are checked', () => {
    expect(resolveTargets('primaries', N5, { rng: createRng(0), primaries: ['n3'] })).toEqual([
      'n3',
    ]);
    expect(() => resolveTargets('primaries', N5, { rng: createRng(0), primaries: [] })).toThrow(
      TargetError,
    );
    expect(resolveTargets({ nodes: ['n4', 'n2'] }, N5, { rng: createRng(0) })).toEqual([
      'n2',
      'n4',
    ]);
    expect(() => resolveTargets({ nodes: ['n9'] }, N5, { rng: createRng(0) })).toThrow(
      /unknown node\(s\) n9/,
    );
  });
});
