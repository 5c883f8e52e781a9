/**
 * Measurement (issue 6): how often `faultline run --workload vote` finds double votes on a real
 * PostgreSQL 15, per isolation level. Each run is the real CLI end to end (cluster in a
 * namespace, executor, checkers). Prints one line per run and a tally; exit 1 if SERIALIZABLE
 * ever double-votes.
 *
 *   npm run bench:vote -- [readCommittedRuns=5] [serializableRuns=10] [seconds=10]
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO } from '../test/support/repo.js';

const [rc = 5, ser = 10, secs = 10] = process.argv.slice(2).map(Number);

interface Results {
  valid: boolean | 'unknown';
  checks: Record<string, { valid: boolean | 'unknown'; violations?: unknown[] }>;
  run: { execution: { ok: number; fail: number; info: number } | null };
}

const base = mkdtempSync(join(tmpdir(), `fl-vote-measure-${process.pid}-`));
chmodSync(base, 0o755); // the postgres OS user must reach its data directory
const env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
const tally: Record<string, { runs: number; doubleVoteRuns: number; doubleVotes: number }> = {};
try {
  for (const [isolation, runs] of [
    ['read-committed', rc],
    ['serializable', ser],
  ] as const) {
    const t = (tally[isolation] = { runs: 0, doubleVoteRuns: 0, doubleVotes: 0 });
    for (let i = 0; i < runs; i++) {
      const results = join(base, 'results');
      const r = spawnSync(
        'node',
        [
          CLI,
          '-q',
          'run',
          '--cluster',
          join(REPO, 'clusters/postgres.json'),
          '--workload',
          'vote',
          '--isolation',
          isolation,
          '--time-limit',
          String(secs),
          '--concurrency',
          '6',
          '--nemesis',
          'none',
          '--seed',
          String(i + 1),
          '--results',
          results,
        ],
        { env, encoding: 'utf8', timeout: 180_000 },
      );
      const dir = join(results, readlinkSync(join(results, 'latest')));
      const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
      const doubles = (res.checks.election?.violations ?? []).length;
      t.runs++;
      if (doubles > 0) t.doubleVoteRuns++;
      t.doubleVotes += doubles;
      const ex = res.run.execution;
      console.log(
        `${isolation} run ${i + 1}: exit ${r.status}, verdict ${String(res.valid)}, ${doubles} double vote(s); ` +
          `votes ${ex?.ok ?? '?'} ok ${ex?.fail ?? '?'} fail ${ex?.info ?? '?'} info`,
      );
    }
  }
} finally {
  spawnSync('node', [CLI, 'cluster', 'down', '--all'], { env, encoding: 'utf8' });
  rmSync(base, { recursive: true, force: true });
}
for (const [isolation, t] of Object.entries(tally)) {
  console.log(
    `${isolation}: double votes in ${t.doubleVoteRuns} of ${t.runs} runs (${t.doubleVotes} in total)`,
  );
}
process.exitCode = (tally.serializable?.doubleVoteRuns ?? 0) > 0 ? 1 : 0;
