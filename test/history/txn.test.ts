/**
 * Transactions in histories: Jepsen EDN `[[:append 9 2] [:r 8 [1]]]` imports to the shared JSON
 * micro-op form, exports back with keyword functions (as Elle reads it) and round-trips exactly;
 * malformed micro-ops are bad input naming file:line, op and field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historyToEdn } from '../../src/history/exporters/edn.js';
import { parseHistoryText } from '../../src/history/load.js';
import { HistoryFormatError } from '../../src/history/errors.js';
import type { History, JsonValue } from '../../src/history/op.js';

const EDN = `{:type :invoke, :f :txn, :value [[:append 9 2] [:r 8 nil]], :time 10, :process 0, :index 0}
{:type :ok, :f :txn, :value [[:append 9 2] [:r 8 [1]]], :time 20, :process 0, :index 1}
{:type :invoke, :f :txn, :value [[:r "k" nil]], :time 30, :process 1, :index 2}
{:type :fail, :f :txn, :value [[:r "k" nil]], :time 40, :process 1, :index 3}
`;

describe('txn ops in histories', () => {
  it('imports Jepsen EDN micro-ops as [f, key, value] with string functions', () => {
    const { ops } = parseHistoryText(EDN, { file: 'h.edn' });
    expect(ops[0]!.f).toBe('txn');
    expect(ops[0]!.value).toEqual([
      ['append', 9, 2],
      ['r', 8, null],
    ]);
    expect(ops[1]!.value).toEqual([
      ['append', 9, 2],
      ['r', 8, [1]],
    ]);
    expect(ops[2]!.value).toEqual([['r', 'k', null]]);
  });

  it('exports micro-op functions as keywords and reads back identically', () => {
    const { ops } = parseHistoryText(EDN, { file: 'h.edn' });
    const edn = historyToEdn(ops);
    expect(edn).toContain(':value [[:append 9 2] [:r 8 [1]]]');
    expect(parseHistoryText(edn, { file: 'back.edn' }).ops).toEqual(ops);
  });

  it('round-trips generated txn histories through EDN', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('a', 'b'));
    const mop = fc.oneof(
      fc.tuple(fc.constant('append'), key, fc.integer({ min: 0, max: 99 })),
      fc.tuple(fc.constant('r'), key, fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4 })),
      fc.tuple(fc.constant('w'), key, fc.oneof(fc.integer(), fc.constant(null))),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(mop, { minLength: 1, maxLength: 5 }), { maxLength: 8 }),
        (txns) => {
          const h: History = [];
          txns.forEach((mops, p) => {
            const inv = mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]) as JsonValue;
            h.push({
              index: h.length,
              time: h.length,
              type: 'invoke',
              process: p,
              f: 'txn',
              value: inv,
            });
            h.push({
              index: h.length,
              time: h.length,
              type: 'ok',
              process: p,
              f: 'txn',
              value: mops as JsonValue,
            });
          });
          const back = parseHistoryText(historyToEdn(h), { file: 'x.edn' }).ops;
          expect(back).toEqual(h);
        },
      ),
      { numRuns: 100 },
    );
  });

  const bad = (value: string): HistoryFormatError => {
    const text = `{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 0, :time 1}\n{:type :ok, :f :txn, :value ${value}, :process 0, :time 2}\n`;
    try {
      parseHistoryText(text, { file: 'bad.edn' });
    } catch (err) {
      if (err instanceof HistoryFormatError) return err;
      throw err;
    }
    throw new Error('accepted bad input');
  };

  it('a malformed micro-op names file:line, op and field', () => {
    expect(bad('[[:r 1]]').message).toBe(
      `bad.edn:2: op 1: field 'value[0]': a micro-op is [f, key, value] (e.g. ["append", 9, 2]), got ["r",1]`,
    );
  });

  it('an unknown micro-op function names the field', () => {
    expect(bad('[[:incr 1 2]]').message).toBe(
      `bad.edn:2: op 1: field 'value[0][0]': unknown micro-op function "incr" (r, w or append)`,
    );
  });

  it('a txn whose value is not a list is rejected', () => {
    expect(bad('3').message).toMatch(
      /^bad\.edn:2: op 1: field 'value': a txn needs a list of micro-ops/,
    );
  });
});
