/**
 * `faultline compare <baseline-run> <run>`: did latency or throughput regress beyond the
 * tolerance, period by period (src/compare)? Exit 1 on a regression, 0 otherwise.
 */
import type { Command } from 'commander';
import { compareSamples, formatComparison } from '../compare/compare.js';
import { loadRunSamples } from '../compare/load.js';
import { UsageError } from './errors.js';

/** `10%` or `0.1` -> 0.1. */
export function parseTolerance(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v >= 0 && v < 10))
    throw new UsageError(
      `--tolerance: expected a fraction like 0.1 or a percentage like 10%, got '${text}'`,
    );
  return v;
}

export function registerCompareCommands(program: Command): void {
  program
    .command('compare <baseline-run> <run>')
    .description(
      'compare latency quantiles and throughput per period against a baseline run (bootstrap CIs); exit 1 on a regression',
    )
    .option('--tolerance <t>', 'allowed change, e.g. 10% or 0.1', '10%')
    .option('--json', 'print the comparison as JSON')
    .action(async (baselineRun: string, run: string, o: { tolerance: string; json?: boolean }) => {
      const tolerance = parseTolerance(o.tolerance);
      const [baseline, current] = await Promise.all([
        loadRunSamples(baselineRun),
        loadRunSamples(run),
      ]);
      const c = compareSamples(baseline, current, { tolerance });
      process.stdout.write(
        o.json ? JSON.stringify(c, null, 2) + '\n' : formatComparison(c, baselineRun, run),
      );
      process.exitCode = c.regressed ? 1 : 0;
    });
}
