/**
 * `faultline replay <run-dir>`: re-check a stored run offline (deterministic: the same history,
 * logs and replica observations through the same check plan), or with `--live` re-execute its
 * stored schedule against a fresh cluster.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exitCodeFor, type Validity } from '../checkers/result.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import { loadSchedule } from '../generators/schedule.js';
import { createLogger } from '../log.js';
import { checkRun, runTrial, type RunResultsFile } from '../run/runner.js';
import { abortOnSignals, trialExitCode } from './run.js';
import { UsageError } from './errors.js';
import { inRun } from '../run-layout.js';
import { examples } from './help.js';

const verdictText = (v: Validity) => (v === true ? 'valid' : v === false ? 'INVALID' : 'unknown');

function readRunResults(runDir: string): RunResultsFile {
  const file = inRun(runDir, 'results');
  if (!existsSync(file)) throw new UsageError(`${runDir} is not a run directory (no results.json)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunResultsFile;
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

export function registerReplayCommands(program: Command): void {
  program
    .command('replay <run-dir>')
    .addHelpText(
      'after',
      examples([
        [
          're-check the stored history of the latest run offline (same verdict expected)',
          'replay results/latest',
        ],
        [
          're-run its stored schedule on a fresh cluster',
          'replay results/latest --live --results results',
        ],
      ]),
    )
    .description(
      're-check a stored run offline, or re-run its schedule on a fresh cluster with --live',
    )
    .option('--live', 're-execute the stored schedule against a fresh cluster')
    .option('--results <dir>', 'results root for --live', 'results')
    .option('--json', 'print the checks as JSON')
    .action(
      async (
        dirArg: string,
        o: { live?: boolean; results: string; json?: boolean },
        cmd: Command,
      ) => {
        const runDir = resolve(dirArg);
        const stored = readRunResults(runDir);
        const globals = cmd.optsWithGlobals<{ quiet?: boolean; logFile?: string }>();
        const log = createLogger({
          quiet: globals.quiet,
          ...(globals.logFile ? { file: globals.logFile } : {}),
        });
        if (!o.live) {
          const obsFile = inRun(runDir, 'observations');
          const observations = existsSync(obsFile)
            ? (JSON.parse(readFileSync(obsFile, 'utf8')) as ReplicaObservation[])
            : undefined;
          const again = await checkRun(runDir, stored.run.checkPlan, observations);
          const same = again.valid === stored.valid;
          if (o.json)
            process.stdout.write(
              JSON.stringify({ stored: stored.valid, ...again }, null, 2) + '\n',
            );
          else {
            process.stdout.write(
              `${runDir}\n  stored verdict:  ${verdictText(stored.valid)}\n  re-checked:      ${verdictText(again.valid)}${same ? ' (same)' : ' (DIFFERENT)'}\n`,
            );
            for (const [name, r] of Object.entries(again.checks)) {
              const before = (stored.checks[name] as { valid?: Validity } | undefined)?.valid;
              process.stdout.write(
                `  ${name.padEnd(16)} ${verdictText(r.valid)}${before !== undefined && before !== r.valid ? ` (was ${verdictText(before)})` : ''}\n`,
              );
            }
          }
          process.exitCode = exitCodeFor(again.valid);
          return;
        }
        const schedule = await loadSchedule(inRun(runDir, 'schedule'));
        const clusterFile = existsSync(inRun(runDir, 'cluster'))
          ? inRun(runDir, 'cluster')
          : stored.run.cluster;
        const controller = new AbortController();
        const release = abortOnSignals(controller, log);
        try {
          const outcome = await runTrial({
            clusterFile,
            workload: stored.run.workload === 'pg-vote' ? 'vote' : 'register',
            readConsistency: stored.run.readConsistency ?? 'linearizable',
            ...(stored.run.isolation ? { isolation: stored.run.isolation } : {}),
            ...(stored.run.healAtEnd === false ? { healAtEnd: false } : {}),
            schedule,
            resultsRoot: o.results,
            test: `${stored.run.test}-replay`,
            opTimeoutMs: 1000,
            command: ['faultline', ...process.argv.slice(2)].join(' '),
            signal: controller.signal,
            logger: log,
            progress: !globals.quiet && !o.json,
          });
          process.stdout.write(
            o.json ? JSON.stringify(outcome.results, null, 2) + '\n' : outcome.summary,
          );
          process.stdout.write(
            `original verdict ${verdictText(stored.valid)}, live replay ${verdictText(outcome.valid)}\n`,
          );
          process.exitCode = trialExitCode(outcome, controller.signal.aborted);
        } finally {
          release();
        }
      },
    );
}
