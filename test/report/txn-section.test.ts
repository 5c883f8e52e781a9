/**
 * The transactional checker's report section: each cycle drawn (one arrow per step, labelled by
 * edge type) beside its numbered steps; only list-append / rw-register results get one.
 */
import { describe, expect, it } from 'vitest';
import { checkListAppend } from '../../src/checkers/txn/index.js';
import { renderTxnSection, txnDiagrams } from '../../src/report/txn-section.js';
import { TxnHistory } from '../checkers/txn/txn-history.js';

describe('report: transactional anomalies', () => {
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
  const r = checkListAppend(h.ops, { consistencyModel: 'serializable' });

  it('draws each cycle with its steps', () => {
    const html = renderTxnSection(r);
    expect(html).toContain('<svg class="fl-txn-cycle"');
    expect((html.match(/<path d="M[\d.]+,[\d.]+ Q/g) ?? []).length).toBe(2); // a 2-cycle: two arrows
    expect(html).toContain('1. rw');
    expect(html).toMatch(/<li>T\d+ read key &quot;x&quot; as empty, without 1/);
    expect(html).toContain('rules out <b>repeatable-read</b>');
  });

  it('only for transactional results with anomalies', () => {
    const clean = checkListAppend(new TxnHistory().txn(0, [['append', 'x', 1]]).ops);
    const d = txnDiagrams({ 'list-append': r, other: { valid: false }, clean: clean });
    expect(Object.keys(d)).toEqual(['list-append']);
  });
});
