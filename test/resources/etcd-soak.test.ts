/**
 * The soak leak check on real etcd-3: short trials, each on a fresh cluster, record every
 * node's resources at the end of the trial; etcd's memory does not grow across them, so no
 * leak finding (a server that does leak is flagged in leak.test.ts).
 * Run under the cluster lock: flock /tmp/faultline-cluster.lock npx vitest run test/resources/etcd-soak.test.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { recoverLeftovers } from '../../src/recovery/recover.js';
import { parseSoakConfig } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { DaemonState } from '../../src/daemon/state.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';

const base = mkdtempSync(join(tmpdir(), `fl-soak-leak-${process.pid}-`));
const stateDir = join(base, 'state');
process.env.FAULTLINE_STATE_DIR = stateDir;

afterAll(async () => {
  await recoverLeftovers({ all: true, stateDir });
  rmSync(base, { recursive: true, force: true });
});

describeAsRoot('soak leak check on etcd', () => {
  it('records node resources per trial and finds no leak in etcd', async () => {
    const trials = 10;
    const config = parseSoakConfig(
      {
        name: 'leak',
        cluster: join(REPO, 'clusters/etcd-3.json'),
        seed: 5,
        results: join(base, 'results'),
        schedule: { durationMs: 1500, rate: 10, faultKinds: [] },
        slo: ['success >= 0.3'],
        budget: { trials },
        retention: { passingRuns: 0 },
        shrink: { enabled: false },
      },
      join(base, 'leak.json'),
    );
    await new Daemon(config).run();
    const state = JSON.parse(
      readFileSync(join(config.soakDir, 'daemon.json'), 'utf8'),
    ) as DaemonState;
    expect(state.counts.trials).toBe(trials);
    const points = state.nodeResources ?? [];
    expect(new Set(points.map((p) => p.node))).toEqual(new Set(['n1', 'n2', 'n3']));
    expect(points).toHaveLength(3 * trials);
    for (const p of points) expect(p.rssBytes).toBeGreaterThan(5 * 2 ** 20);
    console.log(
      points
        .filter((p) => p.node === 'n1')
        .map((p) => Math.round(p.rssBytes / 2 ** 20))
        .join(' '),
      'MiB (n1 per trial)',
    );
    expect(state.leaks).toEqual([]);
  }, 600_000);
});
