/**
 * Shrinking on the real cluster, end to end: a soak on etcd-3 with serializable reads runs until
 * its first stale read, fast-check shrinks that trial by re-running candidates on fresh clusters,
 * and the minimized case is stored with its seed, path and reproduction rate. The system is
 * flaky, so the assertions are about what must hold whatever the luck of a run: the case got
 * smaller, is replayable from (seed, path), and its stored history fails the checker offline.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { recoverLeftovers } from '../../src/recovery/recover.js';
import { parseSoakConfig } from '../../src/daemon/config.js';
import { Daemon, type MinimizedFile } from '../../src/daemon/daemon.js';
import type { GroupsFile } from '../../src/daemon/groups.js';
import { generateSchedule } from '../../src/generators/generate.js';
import { loadSchedule, opCount } from '../../src/generators/schedule.js';
import { createLogger } from '../../src/log.js';
import { describeAsRoot } from '../support/env.js';
import { CLI, REPO } from '../support/repo.js';

const base = mkdtempSync(join(tmpdir(), `fl-shrink-live-${process.pid}-`));
const stateDir = join(base, 'state');
process.env.FAULTLINE_STATE_DIR = stateDir;

afterAll(async () => {
  await recoverLeftovers({ all: true, stateDir });
  rmSync(base, { recursive: true, force: true });
});

describeAsRoot('shrinking a stale read on a real etcd-3 cluster', () => {
  it('finds a stale read, shrinks it to fewer ops, and stores a replayable minimized case', async () => {
    const config = parseSoakConfig(
      {
        name: 'shrink-live',
        cluster: join(REPO, 'clusters/etcd-3.json'),
        readConsistency: 'serializable',
        seed: 3,
        results: join(base, 'results'),
        schedule: {
          durationMs: 5000,
          concurrency: 3,
          rate: 4,
          keys: 1,
          values: 100,
          opMix: { read: 2, write: 1, cas: 1 },
          faultKinds: ['partition'],
          faults: { count: 1, minDurationMs: 2500, maxDurationMs: 3000 },
        },
        opTimeoutMs: 500,
        // Most such trials read stale data; stop after the first that does (or after 8).
        budget: { trials: 8, failures: 1 },
        retention: { passingRuns: 0 },
        shrink: {
          timeBudgetS: 120,
          attempts: 2,
          required: 1,
          parallel: 2,
          confirmRuns: 2,
          perGroup: 1,
        },
      },
      join(base, 'shrink-live.json'),
    );
    const steps: number[] = [];
    const daemon = new Daemon(config, { logger: createLogger({ quiet: true }) });
    daemon.events$.subscribe((e) => {
      if (e.type === 'shrink') steps.push(e.size);
    });
    const summary = await daemon.run();
    expect(summary.reason).toMatch(/failure budget spent/);

    const groups = JSON.parse(
      readFileSync(join(config.soakDir, 'groups.json'), 'utf8'),
    ) as GroupsFile;
    expect(groups.groups).toHaveLength(1);
    const [group] = groups.groups;
    expect(group!.anomalies.some((a) => a.startsWith('linearizability:stale-read'))).toBe(true);
    expect(group!.minimized).toHaveLength(1);

    const [trialDir] = readdirSync(join(config.soakDir, 'minimized'));
    const dir = join(config.soakDir, 'minimized', trialDir!);
    const m = JSON.parse(readFileSync(join(dir, 'minimized.json'), 'utf8')) as MinimizedFile;
    console.log(
      `[measure] shrink: ${m.before.ops} ops + ${m.before.faults} faults -> ${m.after.ops} ops + ` +
        `${m.after.faults} faults in ${steps.length} steps; confirmed ${m.confirmed}`,
    );
    expect(m.signature).toBe(group!.signature);
    expect(m.after.ops).toBeLessThan(m.before.ops);
    expect(m.confirmed).toMatch(/^\d\/2$/);
    // The sizes reported while shrinking never grow.
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeLessThanOrEqual(steps[i - 1]!);
    // (seed, path) regenerates the stored schedule, which is the one the minimized run ran.
    const stored = await loadSchedule(join(dir, 'schedule.json'));
    const again = generateSchedule(m.params, m.seed, m.path).schedule;
    expect({ ...again, origin: undefined }).toEqual({ ...stored, origin: undefined });
    expect(opCount(stored)).toBe(m.after.ops);
    // The stored history of the minimized case fails the checker offline (exit 1: INVALID).
    expect(spawnSync(process.execPath, [CLI, 'replay', dir], { stdio: 'pipe' }).status).toBe(1);
    // Every cluster the trials and candidates started is gone.
    expect(readdirSync(join(stateDir, 'clusters')).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, 600_000);
});
