/** Shared by the `faultline run` integration tests: the CLI, a run's files, and what may leak. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../support/repo.js';

export interface RunResults {
  valid: boolean | 'unknown';
  checks: Record<string, Record<string, unknown> & { valid: boolean | 'unknown' }>;
  run: {
    workload: string;
    isolation?: string;
    healAtEnd?: boolean;
    endedByTeardown?: string[];
    namespaces: string[];
    execution: {
      ok: number;
      fail: number;
      info: number;
      faultsApplied: number;
      faultsFailed: number;
      recovered: boolean | null;
    } | null;
    error: string | null;
  };
}

/** A private base dir (searchable by the postgres OS user) and a state dir for one test file. */
export function testBase(name: string): {
  base: string;
  env: NodeJS.ProcessEnv;
  cleanup: () => void;
} {
  const base = mkdtempSync(join(tmpdir(), `fl-${name}-${process.pid}-`));
  chmodSync(base, 0o755);
  const env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
  return {
    base,
    env,
    cleanup: () => {
      spawnSync('node', [CLI, 'cluster', 'down', '--all'], { env, encoding: 'utf8' });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Runs `faultline -q run ...`; returns the exit status, output and the run's results. */
export function faultlineRun(
  args: string[],
  results: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string; dir: string; res: RunResults } {
  const r = spawnSync('node', [CLI, '-q', 'run', ...args, '--results', results], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const dir = join(results, readlinkSync(join(results, 'latest')));
  const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResults;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir, res };
}

/** Namespaces of a run still present, and processes whose command line mentions `base`. */
export function residue(
  namespaces: string[],
  base: string,
): { netns: string[]; processes: string[] } {
  const live = new Set(
    spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((l) => l.split(' ')[0]),
  );
  const processes = spawnSync('pgrep', ['-af', base], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l && !l.includes('pgrep'));
  return { netns: namespaces.filter((n) => live.has(n)), processes };
}

export const exitFor = (v: boolean | 'unknown') => (v === true ? 0 : v === false ? 1 : 2);

export function journal(
  dir: string,
): Array<Record<string, unknown> & { event: string; id: string }> {
  return readFileSync(join(dir, 'faults.journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string; id: string });
}
