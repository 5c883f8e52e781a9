/** The one definition of a run's counts (pure): client ops and final reads, on real and small histories. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOps } from '../../src/history/counts.js';
import { loadHistory } from '../../src/history/load.js';
import type { Op } from '../../src/history/op.js';
import { formatSummary } from '../../src/run/summary.js';
import type { RunResultsFile } from '../../src/run/runner.js';
import { REPO } from '../support/repo.js';

const FIXTURE = join(REPO, 'test/fixtures/runs/etcd-3-register-serializable/20261121T160121');

let i = 0;
const op = (process: Op['process'], type: Op['type'], f = 'read'): Op => ({
  index: i,
  time: i++,
  process,
  type,
  f,
});

describe('countOps', () => {
  it('counts client ops and final reads apart, by the first final-read process', () => {
    const h = [
      op(0, 'invoke', 'write'),
      op('nemesis', 'invoke', 'start-partition'),
      op(0, 'ok', 'write'),
      op(1, 'invoke'),
      op(1, 'info'),
      op(2, 'invoke'), // never completes
      op(3, 'invoke'),
      op(3, 'ok'),
      op(4, 'invoke'),
      op(4, 'fail'),
    ];
    expect(countOps(h, 3)).toEqual({
      client: { invocations: 3, ok: 1, fail: 0, info: 1, pending: 1 },
      finalReads: { invocations: 2, ok: 1, fail: 1, info: 0, pending: 0 },
    });
    expect(countOps(h).client.invocations).toBe(5);
  });

  it('matches what the linearizability checker counted on a recorded run', async () => {
    const { ops } = await loadHistory(join(FIXTURE, 'history.jsonl'));
    const c = countOps(ops);
    const results = (await import(join(FIXTURE, 'results.json'), { with: { type: 'json' } }))
      .default as RunResultsFile;
    expect(c.client.invocations).toBe((results.checks.linearizability as { ops: number }).ops);
  });

  it('is what the summary prints: client ops, then the final reads, labelled', async () => {
    const results = structuredClone(
      (await import(join(FIXTURE, 'results.json'), { with: { type: 'json' } }))
        .default as RunResultsFile,
    );
    const { ops } = await loadHistory(join(FIXTURE, 'history.jsonl'));
    // its final reads were the last 3 processes (one per node, reading 3 keys each)
    results.run.counts = countOps(ops, results.run.execution!.processes - 3);
    const text = formatSummary(results, '/r', { history: true, report: true });
    expect(text).toMatch(/ops {7}188 client ops: 132 ok, 39 fail, 17 info in 8\.8 s/);
    expect(text).toMatch(/then 9 final reads: 9 ok, 0 fail, 0 info/);
    expect(text).toMatch(/197 ops \(188 client ops \+ 9 final reads\) in 3 partition/);
  });
});
