/**
 * The closing line of `.ci/run`: `N passed, N failed, N skipped`, computed from vitest's JSON
 * report (`--reporter=json --outputFile=FILE`), so a reader or a script can parse one plain
 * line instead of the runner's decorated summary. A test file that failed without a failing
 * test (it did not import, a hook threw) counts as one failure: nothing that did not run passes.
 *
 * Usage: node --import tsx scripts/test-summary.ts REPORT.json
 * Exit 0 when nothing failed, 1 otherwise (also when the report is missing or unreadable).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The part of vitest's JSON report (reporters/json) this reads. */
export interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests?: number;
  testResults: { name: string; status: string; assertionResults: { status: string }[] }[];
}

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countTests(report: VitestJsonReport): TestCounts {
  const brokenFiles = report.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed'),
  ).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
  };
}

export const summaryLine = (c: TestCounts): string =>
  `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

function main(file: string | undefined): number {
  let report: VitestJsonReport;
  try {
    if (!file) throw new Error('usage: test-summary.ts REPORT.json');
    report = JSON.parse(readFileSync(file, 'utf8')) as VitestJsonReport;
    if (!Array.isArray(report.testResults)) throw new Error(`${file}: not a vitest JSON report`);
  } catch (err) {
    // No report: the build or the typecheck failed before any test ran.
    process.stderr.write(`test-summary: no test report (${(err as Error).message})\n`);
    process.stdout.write(summaryLine({ passed: 0, failed: 1, skipped: 0 }) + '\n');
    return 1;
  }
  const counts = countTests(report);
  process.stdout.write(summaryLine(counts) + '\n');
  return counts.failed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv[2]);
}
