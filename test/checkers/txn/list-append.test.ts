/**
 * One small hand-written history per anomaly type (as in Elle's test suite): the checker must
 * find it, name it, rule out the right models, and explain cycles step by step.
 */
import { describe, expect, it } from 'vitest';
import { checkListAppend } from '../../../src/checkers/txn/index.js';
import type { ExplainedCycle } from '../../../src/checkers/txn/index.js';
import { TxnHistory } from './txn-history.js';

const check = (h: TxnHistory, model = 'strict-serializable') =>
  checkListAppend(h.ops, { consistencyModel: model });

describe('list-append: anomalies from hand-written histories', () => {
  it('a serial history is valid under strict-serializable', () => {
    const h = new TxnHistory()
      .txn(0, [
        ['append', 'x', 1],
        ['r', 'y', []],
      ])
      .txn(1, [
        ['r', 'x', [1]],
        ['append', 'y', 1],
      ])
      .txn(0, [
        ['r', 'x', [1]],
        ['r', 'y', [1]],
      ]);
    const r = check(h);
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual([]);
    expect(r.not).toEqual([]);
  });

  it('G0: write cycle', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['append', 'x', 1],
          ['append', 'y', 1],
        ],
      ],
      [
        1,
        [
          ['append', 'x', 2],
          ['append', 'y', 2],
        ],
      ],
      [
        2,
        [
          ['r', 'x', [1, 2]],
          ['r', 'y', [2, 1]],
        ],
      ],
    );
    const r = check(h, 'read-uncommitted');
    expect(r.anomalyTypes).toContain('G0');
    expect(r.valid).toBe(false);
    expect(r.not).toEqual(['read-uncommitted']);
    const c = r.anomalies.G0![0] as ExplainedCycle;
    expect(c.steps.map((s) => s.type)).toEqual(['ww', 'ww']);
    expect(c.explanation).toMatch(/appended 1 to key "x" and T\d+ appended 2 right after it/);
  });

  it('G1c: circular information flow', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['append', 'x', 1],
          ['r', 'y', [1]],
        ],
      ],
      [
        1,
        [
          ['append', 'y', 1],
          ['r', 'x', [1]],
        ],
      ],
    );
    const r = check(h, 'read-committed');
    expect(r.anomalyTypes).toContain('G1c');
    expect(r.anomalyTypes).not.toContain('G0');
    expect(r.valid).toBe(false);
    expect(r.not).toContain('read-committed');
  });

  it('G-single: read skew', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['append', 'x', 1],
          ['append', 'y', 1],
        ],
      ],
      [
        1,
        [
          ['r', 'x', []],
          ['r', 'y', [1]],
        ],
      ],
      [2, [['r', 'x', [1]]]],
    );
    const r = check(h, 'read-committed');
    expect(r.anomalyTypes).toContain('G-single');
    expect(r.valid).toBe(true); // read committed allows read skew
    expect(r.not).toEqual(['consistent-view', 'repeatable-read']);
    expect(check(h, 'snapshot-isolation').valid).toBe(false);
    const c = r.anomalies['G-single']![0] as ExplainedCycle;
    expect(c.steps.map((s) => s.type).sort()).toEqual(['rw', 'wr']);
    expect(c.explanation).toMatch(/read key "x" as empty, without 1/);
  });

  it('G2-item: write skew, allowed by snapshot isolation', () => {
    const h = new TxnHistory()
      .concurrent(
        [
          0,
          [
            ['r', 'x', []],
            ['append', 'y', 1],
          ],
        ],
        [
          1,
          [
            ['r', 'y', []],
            ['append', 'x', 1],
          ],
        ],
      )
      .txn(2, [
        ['r', 'x', [1]],
        ['r', 'y', [1]],
      ]);
    const r = check(h, 'snapshot-isolation');
    expect(r.anomalyTypes).toContain('G2-item');
    expect(r.anomalyTypes).not.toContain('G-single');
    expect(r.valid).toBe(true);
    expect(r.not).toEqual(['repeatable-read']);
    expect(check(h, 'serializable').valid).toBe(false);
  });

  it('G-nonadjacent: two rw edges that never touch', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['r', 'a', []],
          ['r', 'd', [1]],
        ],
      ],
      [
        1,
        [
          ['append', 'a', 1],
          ['append', 'b', 1],
        ],
      ],
      [
        2,
        [
          ['r', 'b', [1]],
          ['r', 'c', []],
        ],
      ],
      [
        3,
        [
          ['append', 'c', 1],
          ['append', 'd', 1],
        ],
      ],
      [
        4,
        [
          ['r', 'a', [1]],
          ['r', 'c', [1]],
        ],
      ],
    );
    const r = check(h, 'snapshot-isolation');
    expect(r.anomalyTypes).toContain('G-nonadjacent');
    expect(r.anomalyTypes).not.toContain('G-single');
    expect(r.valid).toBe(false);
    const c = r.anomalies['G-nonadjacent']![0] as ExplainedCycle;
    expect(c.steps.filter((s) => s.type === 'rw')).toHaveLength(2);
  });

  it('G1a: aborted read', () => {
    const h = new TxnHistory().txn(0, [['append', 'x', 1]], 'fail').txn(1, [['r', 'x', [1]]]);
    const r = check(h, 'read-committed');
    expect(r.anomalyTypes).toContain('G1a');
    expect(r.valid).toBe(false);
    expect(check(h, 'read-uncommitted').valid).toBe(true);
  });

  it('G1b: intermediate read', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['append', 'x', 1],
          ['append', 'x', 2],
        ],
      ],
      [1, [['r', 'x', [1]]]],
    );
    const r = check(h, 'read-committed');
    expect(r.anomalyTypes).toContain('G1b');
    expect(r.valid).toBe(false);
  });

  it('internal inconsistency', () => {
    const h = new TxnHistory().txn(0, [
      ['r', 'x', []],
      ['append', 'x', 1],
      ['r', 'x', [2]],
    ]);
    const r = check(h, 'serializable');
    expect(r.anomalyTypes).toContain('internal');
    expect(r.valid).toBe(false);
    expect(check(h, 'read-committed').valid).toBe(true);
  });

  it('incompatible order', () => {
    const h = new TxnHistory().concurrent(
      [0, [['append', 'x', 1]]],
      [1, [['append', 'x', 2]]],
      [2, [['append', 'x', 3]]],
      [3, [['r', 'x', [1, 2]]]],
      [4, [['r', 'x', [1, 3]]]],
    );
    const r = check(h, 'read-committed');
    expect(r.anomalyTypes).toContain('incompatible-order');
    expect(r.valid).toBe(false);
  });

  it('duplicate elements', () => {
    const h = new TxnHistory().concurrent([0, [['append', 'x', 1]]], [1, [['r', 'x', [1, 1]]]]);
    const r = check(h, 'read-uncommitted');
    expect(r.anomalyTypes).toContain('duplicate-elements');
    expect(r.valid).toBe(false);
  });

  it('dirty update', () => {
    const h = new TxnHistory()
      .txn(0, [['append', 'x', 1]], 'fail')
      .txn(1, [['append', 'x', 2]])
      .txn(2, [['r', 'x', [1, 2]]]);
    const r = check(h, 'read-committed');
    expect(r.anomalyTypes).toContain('dirty-update');
    expect(r.anomalyTypes).toContain('G1a');
    expect(r.valid).toBe(false);
  });

  it('lost append: committed, then missed by a later reader, never read', () => {
    const h = new TxnHistory().txn(0, [['append', 'x', 1]]).txn(1, [['r', 'x', []]]);
    const r = check(h);
    expect(r.anomalyTypes).toContain('lost-append');
    expect(r.valid).toBe(false);
    expect(r.not).toEqual(['strong-snapshot-isolation']);
    expect(check(h, 'serializable').valid).toBe(true);
  });

  it('G-single-realtime: a read that began after a commit misses it', () => {
    const h = new TxnHistory()
      .invoke(2, [['r', 'x', null]])
      .txn(0, [['append', 'x', 1]])
      .txn(1, [['r', 'x', []]])
      .complete(2, 'ok', [['r', 'x', [1]]]);
    const r = check(h);
    expect(r.anomalyTypes).toContain('G-single-realtime');
    expect(r.anomalyTypes).not.toContain('G-single');
    expect(r.valid).toBe(false);
    expect(check(h, 'serializable').valid).toBe(true);
    const c = r.anomalies['G-single-realtime']![0] as ExplainedCycle;
    expect(c.explanation).toMatch(/completed at .* s, before T\d+ began at/);
  });

  it('G-single-process: a process misses its own earlier append', () => {
    const h = new TxnHistory()
      .invoke(2, [['r', 'x', null]])
      .txn(0, [['append', 'x', 1]])
      .txn(0, [['r', 'x', []]])
      .complete(2, 'ok', [['r', 'x', [1]]]);
    const r = check(h, 'strong-session-serializable');
    expect(r.anomalyTypes).toContain('G-single-process');
    expect(r.valid).toBe(false);
    expect(check(h, 'serializable').valid).toBe(true);
  });

  it('G0-realtime: writes ordered against real time', () => {
    const h = new TxnHistory()
      .invoke(2, [['r', 'x', null]])
      .txn(0, [['append', 'x', 2]])
      .txn(1, [['append', 'x', 1]])
      .complete(2, 'ok', [['r', 'x', [1, 2]]]);
    const r = check(h);
    expect(r.anomalyTypes).toContain('G0-realtime');
    expect(check(h, 'serializable').valid).toBe(true);
    expect(r.valid).toBe(false);
  });

  it('a bounded search still reports that a cycle exists and says unknown', () => {
    const h = new TxnHistory()
      .concurrent(
        [
          0,
          [
            ['r', 'x', []],
            ['append', 'y', 1],
          ],
        ],
        [
          1,
          [
            ['r', 'y', []],
            ['append', 'x', 1],
          ],
        ],
      )
      .txn(2, [
        ['r', 'x', [1]],
        ['r', 'y', [1]],
      ]);
    const r = checkListAppend(h.ops, { consistencyModel: 'serializable', timeLimitMs: -1 });
    expect(r.anomalyTypes).toContain('cycle-search-timeout');
    expect(r.anomalyTypes).toContain('PL-2.99-cycle-exists');
    expect(r.valid).toBe(false); // the component alone rules serializable out
    const si = checkListAppend(h.ops, { consistencyModel: 'snapshot-isolation', timeLimitMs: -1 });
    expect(si.valid).toBe('unknown');
  });
});
