/**
 * History minimization on real Jepsen histories (Porcupine's corpus): deterministic, still
 * failing, and 1-minimal (every single-op removal passes, or would leave a read of a value that
 * nobody wrote — a violation the minimizer would have made up).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../src/checkers/linearizability/index.js';
import { loadHistory } from '../../src/history/load.js';
import type { History } from '../../src/history/op.js';
import { ddmin } from '../../src/minimize/ddmin.js';
import {
  historyOf,
  minimizeHistory,
  opUnits,
  provenanceCheck,
} from '../../src/minimize/history.js';
import { runCli } from '../support/cli.js';
import { corpusDir } from '../support/repo.js';
import { REPO } from '../support/repo.js';

const CORPUS = corpusDir();
const tmp = mkdtempSync(join(tmpdir(), `fl-minimize-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const opts = { model: 'cas-register' as const, readNil: 'absent' as const };
const verdict = async (h: History) =>
  (await checkLinearizability(h, { ...opts, workers: 0 })).valid;

describe('ddmin', () => {
  it('finds a 1-minimal failing subset', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    // Fails when it holds 3, 17 and 31 together.
    const out = await ddmin(
      items,
      (xs) => [3, 17, 31].every((x) => xs.includes(x)),
      (x) => x,
    );
    expect(out).toEqual([3, 17, 31]);
  });
});

describe('minimizeHistory', () => {
  it('shrinks etcd_000 to a handful of ops that still fail, 1-minimal', async () => {
    const { ops } = await loadHistory(join(CORPUS, 'jepsen/etcd_000.log'));
    const r = await minimizeHistory(ops, opts);
    expect(r.before.ops).toBe(85);
    expect(r.after.ops).toBeGreaterThan(0);
    expect(r.after.ops).toBeLessThanOrEqual(5);
    expect(await verdict(r.history)).toBe(false);
    // Well-formed: re-indexed, every completion follows its process's invoke.
    r.history.forEach((op, i) => expect(op.index).toBe(i));
    const open = new Set<unknown>();
    for (const op of r.history) {
      if (op.type === 'invoke') open.add(op.process);
      else expect(open.delete(op.process)).toBe(true);
    }
    // 1-minimal: removing any one op passes, or leaves an unexplained read.
    const { units } = opUnits(r.history);
    const explained = provenanceCheck(units);
    for (const u of units) {
      const rest = units.filter((x) => x !== u);
      const v = await verdict(historyOf(rest));
      expect(v === true || !explained(rest), `removing op ${u.invoke.index}`).toBe(true);
    }
    // Deterministic.
    const again = await minimizeHistory(ops, opts);
    expect(again.history).toEqual(r.history);
  });

  it('keeps the stale read of etcd_000 explained: write, newer write, read of the old value', async () => {
    const { ops } = await loadHistory(join(CORPUS, 'jepsen/etcd_000.log'));
    const r = await minimizeHistory(ops, opts);
    const reads = r.history.filter((o) => o.f === 'read' && o.type === 'ok');
    const writes = r.history
      .filter((o) => o.f === 'write' && o.type === 'invoke')
      .map((o) => o.value);
    for (const rd of reads) if (rd.value !== null) expect(writes).toContainEqual(rd.value);
  });

  it('keeps the latest source of every observed value: the stale read is one the run had', async () => {
    // A daemon trial on etcd-3 with serializable reads, n1 cut off by a partition. The history
    // also lets a cas on n3 "read" an early write of 0, although a later cas wrote 0 again:
    // keeping only the early write would make that cas look stale when it was not.
    const file = join(REPO, 'test/fixtures/histories/etcd-3-serializable-partition-one.jsonl');
    const { ops } = await loadHistory(file);
    const r = await minimizeHistory(ops, opts);
    expect(await verdict(r.history)).toBe(false);
    const full = opUnits(ops).units;
    const keeps = provenanceCheck(full);
    // Map the minimized ops back to the full history's (by invoke time and process).
    const kept = opUnits(r.history).units.map((u) =>
      full.find((f) => f.invoke.time === u.invoke.time && f.invoke.process === u.invoke.process)!,
    );
    expect(kept.every(Boolean)).toBe(true);
    expect(keeps(kept)).toBe(true);
    // The stale observation is a read on the isolated member.
    const reads = r.history.filter((o) => o.f === 'read' && o.type === 'ok');
    expect(reads.map((o) => o.node)).toEqual(['n1']);
  });

  it('refuses a linearizable history', async () => {
    const { ops } = await loadHistory(join(CORPUS, 'jepsen/etcd_002.log'));
    await expect(minimizeHistory(ops, opts)).rejects.toThrow(/linearizable: nothing to minimize/);
  });

  it('faultline minimize writes JSONL and prints the sizes', () => {
    const out = join(tmp, 'etcd_000.min.jsonl');
    const { status: code, stdout } = runCli([
      'minimize',
      join(CORPUS, 'jepsen/etcd_000.log'),
      '-o',
      out,
    ]);
    expect(code).toBe(1); // a (minimized) violation
    expect(stdout).toMatch(/before: 85 ops/);
    expect(stdout).toMatch(/after: {2}\d ops/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('type');
  });
});
