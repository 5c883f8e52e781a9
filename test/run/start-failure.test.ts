/**
 * A cluster whose members refuse to start (real etcd given an unknown flag): the run says why
 * (etcd's first error line, not the tail of its usage text), says the cluster never became
 * healthy, points at nothing it did not write, exits 65 (the definition is at fault) and leaves
 * nothing behind.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeIf, asRoot, hasBinary } from '../support/env.js';
import { REPO } from '../support/repo.js';
import { runCli } from '../support/cli.js';

describeIf(asRoot && hasBinary('etcd'), 'root and etcd')('a member that fails to start', () => {
  const base = mkdtempSync(join(tmpdir(), `fl-startfail-${process.pid}-`));
  chmodSync(base, 0o755);
  const env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
  afterAll(() => {
    runCli(['cluster', 'down', '--all'], { env });
    rmSync(base, { recursive: true, force: true });
  });

  it('shows the first error line, never became healthy, no false paths, exit 65', () => {
    const def = JSON.parse(readFileSync(join(REPO, 'clusters', 'etcd-3.json'), 'utf8')) as {
      name: string;
      start: { args: string[] };
    };
    def.name = `badargs${process.pid % 10000}`;
    def.start.args.push('--no-such-flag=1');
    const file = join(base, 'bad.json');
    writeFileSync(file, JSON.stringify(def, null, 2));
    const results = join(base, 'results');
    const r = runCli(
      [
        'run',
        '--cluster',
        file,
        '--time-limit',
        '2',
        '--nemesis',
        'none',
        '--seed',
        '1',
        '--results',
        results,
      ],
      { env, timeoutMs: 90_000 },
    );
    const all = r.stdout + r.stderr;
    expect(r.status).toBe(65);
    expect(r.stdout).toMatch(/never became healthy/);
    expect(r.stdout).toContain('flag provided but not defined: -no-such-flag');
    expect(r.stdout).not.toMatch(/healthy in/);
    // Not the tail of etcd's usage text.
    expect(all).not.toMatch(/grpc-proxy|etcd gateway/);
    const dir = join(results, readlinkSync(join(results, 'latest')));
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(r.stdout).not.toMatch(/report\.html/);
    expect(r.stdout).not.toMatch(/offline re-check/);
    expect(all).not.toMatch(/could not be written/);
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      run: { clusterUpMs: number | null; namespaces: string[] };
    };
    expect(res.run.clusterUpMs).toBeNull();
    const live = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const ns of res.run.namespaces) expect(live).not.toContain(ns);
  }, 120_000);
});
