/** Pure parts of the daemon: config validation, trial seeds, retention, signatures, groups, events. */
import { mkdtempSync, mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../src/checkers/linearizability/index.js';
import { loadSoakConfig, parseSoakConfig, SoakConfigError } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { trialEvents, type LiveEvent } from '../../src/daemon/events.js';
import { addFailure, addMinimized, emptyGroups } from '../../src/daemon/groups.js';
import { applyRetention, planRetention } from '../../src/daemon/retention.js';
import { trialSeed } from '../../src/daemon/seed.js';
import { failureSignature, faultKinds } from '../../src/daemon/signature.js';
import { pushResourceSample } from '../../src/daemon/state.js';
import type { FaultEvent, Progress } from '../../src/executor/events.js';
import { loadHistory } from '../../src/history/load.js';
import { corpusFile } from '../support/repo.js';
import { REPO } from '../support/repo.js';

const tmp = mkdtempSync(join(tmpdir(), `fl-daemon-units-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const minimal = { name: 'soak', cluster: 'c.json', seed: 1 };

describe('soak config', () => {
  it('fills defaults and resolves paths against the config file', () => {
    const c = parseSoakConfig({ ...minimal, schedule: { durationMs: 3000 } }, '/etc/soaks/x.json');
    expect(c.clusterFile).toBe('/etc/soaks/c.json');
    expect(c.soakDir).toBe('/etc/soaks/results/soak');
    expect(c.params.durationMs).toBe(3000);
    expect(c.params.concurrency).toBe(5);
    expect(c.shrink).toMatchObject({ enabled: true, attempts: 3, required: 2 });
    expect(c.retention.passingRuns).toBe(20);
  });

  it.each([
    [{ ...minimal, seed: 'x' }, /field 'seed'/],
    [{ ...minimal, name: '../up' }, /field 'name'/],
    [{ ...minimal, budget: { trials: 0 } }, /field 'budget.trials'/],
    [{ ...minimal, schedule: { faultKinds: ['meteor'] } }, /field 'schedule.faultKinds\[0\]'/],
    [{ ...minimal, shrink: { attempts: 2, required: 3 } }, /field 'shrink.required'/],
    [{ ...minimal, bogus: 1 }, /bogus/],
    [{ ...minimal, schedule: { faults: { minDurationMs: 5, maxDurationMs: 1 } } }, /faults/],
  ])('names the bad field: %j', (value, re) => {
    expect(() => parseSoakConfig(value, 'soak.json')).toThrow(SoakConfigError);
    expect(() => parseSoakConfig(value, 'soak.json')).toThrow(re);
  });

  it('reports invalid JSON with the line', () => {
    const f = join(tmp, 'bad.json');
    writeFileSync(f, '{\n  "name": "x",\n  oops\n}\n');
    expect(() => loadSoakConfig(f)).toThrow(/bad\.json:3: invalid JSON/);
  });

  it('loads the example soaks in soaks/', () => {
    for (const f of ['etcd-5-serializable.json', 'etcd-5-linearizable.json']) {
      const c = loadSoakConfig(join(REPO, 'soaks', f));
      expect(existsSync(c.clusterFile)).toBe(true);
    }
  });
});

describe('Daemon start-up checks', () => {
  it('refuses a missing or non-etcd cluster file before touching anything', async () => {
    const results = join(tmp, 'startup');
    const missing = parseSoakConfig({ ...minimal, results }, join(tmp, 'soak.json'));
    await expect(new Daemon(missing).run()).rejects.toThrow(/c\.json: cannot read/);
    const pg = parseSoakConfig(
      { ...minimal, cluster: join(REPO, 'clusters/postgres.json'), results },
      join(tmp, 'soak.json'),
    );
    await expect(new Daemon(pg).run()).rejects.toThrow(/runs on etcd clusters, not postgres/);
    expect(existsSync(results)).toBe(false);
  });
});

describe('trial seeds', () => {
  it('are deterministic, 32-bit and distinct per trial and per daemon seed', () => {
    expect(trialSeed(42, 7)).toBe(trialSeed(42, 7));
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => trialSeed(42, i + 1)));
    expect(seeds.size).toBe(1000);
    expect(trialSeed(43, 1)).not.toBe(trialSeed(42, 1));
    for (const s of seeds)
      expect(Number.isSafeInteger(s) && s >= -(2 ** 31) && s < 2 ** 31).toBe(true);
  });
});

describe('retention', () => {
  it('drops the oldest passing runs beyond the limit', () => {
    expect(planRetention(['a', 'b', 'c'], 2)).toEqual({ keep: ['b', 'c'], drop: ['a'] });
    expect(planRetention(['a'], 0)).toEqual({ keep: [], drop: ['a'] });
    const dirs = ['r1', 'r2', 'r3'].map((d) => join(tmp, d));
    dirs.forEach((d) => mkdirSync(d));
    expect(applyRetention(dirs, 1)).toEqual([dirs[2]]);
    expect(dirs.map((d) => existsSync(d))).toEqual([false, false, true]);
  });

  it('bounds resource samples but keeps the baseline', () => {
    let list = [] as ReturnType<typeof pushResourceSample>;
    for (let t = 1; t <= 700; t++)
      list = pushResourceSample(list, {
        trial: t,
        at: '',
        rssBytes: t,
        heapUsedBytes: 0,
        openFds: 0,
      });
    expect(list.length).toBe(510);
    expect(list[0]!.trial).toBe(1);
    expect(list.at(-1)!.trial).toBe(700);
  });
});

describe('failure signatures and groups', () => {
  it('names a stale read in a real Jepsen etcd history', async () => {
    const { ops } = await loadHistory(corpusFile('jepsen/etcd_000.log'));
    const r = await checkLinearizability(ops, {
      model: 'cas-register',
      readNil: 'absent',
      full: true,
    });
    const schedule = {
      faults: [
        { atMs: 0, durationMs: 1, fault: { kind: 'partition' as const, targets: 'all' as const } },
      ],
    };
    const sig = failureSignature({ linearizability: r, perf: { valid: true } }, schedule, ops)!;
    expect(sig.checkers).toEqual(['linearizability']);
    expect(sig.anomalies).toEqual(['linearizability:stale-read[cas-register]']);
    expect(sig.signature).toBe('linearizability:stale-read[cas-register] | faults: partition');
    expect(
      failureSignature({ linearizability: { ...r, valid: true } }, schedule, ops),
    ).toBeUndefined();
  });

  it('lists compound fault parts', () => {
    const kinds = faultKinds({
      faults: [
        {
          atMs: 0,
          durationMs: 1,
          fault: {
            kind: 'compound',
            targets: 'all',
            params: {
              faults: [
                { kind: 'kill', targets: 'one' },
                { kind: 'loss', targets: 'one' },
              ],
            },
          },
        },
      ],
    });
    expect(kinds).toEqual(['compound', 'kill', 'loss']);
  });

  it('groups repeats and counts them', () => {
    const sig = {
      signature: 's1',
      checkers: ['linearizability'],
      anomalies: ['a'],
      faults: ['partition'],
      keys: ['0'],
    };
    let g = addFailure(emptyGroups(), sig, 1, '/r/1').file;
    g = addFailure(g, { ...sig, signature: 's2' }, 2, '/r/2').file;
    g = addFailure(g, { ...sig, keys: ['2'] }, 3, '/r/3').file;
    expect(g.groups.map((x) => [x.signature, x.count])).toEqual([
      ['s1', 2],
      ['s2', 1],
    ]);
    expect(g.groups[0]).toMatchObject({
      firstTrial: 1,
      lastTrial: 3,
      trials: [1, 3],
      keys: ['0', '2'],
    });
    g = addMinimized(g, 's2', {
      trial: 2,
      dir: '/m/2',
      before: { ops: 9, faults: 2 },
      after: { ops: 3, faults: 1 },
      reproduced: '3/3',
    });
    expect(g.groups[1]!.minimized).toHaveLength(1);
  });
});

describe('live events', () => {
  it('maps executor progress and fault events, and ends with the trial', () => {
    const progress$ = new Subject<Progress>();
    const faults$ = new Subject<FaultEvent>();
    const seen: LiveEvent[] = [];
    let done = false;
    trialEvents(4, { progress$, faults$ }).subscribe({
      next: (e) => seen.push(e),
      complete: () => (done = true),
    });
    progress$.next({
      phase: 'running',
      elapsedMs: 1000.4,
      opsPerSec: 12.34,
      ok: 5,
      fail: 1,
      info: 0,
      inFlight: 2,
      activeFaults: ['f0:partition'],
    });
    const fault = { kind: 'partition' as const, targets: 'all' as const };
    faults$.next({ type: 'starting', id: 'f0', fault, atMs: 1 });
    faults$.next({ type: 'started', id: 'f0', fault, targets: ['n1', 'n2'], atMs: 2 });
    faults$.next({ type: 'stopped', id: 'f0', fault, targets: ['n1', 'n2'], atMs: 3 });
    progress$.complete();
    faults$.complete();
    expect(seen).toEqual([
      {
        type: 'progress',
        trial: 4,
        elapsedMs: 1000,
        opsPerSec: 12.3,
        ok: 5,
        fail: 1,
        info: 0,
        activeFaults: ['f0:partition'],
      },
      {
        type: 'fault',
        trial: 4,
        event: 'applied',
        id: 'f0',
        kind: 'partition',
        targets: ['n1', 'n2'],
      },
      {
        type: 'fault',
        trial: 4,
        event: 'healed',
        id: 'f0',
        kind: 'partition',
        targets: ['n1', 'n2'],
      },
    ]);
    expect(done).toBe(true);
  });
});
