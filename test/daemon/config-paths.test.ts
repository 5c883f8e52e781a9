/**
 * A soak config copied away from the repository: its relative paths follow the config file, not
 * the working directory, and a `cluster` that leads nowhere is named with where it led.
 */
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSoakConfig } from '../../src/daemon/config.js';
import { runCli } from '../support/cli.js';
import { REPO } from '../support/repo.js';

const tmp = mkdtempSync(join(tmpdir(), `fl-soak-paths-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copiedSoak(dir: string, cluster: string): string {
  mkdirSync(dir, { recursive: true });
  const soak = JSON.parse(
    readFileSync(join(REPO, 'soaks', 'etcd-3-serializable.json'), 'utf8'),
  ) as Record<string, unknown>;
  const file = join(dir, 'soak.json');
  writeFileSync(file, JSON.stringify({ ...soak, cluster, results: 'out' }));
  return file;
}

describe('soak config paths', () => {
  it('resolve against the config file from any working directory', () => {
    const dir = join(tmp, 'copy');
    const file = copiedSoak(join(dir, 'soaks'), '../clusters/mine.json');
    mkdirSync(join(dir, 'clusters'));
    copyFileSync(join(REPO, 'clusters', 'etcd-3.json'), join(dir, 'clusters', 'mine.json'));
    const before = process.cwd();
    process.chdir(join(tmp, 'copy', 'clusters'));
    try {
      const c = loadSoakConfig(relative(process.cwd(), file));
      expect(c.clusterFile).toBe(join(dir, 'clusters', 'mine.json'));
      expect(c.resultsRoot).toBe(join(dir, 'soaks', 'out'));
    } finally {
      process.chdir(before);
    }
  });

  it('name the cluster field and where it led when the file is not there (exit 65)', () => {
    const file = copiedSoak(join(tmp, 'lonely'), '../clusters/etcd-3.json');
    const r = runCli(['daemon', '--config', file], { cwd: REPO });
    expect(r.status).toBe(65);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`field 'cluster'`);
    expect(lines[0]).toContain(join(tmp, 'clusters', 'etcd-3.json'));
    expect(lines[0]).not.toMatch(/ENOENT/);
  });
});
