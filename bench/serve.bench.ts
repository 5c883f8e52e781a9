/**
 * bench:serve — how the runs list scales: N run directories (copies of the recorded fixture run's
 * results.json with varied seeds/verdicts/times), then the cold listing (parse every results.json),
 * the warm listing (stat only, cache hits), and the runs page and a filtered API call over HTTP.
 *   npm run bench:serve [-- <runs>]   (default 3000)
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server/index.js';
import { RunIndex } from '../src/server/runs.js';
import { FIXTURE_RUN_ID, FIXTURE_RUNS, rawRequest } from '../test/server/helpers.js';

const N = Number(process.argv[2] ?? 3000);
const base = await mkdtemp(join(tmpdir(), `fl-serve-bench-${process.pid}-`));
const root = join(base, 'results');
try {
  const template = JSON.parse(
    await readFile(join(FIXTURE_RUNS, FIXTURE_RUN_ID, 'results.json'), 'utf8'),
  );
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < N; i++) {
    const started = new Date(t0 + i * 60_000);
    const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const test = `bench-${i % 5}`;
    const dir = join(root, test, stamp);
    await mkdir(dir, { recursive: true });
    template.valid = i % 17 === 0 ? false : i % 31 === 0 ? 'unknown' : true;
    template.run.test = test;
    template.run.seed = i;
    template.run.startedAt = started.toISOString();
    template.run.command = `faultline run --cluster clusters/etcd-3.json --seed ${i}`;
    await writeFile(join(dir, 'results.json'), JSON.stringify(template));
  }
  const bytes = JSON.stringify(template).length;
  console.log(`${N} runs, results.json ${(bytes / 1024).toFixed(1)} KB each`);

  const index = new RunIndex(root, 0);
  let t = performance.now();
  const runs = await index.list();
  console.log(
    `cold listing (parse all):   ${(performance.now() - t).toFixed(0)} ms (${runs.length} runs)`,
  );
  t = performance.now();
  await index.list();
  console.log(`warm listing (stat only):   ${(performance.now() - t).toFixed(0)} ms`);

  const server = await startServer({ resultsRoot: root });
  try {
    t = performance.now();
    let res = await rawRequest(server.url, '/');
    console.log(
      `GET / first (cold):         ${(performance.now() - t).toFixed(0)} ms, ${res.body.length} bytes, status ${res.status}`,
    );
    await new Promise((ok) => setTimeout(ok, 1100)); // past the listing memo
    t = performance.now();
    res = await rawRequest(server.url, '/');
    console.log(`GET / (warm, re-stat):      ${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    res = await rawRequest(server.url, '/api/runs?verdict=invalid&q=seed%201&test=bench-1');
    const body = JSON.parse(res.body) as { total: number };
    console.log(
      `GET /api/runs filtered:     ${(performance.now() - t).toFixed(0)} ms (${body.total} hits)`,
    );
  } finally {
    await server.close();
  }
} finally {
  await rm(base, { recursive: true, force: true });
}
