/**
 * `faultline report <run-dir>`: (re)generate a run's self-contained report.html from its
 * history.jsonl, results.json, schedule.json and fault journal.
 */
import type { Command } from 'commander';
import { renderReport } from '../report/render.js';
import { examples } from './help.js';

export function registerReportCommands(program: Command): void {
  program
    .command('report <run-dir>')
    .addHelpText(
      'after',
      examples([
        ['regenerate results/latest/report.html', 'report results/latest'],
        ['write the page elsewhere', 'report results/latest -o /tmp/report.html'],
      ]),
    )
    .description(
      'write <run-dir>/report.html: verdicts, faults, latency and throughput plots, op timeline',
    )
    .option('-o, --out <file>', 'write the page here instead of <run-dir>/report.html')
    .action(async (runDir: string, opts: { out?: string }) => {
      const t0 = performance.now();
      const r = await renderReport(runDir, opts.out ? { out: opts.out } : {});
      const quiet = program.opts<{ quiet?: boolean }>().quiet;
      if (!quiet) {
        const mb = (r.bytes / 1024 / 1024).toFixed(2);
        process.stderr.write(`report: ${mb} MB in ${Math.round(performance.now() - t0)} ms\n`);
      }
      process.stdout.write(`${r.path}\n`);
    });
}
