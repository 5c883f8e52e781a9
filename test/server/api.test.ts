/**
 * The JSON endpoints and the run index over real run directories (the recorded fixture run, plus
 * copies of it edited the way other runs would differ): filters, newest-first order, run details,
 * results.json re-read when it changes, runs without results, and a daemon soak's groups.json.
 */
import { cp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import type { FailureGroup } from '../../src/server/groups.js';
import type { RunSummary } from '../../src/server/runs.js';
import { FIXTURE_RUN_ID, rawRequest, tempResults, type TempResults } from './helpers.js';

let tmp: TempResults;
let server: RunningServer;

interface ResultsJson {
  valid: unknown;
  run: { test: string; seed: number; startedAt: string; command: string };
  checks: Record<string, { valid: unknown }>;
}

/** Copies the fixture run to `id`, rewriting its results.json with `edit`. */
async function cloneRun(id: string, edit: (r: ResultsJson) => void): Promise<void> {
  const dir = join(tmp.root, ...id.split('/'));
  await cp(join(tmp.root, ...FIXTURE_RUN_ID.split('/')), dir, { recursive: true });
  const r = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ResultsJson;
  edit(r);
  await writeFile(join(dir, 'results.json'), JSON.stringify(r));
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await rawRequest(server.url, path);
  return { status: res.status, body: JSON.parse(res.body) as T };
}

interface RunsAnswer {
  total: number;
  counts: Record<string, number>;
  runs: RunSummary[];
}

beforeAll(async () => {
  tmp = await tempResults();
  await cloneRun('etcd-3-register/20261121T170000', (r) => {
    r.valid = true;
    r.run.test = 'etcd-3-register';
    r.run.seed = 1234;
    r.run.startedAt = '2026-11-21T17:00:00.000Z';
    r.run.command = 'faultline run --cluster clusters/etcd-3.json --nemesis kill --seed 1234';
    for (const c of Object.values(r.checks)) c.valid = true;
  });
  // A daemon soak: trials without a stamp in their name, a trial still running, and groups.json.
  await cloneRun('soak-a/trial-000001', (r) => {
    r.valid = 'unknown';
    r.run.test = 'soak-a';
    r.run.startedAt = '2026-11-21T18:00:00.000Z';
  });
  await mkdir(join(tmp.root, 'soak-a', 'trial-000002'));
  await writeFile(join(tmp.root, 'soak-a', 'trial-000002', 'schedule.json'), '{}');
  await writeFile(join(tmp.root, 'soak-a', 'trial-000002', 'history.jsonl'), '');
  const later = new Date('2026-11-21T19:00:00.000Z');
  await utimes(join(tmp.root, 'soak-a', 'trial-000002'), later, later);
  await writeFile(
    join(tmp.root, 'soak-a', 'groups.json'),
    JSON.stringify({
      version: 1,
      groups: [
        {
          signature: 'linearizability:stale-read[cas-register] | faults: partition',
          count: 2,
          firstSeen: '2026-11-21T18:00:10.000Z',
          lastSeen: '2026-11-21T18:05:00.000Z',
          runDirs: [join(tmp.root, 'soak-a', 'trial-000001'), '/somewhere/else/trial-000009'],
          minimized: [
            {
              trial: 1,
              dir: 'shrink/trial-000001/final',
              before: { ops: 400, faults: 2 },
              after: { ops: 9, faults: 1 },
              reproduced: '3/3',
            },
          ],
        },
      ],
    }),
  );
  await writeFile(
    join(tmp.root, 'soak-a', 'daemon.json'),
    JSON.stringify({ status: 'running', counts: { trials: 2, invalid: 0 } }),
  );
  server = await startServer({ resultsRoot: tmp.root });
});

afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

describe('/api/runs', () => {
  it('lists every run newest first, with verdicts and checks', async () => {
    const { status, body } = await getJson<RunsAnswer>('/api/runs');
    expect(status).toBe(200);
    expect(body.runs.map((r) => r.id)).toEqual([
      'soak-a/trial-000002', // no results yet: dated by its directory's mtime
      'soak-a/trial-000001',
      'etcd-3-register/20261121T170000',
      FIXTURE_RUN_ID,
    ]);
    const fixture = body.runs.find((r) => r.id === FIXTURE_RUN_ID)!;
    expect(fixture).toMatchObject({ verdict: 'invalid', seed: 7, readConsistency: 'serializable' });
    expect(fixture.checks.linearizability).toBe('invalid');
    expect(fixture.execution?.ok).toBeGreaterThan(0);
    expect(body.counts).toEqual({ valid: 1, invalid: 1, unknown: 1, incomplete: 1 });
  });

  it('filters by test, verdict, text and time', async () => {
    const ids = async (q: string) =>
      (await getJson<RunsAnswer>(`/api/runs?${q}`)).body.runs.map((r) => r.id);
    expect(await ids('verdict=invalid')).toEqual([FIXTURE_RUN_ID]);
    expect(await ids('test=etcd-3-register')).toEqual(['etcd-3-register/20261121T170000']);
    expect(await ids('q=1234')).toEqual(['etcd-3-register/20261121T170000']);
    expect(await ids('q=NEMESIS%20KILL')).toEqual(['etcd-3-register/20261121T170000']);
    expect(await ids('from=2026-11-21T16:30&to=2026-11-21T17:59')).toEqual([
      'etcd-3-register/20261121T170000',
    ]);
    expect(await ids('to=2026-11-21T16:01')).toEqual([FIXTURE_RUN_ID]);
    expect(await ids('verdict=valid&q=no-such-thing')).toEqual([]);
    const paged = await getJson<RunsAnswer>('/api/runs?limit=1&offset=1');
    expect(paged.body.total).toBe(4);
    expect(paged.body.runs.map((r) => r.id)).toEqual(['soak-a/trial-000001']);
  });

  it('says what is wrong with a bad filter', async () => {
    const bad = await getJson<{ error: string }>('/api/runs?verdict=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/verdict/);
    expect((await getJson<{ error: string }>('/api/runs?from=yesterday')).status).toBe(400);
  });

  it('re-reads results.json when it changes, and survives a corrupt one', async () => {
    const file = join(tmp.root, 'etcd-3-register', '20261121T170000', 'results.json');
    const r = JSON.parse(await readFile(file, 'utf8')) as ResultsJson;
    r.valid = false;
    await writeFile(file, JSON.stringify(r));
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const deadline = Date.now() + 5000; // the listing is memoised for a second
    let verdict = '';
    while (Date.now() < deadline) {
      verdict = (await getJson<{ run: RunSummary }>('/api/runs/etcd-3-register/20261121T170000'))
        .body.run.verdict;
      if (verdict === 'invalid') break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(verdict).toBe('invalid');
    await writeFile(file, '{"valid": tru');
    const broken = await getJson<{ run: RunSummary }>('/api/runs/etcd-3-register/20261121T170000');
    expect(broken.status).toBe(200);
    expect(broken.body.run.verdict).toBe('incomplete');
    expect(broken.body.run.problem).toMatch(/results\.json/);
    await rm(join(tmp.root, 'etcd-3-register'), { recursive: true });
  });
});

describe('/api/runs/<id>', () => {
  it('returns the summary, results and file list; latest resolves to its run', async () => {
    const { status, body } = await getJson<{
      run: RunSummary;
      results: { valid: unknown };
      files: { name: string }[];
    }>(`/api/runs/${FIXTURE_RUN_ID}`);
    expect(status).toBe(200);
    expect(body.results.valid).toBe(false);
    expect(body.files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['results.json', 'history.jsonl', 'schedule.json', 'logs/n1.log']),
    );
    const latest = await getJson<{ run: RunSummary }>('/api/runs/latest');
    expect(latest.body.run.id).toBe(FIXTURE_RUN_ID);
    expect((await rawRequest(server.url, '/api/runs/etcd-3-register-serializable')).status).toBe(
      404,
    );
    expect((await rawRequest(server.url, `/api/runs/${FIXTURE_RUN_ID}/logs`)).status).toBe(404);
  });

  it('redirects /runs/latest to the run page', async () => {
    const res = await rawRequest(server.url, '/runs/latest');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/runs/${FIXTURE_RUN_ID}`);
  });
});

describe('/api/groups and /groups', () => {
  it("reads the daemon's groups.json and links runs under the results root", async () => {
    const { body } = await getJson<{
      soaks: { id: string; daemon: Record<string, unknown>; groups: FailureGroup[] }[];
    }>('/api/groups');
    expect(body.soaks.map((s) => s.id)).toEqual(['soak-a']);
    const g = body.soaks[0]!.groups[0]!;
    expect(g).toMatchObject({
      count: 2,
      first: '2026-11-21T18:00:10.000Z',
      last: '2026-11-21T18:05:00.000Z',
    });
    expect(g.runs).toEqual([
      { id: 'soak-a/trial-000001', path: join(tmp.root, 'soak-a', 'trial-000001') },
      { id: null, path: '/somewhere/else/trial-000009' },
    ]);
    expect(g.minimized[0]).toMatchObject({
      run: { id: 'soak-a/shrink/trial-000001/final' },
      reproduced: '3/3',
    });
    expect(body.soaks[0]!.daemon.status).toBe('running');

    const page = await rawRequest(server.url, '/groups');
    expect(page.status).toBe(200);
    expect(page.body).toContain('linearizability:stale-read[cas-register] | faults: partition');
    expect(page.body).toContain('href="/runs/soak-a/trial-000001"');
  });
});
