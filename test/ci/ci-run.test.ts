/**
 * What `.ci/run` promises: under CI=true a suite skipped for a missing requirement (root, a
 * binary) fails the run instead of passing silently, and the run ends with one plain line
 * `N passed, N failed, N skipped` computed from vitest's JSON report. Checked on a real vitest
 * run of a fixture suite (test/fixtures/ci), then on the summary script's edge cases.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countTests, summaryLine, type VitestJsonReport } from '../../scripts/test-summary.js';
import { REPO } from '../support/repo.js';

const dir = mkdtempSync(join(tmpdir(), `fl-ci-run-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VITEST = join(REPO, 'node_modules', 'vitest', 'vitest.mjs');
const SUMMARY = join(REPO, 'scripts', 'test-summary.ts');

/** Runs the fixture suite the way .ci/run runs the real one; returns exits and the last line. */
function runFixture(ci: boolean) {
  const report = join(dir, `report-${ci}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, CI: ci ? 'true' : '' };
  delete env.VITEST; // a nested vitest must not think it runs inside this one
  const vitest = spawnSync(
    process.execPath,
    [
      VITEST,
      'run',
      '--config',
      join(REPO, 'test/fixtures/ci/vitest.config.ts'),
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 },
  );
  const summary = spawnSync(process.execPath, ['--import', 'tsx', SUMMARY, report], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    vitestStatus: vitest.status,
    summaryStatus: summary.status,
    lastLine: summary.stdout.trimEnd().split('\n').at(-1),
  };
}

describe('.ci/run', () => {
  it('under CI=true a suite behind a missing requirement fails the run', () => {
    const r = runFixture(true);
    expect(r.lastLine).toBe('1 passed, 1 failed, 0 skipped');
    expect(r.vitestStatus).not.toBe(0);
    expect(r.summaryStatus).toBe(1);
  });

  it('without CI the same suite is skipped, and the run passes', () => {
    const r = runFixture(false);
    expect(r.lastLine).toBe('1 passed, 0 failed, 1 skipped');
    expect(r.vitestStatus).toBe(0);
    expect(r.summaryStatus).toBe(0);
  });

  it('the closing line counts a file that failed without a failing test (it did not load)', () => {
    const report: VitestJsonReport = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 1,
      testResults: [
        { name: 'a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
        { name: 'b.test.ts', status: 'failed', assertionResults: [{ status: 'failed' }] },
        { name: 'c.test.ts', status: 'failed', assertionResults: [] },
      ],
    };
    expect(summaryLine(countTests(report))).toBe('3 passed, 2 failed, 3 skipped');
  });

  it('no report (the build or typecheck failed first) is a failed run, still one plain line', () => {
    const missing = join(dir, 'missing.json');
    writeFileSync(join(dir, 'garbage.json'), '{"not":"a report"}');
    for (const file of [missing, join(dir, 'garbage.json')]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', SUMMARY, file], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('0 passed, 1 failed, 0 skipped\n');
      expect(r.stderr).toMatch(/^test-summary: no test report/);
    }
  });
});
