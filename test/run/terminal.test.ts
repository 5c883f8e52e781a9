/**
 * What `faultline run` prints on a real etcd cluster with a partition: every event once (one
 * "cluster healthy", one "fault applied" and one "fault healed" per fault), the partition as
 * sides, and the counts labelled alike everywhere (client ops, then the final reads apart).
 */
import { mkdtempSync, readFileSync, readlinkSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { asRoot, describeIf, hasBinary } from '../support/env.js';
import { runCli } from '../support/cli.js';
import { REPO } from '../support/repo.js';

describeIf(asRoot && hasBinary('etcd'), 'root and etcd')('the terminal of a run', () => {
  const base = mkdtempSync(join(tmpdir(), `fl-terminal-${process.pid}-`));
  chmodSync(base, 0o755);
  const env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
  afterAll(() => {
    runCli(['cluster', 'down', '--all'], { env });
    rmSync(base, { recursive: true, force: true });
  });

  it('prints each event once, partitions as sides, counts labelled', () => {
    const results = join(base, 'results');
    const r = runCli(
      [
        'run',
        '--cluster',
        join(REPO, 'clusters', 'etcd-3.json'),
        '--time-limit',
        '5',
        '--concurrency',
        '3',
        '--nemesis',
        'partition',
        '--seed',
        '7',
        '--results',
        results,
      ],
      { env, timeoutMs: 120_000 },
    );
    expect([0, 1]).toContain(r.status);
    const count = (re: RegExp) => r.stderr.split('\n').filter((l) => re.test(l)).length;
    expect(count(/cluster .*healthy/)).toBe(1);
    const applied = r.stderr.split('\n').filter((l) => /^fault applied/.test(l));
    expect(applied.length).toBeGreaterThan(0);
    expect(count(/^fault healed/)).toBe(applied.length);
    for (const l of applied) {
      expect(l).toMatch(/sides=\S.*( \| | ↔ )/);
      expect(l).toMatch(/verified=(true|false|"?unverifiable"?)/);
    }
    const dir = join(results, readlinkSync(join(results, 'latest')));
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      run: { counts: { client: { invocations: number }; finalReads: { invocations: number } } };
      checks: { linearizability: { ops: number } };
    };
    const { client, finalReads } = res.run.counts;
    expect(finalReads.invocations).toBe(9); // 3 keys on each of 3 nodes
    expect(r.stderr).toContain(`${client.invocations} client ops over`);
    expect(r.stdout).toContain(`ops       ${client.invocations} client ops:`);
    expect(r.stdout).toContain(`then ${finalReads.invocations} final reads`);
    expect(res.checks.linearizability.ops).toBe(client.invocations + finalReads.invocations);
    expect(r.stdout).toContain(
      `${client.invocations + finalReads.invocations} ops (${client.invocations} client ops + ${finalReads.invocations} final reads)`,
    );
  }, 150_000);
});
