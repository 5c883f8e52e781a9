/**
 * A refused compare-and-set is an observation (issue 12.3): a `fail` with `precondition: false`
 * proves the value was not `from` at some point in the op's interval. Porcupine logs mean that
 * by `:fail :cas`; Knossos EDN means "did not happen" unless told otherwise (`casFail`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { parseHistoryText } from '../../../src/history/load.js';
import { parseOpLine, serializeOp } from '../../../src/history/jsonl.js';
import { historyToEdn } from '../../../src/history/exporters/edn.js';
import { HistoryFormatError } from '../../../src/history/errors.js';
import type { History } from '../../../src/history/op.js';
import { checkLinearizability } from '../../../src/checkers/linearizability/index.js';

const jsonl = (ops: object[]): string =>
  ops.map((o, index) => JSON.stringify({ index, time: index, ...o })).join('\n') + '\n';

/** write 1; then, after it, a cas [1 2] that was refused: impossible (the value was 1). */
const refusedAfterWrite = (precondition: boolean): History =>
  parseHistoryText(
    jsonl([
      { type: 'invoke', process: 0, f: 'write', value: 1 },
      { type: 'ok', process: 0, f: 'write', value: 1 },
      { type: 'invoke', process: 1, f: 'cas', value: [1, 2] },
      {
        type: 'fail',
        process: 1,
        f: 'cas',
        value: [1, 2],
        error: 'cas-mismatch',
        ...(precondition ? { precondition: false } : {}),
      },
    ]),
    { file: 'h.jsonl', format: 'jsonl' },
  ).ops;

describe('refused cas', () => {
  it('a refused cas that must have seen `from` is a violation', async () => {
    const r = await checkLinearizability(refusedAfterWrite(true), { model: 'cas-register' });
    expect(r.valid).toBe(false);
    expect(r.refusedOps).toBe(1);
    expect(r.failedOps).toBe(0);
    expect(r.violations[0]!.op.description).toBe('cas 1->2 refused');
  });

  it('a plain fail (did not happen) constrains nothing', async () => {
    const r = await checkLinearizability(refusedAfterWrite(false), { model: 'cas-register' });
    expect(r.valid).toBe(true);
    expect(r.failedOps).toBe(1);
    expect(r.refusedOps).toBe(0);
  });

  it('a refused cas concurrent with a write that changes the value is fine', async () => {
    const h = parseHistoryText(
      jsonl([
        { type: 'invoke', process: 0, f: 'write', value: 1 },
        { type: 'ok', process: 0, f: 'write', value: 1 },
        { type: 'invoke', process: 1, f: 'cas', value: [1, 2] },
        { type: 'invoke', process: 2, f: 'write', value: 3 },
        { type: 'ok', process: 2, f: 'write', value: 3 },
        { type: 'fail', process: 1, f: 'cas', value: [1, 2], precondition: false },
      ]),
      { file: 'h.jsonl', format: 'jsonl' },
    ).ops;
    expect((await checkLinearizability(h, { model: 'cas-register' })).valid).toBe(true);
  });

  it('an indeterminate write only a refusal can see is not pruned away', async () => {
    // write 1; write 5 crashes; a refused cas [1 2] later: legal only if write 5 took effect.
    const h = parseHistoryText(
      jsonl([
        { type: 'invoke', process: 0, f: 'write', value: 1 },
        { type: 'ok', process: 0, f: 'write', value: 1 },
        { type: 'invoke', process: 1, f: 'write', value: 5 },
        { type: 'info', process: 1, f: 'write', value: 5, error: 'timeout' },
        { type: 'invoke', process: 2, f: 'cas', value: [1, 2] },
        { type: 'fail', process: 2, f: 'cas', value: [1, 2], precondition: false },
      ]),
      { file: 'h.jsonl', format: 'jsonl' },
    ).ops;
    const r = await checkLinearizability(h, { model: 'cas-register' });
    expect(r.valid).toBe(true);
    expect(r.partitions[0]!.prunedOps).toBe(0);
  });

  it('a model that checks no refusals (kv) drops them like any fail', async () => {
    const kv = parseHistoryText(
      jsonl([
        { type: 'invoke', process: 0, f: 'put', key: 'a', value: 'x' },
        { type: 'fail', process: 0, f: 'put', key: 'a', value: 'x', precondition: false },
      ]),
      { file: 'h.jsonl', format: 'jsonl' },
    ).ops;
    const k = await checkLinearizability(kv, { model: 'kv' });
    expect(k.valid).toBe(true);
    expect(k.failedOps).toBe(1);
  });
});

describe('the precondition field in the history formats', () => {
  it('JSONL: written after the other fields, read back, refused on the wrong op', () => {
    const [, , , fail] = refusedAfterWrite(true);
    const line = serializeOp(fail!);
    expect(line).toBe(
      '{"index":3,"time":3,"type":"fail","process":1,"f":"cas","value":[1,2],"error":"cas-mismatch","precondition":false}',
    );
    expect(parseOpLine(line, { file: 'f', line: 1 })).toStrictEqual(fail);
    const bad = (l: string) => () => parseOpLine(l, { file: 'f', line: 4 });
    expect(bad(line.replace('"fail"', '"ok"'))).toThrow(/field 'precondition'/);
    expect(bad(line.replace('"precondition":false', '"precondition":true'))).toThrow(
      HistoryFormatError,
    );
  });

  it('EDN: exported as :precondition false and imported back', () => {
    const ops = refusedAfterWrite(true);
    const edn = historyToEdn(ops);
    expect(edn).toContain(':precondition false');
    expect(parseHistoryText(edn, { file: 'h.edn', format: 'edn' }).ops).toStrictEqual(ops);
  });

  it("Porcupine's :fail :cas is a refusal; a timed-out fail is not", () => {
    const log = [
      'INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4]',
      'INFO  jepsen.util - 1\t:fail\t:cas\t[1 4]',
      'INFO  jepsen.util - 2\t:invoke\t:read\tnil',
      'INFO  jepsen.util - 2\t:fail\t:read\t:timed-out',
    ].join('\n');
    const ops = parseHistoryText(log, { file: 'e.log', format: 'porcupine-etcd' }).ops;
    expect(ops[1]!.precondition).toBe(false);
    expect(ops[3]!.precondition).toBeUndefined();
  });

  it('casFail overrides what the file says, both ways', async () => {
    const edn = historyToEdn(refusedAfterWrite(false));
    const knossos = parseHistoryText(edn, { file: 'h.edn', format: 'edn' });
    expect((await checkLinearizability(knossos.ops, { model: 'cas-register' })).valid).toBe(true);
    const porcupine = parseHistoryText(edn, { file: 'h.edn', format: 'edn', casFail: 'refused' });
    expect((await checkLinearizability(porcupine.ops, { model: 'cas-register' })).valid).toBe(
      false,
    );
    const off = parseHistoryText(historyToEdn(refusedAfterWrite(true)), {
      file: 'h.edn',
      format: 'edn',
      casFail: 'did-not-happen',
    });
    expect(off.ops[3]!.precondition).toBeUndefined();
  });
});

describe('faultline check --cas-fail', () => {
  const dir = mkdtempSync(join(tmpdir(), `faultline-casfail-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('EDN: did-not-happen by default, refused when asked; a bad meaning is a usage error', () => {
    const file = join(dir, 'h.edn');
    writeFileSync(file, historyToEdn(refusedAfterWrite(false)));
    const byDefault = runCli(['check', file, '--model', 'cas-register']);
    expect(byDefault.stdout).toMatch(/: LINEARIZABLE .*1 failed dropped/);
    expect(byDefault.status).toBe(0);
    const refused = runCli(['check', file, '--model', 'cas-register', '--cas-fail', 'refused']);
    expect(refused.stdout).toMatch(/NOT LINEARIZABLE .*1 refused kept/);
    expect(refused.stdout).toMatch(/cas 1->2 refused/);
    expect(refused.status).toBe(1);
    const bad = runCli(['check', file, '--cas-fail', 'maybe']);
    expect(bad.stderr.trim()).toBe(
      "faultline: --cas-fail must be refused or did-not-happen, got 'maybe'",
    );
    expect(bad.status).toBe(64);
  });
});
