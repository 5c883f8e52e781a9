/**
 * rw-register from hand-written histories: what the partial version order (nil first; a txn's
 * read precedes its own write) lets us prove, and that it stays silent where nothing is known.
 */
import { describe, expect, it } from 'vitest';
import { checkRwRegister, type ExplainedCycle } from '../../../src/checkers/txn/index.js';
import { TxnHistory } from './txn-history.js';

const check = (h: TxnHistory, model = 'strict-serializable') =>
  checkRwRegister(h.ops, { consistencyModel: model });

describe('rw-register', () => {
  it('a serial history is valid', () => {
    const h = new TxnHistory()
      .txn(0, [
        ['r', 'x', null],
        ['w', 'x', 1],
      ])
      .txn(1, [
        ['r', 'x', 1],
        ['w', 'x', 2],
        ['w', 'y', 1],
      ])
      .txn(0, [
        ['r', 'x', 2],
        ['r', 'y', 1],
      ]);
    const r = check(h);
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('G-single: read skew against the initial nil', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['w', 'x', 1],
          ['w', 'y', 1],
        ],
      ],
      [
        1,
        [
          ['r', 'x', null],
          ['r', 'y', 1],
        ],
      ],
    );
    const r = check(h, 'snapshot-isolation');
    expect(r.anomalyTypes).toContain('G-single');
    expect(r.valid).toBe(false);
    expect(check(h, 'read-committed').valid).toBe(true);
    const c = r.anomalies['G-single']![0] as ExplainedCycle;
    expect(c.explanation).toMatch(
      /read key "x" = nil \(never written\), and T\d+ wrote 1, a later version/,
    );
  });

  it('G2-item: write skew', () => {
    const h = new TxnHistory().concurrent(
      [
        0,
        [
          ['r', 'x', null],
          ['w', 'y', 1],
        ],
      ],
      [
        1,
        [
          ['r', 'y', null],
          ['w', 'x', 1],
        ],
      ],
    );
    const r = check(h, 'snapshot-isolation');
    expect(r.anomalyTypes).toContain('G2-item');
    expect(r.valid).toBe(true);
    expect(check(h, 'serializable').valid).toBe(false);
  });

  it('G1a, G1b and internal inconsistency', () => {
    const a = new TxnHistory().txn(0, [['w', 'x', 1]], 'fail').txn(1, [['r', 'x', 1]]);
    expect(check(a, 'read-committed').anomalyTypes).toContain('G1a');
    const b = new TxnHistory().concurrent(
      [
        0,
        [
          ['w', 'x', 1],
          ['w', 'x', 2],
        ],
      ],
      [1, [['r', 'x', 1]]],
    );
    expect(check(b, 'read-committed').anomalyTypes).toContain('G1b');
    const i = new TxnHistory().txn(0, [
      ['w', 'x', 1],
      ['r', 'x', 2],
    ]);
    expect(check(i, 'serializable').anomalyTypes).toContain('internal');
  });

  it('two blind writes and a read: nothing to prove (no false positive)', () => {
    const h = new TxnHistory().concurrent(
      [0, [['w', 'x', 1]]],
      [1, [['w', 'x', 2]]],
      [2, [['r', 'x', 1]]],
    );
    expect(check(h).anomalyTypes).toEqual([]);
  });

  it('a list in a register read is bad input', () => {
    const h = new TxnHistory().txn(0, [['r', 'x', [1]]]);
    expect(() => check(h)).toThrow(
      /field 'value\[0\]\[2\]': an rw-register read of key "x" is a single value or nil/,
    );
  });
});

describe('rw-register: Knossos spellings', () => {
  it('read/write micro-ops load and check as r/w', async () => {
    const { parseHistoryText } = await import('../../../src/history/load.js');
    const lines = [
      {
        type: 'invoke',
        process: 0,
        f: 'txn',
        value: [
          ['write', 'x', 1],
          ['write', 'y', 1],
        ],
      },
      {
        type: 'invoke',
        process: 1,
        f: 'txn',
        value: [
          ['read', 'x', null],
          ['read', 'y', null],
        ],
      },
      {
        type: 'ok',
        process: 0,
        f: 'txn',
        value: [
          ['write', 'x', 1],
          ['write', 'y', 1],
        ],
      },
      {
        type: 'ok',
        process: 1,
        f: 'txn',
        value: [
          ['read', 'x', null],
          ['read', 'y', 1],
        ],
      },
    ].map((o, i) => JSON.stringify({ index: i, time: i, ...o }));
    const { ops } = parseHistoryText(lines.join('\n') + '\n', { file: 'k.jsonl', format: 'jsonl' });
    expect(checkRwRegister(ops, { consistencyModel: 'snapshot-isolation' }).anomalyTypes).toContain(
      'G-single',
    );
  });
});
