/** summary.txt (pure): it says what happened and points only at files that were written. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResultsFile } from '../../src/run/runner.js';
import { formatSummary } from '../../src/run/summary.js';
import { REPO } from '../support/repo.js';

const FIXTURE = join(REPO, 'test/fixtures/runs/etcd-3-register-serializable/20261121T160121');
const recorded = () =>
  JSON.parse(readFileSync(join(FIXTURE, 'results.json'), 'utf8')) as RunResultsFile;

describe('formatSummary', () => {
  it('says a cluster that never came up never became healthy, and points at no report', () => {
    const file = recorded();
    file.run.clusterUpMs = null;
    file.run.execution = null;
    file.checks = {};
    file.run.error =
      'cluster never became healthy: member n1 exited: flag provided but not defined: -x';
    const text = formatSummary(file, '/r/run', { history: false, report: false });
    expect(text).toMatch(/never became healthy/);
    expect(text).not.toMatch(/healthy in/);
    expect(text).not.toMatch(/report\.html/);
    expect(text).not.toMatch(/offline re-check/);
    expect(text).toMatch(/--live/);
  });

  it('points at the report and the offline replay when they exist', () => {
    const text = formatSummary(recorded(), '/r/run', { history: true, report: true });
    expect(text).toMatch(/healthy in 2\.4 s/);
    expect(text).toContain('/r/run/report.html');
    expect(text).toMatch(/offline re-check/);
  });
});
