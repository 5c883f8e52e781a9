/**
 * The Daemon in-process on a real etcd-3 cluster: two short trials publish the live events the
 * UI consumes (in order, for the right trial), retention deletes passing runs beyond the limit,
 * the state records counts and resource samples, and nothing is left behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { recoverLeftovers } from '../../src/recovery/recover.js';
import { parseSoakConfig } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { LiveEvent } from '../../src/daemon/events.js';
import type { DaemonState } from '../../src/daemon/state.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';

const base = mkdtempSync(join(tmpdir(), `fl-daemon-live-${process.pid}-`));
const stateDir = join(base, 'state');
process.env.FAULTLINE_STATE_DIR = stateDir;

afterAll(async () => {
  await recoverLeftovers({ all: true, stateDir });
  rmSync(base, { recursive: true, force: true });
});

describeAsRoot('Daemon', () => {
  it('runs trials, publishes live events, applies retention and records resources', async () => {
    const config = parseSoakConfig(
      {
        name: 'live',
        cluster: join(REPO, 'clusters/etcd-3.json'),
        seed: 11,
        results: join(base, 'results'),
        schedule: {
          durationMs: 6000,
          rate: 5,
          faultKinds: ['partition'],
          faults: { count: 1, minDurationMs: 1000, maxDurationMs: 1500 },
        },
        budget: { trials: 2 },
        retention: { passingRuns: 0 },
        shrink: { enabled: false },
      },
      join(base, 'live.json'),
    );
    const daemon = new Daemon(config);
    const events: LiveEvent[] = [];
    let completed = false;
    daemon.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    const sigintBefore = process.listenerCount('SIGINT');
    const summary = await daemon.run();

    expect(summary.reason).toMatch(/trial budget spent/);
    expect(completed).toBe(true);
    const types = events.map((e) => (e.type === 'daemon' ? `daemon:${e.state}` : e.type));
    expect(types[0]).toBe('daemon:running');
    expect(types.at(-1)).toBe('daemon:stopped');
    for (const trial of [1, 2]) {
      const mine = events.filter((e) => 'trial' in e && e.trial === trial);
      expect(mine[0]).toMatchObject({
        type: 'trial-start',
        trial,
        runDir: join(config.soakDir, `trial-00000${trial}`),
      });
      expect(mine.at(-1)).toMatchObject({ type: 'trial-end', trial });
      expect(mine.some((e) => e.type === 'progress')).toBe(true);
      const faults = mine.filter(
        (e): e is Extract<LiveEvent, { type: 'fault' }> => e.type === 'fault',
      );
      expect(faults.map((f) => f.event)).toEqual(['applied', 'healed']);
      expect(faults[0]!.kind).toBe('partition');
      expect(faults[0]!.targets.length).toBeGreaterThan(0);
    }

    const state = JSON.parse(
      readFileSync(join(config.soakDir, 'daemon.json'), 'utf8'),
    ) as DaemonState;
    expect(state.nextTrial).toBe(3);
    expect(state.counts.trials).toBe(2);
    expect(state.counts.valid + state.counts.unknown + state.counts.invalid).toBe(2);
    expect(state.resources.map((r) => r.trial)).toEqual([1, 2]);
    for (const r of state.resources) {
      expect(r.rssBytes).toBeGreaterThan(0);
      expect(r.openFds).toBeGreaterThan(0);
    }
    // Passing runs beyond the limit (0) are gone; others stay.
    for (const trial of [1, 2]) {
      const dir = join(config.soakDir, `trial-00000${trial}`);
      const end = events.find((e) => e.type === 'trial-end' && e.trial === trial) as Extract<
        LiveEvent,
        { type: 'trial-end' }
      >;
      expect(existsSync(dir)).toBe(end.valid !== true);
    }
    expect(process.listenerCount('SIGINT')).toBe(sigintBefore);
    expect(state.passingRuns).toEqual([]);
    // Every cluster the trials started is gone.
    expect(readdirSync(join(stateDir, 'clusters')).filter((f) => f.endsWith('.json'))).toEqual([]);
  });
});
