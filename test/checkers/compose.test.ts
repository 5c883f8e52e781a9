import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  registerChecker,
  runCheckers,
  UnknownCheckerError,
  type Checker,
} from '../../src/checkers/compose.js';
import { loadHistory } from '../../src/history/load.js';
import { HistoryBuilder } from './support/build-history.js';
import { corpusDir } from '../support/repo.js';

const CORPUS = corpusDir();
const FIXTURES = join(import.meta.dirname, '../fixtures/etcd-raft/zap');

describe('runCheckers', () => {
  it('composes: false beats unknown beats true, one result per checker', async () => {
    const stuck = new HistoryBuilder()
      .steady(0, 10, 0.1)
      .fault('f1', 'kill', ['n1', 'n2', 'n3'], 10)
      .steady(10, 30, 1, { type: 'fail' })
      .build();
    const r = await runCheckers(stuck, { checkers: ['stuck', 'perf', 'convergence'] });
    expect(r.checks.stuck!.valid).toBe(false);
    expect(r.checks.perf!.valid).toBe(true);
    expect(r.checks.convergence).toMatchObject({
      valid: 'unknown',
      reason: expect.stringContaining('no replica observations'),
    });
    expect(r.valid).toBe(false);
    expect(Object.keys(r.timings)).toEqual(['stuck', 'perf', 'convergence']);

    const healthy = new HistoryBuilder().steady(0, 10, 0.1).build();
    expect((await runCheckers(healthy, { checkers: ['stuck', 'perf'] })).valid).toBe(true);
    expect((await runCheckers(healthy, { checkers: ['stuck', 'convergence'] })).valid).toBe(
      'unknown',
    );
  });

  it('runs election safety over node logs given in the context', async () => {
    const logs = Object.fromEntries(['e1', 'e2', 'e3'].map((n) => [n, join(FIXTURES, `${n}.log`)]));
    const r = await runCheckers([], { checkers: ['election'], logs });
    expect(r.valid).toBe(true);
    expect(r.checks.election).toMatchObject({ summary: { becameLeader: 2 } });
  });

  it('takes checker objects, registers new ones, and turns a throwing checker into unknown', async () => {
    const boom: Checker = {
      name: 'boom',
      check: () => {
        throw Object.assign(new Error('x'), { userMessage: 'bad.log:3: no' });
      },
    };
    const r = await runCheckers([], {
      checkers: [boom, { name: 'yes', check: () => ({ valid: true }) }],
    });
    expect(r.checks.boom).toEqual({ valid: 'unknown', error: 'bad.log:3: no' });
    expect(r.valid).toBe('unknown');
    await expect(runCheckers([], { checkers: [boom], throwOnError: true })).rejects.toThrow('x');
    registerChecker({ name: 'always-false', check: () => ({ valid: false }) });
    expect((await runCheckers([], { checkers: ['always-false', 'perf'] })).valid).toBe(false);
    await expect(runCheckers([], { checkers: ['nope'] })).rejects.toBeInstanceOf(
      UnknownCheckerError,
    );
  });

  it('plugs in linearizability (lazily) and agrees with Porcupine on real Jepsen etcd histories', async () => {
    for (const [file, expected] of [
      ['etcd_000.log', false],
      ['etcd_002.log', true],
    ] as const) {
      const loaded = await loadHistory(join(CORPUS, 'jepsen', file));
      const r = await runCheckers(loaded.ops, {
        checkers: ['linearizability', 'stuck', 'perf'],
        readNil: loaded.readNil,
        options: { linearizability: { model: 'cas-register', workers: 0 } },
      });
      expect(r.checks.linearizability!.valid).toBe(expected);
      expect(r.checks.perf!.valid).toBe(true);
      if (!expected) expect(r.valid).toBe(false);
    }
    const noModel = await runCheckers([], { checkers: ['linearizability'] });
    expect(noModel.checks.linearizability!.valid).toBe('unknown');
  });
});
