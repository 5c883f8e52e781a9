/**
 * The multi-register model (Knossos `multi-register`, issue 12.5): `txn` ops of reads and writes
 * over several registers, in the shared txn representation. Hand-written histories, the EDN
 * import path, and agreement with a brute-force checker on small random histories.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/history/op.js';
import { parseHistoryText } from '../../../src/history/load.js';
import { checkLinearizability } from '../../../src/checkers/linearizability/index.js';
import { type Spec, toHistory } from './histories.js';

type Micro = [string, number, JsonValue];
const txn = (start: number, end: number, output: Micro[], status: Spec['status'] = 'ok'): Spec => ({
  f: 'txn',
  value: output.map(([f, k, v]) => [f, k, f === 'r' ? null : v]),
  output,
  status,
  start,
  end,
});
const check = async (specs: Spec[], readNil: 'absent' | 'unknown' = 'absent') =>
  (await checkLinearizability(toHistory(specs), { model: 'multi-register', readNil, workers: 0 }))
    .valid;

describe('multi-register', () => {
  it('a transaction is atomic: a read sees both of its writes or neither', async () => {
    const w = txn(0, 10, [
      ['w', 1, 3],
      ['w', 2, 4],
    ]);
    expect(
      await check([
        w,
        txn(2, 8, [
          ['r', 1, 3],
          ['r', 2, 4],
        ]),
      ]),
    ).toBe(true);
    expect(
      await check([
        w,
        txn(2, 8, [
          ['r', 1, null],
          ['r', 2, null],
        ]),
      ]),
    ).toBe(true);
    expect(
      await check([
        w,
        txn(2, 8, [
          ['r', 1, 3],
          ['r', 2, null],
        ]),
      ]),
    ).toBe(false); // torn
  });

  it('micro-ops apply in order: a read after its own write sees it', async () => {
    expect(
      await check([
        txn(0, 1, [
          ['w', 1, 5],
          ['r', 1, 5],
        ]),
      ]),
    ).toBe(true);
    expect(
      await check([
        txn(0, 1, [
          ['r', 1, 5],
          ['w', 1, 5],
        ]),
      ]),
    ).toBe(false);
  });

  it('readNil unknown: a nil read constrains nothing (Knossos)', async () => {
    const specs = [txn(0, 1, [['w', 1, 3]]), txn(2, 3, [['r', 1, null]])];
    expect(await check(specs, 'absent')).toBe(false);
    expect(await check(specs, 'unknown')).toBe(true);
  });

  it('an indeterminate transaction may take effect, atomically, or not at all', async () => {
    const pending = txn(
      0,
      1,
      [
        ['w', 1, 7],
        ['w', 2, 7],
      ],
      'info',
    );
    expect(
      await check([
        pending,
        txn(2, 3, [
          ['r', 1, 7],
          ['r', 2, 7],
        ]),
      ]),
    ).toBe(true);
    expect(
      await check([
        pending,
        txn(2, 3, [
          ['r', 1, null],
          ['r', 2, null],
        ]),
      ]),
    ).toBe(true);
    expect(
      await check([
        pending,
        txn(2, 3, [
          ['r', 1, 7],
          ['r', 2, null],
        ]),
      ]),
    ).toBe(false);
  });

  it('reads Knossos-style EDN and explains a read of a value nobody wrote', async () => {
    const edn = `[{:process 0, :type :invoke, :f :txn, :value [[:w 1 3] [:w 2 4]]}
 {:process 0, :type :ok, :f :txn, :value [[:w 1 3] [:w 2 4]]}
 {:process 1, :type :invoke, :f :txn, :value [[:r 1 nil] [:r 2 nil]]}
 {:process 1, :type :ok, :f :txn, :value [[:r 1 3] [:r 2 5]]}]`;
    const h = parseHistoryText(edn, { file: 'm.edn' });
    expect(h.ops[1]!.value).toEqual([
      ['w', 1, 3],
      ['w', 2, 4],
    ]);
    const r = await checkLinearizability(h.ops, { model: 'multi-register', readNil: h.readNil });
    expect(r.valid).toBe(false);
    expect(r.violations[0]!.message).toMatch(
      /no write, completed or pending, could have produced 5 in register 2; the longest linearizable prefix has 1 of 2 ops/,
    );
  });

  it('a malformed transaction is one clear error', async () => {
    const bad = toHistory([
      { f: 'txn', value: [['append', 1, 2]], status: 'ok', start: 0, end: 1 },
    ]);
    await expect(checkLinearizability(bad, { model: 'multi-register' })).rejects.toThrow(
      /no micro-op "append"/,
    );
  });
});

// --- brute force: every real-time-respecting order, written plainly ---

type Regs = Record<string, JsonValue>;

function refApply(regs: Regs, s: Spec, readNil: 'absent' | 'unknown'): Regs | undefined {
  const next = { ...regs };
  const micro = (s.status === 'ok' ? s.output : s.value) as Micro[];
  for (const [f, k, v] of micro) {
    if (f === 'w') next[k] = v;
    else if (s.status === 'ok' && !(v === null && readNil === 'unknown')) {
      if (JSON.stringify(next[k] ?? null) !== JSON.stringify(v)) return undefined;
    }
  }
  return next;
}

function bruteForce(specs: Spec[], readNil: 'absent' | 'unknown'): boolean {
  const ops = specs
    .filter((s) => s.status !== 'fail')
    .map((s) => ({ ...s, end: s.status === 'ok' ? s.end : Infinity }));
  const used = ops.map(() => false);
  const go = (regs: Regs, okLeft: number): boolean => {
    if (okLeft === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      const x = ops[i]!;
      if (ops.some((o, j) => !used[j] && j !== i && o.status === 'ok' && o.end < x.start)) continue;
      const next = refApply(regs, x, readNil);
      if (next === undefined) continue;
      used[i] = true;
      if (go(next, okLeft - (x.status === 'ok' ? 1 : 0))) return true;
      used[i] = false;
    }
    return false;
  };
  return go({}, ops.filter((o) => o.status === 'ok').length);
}

const microArb: fc.Arbitrary<Micro> = fc.tuple(
  fc.constantFrom('r', 'w'),
  fc.integer({ min: 0, max: 1 }),
  fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 })),
);
const smallTxns = fc
  .array(
    fc.record({
      micro: fc.array(microArb, { minLength: 1, maxLength: 3 }),
      start: fc.nat(10),
      len: fc.nat(6),
      status: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail'),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      txn(
        r.start * 1000 + 2 * i,
        (r.start + r.len) * 1000 + 2 * i + 1,
        // A write of nil is not a value we generate: writes carry numbers.
        r.micro.map(([f, k, v]): Micro => [f, k, f === 'w' ? (v ?? 0) : v]),
        r.status as Spec['status'],
      ),
    ),
  );

describe('multi-register agrees with a brute-force checker on small histories', () => {
  for (const readNil of ['absent', 'unknown'] as const) {
    it(`readNil ${readNil}`, async () => {
      await fc.assert(
        fc.asyncProperty(smallTxns, async (specs) => {
          expect(await check(specs, readNil)).toBe(bruteForce(specs, readNil));
        }),
        { numRuns: 400 },
      );
    });
  }
});
