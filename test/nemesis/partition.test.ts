import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bisect,
  bridge,
  completeGrudge,
  components,
  grudgeCuts,
  majoritiesRing,
  partitionGrudge,
  PartitionError,
  type Grudge,
} from '../../src/nemesis/partition.js';
import { createRng } from '../../src/nemesis/rng.js';
import { partitionRules } from '../../src/nemesis/iptables.js';

const N5 = ['n1', 'n2', 'n3', 'n4', 'n5'];
const rng = () => createRng(1);
/** Nodes a node can hear from (not in its grudge), itself included. */
const hears = (g: Grudge, n: string, nodes = N5) => nodes.filter((m) => !(g[n] ?? []).includes(m));

describe('partition grudges', () => {
  it('complete grudge: every node drops exactly the other components', () => {
    expect(completeGrudge([['n1'], ['n2', 'n3']])).toEqual({
      n1: ['n2', 'n3'],
      n2: ['n1'],
      n3: ['n1'],
    });
  });

  it('bisect keeps the larger half second', () => {
    expect(bisect(N5)).toEqual([
      ['n1', 'n2'],
      ['n3', 'n4', 'n5'],
    ]);
  });

  it('one: a single node is cut off both ways', () => {
    const g = partitionGrudge('one', N5, { rng: rng() });
    const comps = components(g, N5).sort((a, b) => a.length - b.length);
    expect(comps.map((c) => c.length)).toEqual([1, 4]);
  });

  it('majority: a 2/3 split for five nodes', () => {
    const g = partitionGrudge('majority', N5, { rng: rng() });
    expect(
      components(g, N5)
        .map((c) => c.length)
        .sort(),
    ).toEqual([2, 3]);
  });

  it('majorities-ring: each node hears a majority, and no two hear the same one', () => {
    const g = majoritiesRing(N5);
    const views = N5.map((n) => hears(g, n).join(','));
    for (const n of N5) expect(hears(g, n)).toHaveLength(3);
    expect(new Set(views).size).toBe(5);
  });

  it('bridge: two halves that cannot talk, one node that talks to all', () => {
    const g = bridge(N5);
    // bisect -> [n1 n2] [n3 n4 n5]; n3 is the bridge
    expect(g.n3).toBeUndefined();
    for (const [k, v] of Object.entries(g)) {
      expect(v).not.toContain('n3');
      expect(k).not.toBe('n3');
    }
    expect(g.n1).toEqual(['n4', 'n5']);
    expect(g.n4).toEqual(['n1', 'n2']);
  });

  it('minority-third isolates floor((n-1)/3) nodes (at least one)', () => {
    const g7 = partitionGrudge('minority-third', ['a', 'b', 'c', 'd', 'e', 'f', 'g'], {
      rng: rng(),
    });
    expect(
      components(g7, ['a', 'b', 'c', 'd', 'e', 'f', 'g'])
        .map((c) => c.length)
        .sort(),
    ).toEqual([2, 5]);
  });

  it('primaries: isolates the leader; fails clearly without one', () => {
    expect(partitionGrudge('primaries', N5, { rng: rng(), primaries: ['n4'] }).n4).toEqual([
      'n1',
      'n2',
      'n3',
      'n5',
    ]);
    expect(() => partitionGrudge('primaries', N5, { rng: rng(), primaries: [] })).toThrow(
      PartitionError,
    );
  });

  it('no shape: isolates the resolved targets', () => {
    const g = partitionGrudge(undefined, N5, { rng: rng(), targets: ['n2', 'n3'] });
    expect(components(g, N5)).toEqual([
      ['n1', 'n4', 'n5'],
      ['n2', 'n3'],
    ]);
  });

  it('explicit grudges are validated and may be asymmetric', () => {
    const g = partitionGrudge({ grudge: { n1: ['n2'] } }, N5, { rng: rng() });
    expect(grudgeCuts(g)).toEqual([{ from: 'n2', to: 'n1' }]);
    expect(() => partitionGrudge({ grudge: { n9: ['n1'] } }, N5, { rng: rng() })).toThrow(
      /unknown node "n9"/,
    );
    expect(() => partitionGrudge({ grudge: { n1: ['n1'] } }, N5, { rng: rng() })).toThrow(/itself/);
  });

  it('the same seed replays the same partition', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(
          'one',
          'majority',
          'majorities-ring',
          'bridge',
          'random-halves',
          'minority-third' as const,
        ),
        (seed, shape) => {
          const a = partitionGrudge(shape, N5, { rng: createRng(seed) });
          const b = partitionGrudge(shape, N5, { rng: createRng(seed) });
          expect(a).toEqual(b);
          // Every shape cuts something and never makes a node drop itself.
          expect(grudgeCuts(a).length).toBeGreaterThan(0);
          for (const [k, v] of Object.entries(a)) expect(v).not.toContain(k);
        },
      ),
    );
  });

  it('rules: a cut drops at both ends (INPUT by source at dst, OUTPUT by destination at src)', () => {
    const nodes = N5.map((name, i) => ({ name, ip: `10.77.9.${11 + i}` }));
    const sets = partitionRules({ n1: ['n2'] }, nodes, 'f7');
    expect(sets).toEqual([
      {
        node: 'n1',
        rules: [
          ['-s', '10.77.9.12/32', '-m', 'comment', '--comment', 'faultline:f7', '-j', 'DROP'],
        ],
      },
      {
        node: 'n2',
        rules: [
          ['-d', '10.77.9.11/32', '-m', 'comment', '--comment', 'faultline:f7', '-j', 'DROP'],
        ],
      },
    ]);
  });
});
