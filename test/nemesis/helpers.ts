/** Shared set-up for tests that run a real etcd cluster in namespaces (root only). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { loadClusterDefinition } from '../../src/definition.js';
import { REPO } from '../support/repo.js';

/** A private state dir and run dir per test file, so files never see each other's clusters. */
export function privateDirs(tag: string): { base: string; stateDir: string; runDir: string } {
  const base = mkdtempSync(join(tmpdir(), `fl-${tag}-${process.pid}-`));
  process.env.FAULTLINE_STATE_DIR = join(base, 'state');
  return { base, stateDir: join(base, 'state'), runDir: join(base, 'run') };
}

/** Removes a test's dirs (logs included) unless FAULTLINE_KEEP_TEST_DIRS is set. */
export function removeDirs(base: string): void {
  if (!process.env.FAULTLINE_KEEP_TEST_DIRS) rmSync(base, { recursive: true, force: true });
}

export function definition(name: 'etcd-3' | 'etcd-5') {
  return loadClusterDefinition(join(REPO, 'clusters', `${name}.json`));
}

/** An etcd3 client whose calls give up after `ms` (no hanging on an isolated member). */
export function client(endpoints: string[], ms = 2000): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: ms,
    defaultCallOptions: () => ({ deadline: Date.now() + ms }),
  });
}
