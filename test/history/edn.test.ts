/**
 * Jepsen history.edn and Knossos vector quirks, and format detection.
 */
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/history/detect.js';
import { HistoryFormatError } from '../../src/history/errors.js';
import { parseHistoryText } from '../../src/history/load.js';

const edn = (text: string, opts: { independent?: boolean; validate?: boolean } = {}) =>
  parseHistoryText(text, { file: 'history.edn', format: 'edn', ...opts });

function errorOf(f: () => unknown): HistoryFormatError {
  try {
    f();
  } catch (e) {
    if (e instanceof HistoryFormatError) return e;
    throw e;
  }
  throw new Error('expected a HistoryFormatError');
}

describe('Jepsen EDN import', () => {
  it('reads multi-line maps with extra keys, :error and :node, and recomputes :index', () => {
    const h = edn(`{:type :invoke, :f :write, :value 3,
  :process 0, :time 1000, :index 7, :node "n1"}
{:type :info, :f :write, :value 3, :process 0, :time 2000, :index 8,
 :error [:socket-timeout "read timed out"], :debug {:x 1}}
`);
    expect(h.readNil).toBe('unknown');
    expect(h.ops).toStrictEqual([
      { index: 0, time: 1000, type: 'invoke', process: 0, f: 'write', value: 3, node: 'n1' },
      {
        index: 1,
        time: 2000,
        type: 'info',
        process: 0,
        f: 'write',
        value: 3,
        error: ['socket-timeout', 'read timed out'],
      },
    ]);
    expect(h.lines).toEqual([1, 3]);
    expect(h.warnings).toEqual(['history.edn: ignored op keys :debug']);
  });

  it('keeps file order when :time goes backwards, raising times and warning', () => {
    const h = edn(`{:type :invoke :f :read :value nil :process 0 :time 100}
{:type :invoke :f :read :value nil :process 1 :time 90}
{:type :ok :f :read :value 1 :process 1 :time 95}
{:type :ok :f :read :value nil :process 0 :time 120}`);
    expect(h.ops.map((o) => [o.process, o.time])).toEqual([
      [0, 100],
      [1, 100],
      [1, 100],
      [0, 120],
    ]);
    expect(h.warnings.join()).toMatch(
      /backwards in file order 2 time\(s\) \(first at line 2: 90 < 100\)/,
    );
  });

  it('pairs Jepsen nemesis :info ops as invoke then info', () => {
    const h = edn(`{:type :info :f :start :value nil :process :nemesis :time 1}
{:type :info :f :start :value [:isolated {"n1" #{"n2"}}] :process :nemesis :time 2}
{:type :info :f :stop :value nil :process :nemesis :time 3}
{:type :info :f :stop :value :network-healed :process :nemesis :time 4}`);
    expect(h.ops.map((o) => o.type)).toEqual(['invoke', 'info', 'invoke', 'info']);
    expect(h.ops[1]!.value).toStrictEqual(['isolated', { n1: ['n2'] }]);
    expect(h.ops.every((o) => o.process === 'nemesis')).toBe(true);
  });

  it('splits independent [k v] tuples into key and value when asked', () => {
    const text = `{:type :invoke :f :cas :value [5 [1 2]] :process 0 :time 1}
{:type :fail :f :cas :value [5 [1 2]] :process 0 :time 2}`;
    expect(edn(text, { independent: true }).ops.map((o) => [o.key, o.value])).toEqual([
      [5, [1, 2]],
      [5, [1, 2]],
    ]);
    expect(edn(text).ops[0]!.value).toEqual([5, [1, 2]]);
    expect(edn(text).ops[0]!.key).toBeUndefined();
  });

  it('reads a Knossos vector without times (time = index)', () => {
    const h = parseHistoryText(
      `[{:process 0 :type :invoke :f :read :value nil}
 {:process 0 :type :ok :f :read :value nil}
 ; a comment
 {:process 1, :type :invoke, :f :cas, :value [1 2]}]`,
      { file: 'k.edn' },
    );
    expect(h.format).toBe('edn');
    expect(h.ops.map((o) => [o.index, o.time, o.type, o.f])).toEqual([
      [0, 0, 'invoke', 'read'],
      [1, 1, 'ok', 'read'],
      [2, 2, 'invoke', 'cas'],
    ]);
    expect(h.lines).toEqual([1, 2, 4]);
  });

  it('names file, line and field for bad ops', () => {
    expect(
      errorOf(() => edn('{:type :invoke :f :read :process 0}\n{:type :done :f :read :process 0}'))
        .userMessage,
    ).toBe('history.edn:2: field \'type\': expected :invoke, :ok, :fail or :info, got "done"');
    expect(errorOf(() => edn('{:type :invoke :f :read :process -3}')).field).toBe('process');
    expect(errorOf(() => edn('\n\n{:type :invoke :f :read\n :process 0')).userMessage).toBe(
      "history.edn:3: '{' opened here is never closed",
    );
    expect(errorOf(() => edn('{:type :invoke :f :read :process 0}\n42')).userMessage).toMatch(
      /^history.edn:2: expected an op map/,
    );
    expect(
      errorOf(() => edn('{:type :invoke :f :read :process 0 :value "a\\qb"}')).userMessage,
    ).toMatch(/^history.edn:1: bad EDN/);
    // edn-data alone would silently drop the dangling :value.
    expect(errorOf(() => edn('{:type :invoke :f :read\n:process 0 :value}')).userMessage).toBe(
      'history.edn:1: map has a key without a value',
    );
  });

  it('honours #_ discards and tagged values', () => {
    const h = edn(
      '#_ {:junk 1}\n{:type :invoke #_ :ignored :f :read :process 0 :value #my/tag [1 2] :time 3}',
    );
    expect(h.ops).toStrictEqual([
      { index: 0, time: 3, type: 'invoke', process: 0, f: 'read', value: [1, 2] },
    ]);
  });

  it('rejects malformed histories with the op and line (validation on load)', () => {
    const text = `{:type :invoke :f :read :process 0 :time 1}
{:type :info :f :read :process 0 :time 2}
{:type :invoke :f :read :process 0 :time 3}`;
    const err = errorOf(() => edn(text));
    expect(err.userMessage).toBe(
      'history.edn:3: op 2: process 0 was retired by its info at op 1 and must not be used again',
    );
    expect(edn(text, { validate: false }).ops).toHaveLength(3);
  });
});

describe('format detection', () => {
  it.each([
    ['{"index":0,"time":0,"type":"invoke","process":0,"f":"read"}\n', 'x', 'jsonl'],
    ['{:type :invoke, :f :read, :process 0, :time 5}\n', 'x', 'edn'],
    ['{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n', 'x.txt', 'porcupine-kv'],
    ['[{:process 0 :type :invoke :f :read}]', 'x', 'edn'],
    [';; comment\n{:type :ok}', 'x', 'edn'],
    ['noise\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\n', 'x', 'porcupine-etcd'],
    ['', 'h.edn', 'edn'],
    ['', 'h', 'jsonl'],
  ])('%j (%s) is %s', (text, path, format) => {
    expect(detectFormat(text, path)).toBe(format);
  });

  it('says so when it cannot tell', () => {
    expect(() => detectFormat('\n\nhello', 'h.bin')).toThrow(
      'h.bin:3: cannot tell the history format; pass --format',
    );
  });
});
