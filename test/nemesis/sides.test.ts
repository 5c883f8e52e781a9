/** Partition sides from grudges, for the shapes Jepsen draws (pure). */
import { describe, expect, it } from 'vitest';
import { partitionSides } from '../../src/nemesis/sides.js';
import { bridge, completeGrudge, majoritiesRing } from '../../src/nemesis/partition.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('partitionSides', () => {
  it('shows two sides of an isolating cut', () => {
    expect(partitionSides(completeGrudge([['n1'], ['n2', 'n3', 'n4', 'n5']]))).toBe(
      'n1 | n2 n3 n4 n5',
    );
  });

  it('shows three sides, nodes in human order', () => {
    const nodes = ['n10', 'n2', 'n1'];
    expect(partitionSides(completeGrudge([['n10'], ['n2'], ['n1']]), nodes)).toBe('n1 | n2 | n10');
  });

  it('shows a bridge as two halves joined by the hub', () => {
    expect(partitionSides(bridge(five), five)).toBe('n1 n2 ↔ n3 ↔ n4 n5');
  });

  it('shows a majorities ring as who cannot talk to whom', () => {
    const text = partitionSides(majoritiesRing(five), five);
    expect(text).not.toContain('|');
    expect(text).toMatch(/^n1 ✕ /);
  });

  it('shows a one-way cut as who drops whom', () => {
    expect(partitionSides({ n2: ['n1'] }, ['n1', 'n2', 'n3'])).toBe('n2 drops n1');
  });

  it('adds nodes the grudge does not mention to no side when they see everyone', () => {
    // n3 sees everyone: a bridge between n1 and n2.
    expect(partitionSides({ n1: ['n2'], n2: ['n1'] }, ['n1', 'n2', 'n3'])).toBe('n1 ↔ n3 ↔ n2');
  });
});

describe('faultScope on a recorded run', () => {
  it("shows the fixture's 3-node bridge with its hub, which no cut touches", async () => {
    const { loadHistory } = await import('../../src/history/load.js');
    const { faultPeriods, describeFault } =
      await import('../../src/checkers/stuck/fault-periods.js');
    const { REPO } = await import('../support/repo.js');
    const { ops } = await loadHistory(
      `${REPO}/test/fixtures/runs/etcd-3-register-serializable/20261121T160121/history.jsonl`,
    );
    const [p] = faultPeriods(ops);
    expect(describeFault(p!)).toMatch(/^partition n1 ↔ n3 ↔ n2 since/);
  });
});
